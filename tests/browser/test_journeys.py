"""Journeys through the demo site on a phone: a guest finds a tea by searching without
diacritics and buys it with cash on delivery, in Vietnamese and in English; a tourist scans a
printed label, reads it in three languages and finds where to buy the product in person."""

import datetime
import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import zxingcpp
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from oscar.core.loading import get_model
from PIL import Image

from tests.browser.conftest import screenshot

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

TEA = "Chè Shan tuyết cổ thụ Tủa Thàng"


def say(language, message):
    """What the site says for `message` in `language`, from the same catalogues it uses."""
    with translation.override(language):
        return gettext(message)


def field(page, language, label):
    """The form control labelled `label` (a required field's label may end with a star)."""
    text = re.escape(say(language, label))
    return page.get_by_label(re.compile(rf"^\s*{text}\s*\*?\s*$"))


def start_page(language):
    return "/" if language == "vi" else f"/{language}/"


def fill_shipping_address(page, language):
    field(page, language, "Full name").fill("Nguyễn Thị Lan")
    field(page, language, "Phone number").fill("0912 345 678")
    field(page, language, "Province or city").select_option(label="Thành phố Hà Nội")
    commune = field(page, language, "Commune or ward")
    # The communes of the chosen province arrive by script.
    commune.locator("option", has_text="Phường Hoàn Kiếm").wait_for(state="attached")
    commune.select_option(label="Phường Hoàn Kiếm")
    field(page, language, "House number and street, or village").fill("12 Phố Huế")


def buy_tea_with_cash_on_delivery(page, language, email, shots=None):
    """Home → header search → product → basket → checkout (COD) → confirmation page."""

    def shot(name):
        if shots:
            screenshot(page, f"{shots}-{name}")

    page.goto(start_page(language))
    search = page.get_by_role("search").get_by_label(say(language, "Search products and pages"))
    search.fill("che shan tuyet")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    tea = Product.objects.get(title__startswith=TEA)
    with translation.override(language):
        title = tea.get_title()
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    shot("product")
    page.get_by_role("button", name=say(language, "Add to basket")).first.click()
    page.get_by_role("navigation", name=say(language, "Main")).get_by_role(
        "link", name=say(language, "Basket")
    ).click()
    shot("basket")
    page.get_by_role("link", name=say(language, "Proceed to checkout")).click()
    field(page, language, "Email address").fill(email)
    shot("checkout-contact")
    page.get_by_role("button", name=say(language, "Continue")).click()
    fill_shipping_address(page, language)
    shot("checkout-address")
    page.get_by_role("button", name=say(language, "Continue")).click()
    page.get_by_role("radio").first.wait_for(state="attached")
    shot("checkout-delivery")
    page.get_by_role("button", name=say(language, "Continue")).click()
    page.get_by_role("radio", name=re.compile(say(language, "Cash on delivery"))).check()
    shot("checkout-payment")
    page.get_by_role("button", name=say(language, "Continue")).click()
    shot("checkout-preview")
    page.get_by_role("button", name=say(language, "Place order")).click()
    page.wait_for_url("**/checkout/thank-you/")
    shot("order-confirmation")
    return Order.objects.get(guest_email=email)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_guest_finds_tea_and_pays_cash_on_delivery(demo_phone, language):
    email = f"khach-{language}@example.vn"
    order = buy_tea_with_cash_on_delivery(
        demo_phone, language, email, shots=f"phone-{language}-journey"
    )
    assert order.payment_method == "cod" and order.status == "cod-unpaid"
    assert [line.product.title for line in order.lines.all()] == [
        Product.objects.get(title__startswith=TEA).title
    ]
    assert order.shipping_address.line4 == "Phường Hoàn Kiếm"
    confirmation = demo_phone.locator("body").inner_text()
    assert order.number in confirmation
    assert say(language, "Cash on delivery").lower() in confirmation.lower()
    assert demo_phone.locator("html").get_attribute("lang") == language


@pytest.fixture
def labelled_lot():
    """A lot of a certified product, stocked by a showroom on the demo site."""
    from cms.models import HomePage
    from directory.models import PointOfSaleIndexPage, PointOfSalePage, StockedProduct
    from tests.factories import CertificationFactory, ProducerFactory, certified_product
    from traceability.models import Lot

    today = timezone.localdate()
    certificate = CertificationFactory(
        stars=5,
        decision_date=today - datetime.timedelta(days=90),
        producer=ProducerFactory(tax_code="5699999991"),  # unlike the demo producers' codes
    )
    product = certified_product(
        certification=certificate, title="Mật ong hoa ban Mường Phăng – chai 500 ml"
    )
    lot = Lot.objects.create(
        product=product,
        code="L2026-HB",
        produced_on=today - datetime.timedelta(days=20),
        best_before=today + datetime.timedelta(days=700),
        origin_commune_code=3217,
    )
    index = PointOfSaleIndexPage.objects.child_of(
        HomePage.objects.get(locale__language_code="vi")
    ).get()
    showroom = PointOfSalePage(
        title="Quầy mật ong Mường Phăng",
        kind="showroom",
        address="Bản Phăng, xã Mường Phăng",
        commune_code=3217,
        latitude=Decimal("21.44"),
        longitude=Decimal("103.15"),
        opening_hours="Hằng ngày 7:00–18:00",
    )
    showroom.stocked_products = [StockedProduct(product=product)]
    index.add_child(instance=showroom)
    showroom.save_revision().publish()
    return lot, showroom


def printed_uri(lot, tmp_path):
    """The URI in the QR code of the lot's printed label sheet."""
    out = tmp_path / "label.png"
    call_command(
        "make_labels", lot=lot.short_code, format="png", out=str(out), stdout=io.StringIO()
    )
    codes = zxingcpp.read_barcodes(Image.open(out), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len({code.text for code in codes}) == 1
    return codes[0].text


def test_tourist_scans_a_label_switches_language_and_finds_where_to_buy(
    demo_phone, labelled_lot, tmp_path
):
    lot, showroom = labelled_lot
    page = demo_phone
    uri = printed_uri(lot, tmp_path)
    page.goto(urlsplit(uri).path)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Mật ong hoa ban Mường Phăng" in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "phone-vi-scan")

    switch = page.get_by_role("navigation", name=say("vi", "Language"))
    switch.get_by_role("link", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert "Certified OCOP 5-star" in page.content()
    switch = page.get_by_role("navigation", name="Language")
    switch.get_by_role("link", name="Français").click()
    page.wait_for_function("document.documentElement.lang === 'fr'")
    assert "Produit OCOP certifié 5 étoiles" in page.content()
    screenshot(page, "phone-fr-scan")

    with translation.override("fr"):
        where = gettext("Where to buy")
    page.get_by_role("link", name=where).click()
    page.wait_for_url(re.compile(r"#where-to-buy$"))
    section = page.locator("#where-to-buy")
    assert section.is_visible()
    place = section.get_by_role("link", name=showroom.title)
    assert "Hằng ngày 7:00–18:00" in section.inner_text()
    screenshot(page, "phone-where-to-buy")
    place.click()
    page.get_by_role("heading", level=1, name=showroom.title).wait_for()
    assert urlsplit(page.url).path == showroom.url
