"""One origin: every absolute URL the site makes names SITE_URL's origin (DESIGN.md, Contract).

Each test runs with a demo address (http on a port of 127.0.0.1) and with a deployment's
(https on 443), and asks on another allowed Host, so an address taken from the request (its Host
or scheme) instead of SITE_URL would show as a foreign origin.
"""

import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.sites.models import Site as DjangoSite
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image as PillowImage
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.models import HomePage
from config.origin import sync_sites
from events.models import EventIndexPage, TradeFairPage
from news.models import NewsArticlePage, NewsIndexPage
from shop.order import emails
from tests.checkout import start_payment
from tests.factories import CertificationFactory, certified_product, placed_order, publish
from tests.origins import absolute_urls, foreign_origins, response_urls
from traceability.models import Label, LabelSheet, Lot

pytestmark = pytest.mark.django_db

GTIN13 = "8936045900017"
GTIN14 = "08936045900017"
DEMO = "http://127.0.0.1:8800"
DEPLOYED = "https://ocop.example.vn"
# Another name the site answers to (ALLOWED_HOSTS in the test settings), over plain http.
OTHER_HOST = {"HTTP_HOST": "localhost"}


@pytest.fixture(params=[DEMO, DEPLOYED])
def site_url(request, settings):
    settings.SITE_URL = request.param
    sync_sites()
    yield request.param
    DjangoSite.objects.clear_cache()  # the row goes back with the test's transaction


def assert_one_origin(urls, site_url):
    assert urls, "no absolute URL at all"
    assert foreign_origins(urls, site_url) == []
    assert any(url.startswith(site_url + "/") for url in urls)


def picture(title):
    from django.core.files.images import ImageFile

    buffer = io.BytesIO()
    PillowImage.new("RGB", (640, 480), (20, 120, 60)).save(buffer, "JPEG")
    image = get_image_model()(title=title)
    image.file.save("origin.jpg", ImageFile(buffer, name="origin.jpg"), save=False)
    image.save()
    return image


@pytest.fixture
def home():
    return HomePage.objects.filter(locale__language_code="vi").first()


@pytest.fixture
def news_index(home):
    index = publish(home, NewsIndexPage(title="Tin tức", slug="tin-tuc", intro="Tin"))
    publish(
        index,
        NewsArticlePage(
            title="Vụ chè xuân",
            slug="vu-che-xuan",
            date=timezone.localdate(),
            intro="Chè xuân",
            lead_image=picture("Đồi chè"),
        ),
    )
    return index


@pytest.fixture
def event_index(home):
    index = publish(home, EventIndexPage(title="Hội chợ", slug="hoi-cho"))
    start = timezone.now() + datetime.timedelta(days=10)
    publish(
        index,
        TradeFairPage(
            title="Hội chợ OCOP",
            slug="hoi-cho-ocop",
            start=start,
            end=start + datetime.timedelta(days=2),
            venue_name="Quảng trường 7/5",
            address="Phường Điện Biên Phủ",
            latitude=Decimal("21.386"),
            longitude=Decimal("103.017"),
            organiser="Sở Công Thương",
        ),
    )
    return index


@pytest.fixture
def lot():
    today = timezone.localdate()
    certificate = CertificationFactory(stars=4, decision_date=today - datetime.timedelta(days=30))
    product = certified_product(certification=certificate, gtin=GTIN13, title="Chè Shan tuyết")
    return Lot.objects.create(
        product=product,
        code="L-ORIGIN",
        produced_on=today - datetime.timedelta(days=10),
        best_before=today + datetime.timedelta(days=300),
        origin_commune_code=3226,
    )


def fetched(client, path, **headers):
    response = client.get(path, **OTHER_HOST, **headers)
    assert response.status_code in (200, 302, 303), (path, response.status_code)
    return response_urls(response)


def test_site_rows_follow_site_url(site_url):
    """After a migrate (post_migrate) and whenever sync_sites runs: Wagtail's default Site and
    django.contrib.sites name SITE_URL's host and port, and Wagtail's root_url is SITE_URL."""
    wagtail_site = Site.objects.get(is_default_site=True)
    assert wagtail_site.root_url == site_url
    assert DjangoSite.objects.get_current().domain == site_url.split("://", 1)[1]


