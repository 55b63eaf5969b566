"""Search engines and sharing: sitemap.xml, robots.txt, canonical/hreflang/Open Graph tags and
the schema.org JSON-LD of each kind of page."""

import datetime
import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Locale, PageViewRestriction

from cms.models import HomePage
from directory.models import ProducerIndexPage, ProducerPage, ProducerPhoto
from events.models import (
    EventIndexPage,
    LivestreamIndexPage,
    LivestreamPage,
    TradeFairGalleryImage,
    TradeFairPage,
)
from news.models import NewsArticlePage, NewsIndexPage
from tests.factories import CertificationFactory, ProducerFactory, certified_product, publish

pytestmark = pytest.mark.django_db

HOST = "https://ocop.test"  # SITE_URL in the test settings: every address names it
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NASTY = "</script><script>alert(1)</script>"
LD_JSON = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


# --- Helpers -------------------------------------------------------------------------------


class HeadTags(HTMLParser):
    """Every <meta> and <link> of a page, as attribute dicts."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "link"):
            self.tags.append((tag, dict(attrs)))


def head(response):
    assert response.status_code == 200, response.status_code
    parser = HeadTags()
    parser.feed(response.content.decode())
    return parser.tags


def meta(tags, key):
    """Contents of <meta property|name=key>."""
    return [
        a["content"] for t, a in tags if t == "meta" and key in (a.get("property"), a.get("name"))
    ]


def links(tags, rel):
    return [a for t, a in tags if t == "link" and a.get("rel") == rel]


def canonical(tags):
    found = links(tags, "canonical")
    assert len(found) == 1, found
    return found[0]["href"]


def hreflangs(tags):
    return {a["hreflang"]: a["href"] for a in links(tags, "alternate") if "hreflang" in a}


def json_ld(response):
    """Every JSON-LD block of a page, parsed."""
    return [json.loads(block) for block in LD_JSON.findall(response.content.decode())]


def one_json_ld(response, kind):
    found = [data for data in json_ld(response) if data["@type"] == kind]
    assert len(found) == 1, [data["@type"] for data in json_ld(response)]
    return found[0]


def jpeg(width=800, height=600, colour=(20, 120, 60)):
    buffer = io.BytesIO()
    PillowImage.new("RGB", (width, height), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def wagtail_image(title="Đồi chè"):
    picture = get_image_model()(title=title)
    picture.file.save("doi-che.jpg", ImageFile(io.BytesIO(jpeg()), name="doi-che.jpg"), save=False)
    picture.save()
    return picture


def product_image(product):
    ProductImage = get_model("catalogue", "ProductImage")
    image = ProductImage(product=product, display_order=0)
    image.original.save("che.jpg", ContentFile(jpeg(1600, 1000)), save=True)
    return image


def translate(page, language="en", live=True, **fields):
    locale, _ = Locale.objects.get_or_create(language_code=language)
    translation = page.copy_for_translation(locale)
    for name, value in fields.items():
        setattr(translation, name, value)
    revision = translation.save_revision()
    if live:
        revision.publish()
    translation.refresh_from_db()
    return translation


@pytest.fixture
def home():
    return HomePage.objects.get(locale__language_code="vi")


@pytest.fixture
def home_en(home):
    return translate(home, title="OCOP products", hero_title="Certified OCOP products")


@pytest.fixture
def news_index(home, home_en):
    index = publish(home, NewsIndexPage(title="Tin tức", slug="tin-tuc"))
    translate(index, title="News")
    return index


def article(index, title="Vụ chè xuân", slug="vu-che-xuan", **fields):
    fields.setdefault("date", timezone.localdate())
    return publish(index, NewsArticlePage(title=title, slug=slug, **fields))


def fair(home, **fields):
    index = publish(home, EventIndexPage(title="Hội chợ", slug="hoi-cho"))
    now = timezone.now()
    page = TradeFairPage(
        title="Phiên chợ Tủa Chùa",
        slug="phien-cho",
        start=now + datetime.timedelta(days=3),
        end=now + datetime.timedelta(days=5),
        venue_name="Trung tâm Xúc tiến",
        address="Tủa Chùa, Điện Biên",
        latitude=Decimal("21.85"),
        longitude=Decimal("103.35"),
        organiser="Sở Nông nghiệp",
        **fields,
    )
    return publish(index, page)


def sitemap_urls(client):
    """{loc: {hreflang: href}} of /sitemap.xml."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    found = {}
    for url in root.findall(f"{SITEMAP}url"):
        alternates = {
            link.get("hreflang"): link.get("href") for link in url.findall(f"{XHTML}link")
        }
        found[url.findtext(f"{SITEMAP}loc")] = alternates
    return found


