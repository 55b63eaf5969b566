"""Layouts under strain, in Chromium: pages stay whole on a phone with very long Vietnamese
names, missing images, no products, many products, 5★ and uncertified products, and English
text. Each test starts from the database as the migrations left it."""

import pytest
from oscar.test.factories import create_product

from tests.browser.conftest import screenshot
from tests.browser.layout import layout_problems
from tests.factories import CertificationFactory, certified_product

LONG_NAME = (
    "Chè Shan tuyết cổ thụ thượng hạng Tủa Chùa "
    "Trànguyênchấtthủcôngtruyềnthốngđồngbàodântộcthiểusốvùngcaotâybắc "
    "hộp quà tặng cao cấp phiên bản đặc biệt dành cho lễ hội mùa xuân Điện Biên"
)[:200]


@pytest.fixture
def strained_catalogue():
    """A 5★ product with a 200-character name of long words and no image, an uncertified one,
    and a 3★ one; none of them has a photo."""
    five = CertificationFactory(stars=5, product_name="Chè")
    long_named = certified_product(certification=five, title=LONG_NAME, price=1850000)
    three = certified_product(
        certification=CertificationFactory(stars=3), title="Gạo Séng Cù", price=45000
    )
    uncertified = create_product(
        title="Rượu ngô men lá chưa được chứng nhận OCOP", price=120000, num_in_stock=5
    )
    return long_named, three, uncertified


def test_long_names_missing_images_and_ratings_keep_the_phone_layout(phone, strained_catalogue):
    long_named, three, uncertified = strained_catalogue
    problems = []
    for prefix in ("", "/en"):
        for path in (
            "/shop/catalogue/",
            long_named.get_absolute_url(),
            three.get_absolute_url(),
            uncertified.get_absolute_url(),
            "/search/?q=che+shan+tuyet",
        ):
            phone.goto(prefix + path)
            problems.extend(layout_problems(phone))
    assert LONG_NAME[:30] in phone.locator("body").inner_text()
    phone.goto(long_named.get_absolute_url())
    assert phone.get_by_role("img", name="OCOP 5 sao").count() >= 1
    phone.get_by_role("button", name="Thêm vào giỏ hàng").first.click()
    phone.goto("/shop/basket/")
    problems.extend(layout_problems(phone))
    screenshot(phone, "phone-strain-basket-long-name")
    phone.goto("/shop/catalogue/")
    screenshot(phone, "phone-strain-catalogue")
    assert problems == [], "\n".join(problems)


def test_an_empty_catalogue_keeps_the_phone_layout(phone):
    problems = []
    for path in ("/", "/shop/catalogue/", "/search/?q=che", "/en/shop/catalogue/"):
        phone.goto(path)
        problems.extend(layout_problems(phone))
    screenshot(phone, "phone-strain-empty-catalogue")
    assert problems == [], "\n".join(problems)


def test_many_products_page_through_on_a_phone(phone):
    from django.conf import settings

    for number in range(settings.OSCAR_PRODUCTS_PER_PAGE + 5):
        certified_product(title=f"Mật ong hoa ban số {number + 1}", price=150000 + number)
    phone.goto("/shop/catalogue/")
    first_page = phone.get_by_role("article").count()
    assert first_page == settings.OSCAR_PRODUCTS_PER_PAGE
    problems = layout_problems(phone)
    screenshot(phone, "phone-strain-many-products")
    phone.get_by_role("link", name="tiếp", exact=False).first.click()
    phone.wait_for_url("**page=2**")
    assert phone.get_by_role("article").count() == 5
    problems += layout_problems(phone)
    assert problems == [], "\n".join(problems)