def test_post_migrate_puts_the_site_rows_in_step(settings):
    settings.SITE_URL = DEMO
    call_command("migrate", verbosity=0, interactive=False)
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_url) == ("127.0.0.1", 8800, DEMO)
    current = DjangoSite.objects.get(pk=settings.SITE_ID)
    assert (current.domain, current.name) == ("127.0.0.1:8800", settings.OCOP_SITE_NAME)
    settings.SITE_URL = DEPLOYED
    call_command("migrate", verbosity=0, interactive=False)
    site.refresh_from_db()
    assert (site.hostname, site.port, site.root_url) == ("ocop.example.vn", 443, DEPLOYED)
    assert DjangoSite.objects.get(pk=settings.SITE_ID).domain == "ocop.example.vn"
    DjangoSite.objects.clear_cache()


def test_news_feeds_and_article(client, site_url, news_index):
    rss = fetched(client, news_index.url + "rss/")
    atom = fetched(client, news_index.url + "atom/")
    assert f"{site_url}/tin-tuc/vu-che-xuan/" in rss
    assert f"{site_url}/tin-tuc/atom/" in atom  # atom:link rel="self"
    assert f"{site_url}/tin-tuc/rss/" in rss
    article = fetched(client, "/tin-tuc/vu-che-xuan/")
    assert f"{site_url}/tin-tuc/vu-che-xuan/" in article
    assert any(url.startswith(f"{site_url}/media/") for url in article)  # og:image, JSON-LD
    for urls in (rss, atom, article):
        assert_one_origin(urls, site_url)


def test_calendars(client, site_url, event_index):
    event = fetched(client, "/hoi-cho/hoi-cho-ocop/event.ics")
    calendar = fetched(client, "/hoi-cho/calendar.ics")
    assert f"{site_url}/hoi-cho/hoi-cho-ocop/" in event and calendar == event
    assert_one_origin(event, site_url)
    page = fetched(client, "/hoi-cho/hoi-cho-ocop/")
    assert_one_origin(page, site_url)


def test_sitemap_and_robots(client, site_url, news_index, lot):
    sitemap = fetched(client, "/sitemap.xml")
    assert f"{site_url}/tin-tuc/vu-che-xuan/" in sitemap
    assert f"{site_url}/en{lot.product.get_absolute_url()}" in sitemap
    assert_one_origin(sitemap, site_url)
    robots = client.get("/robots.txt", **OTHER_HOST)
    assert absolute_urls(robots.content) == [f"{site_url}/sitemap.xml"]


def test_product_page_json_ld_and_share_tags(client, site_url, lot):
    path = lot.product.get_absolute_url()
    response = client.get(path, **OTHER_HOST)
    page = response.content.decode()
    (json_ld,) = [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        if '"Product"' in block
    ]
    assert json_ld["url"] == site_url + path
    assert json_ld["sameAs"] == f"{site_url}/01/{GTIN14}"
    assert f'<link rel="canonical" href="{site_url}{path}">' in page
    assert re.search(rf'<meta property="og:url" content="{re.escape(site_url + path)}"', page)
    assert_one_origin(response_urls(response), site_url)


def test_scan_page_linkset_redirect_and_resolver_description(client, site_url, lot):
    uri = f"{site_url}/01/{GTIN14}/10/L-ORIGIN"
    page = client.get(f"/01/{GTIN14}/10/L-ORIGIN", **OTHER_HOST)
    urls = response_urls(page)
    assert f"{uri}?linkType=linkset" in urls  # the Link header
    assert_one_origin(urls, site_url)
    linkset = fetched(client, f"/01/{GTIN14}/10/L-ORIGIN", HTTP_ACCEPT="application/linkset+json")
    assert uri in linkset
    assert_one_origin(linkset, site_url)
    short = fetched(client, f"/q/{lot.short_code}")
    assert_one_origin(short, site_url)
    pip = client.get(f"/01/{GTIN14}/10/L-ORIGIN?linkType=gs1:pip", **OTHER_HOST)
    assert pip["Location"].startswith(site_url + lot.product.get_absolute_url())
    assert_one_origin(response_urls(pip), site_url)
    described = fetched(client, "/.well-known/gs1resolver")
    assert f"{site_url}/q/" in "".join(described)
    assert_one_origin(described, site_url)