# --- sitemap.xml ---------------------------------------------------------------------------


def test_sitemap_lists_live_public_pages_and_products_in_both_languages(client, home, news_index):
    translated = article(news_index, "Vụ chè xuân", "vu-che-xuan")
    english = translate(translated, title="Spring tea harvest", slug="spring-tea-harvest")
    vi_only = article(news_index, "Chỉ tiếng Việt", "chi-tieng-viet")
    translate(vi_only, live=False, title="Draft translation", slug="draft-translation")
    draft = article(news_index, "Bản nháp", "ban-nhap")
    draft.unpublish()
    private = article(news_index, "Nội bộ", "noi-bo")
    PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
    the_fair = fair(home)
    product = certified_product(title="Chè Shan tuyết cổ thụ")
    hidden = certified_product(title="Sản phẩm ẩn")
    hidden.is_public = False
    hidden.save()

    urls = sitemap_urls(client)

    def alternates(vi, en=None):
        expected = {"vi": HOST + vi, "x-default": HOST + vi}
        if en:
            expected["en"] = HOST + en
        return expected

    assert urls[f"{HOST}/"] == alternates("/", "/en/")
    assert urls[f"{HOST}/en/"] == alternates("/", "/en/")
    assert urls[f"{HOST}/tin-tuc/"] == alternates("/tin-tuc/", "/en/tin-tuc/")
    assert urls[f"{HOST}/tin-tuc/vu-che-xuan/"] == alternates(
        "/tin-tuc/vu-che-xuan/", "/en/tin-tuc/spring-tea-harvest/"
    )
    assert urls[HOST + english.url] == urls[f"{HOST}/tin-tuc/vu-che-xuan/"]
    # A translation that is still a draft is neither listed nor an alternate.
    assert urls[f"{HOST}/tin-tuc/chi-tieng-viet/"] == alternates("/tin-tuc/chi-tieng-viet/")
    assert not any("draft-translation" in loc for loc in urls)
    assert f"{HOST}/tin-tuc/ban-nhap/" not in urls
    assert f"{HOST}/tin-tuc/noi-bo/" not in urls
    assert HOST + the_fair.url in urls

    vi_product = HOST + product.get_absolute_url()
    en_product = f"{HOST}/en{product.get_absolute_url()}"
    assert urls[vi_product] == alternates(
        product.get_absolute_url(), "/en" + product.get_absolute_url()
    )
    assert urls[en_product] == urls[vi_product]
    assert not any(hidden.get_absolute_url() in loc for loc in urls)
    assert not any("example.com" in loc for loc in urls)


def test_sitemap_lastmod_comes_from_publication_and_product_updates(client, home):
    home.save_revision().publish()
    home.refresh_from_db()
    product = certified_product()
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)
    lastmods = {
        url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
        for url in root.findall(f"{SITEMAP}url")
    }
    # Dates are the programme's local dates (Asia/Ho_Chi_Minh), not UTC ones.
    assert lastmods[f"{HOST}/"] == timezone.localdate(home.last_published_at).isoformat()
    assert (
        lastmods[HOST + product.get_absolute_url()]
        == timezone.localdate(product.date_updated).isoformat()
    )


def test_sitemap_runs_the_same_queries_for_30_and_60_products(client, home, news_index):
    for n in range(3):
        article(news_index, f"Tin {n}", f"tin-{n}")

    def count_queries():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/sitemap.xml").status_code == 200
        return len(queries)

    count_queries()  # first requests also fill the sites cache and create the catalogue setting
    for n in range(30):
        create_product(title=f"Sản phẩm {n}", price=100000, num_in_stock=5)
    thirty = count_queries()
    for n in range(30, 60):
        create_product(title=f"Sản phẩm {n}", price=100000, num_in_stock=5)
    for n in range(3, 8):
        article(news_index, f"Tin {n}", f"tin-{n}")
    sixty = count_queries()
    assert sixty == thirty
    assert thirty <= 10


# --- robots.txt ----------------------------------------------------------------------------


