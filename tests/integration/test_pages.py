"""Home, catalogue and product pages in Vietnamese and English; friendly 404s."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import CertificationFactory, ProducerFactory, certified_product

pytestmark = pytest.mark.django_db

BUY_FORM = "/shop/basket/add/"  # the add-to-basket form posts here

NBSP = "\xa0"


def text(response):
    return response.content.decode().replace(NBSP, " ")


def test_home_page_is_vietnamese_with_an_english_version(client):
    product = certified_product(title="Chè Shan tuyết cổ thụ")
    vi = client.get("/")
    assert vi.status_code == 200
    assert '<html lang="vi"' in text(vi)
    assert "Sản phẩm OCOP được chứng nhận" in text(vi)
    assert product.get_title() in text(vi)
    assert 'href="/en/"' in text(vi)  # the language switch

    en = client.get("/en/")
    assert en.status_code == 200
    assert '<html lang="en"' in text(en)
    assert "Certified OCOP products" in text(en)
    assert 'href="/"' in text(en)


def test_product_page_shows_producer_commune_stars_certificate_and_price(client):
    producer = ProducerFactory(name="HTX Chè Tủa Chùa", kind="cooperative", commune_code=3217)
    certificate = CertificationFactory(
        producer=producer,
        stars=4,
        decision_no="1234/QĐ-UBND",
        decision_date=timezone.localdate() - datetime.timedelta(days=100),
    )
    product = certified_product(price=1250000, certification=certificate)

    vi = text(client.get(product.get_absolute_url()))
    assert "HTX Chè Tủa Chùa" in vi
    assert "Xã Tủa Chùa" in vi
    assert "1234/QĐ-UBND" in vi
    assert certificate.decision_date.strftime("%d/%m/%Y") in vi
    assert certificate.valid_until.strftime("%d/%m/%Y") in vi
    assert 'aria-label="OCOP 4 sao"' in vi
    assert "1.250.000 ₫" in vi
    assert not re.search(r"1\.250\.000,00", vi)
    assert "Hợp tác xã" in vi  # producer kind, translated

    en = text(client.get("/en" + product.get_absolute_url()))
    assert '<html lang="en"' in en
    assert "₫1,250,000" in en
    assert 'aria-label="OCOP 4 stars"' in en
    assert "Cooperative" in en


def test_expired_certificate_is_shown_honestly_and_not_sold(client):
    certificate = CertificationFactory(
        stars=3, decision_date=datetime.date(2019, 12, 31), valid_until=datetime.date(2022, 12, 31)
    )
    product = certified_product(certification=certificate)
    page = text(client.get("/en" + product.get_absolute_url()))
    assert "Certificate expired" in page
    assert BUY_FORM not in page
    response = client.post(f"/en/shop/basket/add/{product.pk}/", {"quantity": 1}, follow=True)
    assert response.status_code == 200
    assert client.get("/en/shop/basket/").context["basket"].num_items == 0


def test_catalogue_and_category_pages_list_products(client):
    products = [certified_product(title=f"Gạo Séng Cù {n}") for n in range(3)]
    page = text(client.get("/shop/catalogue/"))
    for product in products:
        assert product.get_title() in page
    assert client.get("/shop/catalogue/?sort_by=price-desc").status_code == 200
    assert client.get("/shop/catalogue/?sort_by=nonsense").status_code == 200


@pytest.mark.parametrize(
    "url,language,message",
    [
        ("/khong-co-trang-nay/", "vi", "Không tìm thấy trang"),
        ("/en/no-such-page/", "en", "Page not found"),
        ("/shop/catalogue/khong-co_999999/", "vi", "Không tìm thấy trang"),
        ("/en/shop/catalogue/no-such-product_999999/", "en", "Page not found"),
        ("/en/shop/catalogue/category/nothing_999999/", "en", "Page not found"),
    ],
)
def test_missing_pages_get_a_404_in_the_visitors_language(client, url, language, message):
    response = client.get(url)
    assert response.status_code == 404
    body = text(response)
    assert f'<html lang="{language}"' in body
    assert message in body


def test_bad_catalogue_page_number_redirects_to_the_first_page(client):
    response = client.get("/shop/catalogue/?page=999")
    assert response.status_code == 302
    assert response["Location"] == "/shop/catalogue/"


def test_pages_load_no_scripts_or_styles_from_other_hosts(client):
    product = certified_product()
    for url in ("/", "/shop/catalogue/", product.get_absolute_url(), "/shop/basket/"):
        page = text(client.get(url))
        # rel=canonical/alternate name this page's addresses (absolute by design), loading nothing
        assets = re.findall(
            r'<(?:script|link|img)(?![^>]*rel="(?:canonical|alternate)")[^>]+(?:src|href)="([^"]+)"',
            page,
        )
        assert assets, url
        assert [a for a in assets if a.startswith(("http:", "https:", "//"))] == [], url