def test_api_fields(client, site_url, lot):
    lots = client.get("/api/v1/lots", {"product": lot.product_id}, **OTHER_HOST)
    assert lots.json()["results"][0]["qr_uri"] == f"{site_url}/01/{GTIN14}/10/L-ORIGIN"
    assert_one_origin(response_urls(lots), site_url)
    trace = client.get(f"/api/v1/trace/{lot.short_code}", **OTHER_HOST)
    assert trace.json()["uri"] == f"{site_url}/01/{GTIN14}/10/L-ORIGIN"
    assert trace.json()["product"]["url"].startswith(site_url + "/")
    assert_one_origin(response_urls(trace), site_url)
    certified_product(title="Mật ong bạc hà")
    products = client.get("/api/v1/products", {"page_size": 1}, **OTHER_HOST)
    assert products.json()["next"].startswith(f"{site_url}/api/v1/products?")
    assert_one_origin(response_urls(products), site_url)


def test_order_email_and_card_return_addresses(client, site_url, lot, stripe_shop):
    order = placed_order((lot.product, 1), method="stripe")
    mail.outbox.clear()
    assert emails.notify(order, emails.ORDER_PLACED)
    (message,) = mail.outbox
    urls = absolute_urls(message.body) + absolute_urls(message.alternatives[0][0])
    assert any(url.startswith(f"{site_url}/shop/payments/{order.number}/") for url in urls)
    assert_one_origin(urls, site_url)
    start_payment(client, order)
    sent = stripe_shop.last_request("POST", "/v1/checkout/sessions")["params"]
    assert_one_origin([sent["success_url"], sent["cancel_url"]], site_url)


def test_alert_digest(site_url, roles, make_member):
    from alerts.sending import send_digest
    from staff.roles import REGISTRY_OFFICERS

    officer = make_member(REGISTRY_OFFICERS)
    officer.email = "officer@ocop.test"
    officer.save()
    CertificationFactory(
        decision_date=datetime.date(2024, 1, 5),
        valid_until=timezone.localdate() + datetime.timedelta(days=5),
    )
    mail.outbox.clear()
    assert send_digest()
    (message,) = mail.outbox
    urls = absolute_urls(message.body) + absolute_urls(message.alternatives[0][0])
    assert_one_origin(urls, site_url)


# --- Printed labels: a code that cannot be recalled names a public https origin only -------

UNPRINTABLE = [
    "http://127.0.0.1:8800",
    "http://ocop.example.vn",
    "https://localhost",
    "https://127.0.0.1",
    "https://[::1]:8443",
    "https://192.168.1.20",
    "https://10.0.0.5",
]
DEMO_NOTICE = "MẪU DEMO – không dán lên sản phẩm / DEMO SAMPLE – not for products"


def decoded(path):
    import zxingcpp

    images = []
    with PillowImage.open(path) as sheet:
        for frame in range(getattr(sheet, "n_frames", 1)):
            sheet.seek(frame)
            images.append(sheet.convert("L"))
    return [
        code.text
        for image in images
        for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]


def banner_darkness(path, count):
    """For each sticker, the share of black pixels in the strip where a demo sheet prints its
    notice (white on black, above the product's name)."""
    from traceability.labels import LAYOUTS, mm

    layout = LAYOUTS["a4-24"]
    pad, height = mm(2), mm(layout.height_mm)
    qr_size = height - 2 * pad
    with PillowImage.open(path) as sheet:
        page = sheet.convert("L")
    shares = []
    for slot in range(count):
        column, row = slot % layout.columns, slot // layout.columns
        left = mm(layout.left_mm + column * layout.width_mm) + 2 * pad + qr_size
        top = mm(layout.top_mm + row * layout.height_mm) + pad
        strip = page.crop((left, top, left + mm(layout.width_mm) - qr_size - 3 * pad, top + 28))
        histogram = strip.histogram()
        shares.append(sum(histogram[:128]) / sum(histogram))
    return shares


@pytest.mark.parametrize("origin", UNPRINTABLE)
def test_make_labels_refuses_an_origin_a_label_must_not_carry(settings, lot, tmp_path, origin):
    settings.SITE_URL = origin
    out = tmp_path / "labels.png"
    with pytest.raises(CommandError, match="--demo") as refused:
        call_command(
            "make_labels",
            lot="L-ORIGIN",
            serialised=True,
            format="png",
            out=str(out),
            store=True,
            stdout=io.StringIO(),
        )
    assert origin.lower() in str(refused.value)
    assert not out.exists() and not Label.objects.exists() and not LabelSheet.objects.exists()