def test_robots_txt_closes_private_areas_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in (
        "/admin/",
        "/django-admin/",
        "/shop/basket/",
        "/shop/checkout/",
        "/shop/accounts/",
        "/shop/payments/",
        "/search/",
        "/en/shop/basket/",
        "/en/shop/checkout/",
        "/en/shop/accounts/",
        "/en/shop/payments/",
        "/en/search/",
        "/01/*/21/",  # one printed label each: not pages of their own
    ):
        assert f"Disallow: {path}" in lines, path
    assert "Disallow: /" not in lines  # the storefront stays open
    assert "Disallow: /01/" not in lines  # lot-level provenance pages stay crawlable
    assert f"Sitemap: {HOST}/sitemap.xml" in lines
    assert client.head("/robots.txt").status_code == 200
    assert client.post("/robots.txt").status_code == 405


# --- Canonical, hreflang, Open Graph -------------------------------------------------------


def test_home_page_head_in_both_languages(client, home_en):
    vi = head(client.get("/?utm_source=zalo&fbclid=abc"))
    assert canonical(vi) == f"{HOST}/"  # tracking parameters dropped
    assert hreflangs(vi) == {"vi": f"{HOST}/", "en": f"{HOST}/en/", "x-default": f"{HOST}/"}
    assert meta(vi, "og:url") == [f"{HOST}/"]
    assert meta(vi, "og:type") == ["website"]
    assert meta(vi, "og:locale") == ["vi_VN"] and meta(vi, "og:locale:alternate") == ["en_US"]
    assert meta(vi, "og:site_name") == ["OCOP Điện Biên"]
    assert meta(vi, "og:title") == ["Sản phẩm OCOP"]
    # No picture of its own: the site's default share picture, absolute, with its size.
    assert meta(vi, "og:image") == [f"{HOST}/static/ocop/img/share-default.png"]
    assert meta(vi, "og:image:width") == ["1200"] and meta(vi, "og:image:height") == ["630"]
    assert meta(vi, "twitter:card") == ["summary_large_image"]

    en = head(client.get("/en/"))
    assert canonical(en) == f"{HOST}/en/"
    assert hreflangs(en) == hreflangs(vi)
    assert meta(en, "og:locale") == ["en_US"] and meta(en, "og:title") == ["OCOP products"]


def test_default_share_image_is_a_small_1200x630_png(settings):
    from pathlib import Path

    path = Path(settings.THEME_DIR) / "static" / "ocop" / "img" / "share-default.png"
    with PillowImage.open(path) as picture:
        assert picture.format == "PNG" and picture.size == (1200, 630)
    assert path.stat().st_size < 60_000


def test_news_article_head_and_json_ld(client, news_index):
    picture = wagtail_image()
    page = article(
        news_index,
        author="Ban biên tập",
        intro="Mùa hái chè Shan tuyết bắt đầu.",
        lead_image=picture,
        search_description="Vụ chè xuân ở Tủa Chùa",
    )
    response = client.get(page.url)
    tags = head(response)
    assert canonical(tags) == HOST + page.url
    # No English translation: only the Vietnamese version is announced.
    assert hreflangs(tags) == {"vi": HOST + page.url, "x-default": HOST + page.url}
    assert meta(tags, "og:type") == ["article"]
    assert meta(tags, "description") == ["Vụ chè xuân ở Tủa Chùa"]
    assert meta(tags, "og:description") == ["Vụ chè xuân ở Tủa Chùa"]
    rendition = picture.get_rendition("fill-1200x630")
    assert meta(tags, "og:image") == [HOST + rendition.url]
    # An 800×600 photo is cropped to the 1.91:1 shape, not blown up.
    assert (rendition.width, rendition.height) == (800, 420)
    assert meta(tags, "og:image:width") == ["800"] and meta(tags, "og:image:height") == ["420"]
    assert meta(tags, "twitter:image") == [HOST + rendition.url]
    # One rendition serves the preview and the structured data.
    assert set(picture.renditions.values_list("filter_spec", flat=True)) >= {"fill-1200x630"}
    assert "fill-1200x675" not in set(picture.renditions.values_list("filter_spec", flat=True))

    data = one_json_ld(response, "NewsArticle")
    assert data["headline"] == "Vụ chè xuân"
    assert data["datePublished"] == timezone.localdate().isoformat()
    assert data["dateModified"]
    assert data["author"] == {"@type": "Person", "name": "Ban biên tập"}
    assert data["publisher"]["@type"] == "Organization"
    assert data["publisher"]["name"] == "OCOP Điện Biên"
    assert data["image"] == [HOST + rendition.url]
    assert data["url"] == HOST + page.url


