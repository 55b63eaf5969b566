"""The demo data: honest real cases from the 2023 plan plus marked samples, loadable twice."""

import io

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

from traceability.certification import State
from traceability.models import Certification, Producer
from traceability.places import commune
from traceability.rules import ProductGroup

pytestmark = pytest.mark.django_db

Product = get_model("catalogue", "Product")


@pytest.fixture
def demo():
    out = io.StringIO()
    call_command("load_demo", admin_password="demo-pass", stdout=out)
    return out.getvalue()


def test_demo_covers_all_groups_and_several_communes(demo):
    assert "Staff login: admin / demo-pass" in demo
    products = Product.objects.select_related("producer", "certification")
    assert products.count() >= 30
    groups = {p.certification.product_group for p in products if p.certification}
    assert groups == set(ProductGroup.values)
    communes = {p.producer.commune_code for p in products}
    assert len(communes) >= 5
    assert all(commune(code).province_code == 11 for code in communes)
    assert all(p.images.exists() for p in products)
    category_names = {c.name for p in products for c in p.categories.all()}
    assert {"Thực phẩm", "Thảo dược", "Vải và may mặc"} <= category_names
    assert all(p.stockrecords.get().price == int(p.stockrecords.get().price) for p in products)


def test_demo_has_a_login_for_each_staff_role(demo, client):
    from django.contrib.auth import get_user_model

    for username in ("bientap", "kiemduyet", "banhang", "chungnhan"):
        assert f"{username} / demo-pass" in demo
    users = get_user_model().objects
    assert users.get(username="bientap").groups.get().name == "Editors"
    assert not users.get(username="kiemduyet").is_staff
    assert users.get(username="banhang").is_staff and users.get(username="chungnhan").is_staff
    assert client.login(username="banhang", password="demo-pass")
    assert client.get("/shop/dashboard/").status_code == 200


def test_demo_tells_the_real_cases_truthfully(demo):
    huong_linh = Producer.objects.get(name="Công ty TNHH Hương Linh")
    assert not huong_linh.is_demo
    teas = Product.objects.filter(producer=huong_linh)
    assert teas.count() == 3
    for tea in teas:
        assert tea.certification.decision_date.year == 2019
        assert tea.standing.state == State.EXPIRED
        assert not tea.is_demo
    mong_pe = Product.objects.get(title__startswith="Rượu Mông pê Tả Chải")
    assert mong_pe.certification is None and mong_pe.standing.state == State.NOT_CERTIFIED
    samples = Product.objects.filter(is_demo=True)
    assert samples.count() >= 30
    assert Certification.objects.filter(is_demo=True).count() >= 28


def test_demo_loads_twice_without_duplicates(demo, client):
    counts = (Product.objects.count(), Producer.objects.count(), Certification.objects.count())
    call_command("load_demo", admin_password="again", stdout=io.StringIO())
    assert counts == (
        Product.objects.count(),
        Producer.objects.count(),
        Certification.objects.count(),
    )
    home = client.get("/").content.decode()
    assert "Sản phẩm OCOP Điện Biên" in home
    assert "OCOP products of Điện Biên" in client.get("/en/").content.decode()


def test_demo_shows_expiring_expired_and_revoked_products(demo):
    states = {p.standing.state for p in Product.objects.select_related("certification")}
    assert {State.EXPIRING, State.EXPIRED, State.REVOKED, State.ACTIVE} <= states


def test_demo_samples_keep_their_meaning_on_a_later_day():
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2027, 8, 1, 9, tzinfo=datetime.UTC)):
        call_command("load_demo", admin_password="x", stdout=io.StringIO())
        products = Product.objects.select_related("certification")
        states = {p.standing.state for p in products}
        assert {State.EXPIRING, State.EXPIRED, State.REVOKED, State.ACTIVE} <= states
        real = Certification.objects.get(registry_id="DB-2019-0007")
        assert real.decision_date == datetime.date(2019, 12, 31)  # real records never move


