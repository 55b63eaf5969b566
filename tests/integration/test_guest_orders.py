"""A guest finds their order again: by order number and the phone or email they gave.

Orders are placed through the shop's pages (tests/checkout.py). A guest who gave only a phone
number gets no email, the confirmation page says so and how to find the order; the lookup
compares phone numbers as numbers and emails without case, answers a wrong pair and an unknown
order alike, and stops guessing (django-axes). Order pages show stages in words, in the
customer's language.
"""

import re
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.core import mail
from oscar.core.loading import get_model

from shop.order import actions
from tests.checkout import place, to_preview
from tests.factories import certified_product

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")

LOOKUP = "/shop/accounts/order-status/"
NOT_FOUND_VI = (
    "Không tìm thấy đơn hàng nào có số đơn này cùng số điện thoại hoặc email này. "
    "Vui lòng kiểm tra lại cả hai rồi thử lại."
)
NOT_FOUND_EN = (
    "We found no order with this number and this phone number or email. "
    "Please check both and try again."
)
# Words of Oscar's English order page and our stage codes: none may reach a Vietnamese page.
ENGLISH = re.compile(
    r"\b(Order|Status|Shipping|Address|Contact|Payment|Total|Totals|Quantity|Product|Price|"
    r"Delivery|Notes|Discount|Awaiting|Paid|Unavailable|tax|Line price|View order status)\b"
)
CODES = re.compile(r"awaiting-transfer|awaiting-card|cod-unpaid|\bpaid\b|\bshipped\b|expired")