def test_news_article_with_a_live_translation_announces_both(client, news_index):
    page = article(news_index)
    english = translate(page, title="Spring tea harvest", slug="spring-tea-harvest")
    tags = head(client.get(english.url))
    assert canonical(tags) == HOST + english.url
    assert hreflangs(tags) == {
        "vi": HOST + page.url,
        "en": HOST + english.url,
        "x-default": HOST + page.url,
    }
    assert meta(tags, "og:locale") == ["en_US"]


def test_product_page_head_and_json_ld(client):
    producer = ProducerFactory(name="HTX Chè Tủa Chùa")
    certificate = CertificationFactory(
        producer=producer, decision_date=timezone.localdate() - datetime.timedelta(days=100)
    )
    product = certified_product(
        price=250000, certification=certificate, title="Chè Shan tuyết", gtin="8936045900017"
    )
    image = product_image(product)
    url = product.get_absolute_url()

    response = client.get(url + "?utm_campaign=tet")
    tags = head(response)
    assert canonical(tags) == HOST + url
    assert hreflangs(tags) == {"vi": HOST + url, "en": f"{HOST}/en{url}", "x-default": HOST + url}
    assert meta(tags, "og:type") == ["product"]
    assert meta(tags, "og:title") == ["Chè Shan tuyết"]
    (og_image,) = meta(tags, "og:image")
    assert og_image.startswith(f"{HOST}/media/") and og_image != HOST + image.original.url
    assert meta(tags, "og:image:width") == ["1200"] and meta(tags, "og:image:height") == ["630"]
    assert len(meta(tags, "description")) == 1  # Oscar's own tag, not a second one

    data = one_json_ld(response, "Product")
    assert data["name"] == "Chè Shan tuyết"
    assert data["gtin13"] == "8936045900017" and "gtin14" not in data
    assert data["image"] == [og_image]
    assert data["brand"] == {"@type": "Brand", "name": "HTX Chè Tủa Chùa"}
    assert data["manufacturer"]["name"] == "HTX Chè Tủa Chùa"
    assert data["offers"]["price"] == 250000
    assert data["offers"]["priceCurrency"] == "VND"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert "aggregateRating" not in data and "review" not in data

    en = head(client.get("/en" + url))
    assert canonical(en) == f"{HOST}/en{url}"
    assert meta(en, "og:locale") == ["en_US"]


def test_product_without_a_current_certificate_has_no_offer(client):
    lapsed = CertificationFactory(
        decision_date=datetime.date(2019, 12, 31), valid_until=datetime.date(2022, 12, 31)
    )
    product = certified_product(certification=lapsed)
    response = client.get(product.get_absolute_url())
    data = one_json_ld(response, "Product")
    assert "offers" not in data
    assert data["hasCertification"]["certificationStatus"].endswith("CertificationInactive")
    # No photo: the default picture, and no image in the structured data.
    assert meta(head(response), "og:image") == [f"{HOST}/static/ocop/img/share-default.png"]
    assert "image" not in data


def test_catalogue_page_two_keeps_its_page_number_only(client):
    for n in range(26):
        create_product(title=f"Sản phẩm {n:02d}", price=100000, num_in_stock=5)
    tags = head(client.get("/shop/catalogue/?page=2&sort_by=title&utm_source=facebook"))
    assert canonical(tags) == f"{HOST}/shop/catalogue/?page=2"
    assert hreflangs(tags) == {
        "vi": f"{HOST}/shop/catalogue/?page=2",
        "en": f"{HOST}/en/shop/catalogue/?page=2",
        "x-default": f"{HOST}/shop/catalogue/?page=2",
    }
    assert canonical(head(client.get("/shop/catalogue/?page=1"))) == f"{HOST}/shop/catalogue/"
    for garbage in ("abc", "-1", "²", "9" * 40):
        assert canonical(head(client.get("/shop/catalogue/", {"page": garbage}, follow=True)))


# --- JSON-LD of each kind of page ----------------------------------------------------------