def test_a_demo_sheet_says_so_on_every_label_and_its_codes_name_site_url(site_url, lot, tmp_path):
    out = tmp_path / "labels.png"
    stdout = io.StringIO()
    call_command(
        "make_labels", lot="L-ORIGIN", demo=True, format="png", out=str(out), stdout=stdout
    )
    uris = decoded(out)
    assert len(uris) == 24 and set(uris) == {f"{site_url}/01/{GTIN14}/10/L-ORIGIN"}
    assert "DEMO" in stdout.getvalue()
    with PillowImage.open(out) as sheet:
        assert sheet.info["Title"] == DEMO_NOTICE
    assert min(banner_darkness(out, 24)) > 0.5  # a dark banner on every sticker
    pdf = tmp_path / "labels.pdf"
    call_command(
        "make_labels", lot="L-ORIGIN", demo=True, count=30, out=str(pdf), stdout=io.StringIO()
    )
    assert pdf.read_bytes().count(b"/Type /Page\n") == 2
    assert DEMO_NOTICE.encode("utf-16-be") in pdf.read_bytes()  # the PDF's title


def test_a_demo_svg_sheet_has_the_notice_on_every_label(settings, lot, tmp_path):
    settings.SITE_URL = DEMO
    out = tmp_path / "labels.svg"
    call_command(
        "make_labels",
        lot="L-ORIGIN",
        demo=True,
        count=5,
        format="svg",
        out=str(out),
        stdout=io.StringIO(),
    )
    svg = out.read_text()
    assert svg.count(">MẪU DEMO – không dán lên sản phẩm</text>") == 5
    assert svg.count(">DEMO SAMPLE – not for products</text>") == 5


def test_a_public_https_origin_prints_real_labels_unchanged(settings, lot, tmp_path):
    settings.SITE_URL = DEPLOYED
    out = tmp_path / "labels.png"
    call_command("make_labels", lot="L-ORIGIN", format="png", out=str(out), stdout=io.StringIO())
    assert set(decoded(out)) == {f"{DEPLOYED}/01/{GTIN14}/10/L-ORIGIN"}
    with PillowImage.open(out) as sheet:
        assert "Title" not in sheet.info
    assert max(banner_darkness(out, 24)) < 0.5
    short = tmp_path / "short.png"
    lot.product.gtin = ""
    lot.product.save()
    call_command("make_labels", lot="L-ORIGIN", format="png", out=str(short), stdout=io.StringIO())
    assert set(decoded(short)) == {f"{DEPLOYED}/q/{lot.short_code}"}


ADMIN_FORM = {"count": 3, "serialised": "on", "format": "pdf", "layout": "a4-24"}


def test_staff_on_a_demo_site_get_a_sheet_marked_as_a_demo(staff_client, settings, lot):
    settings.SITE_URL = DEMO
    form = staff_client.get(f"/django-admin/traceability/lot/{lot.pk}/labels/").content.decode()
    assert "MẪU DEMO – không dán lên sản phẩm" in form and 'name="count"' in form
    response = staff_client.post(f"/django-admin/traceability/lot/{lot.pk}/labels/", ADMIN_FORM)
    assert response["Content-Disposition"] == 'attachment; filename="labels-L-ORIGIN-demo.pdf"'
    printed = b"".join(response.streaming_content)
    assert "DEMO SAMPLE – not for products".encode("utf-16-be") in printed
    sheet = LabelSheet.objects.get()
    assert sheet.is_demo and sheet.download_name == "labels-L-ORIGIN-demo.pdf"


def test_staff_on_a_deployment_with_a_bad_origin_get_a_refusal(staff_client, settings, lot):
    settings.SITE_URL = "https://192.168.1.20"
    settings.LABEL_DEMO_SHEETS = False  # as in production
    page = staff_client.get(f"/django-admin/traceability/lot/{lot.pk}/labels/").content.decode()
    assert "https://192.168.1.20" in page and 'name="count"' not in page
    response = staff_client.post(
        f"/django-admin/traceability/lot/{lot.pk}/labels/", ADMIN_FORM, follow=True
    )
    assert response.status_code == 200 and "Content-Disposition" not in response
    assert "Chưa in nhãn nào" in response.content.decode()
    assert not LabelSheet.objects.exists() and not Label.objects.exists()
    settings.SITE_URL = DEPLOYED
    response = staff_client.post(f"/django-admin/traceability/lot/{lot.pk}/labels/", ADMIN_FORM)
    assert response["Content-Disposition"] == 'attachment; filename="labels-L-ORIGIN.pdf"'
    assert not LabelSheet.objects.get().is_demo