def text_of(response):
    """The visible text of the page's <main> (no markup, scripts or attributes)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", main))


@pytest.fixture
def tea():
    return certified_product(price=185000, stock=10, title="Chè Shan tuyết Tủa Chùa")


def guest_order(client, product, method="vietqr", *, email="", phone="0912 345 678", prefix=""):
    shop = to_preview(client, product, method, email=email, phone=phone or None, prefix=prefix)
    response = place(client, shop)
    assert response.status_code == 302 and response.url.endswith("/checkout/thank-you/")
    return Order.objects.order_by("-pk").first(), client.get(response.url)


def lookup(client, number, contact, prefix="", **extra):
    return client.post(f"{prefix}{LOOKUP}", {"number": number, "contact": contact}, **extra)


# --- The confirmation page -----------------------------------------------------------------


def test_phone_only_guest_is_told_no_email_was_sent_and_how_to_find_the_order(
    client, tea, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order, thanks = guest_order(client, tea)
    assert order.guest_email == "" and order.user is None
    assert mail.outbox == []
    page = thanks.content.decode()
    assert "email xác nhận" not in page and "confirmation email" not in page
    assert f"Số đơn hàng của bạn là <strong>{order.number}</strong>." in page
    assert "Chúng tôi không gửi email vì bạn chỉ cung cấp số điện thoại." in page
    assert f'<a href="{LOOKUP}">Tra cứu đơn hàng</a>' in page
    assert "/order-status/" + order.number not in page  # Oscar's email-asking link is gone
    assert f"/shop/payments/{order.number}/{order.verification_hash()}/" in page  # signed link
    assert not ENGLISH.search(text_of(thanks)), ENGLISH.search(text_of(thanks))


def test_guest_with_email_is_told_where_the_email_went(
    client, tea, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order, thanks = guest_order(client, tea, email="lan@example.vn", phone="")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@example.vn"]
    page = thanks.content.decode()
    assert (
        "Đơn hàng của bạn đã được đặt và email xác nhận đã được gửi tới lan@example.vn. "
        f"Số đơn hàng của bạn là <strong>{order.number}</strong>."
    ) in page
    assert "Chúng tôi không gửi email" not in page


def test_english_confirmation_pages_with_and_without_email(client, tea):
    order, thanks = guest_order(client, tea, email="lan@example.vn", prefix="/en")
    page = thanks.content.decode()
    assert "a confirmation email has been sent to lan@example.vn" in page
    assert "We send no email" not in page
    client.cookies.clear()
    order, thanks = guest_order(client, tea, prefix="/en")
    page = thanks.content.decode()
    assert "confirmation email" not in page
    assert "We send no email because you gave only a phone number." in page
    assert f'<a href="/en{LOOKUP}">Find your order</a>' in page


# --- Finding the order ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["0912 345 678", "0912345678", "+84912345678", "+84 912 345 678", "0084 912.345.678"]
)
def test_phone_only_guest_finds_the_order_with_the_phone_however_it_is_written(client, tea, typed):
    order, _thanks = guest_order(client, tea)
    client.cookies.clear()  # later, on another visit
    response = lookup(client, f" {order.number} ", typed)
    signed = f"/shop/payments/{order.number}/{order.verification_hash()}/"
    assert response.status_code == 302 and response.url == signed
    page = client.get(response.url)
    assert page.status_code == 200 and f"Đơn hàng #{order.number}" in page.content.decode()


def test_guest_finds_the_order_by_email_without_regard_to_case(client, tea):
    order, _thanks = guest_order(client, tea, email="Lan@Example.vn", phone="")
    client.cookies.clear()
    response = lookup(client, order.number, "  lan@EXAMPLE.vn ")
    assert response.status_code == 302
    assert response.url == f"/shop/payments/{order.number}/{order.verification_hash()}/"
    english = lookup(client, order.number, "lan@example.vn", prefix="/en")
    assert english.url == f"/en/shop/payments/{order.number}/{order.verification_hash()}/"


def test_wrong_pairs_are_refused_alike_without_telling_whether_the_order_exists(client, tea):
    order, _thanks = guest_order(client, tea)
    client.cookies.clear()
    answers = [
        lookup(client, order.number, "0987 654 321"),  # another phone
        lookup(client, order.number, "lan@example.vn"),  # an email the guest never gave
        lookup(client, "999999", "0912 345 678"),  # no such order
        lookup(client, order.number, "not a phone"),
    ]
    bodies = set()
    for response in answers:
        assert response.status_code == 200
        page = response.content.decode()
        assert NOT_FOUND_VI in page and "/shop/payments/" not in page
        bodies.add(page.replace(order.number, "N").replace("999999", "N").split("<form")[0])
    assert len(bodies) == 1  # the same words whichever part was wrong

    en = lookup(client, order.number, "0987 654 321", prefix="/en", REMOTE_ADDR="10.0.0.9")
    assert NOT_FOUND_EN in en.content.decode()


def test_a_customers_order_is_not_found_as_a_guests(client, tea, django_user_model):
    from tests.factories import placed_order

    user = django_user_model.objects.create_user("an", "an@example.vn", "Mật-khẩu-2026")
    order = placed_order((tea, 1), user=user)
    response = lookup(client, order.number, "an@example.vn")
    assert response.status_code == 200 and NOT_FOUND_VI in response.content.decode()


def test_guessing_is_stopped_and_the_guess_is_not_kept(client, tea, settings):
    order, _thanks = guest_order(client, tea)
    client.cookies.clear()
    for tries in range(settings.AXES_FAILURE_LIMIT - 1):
        assert lookup(client, order.number, f"0912 000 00{tries}").status_code == 200
    refused = lookup(client, order.number, "0912 000 999")
    assert refused.status_code == 429 and refused["Retry-After"]
    page = refused.content.decode()
    assert "Bạn đã thử tra cứu đơn hàng quá nhiều lần." in page
    assert "Too many failed sign-in attempts" not in page  # this form's own words
    # even the right pair waits now, and the answer says nothing about the order
    right = lookup(client, order.number, "0912 345 678")
    assert right.status_code == 429 and "/shop/payments/" not in right.content.decode()
    # axes keeps no phone number or email that was typed
    logged = " ".join(a.post_data for a in AccessAttempt.objects.all())
    assert "0912" not in logged and "contact=****" in logged
    assert AccessAttempt.objects.filter(username=f"order {order.number}").exists()


def test_oscar_links_that_asked_for_an_email_open_the_order(client, tea):
    order, _thanks = guest_order(client, tea)
    client.cookies.clear()
    signed = f"/shop/payments/{order.number}/{order.verification_hash()}/"
    for oscar in ("order-status", "order-status-form"):
        url = f"/shop/accounts/{oscar}/{order.number}/{order.verification_hash()}/"
        response = client.get(url)
        assert response.status_code == 302 and response.url == signed
        forged = f"/shop/accounts/{oscar}/{order.number}/{order.verification_hash()[:-2]}xx/"
        assert client.get(forged).status_code == 404


def test_lookup_page_in_each_language(client):
    vi = client.get(LOOKUP)
    assert vi.status_code == 200 and not ENGLISH.search(text_of(vi))
    assert "Tra cứu đơn hàng" in vi.content.decode()
    assert "Số điện thoại hoặc email" in vi.content.decode()
    en = client.get(f"/en{LOOKUP}")
    assert en.status_code == 200 and "Find your order" in en.content.decode()
    assert "Phone number or email" in en.content.decode()


# --- The order pages show stages in words --------------------------------------------------


@pytest.mark.parametrize(
    ("method", "paid", "label"),
    [
        ("vietqr", False, "Chờ chuyển khoản"),
        ("vietqr", True, "Đã thanh toán, đang chuẩn bị"),
        ("cod", False, "Thanh toán khi nhận hàng, chưa thu tiền"),
    ],
)
def test_guest_order_page_in_vietnamese_has_no_codes_and_no_english(
    client, tea, method, paid, label
):
    order, _thanks = guest_order(client, tea, method)
    if paid:
        actions.record_payment(order, amount=order.total_incl_tax, reference="FT2026")
        order.refresh_from_db()
        assert order.status == "paid"
    client.cookies.clear()
    page = client.get(lookup(client, order.number, "+84912345678").url)
    shown = text_of(page)
    assert label in shown
    assert not CODES.search(shown), CODES.search(shown)
    assert not ENGLISH.search(shown), ENGLISH.search(shown)
    html = page.content.decode()
    assert "0912 345 678" in html  # the phone as people write it
    assert 'class="num price"' in html and "table-scroll" in html


def test_english_guest_order_page_shows_the_stage_in_english(client, tea):
    order, _thanks = guest_order(client, tea, prefix="/en")
    page = client.get(f"/en/shop/payments/{order.number}/{order.verification_hash()}/")
    shown = text_of(page)
    assert "Awaiting transfer" in shown and not CODES.search(shown)


def test_account_order_page_shows_the_stage_in_words(client, tea, django_user_model):
    from tests.factories import placed_order

    user = django_user_model.objects.create_user("an", "an@example.vn", "Mật-khẩu-2026")
    order = placed_order((tea, 1), user=user, method="cod")
    client.force_login(user)
    page = client.get(f"/shop/accounts/orders/{order.number}/")
    assert page.status_code == 200
    shown = text_of(page)
    assert "Thanh toán khi nhận hàng, chưa thu tiền" in shown
    assert not CODES.search(shown), CODES.search(shown)
    assert "Mua lại tất cả" in shown
