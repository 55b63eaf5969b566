"""Three shoppers on the served demo, in Chromium on a phone, each paying another way: VietQR
bank transfer, cash on delivery and card (through the demo's card server). The page cache is on
(it is the demo's setting); any console error, script error, policy violation or failed
request fails the journey."""

import re

import pytest

from tests.browser.conftest import PHONE, watch_for_errors
from tests.browser.shopping import assert_transfer_details_match, buy_tea, say, the_tea
from tests.served.conftest import FIGURES


@pytest.fixture
def phone(browser, served):  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=served.url)
    errors = []
    watch_for_errors(context, errors)
    page = context.new_page()
    page.set_default_timeout(30000)
    yield page
    context.close()
    FIGURES.console_errors.extend(errors)
    assert errors == []


def test_a_shopper_pays_by_vietqr(phone, served):
    order = buy_tea(phone, "vi", "vietqr@example.vn", "Bank transfer (VietQR)")
    assert order.status == "awaiting-transfer"
    assert_transfer_details_match(phone, order)


def test_a_shopper_pays_cash_on_delivery(phone):
    order = buy_tea(phone, "vi", "cod@example.vn", "Cash on delivery")
    assert order.payment_method == "cod" and order.status == "cod-unpaid"
    assert order.lines.get().product == the_tea()


def test_a_shopper_pays_by_card_on_the_demo_card_server(phone, served):
    """The card server `make demo` starts beside the site: its hosted page, back to the shop,
    and the order paid by the server's signed webhook."""

    def pay(page):
        # The thank-you page offers the payment, with the notice that no real money is taken.
        page.wait_for_url("**/checkout/thank-you/**")
        assert page.get_by_role("note").inner_text().startswith("Máy chủ thẻ thử nghiệm")
        page.locator("form[action$='/card/'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/pay/cs_test_"))
        page.get_by_label("Số thẻ").fill("4242 4242 4242 4242")
        page.get_by_label("Ngày hết hạn (MM / YY)").fill("12 / 34")
        page.get_by_label("Mã bảo mật (CVC)").fill("123")
        page.get_by_role("button", name=re.compile("^Thanh toán")).click()
        page.wait_for_url(f"{served.url}/shop/payments/**")
        page.get_by_text(say("vi", "Thank you: your card payment was received.")).wait_for()

    order = buy_tea(phone, "vi", "card@example.vn", "Card (Stripe)", pay=pay)
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_at is not None
