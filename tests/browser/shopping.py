"""What the browser tests do on the demo site, found by role, label and text (not by CSS
class, so a new theme's markup keeps them working): buying a tea as a guest, a labelled lot."""

import datetime
import io
import re
from decimal import Decimal

import zxingcpp
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from oscar.core.loading import get_model
from PIL import Image

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

TEA = "Chè Shan tuyết cổ thụ Tủa Thàng"
CHECKOUT_STEPS = (
    "product",
    "basket",
    "checkout-contact",
    "checkout-address",
    "checkout-delivery",
    "checkout-payment",
    "checkout-preview",
    "order-confirmation",
)


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


def the_tea():
    return Product.objects.get(title__startswith=TEA)


def title_in(product, language):
    with translation.override(language):
        return product.get_title()


def content_page(name):
    """The path of one page of each kind on the demo site, in Vietnamese."""
    from directory.models import PointOfSaleIndexPage, ProducerPage
    from events.models import TradeFairPage
    from news.models import NewsArticlePage
    from traceability.models import Lot

    def first(model):
        return model.objects.live().filter(locale__language_code="vi").first().url

    if name == "scan":
        lot = Lot.objects.filter(product__certification__status="active").first()
        return f"/q/{lot.short_code}"
    return {
        "home": lambda: "/",
        "product-list": lambda: "/shop/catalogue/",
        "product": lambda: the_tea().get_absolute_url(),
        "news-article": lambda: first(NewsArticlePage),
        "trade-fair": lambda: first(TradeFairPage),
        "producer": lambda: first(ProducerPage),
        "points-of-sale": lambda: first(PointOfSaleIndexPage),
    }[name]()


def fill_shipping_address(page, language):
    field(page, language, "Full name").fill("Nguyễn Thị Lan")
    field(page, language, "Phone number").fill("0912 345 678")
    # The commune list script listens for the province's change once the page has loaded; a
    # test is faster than a person (and a busy machine loads the script late): wait for it.
    page.wait_for_load_state("load")
    field(page, language, "Province or city").select_option(label="Thành phố Hà Nội")
    commune = field(page, language, "Commune or ward")
    # The communes of the chosen province arrive by script.
    commune.locator("option", has_text="Phường Hoàn Kiếm").wait_for(state="attached")
    commune.select_option(label="Phường Hoàn Kiếm")
    field(page, language, "House number and street, or village").fill("12 Phố Huế")


def buy_tea_with_cash_on_delivery(page, language, email, at_each_step=lambda name: None):
    """Home → header search → product → basket → checkout (COD) → confirmation page.

    `at_each_step(name)` is called on every page of the way, names as in CHECKOUT_STEPS."""
    return buy_tea(page, language, email, "Cash on delivery", at_each_step)


def buy_tea(page, language, email, method, at_each_step=lambda name: None, pay=None):
    """Home → header search → product → basket → checkout → confirmation page, paying with the
    payment method labelled `method` ("Cash on delivery", "Bank transfer (VietQR)",
    "Card (Stripe)"). `pay(page)` completes a payment made elsewhere (a card's hosted page)
    after the order is placed."""
    page.goto(start_page(language))
    search = page.get_by_role("search").get_by_label(say(language, "Search products and pages"))
    search.fill("che shan tuyet")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    title = title_in(the_tea(), language)
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", level=1, name=title).wait_for()
    at_each_step("product")
    page.get_by_role("button", name=say(language, "Add to basket")).first.click()
    page.get_by_role("navigation", name=say(language, "Main")).get_by_role(
        "link", name=say(language, "Basket")
    ).click()
    at_each_step("basket")
    page.get_by_role("link", name=say(language, "Proceed to checkout")).click()
    field(page, language, "Email address").fill(email)
    at_each_step("checkout-contact")
    page.get_by_role("button", name=say(language, "Continue")).click()
    fill_shipping_address(page, language)
    at_each_step("checkout-address")
    page.get_by_role("button", name=say(language, "Continue")).click()
    page.get_by_role("radio").first.wait_for(state="attached")
    at_each_step("checkout-delivery")
    page.get_by_role("button", name=say(language, "Continue")).click()
    page.get_by_role("radio", name=re.compile(re.escape(say(language, method)))).check()
    at_each_step("checkout-payment")
    page.get_by_role("button", name=say(language, "Continue")).click()
    page.get_by_role("button", name=say(language, "Place order")).wait_for()
    at_each_step("checkout-preview")
    page.get_by_role("button", name=say(language, "Place order")).click()
    if pay is None:
        page.wait_for_url("**/checkout/thank-you/**")
    else:
        pay(page)
    at_each_step("order-confirmation")
    return Order.objects.get(guest_email=email)


def assert_transfer_details_match(page, order):
    """The thank-you page's VietQR code loads, decodes to the order's amount, and the transfer
    note to copy is the order number."""
    from shop.payments import vietqr

    image = page.locator("img[src*=vietqr]")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    png = page.request.get(image.get_attribute("src")).body()
    payload = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text
    assert vietqr.parse(payload).amount == int(order.total_incl_tax)
    assert page.locator("#transfer-note").input_value() == order.number


def labelled_lot():
    """A lot of a certified 5★ honey, and a showroom on the demo site that stocks it."""
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
    """The URI in the QR code of the lot's printed label sheet (a demo sheet: the site is served
    on 127.0.0.1, which no real label may carry)."""
    out = tmp_path / "label.png"
    call_command(
        "make_labels",
        lot=lot.short_code,
        format="png",
        out=str(out),
        demo=True,
        stdout=io.StringIO(),
    )
    codes = zxingcpp.read_barcodes(Image.open(out), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len({code.text for code in codes}) == 1
    return codes[0].text
