"""Site search: products and pages found with or without Vietnamese diacritics."""

import datetime
import itertools

import pytest
from django.utils import timezone
from oscar.test.factories import create_product

from cms.models import HomePage
from sitesearch.results import search_site
from tests.factories import CertificationFactory, ProducerFactory, certified_product

pytestmark = pytest.mark.django_db


def titles(query):
    results = search_site(query)
    return [] if results is None else [hit.title for hit in results[: results.count()]]


_serial = itertools.count()


def sold_under(title, producer_name=None, **kwargs):
    """A certified product whose producer's name does not repeat the product's words."""
    today = timezone.localdate()
    certificate = CertificationFactory(
        product_name=title,
        producer=ProducerFactory(name=producer_name or f"HTX Nông sản Tả Phìn {next(_serial)}"),
        decision_date=today - datetime.timedelta(days=200),
    )
    return certified_product(title=title, certification=certificate, **kwargs)


@pytest.fixture
def catalogue():
    return {
        "tea": sold_under("Chè Shan tuyết Tủa Chùa"),
        "liquor": sold_under("Rượu Mông pê", description="<p>Đặc sản Điện Biên, nấu từ ngô.</p>"),
        "honey": sold_under("Mật ong bạc hà"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("che shan tuyet", "Chè Shan tuyết Tủa Chùa"),
        ("ruou mong pe", "Rượu Mông pê"),
        ("dien bien", "Rượu Mông pê"),
        ("Chè Shan tuyết", "Chè Shan tuyết Tủa Chùa"),
        ("RƯỢU MÔNG PÊ", "Rượu Mông pê"),
        ("ĐIỆN BIÊN", "Rượu Mông pê"),
    ],
)
def test_products_are_found_with_or_without_diacritics(catalogue, query, expected):
    assert titles(query) == [expected]


def test_producer_and_commune_names_are_searchable(catalogue):
    tea = sold_under("Chè búp", producer_name="Công ty TNHH Hương Linh")
    assert titles("huong linh") == [tea.title]
    # Commune 3217 is Xã Tủa Chùa.
    assert "Chè Shan tuyết Tủa Chùa" in titles("xa tua chua")


def test_pages_are_found_without_diacritics():
    home = HomePage.objects.filter(locale__language_code="vi").first()
    home.body = [{"type": "text", "value": "<p>Sản phẩm OCOP của tỉnh Điện Biên.</p>"}]
    home.save()
    results = search_site("dien bien")
    assert [hit.pk for hit in results[:10]] == [home.pk]


def test_uncertified_products_are_not_returned(catalogue):
    create_product(title="Chè Shan tuyết chưa chứng nhận", price=100000, num_in_stock=5)
    sold_under("Chè Shan tuyết bị thu hồi").certification.__class__.objects.filter(
        product_name="Chè Shan tuyết bị thu hồi"
    ).update(status="revoked")
    assert titles("che shan tuyet") == ["Chè Shan tuyết Tủa Chùa"]


def test_title_matches_rank_above_body_matches():
    body_only = sold_under("Trà túi lọc", description="<p>Pha từ lá chè Shan tuyết cổ thụ.</p>")
    in_title = sold_under("Chè Shan tuyết cổ thụ")
    assert titles("che shan tuyet") == [in_title.title, body_only.title]
    assert titles("chè shan tuyết") == [in_title.title, body_only.title]


def test_search_page_lists_products_with_price_and_stars(client, catalogue):
    response = client.get("/search/", {"q": "ruou mong pe"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert "Rượu Mông pê" in html
    assert "1.250.000" in html  # price, whole đồng
    assert response.context["products"] == [catalogue["liquor"]]


def test_empty_query_shows_only_the_box(client, catalogue):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["results_page"] is None
    assert 'name="q"' in response.content.decode()
    assert "noindex" not in response.content.decode()


@pytest.mark.parametrize("query", ["!!!", "?.,;—…", "'\"%_*", "   "])
def test_punctuation_only_finds_nothing(client, catalogue, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert response.context["results_page"] is None


def test_very_long_queries_are_truncated(client, catalogue):
    response = client.get("/search/", {"q": "rượu " * 2000})
    assert response.status_code == 200
    assert len(response.context["query"]) <= 200


@pytest.mark.parametrize("page", ["2", "abc", "-1", "0", "999999", "1e9", "２"])
def test_pagination_never_fails(client, page):
    for number in range(23):
        sold_under(f"Mật ong bạc hà {number}")
    response = client.get("/search/", {"q": "mat ong", "page": page})
    assert response.status_code == 200
    results_page = response.context["results_page"]
    assert results_page.paginator.count == 23
    assert len(results_page.object_list) in (20, 3)


def test_second_page_continues_the_first(client):
    for number in range(23):
        sold_under(f"Mật ong bạc hà {number}")
    first = client.get("/search/", {"q": "mat ong"}).context["products"]
    second = client.get("/search/", {"q": "mat ong", "page": 2}).context["products"]
    assert len(first) == 20 and len(second) == 3
    assert not {p.pk for p in first} & {p.pk for p in second}


def test_old_shop_search_redirects_keeping_the_query(client):
    response = client.get("/shop/search/", {"q": "chè"})
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=ch%C3%A8"
    assert client.get("/en/shop/search/?q=x")["Location"] == "/en/search/?q=x"


def test_english_search_page(client, catalogue):
    response = client.get("/en/search/", {"q": "ruou mong pe"})
    assert response.status_code == 200
    assert '<html lang="en"' in response.content.decode()
    assert response.context["products"] == [catalogue["liquor"]]


def test_shop_header_search_box_points_at_site_search(client, catalogue):
    html = client.get("/shop/catalogue/").content.decode()
    assert 'action="/search/"' in html
