"""Static files as production ships them: collected with fingerprinted names and gzip copies,
found for every name a template asks for, served compressed and cached for a year; HTML gzipped.

A template that names a missing static file breaks the page in production only (the manifest
storage raises ValueError), so these tests render pages with production's storage.
"""

import datetime
import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from django.utils import timezone

from seo.meta import DEFAULT_IMAGE
from tests.browser.serving import collected_static, production_settings, production_static
from tests.factories import certified_product
from traceability.models import Lot

pytestmark = pytest.mark.django_db

STATIC_TAG = re.compile(r"""{%\s*static\s+["']([^"']+)["']""")
STATIC_URL = re.compile(r"""/static/([^"'\s)?#]+)""")
ONE_YEAR = 365 * 24 * 60 * 60


def names_in_templates():
    """Every static file a template of the active theme (and the default beneath it) names
    literally, with the template naming it. Another theme's templates name its own files."""
    found = []
    for folder in dict.fromkeys(settings.TEMPLATES[0]["DIRS"]):
        for template in sorted(Path(folder).rglob("*.html")):
            found += [(name, template.name) for name in STATIC_TAG.findall(template.read_text())]
    return found


def max_age(response):
    return int(re.search(r"max-age=(\d+)", response["Cache-Control"]).group(1))


def test_reading_production_settings_changes_nothing_in_the_running_ones():
    production = production_settings()
    assert "GZipMiddleware" in " ".join(production.MIDDLEWARE)
    assert "GZipMiddleware" not in " ".join(settings.MIDDLEWARE)
    assert "whitenoise" in production.STORAGES["staticfiles"]["BACKEND"]
    assert "whitenoise" not in settings.STORAGES["staticfiles"]["BACKEND"]


def test_collectstatic_writes_fingerprinted_files_and_gzip_copies():
    root = Path(collected_static())
    with production_static():
        stored = staticfiles_storage.stored_name("ocop/css/site.css")
    assert re.fullmatch(r"ocop/css/site\.[0-9a-f]{12}\.css", stored)
    assert (root / stored).exists() and (root / f"{stored}.gz").exists()
    assert (root / "staticfiles.json").exists()


def test_every_static_file_a_template_names_is_in_the_manifest():
    names = names_in_templates() + [(DEFAULT_IMAGE, "seo/meta.py")]
    assert len(names) > 5
    missing = []
    with production_static():
        for name, where in names:
            try:
                staticfiles_storage.url(name)
            except ValueError:
                missing.append(f"{name} (in {where})")
    assert missing == []


@pytest.fixture
def shop_pages():
    today = timezone.localdate()
    product = certified_product(title="Chè Shan tuyết Tủa Chùa", gtin="8936045900017")
    Lot.objects.create(product=product, code="L2026-07", produced_on=today - datetime.timedelta(1))
    return [
        "/",
        "/en/",
        "/shop/catalogue/",
        product.get_absolute_url(),
        "/shop/basket/",
        "/search/?q=chè",
        "/01/08936045900017/10/L2026-07",
        "/en/trang-khong-co/",
    ]


def test_pages_render_with_production_storage_and_link_only_fingerprinted_files(shop_pages):
    root = Path(collected_static())
    with production_static():
        client = Client()
        for path in shop_pages:
            response = client.get(path)
            assert response.status_code in (200, 404), path
            html = response.content.decode()
            linked = STATIC_URL.findall(html)
            assert linked or path.startswith("/01/"), path  # the scan page inlines its style
            for name in linked:
                assert re.search(r"\.[0-9a-f]{12}\.\w+$", name), f"{name} on {path}"
                assert (root / name).exists(), f"{name} on {path}"


def test_fingerprinted_files_are_served_compressed_and_cached_for_a_year():
    with production_static():
        client = Client()
        url = staticfiles_storage.url("ocop/css/site.css")
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        body = b"".join(response.streaming_content)
        plain = client.get("/static/ocop/css/site.css")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert b":root" in gzip.decompress(body)
    assert max_age(response) >= ONE_YEAR and "immutable" in response["Cache-Control"]
    # The unfingerprinted name may change content under the same URL: cached only briefly.
    assert plain.status_code == 200
    assert max_age(plain) < ONE_YEAR and "immutable" not in plain["Cache-Control"]


def test_html_is_gzipped_for_browsers_that_accept_it():
    certified_product(title="Chè Shan tuyết Tủa Chùa")
    with production_static():
        client = Client()
        compressed = client.get("/shop/catalogue/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        plain = client.get("/shop/catalogue/")
    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    html = gzip.decompress(compressed.content).decode()
    assert "Chè Shan tuyết Tủa Chùa" in html
    assert not plain.has_header("Content-Encoding")
    assert len(compressed.content) * 2 < len(plain.content)
