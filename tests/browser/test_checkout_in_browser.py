"""A guest buys on a phone: product → basket → address → delivery → payment → confirmation,
with each of the three payment methods; the card is paid on the hosted page of the
Stripe-compatible server (shop/payments/stripe_devserver.py), as in `make demo`."""

import pytest
from oscar.core.loading import get_model

from config.csp import payment_directives
from shop.payments.models import StripeEvent
from shop.payments.stripe_devserver import FakeStripe
from tests.browser.conftest import screenshot
from tests.browser.shopping import assert_transfer_details_match, say
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
    assert_transfer_details_match(phone, order)
    screenshot(phone, "checkout-vietqr-thank-you")


@pytest.fixture
def card_server(shop_url, settings):
    """The Stripe-compatible server with its hosted page, posting signed webhooks to the shop;
    the shop's settings, its Content Security Policy included, point at it as `make demo`'s."""
    webhook = f"{shop_url}/shop/payments/stripe/webhook/"
    key, secret = "sk_test_browser", "whsec_browser"
    with FakeStripe(key, webhook_url=webhook, webhook_secret=secret) as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = key, secret
        # What config/settings/base.py derives from these settings when the site starts.
        policy = settings.CONTENT_SECURITY_POLICY
        settings.CONTENT_SECURITY_POLICY = {
            **policy,
            "DIRECTIVES": {
                **policy["DIRECTIVES"],
                **payment_directives(server.url, card_configured=True),
            },
        }
        yield server


def test_guest_pays_by_card_on_the_hosted_page_and_the_webhook_marks_it_paid(
    phone, shop_url, card_server
):
    tea = certified_product(price=185000, stock=3, title="Chè Shan tuyết Tủa Chùa")
    order = buy_as_guest(phone, tea, "stripe")
    assert order.status == "awaiting-card"
    notice = phone.get_by_role("note")
    assert notice.inner_text().startswith("Máy chủ thẻ thử nghiệm")
    screenshot(phone, "checkout-card-thank-you")

    phone.locator("form[action$='/card/'] button[type=submit]").click()
    phone.wait_for_url(f"{card_server.url}/pay/cs_test_*")
    total = f"{int(order.total_incl_tax):,}".replace(",", ".") + " ₫"  # with the delivery
    assert total in phone.content()
    phone.get_by_label("Số thẻ").fill("4242 4242 4242 4242")
    phone.get_by_label("Ngày hết hạn (MM / YY)").fill("12 / 34")
    phone.get_by_label("Mã bảo mật (CVC)").fill("123")
    screenshot(phone, "checkout-card-hosted-page")
    phone.get_by_role("button", name=f"Thanh toán {total}").click()

    # Back on the shop, on the order's page, which the webhook has already marked paid.
    phone.wait_for_url(f"{shop_url}/shop/payments/{order.number}/*/")
    phone.get_by_text(say("vi", "Thank you: your card payment was received.")).wait_for()
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
    assert [d["status"] for d in card_server.deliveries] == [200]
    assert StripeEvent.objects.get().outcome == "paid"  # the webhook did it, not the return
    assert phone.get_by_role("note").count() == 0  # nothing left to pay
    screenshot(phone, "checkout-card-paid")
