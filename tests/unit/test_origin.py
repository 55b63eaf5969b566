"""SITE_URL as an origin: parsing, what the settings derive from it, what a label may carry."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.origin import (
    absolute_url,
    label_origin_problem,
    parse_origin,
    with_site_host,
    with_site_origin,
)


@pytest.mark.parametrize(
    ("url", "host", "port", "normalised"),
    [
        ("http://127.0.0.1:8800", "127.0.0.1", 8800, "http://127.0.0.1:8800"),
        ("https://OCOP.example.vn/", "ocop.example.vn", 443, "https://ocop.example.vn"),
        ("https://ocop.example.vn:443", "ocop.example.vn", 443, "https://ocop.example.vn"),
        ("http://ocop.example.vn:80", "ocop.example.vn", 80, "http://ocop.example.vn"),
        ("https://ocop.example.vn:8443", "ocop.example.vn", 8443, "https://ocop.example.vn:8443"),
        ("http://[::1]:8000", "[::1]", 8000, "http://[::1]:8000"),
    ],
)
def test_origins_are_parsed_and_normalised(url, host, port, normalised):
    origin = parse_origin(url)
    assert (origin.host, origin.port, origin.url) == (host, port, normalised)


@pytest.mark.parametrize(
    "url",
    [
        "ocop.example.vn",
        "ftp://ocop.example.vn",
        "https://ocop.example.vn/shop",
        "https://",
        "https://user@ocop.example.vn",
        "https://ocop.example.vn:99999",
        "https://x.vn/?a=1",
    ],
)
def test_anything_but_an_origin_is_refused(url):
    with pytest.raises(ImproperlyConfigured, match="SITE_URL must be an origin"):
        parse_origin(url)


def test_wagtail_root_url_names_no_default_port():
    from wagtail.models import Site

    for url in ("http://ocop.example.vn", "https://ocop.example.vn", "http://127.0.0.1:8800"):
        origin = parse_origin(url)
        assert Site(hostname=origin.host, port=origin.port).root_url == url


def test_absolute_urls_are_made_on_site_url(settings):
    settings.SITE_URL = "https://ocop.example.vn"
    assert absolute_url() == "https://ocop.example.vn/"
    assert absolute_url("/tin-tuc/?page=2") == "https://ocop.example.vn/tin-tuc/?page=2"
    assert absolute_url("https://cdn.example.net/a.jpg") == "https://cdn.example.net/a.jpg"
    assert absolute_url("//cdn.example.net/a.jpg") == "https://cdn.example.net/a.jpg"


def test_the_configured_origin_is_always_allowed():
    origin = parse_origin("http://127.0.0.1:8800")
    assert with_site_host(["localhost"], origin) == ["localhost", "127.0.0.1"]
    assert with_site_host(["127.0.0.1"], origin) == ["127.0.0.1"]
    assert with_site_host(["*"], origin) == ["*"]
    assert with_site_origin([], origin) == ["http://127.0.0.1:8800"]
    assert with_site_origin(["http://127.0.0.1:8800"], origin) == ["http://127.0.0.1:8800"]


@pytest.mark.parametrize(
    "url",
    [
        "http://ocop.example.vn",
        "http://127.0.0.1:8000",
        "https://localhost",
        "https://shop.localhost",
        "https://127.0.0.2",
        "https://[::1]",
        "https://10.1.2.3",
        "https://172.16.0.1",
        "https://192.168.0.10:8443",
        "https://169.254.1.1",
        "https://100.64.0.1",
    ],
)
def test_labels_are_not_printed_for_local_or_plain_http_origins(url):
    assert label_origin_problem(url)


@pytest.mark.parametrize("url", ["https://ocop.example.vn", "https://203.113.131.1"])
def test_labels_are_printed_for_public_https_origins(url):
    assert label_origin_problem(url) == ""
