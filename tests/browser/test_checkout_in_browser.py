"""A guest buys on a phone: product → basket → address → delivery → payment → confirmation."""

import io

import zxingcpp
from oscar.core.loading import get_model
from PIL import Image

from shop.payments import vietqr
from tests.browser.conftest import screenshot
from tests.factories import certified_product

Order = get_model("order", "Order")


def buy_as_guest(page, product, method):
    page.goto(product.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/checkout/")
    page.locator("input[name=username]").fill("khach@example.vn")
    page.locator("input[name=username]").press("Enter")
    page.locator("input[name=full_name]").fill("Nguyễn Thị Lan")
    page.locator("input[name=phone_number]").fill("0912 345 678")
    # The commune list script listens for the province's change once the page has loaded; a
    # test is faster than a person, so wait for it (a busy machine loads the script late).
    page.wait_for_load_state("load")
    page.locator("select[name=province_code]").select_option(label="Thành phố Hà Nội")
    # A function, not an expression: the page's policy forbids evaluating strings.
    page.wait_for_function(
        "() => document.querySelector('select[name=commune_code]').options.length > 2"
    )
    page.locator("select[name=commune_code]").select_option(label="Phường Hoàn Kiếm")
    page.locator("input[name=line1]").fill("12 Phố Huế")
    screenshot(page, f"checkout-address-{method}")
    page.locator("form button[type=submit]").last.click()
    page.locator("form button[type=submit]").first.click()  # first delivery method
    page.locator(f"input[name=method][value={method}]").check()
    page.locator("form.payment-methods button[type=submit]").click()
    page.locator("#place-order").click()
    page.wait_for_url("**/checkout/thank-you/")
    return Order.objects.get()


def test_guest_buys_with_cash_on_delivery_on_a_phone(phone):
    tea = certified_product(price=185000, stock=3, title="Chè Shan tuyết Tủa Chùa")
    order = buy_as_guest(phone, tea, "cod")
    assert order.payment_method == "cod" and order.status == "cod-unpaid"
    assert order.shipping_address.line4 == "Phường Hoàn Kiếm"
    assert "tiền mặt" in phone.content()
    screenshot(phone, "checkout-cod-thank-you")


def test_guest_buys_with_vietqr_and_sees_a_code_that_decodes(phone):
    tea = certified_product(price=185000, stock=3, title="Chè Shan tuyết Tủa Chùa")
    order = buy_as_guest(phone, tea, "vietqr")
    assert order.status == "awaiting-transfer"
    image = phone.locator("img[src*=vietqr]")
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    png = phone.request.get(image.get_attribute("src")).body()
    text = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text
    assert vietqr.parse(text).amount == int(order.total_incl_tax)
    assert phone.locator("#transfer-note").input_value() == order.number
    screenshot(phone, "checkout-vietqr-thank-you")