def test_demo_lot_sheets_decode_to_the_right_scan_pages(demo, client, tmp_path):
    from urllib.parse import urlsplit

    import zxingcpp
    from PIL import Image

    from traceability.models import Lot

    revoked = Lot.objects.get(product__certification__status="revoked")
    expired = Lot.objects.filter(product__producer__name="Công ty TNHH Hương Linh").first()
    for lot, vietnamese, english in (
        (revoked, "Giấy chứng nhận OCOP đã bị thu hồi", "OCOP certificate revoked"),
        (
            expired,
            "Giấy chứng nhận đã hết hạn ngày 31/12/2022",
            "Certificate expired on 31/12/2022",
        ),
    ):
        out = tmp_path / f"{lot.short_code}.png"
        call_command(
            "make_labels", lot=lot.short_code, format="png", out=str(out), stdout=io.StringIO()
        )
        uris = {
            code.text
            for code in zxingcpp.read_barcodes(
                Image.open(out), formats=zxingcpp.BarcodeFormat.QRCode
            )
        }
        assert len(uris) == 1
        path = urlsplit(uris.pop()).path
        vi_page = client.get(path, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
        en_page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert lot.product.get_title() in vi_page and vietnamese in vi_page
        assert english in en_page


ENGLISH_SECTIONS = {
    "news.NewsIndexPage": ("/en/news/", "News"),
    "events.EventIndexPage": ("/en/events/", "Trade fairs and events"),
    "events.LivestreamIndexPage": ("/en/livestreams/", "Sales livestreams"),
    "directory.ProducerIndexPage": ("/en/producers/", "OCOP producers"),
    "directory.CommuneIndexPage": ("/en/communes/", "Communes and wards"),
    "directory.PointOfSaleIndexPage": ("/en/points-of-sale/", "Points of sale"),
}


def content_pages(language_code):
    from wagtail.models import Page

    return Page.objects.filter(locale__language_code=language_code, depth__gt=2)


def test_demo_sections_exist_in_english_as_translations(demo, client):
    from django.apps import apps

    for label, (url, title) in ENGLISH_SECTIONS.items():
        model = apps.get_model(label)
        index = model.objects.get(locale__language_code="en")
        assert (index.url, index.title, index.live) == (url, title, True)
        assert index.get_translations().get().locale.language_code == "vi"
        response = client.get(url)
        assert response.status_code == 200 and title in response.content.decode()
        items = index.get_children()
        assert items.exists() and all(item.live for item in items)
        assert all(item.url.startswith(url) for item in items)

    english, vietnamese = content_pages("en"), content_pages("vi")
    assert english.count() == vietnamese.count()
    for page in english:
        assert page.get_translations().get().locale.language_code == "vi"
        assert page.live and page.get_parent().locale_id == page.locale_id


def test_demo_loaded_twice_keeps_one_english_page_per_vietnamese_page(demo):
    from django.db.models import Count

    before = {code: content_pages(code).count() for code in ("vi", "en")}
    keys = set(content_pages("en").values_list("translation_key", flat=True))
    call_command("load_demo", admin_password="again", stdout=io.StringIO())
    assert {code: content_pages(code).count() for code in ("vi", "en")} == before
    assert set(content_pages("en").values_list("translation_key", flat=True)) == keys
    assert not (
        content_pages("en").values("path", "slug").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )
    for page in content_pages("en"):
        siblings = page.get_siblings(inclusive=False).filter(slug=page.slug)
        assert not siblings.exists(), page.url


def test_language_switch_leads_to_the_pages_translation(demo, client):
    import re

    from django.urls import reverse

    def switch_link(url, language_code):
        html = client.get(url).content.decode()
        match = re.search(rf'<a href="([^"]+)" hreflang="{language_code}"', html)
        return match.group(1)

    assert switch_link("/tin-tuc/", "en") == "/en/news/"
    assert (
        switch_link("/en/events/shan-tuyet-tea-week/", "vi")
        == "/hoi-cho-su-kien/tuan-le-che-shan-tuyet/"
    )
    assert switch_link("/", "en") == "/en/"
    catalogue = reverse("catalogue:index")
    assert switch_link(catalogue, "en") == "/en" + catalogue
    english = switch_link("/diem-ban/showroom-ocop-tua-chua/", "en")
    assert client.get(english).status_code == 200
