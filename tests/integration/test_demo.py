"""The demo data: honest real cases from the 2023 plan plus marked samples, loadable twice."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from oscar.core.loading import get_model
from wagtail.images import get_image_model

from cms.demo_content.directory import POINTS_OF_SALE, load_directory
from directory.models import (
    CommuneIndexPage,
    CommunePage,
    PointOfSaleIndexPage,
    PointOfSalePage,
    ProducerIndexPage,
    ProducerPage,
)
from events.models import TradeFairPage
from news.models import NewsArticlePage, NewsCategory, NewsIndexPage
from traceability.certification import State
from traceability.models import Certification, Producer
from traceability.places import commune
from traceability.rules import ProductGroup

Product = get_model("catalogue", "Product")


@pytest.fixture
def demo(demo_db):
    """The demo, loaded once per session (tests/conftest.py); what `load_demo` printed."""
    return demo_db.out


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


def test_demo_shows_expiring_expired_and_revoked_products(demo):
    states = {p.standing.state for p in Product.objects.select_related("certification")}
    assert {State.EXPIRING, State.EXPIRED, State.REVOKED, State.ACTIVE} <= states


@pytest.mark.django_db
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


def test_demo_loads_twice_without_duplicates(demo, client):
    from django.db.models import Count

    counts = (Product.objects.count(), Producer.objects.count(), Certification.objects.count())
    pages = {code: content_pages(code).count() for code in ("vi", "en")}
    keys = set(content_pages("en").values_list("translation_key", flat=True))
    call_command("load_demo", admin_password="again", stdout=io.StringIO())
    assert counts == (
        Product.objects.count(),
        Producer.objects.count(),
        Certification.objects.count(),
    )
    home = client.get("/").content.decode()
    assert "Sản phẩm OCOP Điện Biên" in home
    assert "OCOP products of Điện Biên" in client.get("/en/").content.decode()
    # One English page per Vietnamese page, still the same translations.
    assert {code: content_pages(code).count() for code in ("vi", "en")} == pages
    assert set(content_pages("en").values_list("translation_key", flat=True)) == keys
    assert not (
        content_pages("en").values("path", "slug").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )
    for page in content_pages("en"):
        siblings = page.get_siblings(inclusive=False).filter(slug=page.slug)
        assert not siblings.exists(), page.url


# --- News, directory and menus as the demo leaves them ----------------------------------------

NBSP = "\u00a0"


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text(response):
    return html(response).replace(NBSP, " ")


def test_demo_news_loader_is_idempotent(demo, client):
    from cms.demo_content.news import load_news

    index = load_news(log=lambda message: None)
    articles = NewsArticlePage.objects.child_of(index)

    def counts():
        return [
            (model.objects.filter(locale__language_code=code).count(), code)
            for model in (NewsArticlePage, NewsIndexPage, NewsCategory)
            for code in ("vi", "en")
        ] + [get_image_model().objects.count()]

    before = counts()
    assert before[:6] == [(5, "vi"), (5, "en"), (1, "vi"), (1, "en"), (5, "vi"), (5, "en")]
    assert all(a.categories.exists() and a.tags.exists() for a in articles)
    assert any(a.related_products.exists() for a in articles)
    load_news(log=lambda message: None)
    assert counts() == before
    english = NewsArticlePage.objects.filter(locale__language_code="en")
    slugs = list(english.values_list("slug", flat=True))
    assert len(set(slugs)) == len(slugs)
    assert "Tin tức" in html(client.get(index.url))
    assert html(client.get(articles.first().url))


def test_demo_english_news_is_the_translation_of_the_vietnamese(demo, client):
    index = NewsIndexPage.objects.get(locale__language_code="en")
    assert (index.title, index.slug, index.url) == ("News", "news", "/en/news/")
    for article in NewsArticlePage.objects.filter(locale__language_code="en"):
        vietnamese = article.get_translations().get()
        assert vietnamese.locale.language_code == "vi" and article.live
        assert article.title != vietnamese.title and article.date == vietnamese.date
        assert (article.author, vietnamese.author) == ("Editorial team", "Ban biên tập")
        assert article.lead_image_id == vietnamese.lead_image_id
        assert [c.locale.language_code for c in article.categories.all()] == ["en"]
        assert [c.get_translations().get() for c in article.categories.all()] == list(
            vietnamese.categories.all()
        )
        assert list(article.related_products.values_list("product", flat=True)) == list(
            vietnamese.related_products.values_list("product", flat=True)
        )
        kinds = [block.block_type for block in article.body]
        assert kinds == [block.block_type for block in vietnamese.body]
        assert "illustrative" in str(article.body[-1].value)

    response = client.get(index.url)
    page, listed = html(response), response.context["articles"]
    assert {a.locale.language_code for a in listed} == {"en"} and len(listed) == 5
    assert "Trade fairs and promotion" in page and "Hội chợ – xúc tiến" not in page
    assert "The spring Shan tuyết tea harvest begins" in page and "Vào vụ chè" not in page
    fairs = client.get(index.url, {"category": "trade-fairs"}).context["articles"]
    assert [a.slug for a in fairs] == ["dien-bien-ocop-products-at-the-northwest-farm-fair"]
    assert not client.get(index.url, {"category": "hoi-cho"}).context["articles"]
    vietnamese_page = html(client.get("/tin-tuc/"))
    assert "Hội chợ – xúc tiến thương mại" in vietnamese_page
    assert "Trade fairs and promotion" not in vietnamese_page
    article = html(client.get("/en/news/spring-shan-tuyet-tea-harvest-begins-in-tua-chua/"))
    assert "Products mentioned" in article and "#Shan tuyết tea" in article


def test_demo_directory_loader_is_idempotent(demo, client):
    from cms.demo import read_json

    load_directory(log=lambda message: None)  # once more, on top of the demo's own run
    producers = read_json("catalogue.json")["producers"]
    communes = {row["commune_code"] for row in producers}

    for language in ("vi", "en"):
        pages = {
            model: model.objects.filter(locale__language_code=language)
            for model in (
                ProducerPage,
                CommunePage,
                PointOfSalePage,
                ProducerIndexPage,
                CommuneIndexPage,
                PointOfSaleIndexPage,
            )
        }
        assert pages[ProducerPage].count() == len(producers)
        assert pages[CommunePage].count() == len(communes)
        assert pages[PointOfSalePage].count() == len(POINTS_OF_SALE) == 5
        assert pages[ProducerIndexPage].count() == pages[CommuneIndexPage].count() == 1
        assert pages[PointOfSaleIndexPage].count() == 1
        assert all(page.stocked_products.exists() for page in pages[PointOfSalePage])
        assert all(page.live for page in pages[ProducerPage])

        for index in (ProducerIndexPage, CommuneIndexPage, PointOfSaleIndexPage):
            assert client.get(pages[index].get().url).status_code == 200
        for page in [*pages[ProducerPage], *pages[CommunePage]]:
            assert client.get(page.url).status_code == 200
        nearest = client.get(
            pages[PointOfSaleIndexPage].get().url, {"lat": "21.3975", "lng": "103.0078"}
        )
        assert nearest.context["points_of_sale"][0][0].kind == "airport"
        assert {row[0].locale.language_code for row in nearest.context["points_of_sale"]} == {
            language
        }


def test_demo_directory_in_english(demo, client):
    with translation.override("en"):
        index = PointOfSaleIndexPage.objects.get(locale__language_code="en")
        assert (index.url, index.title) == ("/en/points-of-sale/", "Points of sale")
        showroom = PointOfSalePage.objects.get(
            locale__language_code="en", slug="tua-chua-ocop-showroom"
        )
        vietnamese = showroom.get_translations().get()
        assert vietnamese.slug == "showroom-ocop-tua-chua"
        assert showroom.title == "Tủa Chùa OCOP showroom"
        assert showroom.opening_hours == "Monday to Sunday, 7:30 am – 5:30 pm"
        assert (showroom.address, showroom.latitude, showroom.kind) == (
            vietnamese.address,
            vietnamese.latitude,
            vietnamese.kind,
        )
        assert list(showroom.stocked_products.values_list("product", flat=True)) == list(
            vietnamese.stocked_products.values_list("product", flat=True)
        )
        page = text(client.get(showroom.url))
        assert "Monday to Sunday" in page and "Thứ Hai" not in page

        producer_page = ProducerPage.objects.get(
            locale__language_code="en", producer__name="Công ty TNHH Hương Linh"
        )
        assert producer_page.title == "Công ty TNHH Hương Linh"
        assert producer_page.url.startswith("/en/producers/")
        assert producer_page.slug == producer_page.get_translations().get().slug
        assert "Hương Linh Co., Ltd." in producer_page.story
        commune_page = text(client.get(producer_page.url))
        assert 'href="/en/communes/' in commune_page

        fair = TradeFairPage.objects.get(locale__language_code="en", slug="shan-tuyet-tea-week")
        fair_page = text(client.get(fair.url))
        assert f'<a href="{producer_page.url}">Công ty TNHH Hương Linh</a>' in fair_page
    vietnamese_fair = text(client.get(fair.get_translations().get().url))
    vietnamese_producer = producer_page.get_translations().get()
    assert f'<a href="{vietnamese_producer.url}">Công ty TNHH Hương Linh</a>' in vietnamese_fair


def test_demo_main_menu_lists_the_sections_in_each_language_and_costs_nothing_warm(
    demo, client, django_assert_num_queries
):
    vi = client.get("/").content.decode()
    menu = vi[vi.index('class="site-nav"') : vi.index("</nav>", vi.index('class="site-nav"'))]
    sections = ["Tin tức", "Hội chợ và sự kiện", "Livestream bán hàng", "Chủ thể OCOP", "Điểm bán"]
    assert [menu.index(title) for title in sections] == sorted(
        menu.index(title) for title in sections
    )
    assert "Xã, phường" not in menu

    en = client.get("/en/").content.decode()
    menu = en[en.index('class="site-nav"') : en.index("</nav>", en.index('class="site-nav"'))]
    assert 'href="/en/news/"' in menu and "Tin tức" not in menu

    from cms.menus import main_menu

    request = client.get("/en/").wsgi_request
    with django_assert_num_queries(0):
        main_menu(request)

    from news.models import NewsIndexPage

    NewsIndexPage.objects.get(locale__language_code="en").unpublish()
    en = client.get("/en/").content.decode()
    assert 'href="/en/news/"' not in en[: en.index("</header>")]
