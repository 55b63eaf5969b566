"""A first visitor (no cookies, a phone's browser headers) reads every page the site publishes and
everything those pages reference, on the served demo: nothing may answer 4xx or 5xx, and no
absolute URL in any answer may name an origin other than the configured one."""

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.origins import absolute_urls, foreign_origins
from tests.served.conftest import FIGURES
from tests.served.crawl import page_references, same_origin, sitemap_urls

BROWSER = {
    "User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/156 Mobile Safari",
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
}
# What a visitor may open without signing in: each answers, or sends them to a sign-in page
# that answers.
ENTRY_PATHS = (
    "/",
    "/shop/",
    "/shop/catalogue/",
    "/shop/basket/",
    "/shop/checkout/",
    "/shop/accounts/",
    "/shop/accounts/orders/",
    "/shop/accounts/login/",
    "/shop/accounts/register/",
    "/shop/password-reset/",
    "/search/?q=ch%C3%A8",
    "/admin/",
    "/shop/dashboard/",
    "/django-admin/",
    "/robots.txt",
    "/favicon.ico",
    "/.well-known/gs1resolver",
    "/api/v1/products",
    "/api/v1/openapi.json",
)
# Answers whose text names URLs (the rest, pictures and fonts, are not read for them).
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/rss", "application/atom")
TEXT_TYPES += ("application/linkset", "application/ld+json")
# Scripts and stylesheets are code (ours and libraries', whose comments name their homes), not
# addresses the site gives out.
CODE_TYPES = ("text/css", "text/javascript", "application/javascript")


@dataclass
class Crawl:
    pages: dict = field(default_factory=dict)  # url -> final status
    resources: dict = field(default_factory=dict)  # url -> final status
    failures: list = field(default_factory=list)
    foreign: list = field(default_factory=list)
    media: list = field(default_factory=list)  # (url, status, content type) of uploaded files


def language_of(url):
    return "en" if urlsplit(url).path.startswith("/en/") else "vi"


def read(site, url, crawl, record, referrer=""):
    """Fetches `url` as a first visitor, following redirects; records what it finds."""
    headers = {**BROWSER, "Accept-Language": language_of(url)}
    response = site.get(url, headers=headers, allow_redirects=True)
    record[url] = response.status_code
    if not 200 <= response.status_code < 300:
        crawl.failures.append(
            f"{response.status_code} {url}" + (f" (on {referrer})" if referrer else "")
        )
    for hop in [*response.history, response]:
        named = [
            value for name, value in hop.headers.items() if name.lower() in ("link", "location")
        ]
        content_type = hop.headers.get("Content-Type", "")
        if (
            hop is response
            and content_type.startswith(TEXT_TYPES)
            and not content_type.startswith(CODE_TYPES)
        ):
            named.append(hop.text)
        for text in named:
            crawl.foreign += [
                f"{found} (in {hop.url})"
                for found in foreign_origins(absolute_urls(text), site.url)
            ]
    if urlsplit(url).path.startswith("/media/"):
        crawl.media.append((url, response.status_code, response.headers.get("Content-Type", "")))
    return response


def scan_pages(site):
    """The printed addresses of every demo lot: its Digital Link (when the product has a GTIN)
    and its short code."""
    from traceability.digital_link import lot_uri, short_uri
    from traceability.models import Lot

    uris = []
    for lot in Lot.objects.select_related("product"):
        if lot.product.gtin:
            uris.append(lot_uri(lot, None))
        if lot.short_code:
            uris.append(short_uri(lot.short_code))
            uris.append(f"{site.url}/api/v1/trace/{lot.short_code}")
        uris.append(f"{site.url}/api/v1/lots?product={lot.product_id}")
    return uris


@pytest.fixture(scope="module")
def crawl(served):
    site = served
    result = Crawl()
    pages = sitemap_urls(lambda url: site.get(url, headers=BROWSER), site.url + "/sitemap.xml")
    pages += scan_pages(site)
    pages += [site.url + path for path in ENTRY_PATHS]
    pages += [
        site.url + "/en" + path
        for path in ENTRY_PATHS
        if not path.startswith(
            ("/admin/", "/django-admin/", "/robots", "/favicon", "/.well-known", "/api/")
        )
    ]
    for page in dict.fromkeys(pages):
        response = read(site, page, result, result.pages)
        if not response.headers.get("Content-Type", "").startswith("text/html"):
            continue
        for reference in page_references(response.url, response.text):
            if same_origin(reference, site.url) and reference not in result.resources:
                read(site, reference, result, result.resources, referrer=page)
    assert result.pages and result.resources, "the crawl read nothing"
    FIGURES.pages.update(result.pages)
    FIGURES.resources.update(result.resources)
    FIGURES.failures += result.failures
    FIGURES.foreign += result.foreign
    return result


def test_the_crawl_reaches_every_kind_of_page(crawl, served):
    paths = [urlsplit(url).path for url in crawl.pages]
    assert len(crawl.pages) > 80, len(crawl.pages)
    for kind in ("/shop/catalogue/", "/tin-tuc/", "/hoi-cho-su-kien/", "/livestream-ban-hang/"):
        assert any(path.startswith(kind) for path in paths), kind
    assert any(path.startswith("/en/") for path in paths)
    assert any(path.startswith(("/01/", "/q/")) for path in paths)
    assert len(crawl.resources) > 50, len(crawl.resources)


def test_every_page_and_resource_answers(crawl):
    assert crawl.failures == []


def test_a_first_visitor_sees_every_photo(crawl):
    """Uploaded pictures (product photos, the logo, renditions) reach a visitor with no cookie."""
    assert len(crawl.media) > 20, crawl.media
    broken = [m for m in crawl.media if m[1] != 200 or not m[2].startswith("image/")]
    assert broken == []


def test_no_answer_names_another_origin(crawl):
    origins = Counter(
        "{0.scheme}://{0.netloc}".format(urlsplit(found.split(" (in ")[0]))
        for found in crawl.foreign
    )
    assert crawl.foreign == [], origins.most_common()