def test_fair_livestream_and_producer_json_ld(client, home):
    the_fair = fair(home)
    photo = wagtail_image("Gian hàng")
    TradeFairGalleryImage.objects.create(page=the_fair, image=photo)
    response = client.get(the_fair.url)
    event = one_json_ld(response, "Event")
    assert event["startDate"] == the_fair.start.isoformat()
    assert event["endDate"] == the_fair.end.isoformat()
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["location"]["name"] == "Trung tâm Xúc tiến"
    assert event["location"]["geo"]["latitude"] == 21.85
    assert event["url"] == HOST + the_fair.url
    rendition_url = HOST + photo.get_rendition("fill-1200x630").url
    assert event["image"] == [rendition_url]
    assert meta(head(response), "og:image") == [rendition_url]

    streams = publish(home, LivestreamIndexPage(title="Livestream", slug="livestream"))
    now = timezone.now()
    stream = publish(
        streams,
        LivestreamPage(
            title="Livestream chè",
            platform="facebook",  # not embeddable: no request to a provider
            stream_url="https://www.facebook.com/ocop/live",
            start=now - datetime.timedelta(hours=1),
            end=now + datetime.timedelta(hours=1),
            streamer_name="Giàng Thị Mai",
            streamer_identity="HTX Chè – MST 5600000001",
            streamer_contact="0900000001",
        ),
    )
    broadcast = one_json_ld(client.get(stream.url), "BroadcastEvent")
    assert broadcast["isLiveBroadcast"] is True
    assert broadcast["startDate"] == stream.start.isoformat()
    assert broadcast["publishedOn"]["@type"] == "BroadcastService"
    assert broadcast["url"] == "https://www.facebook.com/ocop/live"
    assert broadcast["mainEntityOfPage"] == HOST + stream.url

    producers = publish(home, ProducerIndexPage(title="Chủ thể", slug="chu-the"))
    producer = ProducerFactory(name="HTX Chè Tủa Chùa")
    page = ProducerPage(title=producer.name, producer=producer, website="https://che.example.vn")
    page.photos = [ProducerPhoto(image=wagtail_image("Đồi chè"))]
    publish(producers, page)
    organisation = one_json_ld(client.get(page.url), "Organization")
    assert organisation["name"] == "HTX Chè Tủa Chùa"
    assert organisation["url"] == HOST + page.url
    assert organisation["address"]["@type"] == "PostalAddress"
    assert organisation["image"].startswith(f"{HOST}/media/")


# --- Escaping ------------------------------------------------------------------------------


def test_hostile_title_and_description_stay_inside_their_tags(client, news_index):
    page = article(
        news_index,
        title=f"Chè {NASTY}",
        slug="che",
        intro=f"Giới thiệu {NASTY}",
        search_description=f"Mô tả {NASTY}",
        seo_title=f"Tiêu đề {NASTY}",
    )
    response = client.get(page.url)
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    for block in LD_JSON.findall(body):
        assert "</script" not in block.lower()
    data = one_json_ld(response, "NewsArticle")
    assert data["headline"] == f"Chè {NASTY}"  # escaped, not altered
    tags = head(response)
    assert meta(tags, "og:title") == [f"Tiêu đề {NASTY}"]
    assert meta(tags, "twitter:title") == [f"Tiêu đề {NASTY}"]
    # Descriptions are plain text: markup is dropped, never printed.
    assert meta(tags, "og:description") == ["Mô tả alert(1)"]

    product = certified_product(title=f"Gạo {NASTY}")
    response = client.get(product.get_absolute_url())
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert one_json_ld(response, "Product")["name"] == f"Gạo {NASTY}"
    assert meta(head(response), "og:title") == [f"Gạo {NASTY}"]


# --- Scan pages ----------------------------------------------------------------------------


def test_serial_scan_pages_are_noindex_and_lot_pages_are_not(client):
    from traceability.models import Label, Lot

    product = certified_product(gtin="8936045900017")
    lot = Lot.objects.create(
        product=product,
        code="L2026-07",
        produced_on=timezone.localdate() - datetime.timedelta(days=30),
        origin_commune_code=3226,
    )
    label = Label.objects.create(lot=lot)
    noindex = '<meta name="robots" content="noindex">'
    lot_page = client.get("/01/08936045900017/10/L2026-07")
    assert lot_page.status_code == 200 and noindex not in lot_page.content.decode()
    for url in (
        f"/01/08936045900017/10/L2026-07/21/{label.serial}",
        f"/q/{label.serial}",
        "/01/08936045900017/10/L2026-07/21/ZZZZZZZZZZZZZ",  # a serial we don't know
    ):
        response = client.get(url)
        assert response.status_code == 200 and noindex in response.content.decode(), url


def test_favicon_ico_points_at_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".svg")
    assert client.get(response["Location"]).status_code == 200
