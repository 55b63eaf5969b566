"""Card payments end to end against a Stripe-compatible server: one order, paid once."""

import io
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order import actions
from shop.order.emails import status_path
from shop.order.statuses import AWAITING_CARD, EXPIRED, PAID, REFUNDED
from shop.payments import stripe_api
from shop.payments.models import StripeEvent
from shop.payments.stripe_devserver import sign
from tests.checkout import (
    WEBHOOK,
    paid_events,
    pay_link,
    post_event,
    start_payment,
    to_preview,
)
from tests.factories import certified_product, placed_order

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def card_order(stripe_shop):
    return placed_order((certified_product(price=125000, stock=3), 1), method="stripe")


def test_pay_button_creates_one_session_in_whole_dong_however_often_pressed(
    client, stripe_shop, card_order
):
    first = start_payment(client, card_order)
    second = start_payment(client, card_order)
    assert first == second and stripe_shop.created_sessions == 1
    sent = stripe_shop.last_request("POST", "/v1/checkout/sessions")["params"]
    assert sent["line_items[0][price_data][unit_amount]"] == "125000"
    assert sent["line_items[0][price_data][currency]"] == "vnd"
    assert sent["client_reference_id"] == str(card_order.number)


def test_pay_pressed_again_on_the_english_page_reuses_the_session(client, stripe_shop, card_order):
    first = start_payment(client, card_order)
    response = client.post("/en" + pay_link(card_order))
    assert response.status_code == 303 and response["Location"].endswith(first)
    assert stripe_shop.created_sessions == 1
    sent = stripe_shop.last_request("POST", "/v1/checkout/sessions")["params"]
    assert sent["success_url"].startswith(f"https://ocop.test/shop/payments/{card_order.number}/")


def test_signed_webhook_confirms_the_order_once_even_when_replayed(
    client, stripe_shop, card_order, django_capture_on_commit_callbacks
):
    session_id = start_payment(client, card_order)
    event = stripe_shop.pay(session_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            assert post_event(client, stripe_shop, event).status_code == 200
        # The same payment announced by its other event, before or after: nothing more.
        intent = stripe_shop.payment_intent_event(event["data"]["object"]["payment_intent"])
        assert post_event(client, stripe_shop, intent).status_code == 200
    card_order.refresh_from_db()
    assert card_order.status == PAID and card_order.paid_at is not None
    assert paid_events(card_order) == 1
    assert StripeEvent.objects.count() == 2
    assert len(mail.outbox) == 1
    assert stripe_shop.created_refunds == 0


def test_payment_intent_event_first_is_enough(client, stripe_shop, card_order):
    session_id = start_payment(client, card_order)
    event = stripe_shop.pay(session_id)
    intent = stripe_shop.payment_intent_event(event["data"]["object"]["payment_intent"])
    assert post_event(client, stripe_shop, intent).status_code == 200
    assert post_event(client, stripe_shop, event).status_code == 200
    card_order.refresh_from_db()
    assert card_order.status == PAID and paid_events(card_order) == 1


@pytest.mark.parametrize(
    "tamper",
    ["body", "secret", "stale", "missing", "garbage"],
)
def test_forged_or_stale_webhooks_are_refused_and_change_nothing(
    client, stripe_shop, card_order, tamper
):
    event = stripe_shop.pay(start_payment(client, card_order))
    body, header = stripe_shop.signed_payload(event, "whsec_shop")
    if tamper == "body":
        body = body.replace(b'"paid"', b'"paid" ')
    elif tamper == "secret":
        header = sign(body, "whsec_other")
    elif tamper == "stale":
        header = sign(body, "whsec_shop", int(time.time()) - 301)
    headers = {} if tamper == "missing" else {"HTTP_STRIPE_SIGNATURE": header}
    if tamper == "garbage":
        headers = {"HTTP_STRIPE_SIGNATURE": "t=abc,v1=zz"}
    response = client.post(WEBHOOK, body, content_type="application/json", **headers)
    assert response.status_code == 400
    card_order.refresh_from_db()
    assert card_order.paid_at is None and StripeEvent.objects.count() == 0


def test_buyer_who_closes_the_tab_still_gets_the_order_and_the_return_page_also_confirms(
    client, stripe_shop, card_order
):
    session_id = start_payment(client, card_order)
    stripe_shop.pay(session_id)  # paid on Stripe; no webhook yet, no browser back
    back = f"/shop/payments/{card_order.number}/{card_order.verification_hash()}/card/return/"
    response = client.get(back, {"session_id": session_id})
    assert response.status_code == 302
    card_order.refresh_from_db()
    assert card_order.status == PAID


def test_an_exception_after_payment_is_completed_by_reconcile_payments(
    client, stripe_shop, card_order, monkeypatch
):
    event = stripe_shop.pay(start_payment(client, card_order))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions, "record_payment", broken)
    failing = Client(raise_request_exception=False)
    assert post_event(failing, stripe_shop, event).status_code == 500
    card_order.refresh_from_db()
    assert card_order.paid_at is None and StripeEvent.objects.count() == 0  # Stripe will retry
    monkeypatch.undo()
    call_command("reconcile_payments")
    card_order.refresh_from_db()
    assert card_order.status == PAID and paid_events(card_order) == 1
    # The retried webhook then finds it done.
    assert post_event(client, stripe_shop, event).status_code == 200
    assert paid_events(card_order) == 1 and stripe_shop.created_refunds == 0


def test_payment_for_an_expired_sold_out_order_is_refunded_and_recorded(
    client, stripe_shop, card_order
):
    session_id = start_payment(client, card_order)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert actions.expire_unpaid() == 1
        placed_order((card_order.lines.get().product, 3), method="cod")  # stock gone
    event = stripe_shop.pay(session_id)
    assert post_event(client, stripe_shop, event).status_code == 200
    card_order.refresh_from_db()
    assert card_order.status == REFUNDED and card_order.paid_at is None
    assert stripe_shop.created_refunds == 1
    assert PaymentEvent.objects.filter(order=card_order, event_type__name="Refunded").count() == 1


def test_a_refunded_payment_announced_again_is_neither_refunded_nor_recorded_again(
    client, stripe_shop, card_order
):
    session_id = start_payment(client, card_order)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        actions.expire_unpaid()
        taken = placed_order((card_order.lines.get().product, 3), method="cod")
    event = stripe_shop.pay(session_id)
    assert post_event(client, stripe_shop, event).status_code == 200
    sent = stripe_shop.last_request("POST", "/v1/refunds")["params"]
    assert sent["metadata[note]"] == "sold out"  # the same on every attempt, in any language
    actions.cancel(taken)  # the stock is back: the refunded order must not be reopened
    intent = stripe_shop.payment_intent_event(event["data"]["object"]["payment_intent"])
    response = post_event(client, stripe_shop, intent)
    assert response.content == b"already refunded"
    call_command("reconcile_payments", stdout=io.StringIO())
    card_order.refresh_from_db()
    assert card_order.status == REFUNDED and card_order.paid_at is None
    refunds = PaymentEvent.objects.filter(order=card_order, event_type__name="Refunded")
    assert [r.reference for r in refunds] == [intent["data"]["object"]["id"]]
    assert card_order.sources.get().amount_refunded == card_order.total_incl_tax
    assert stripe_shop.created_refunds == 1


def test_payment_for_an_expired_order_with_stock_left_reopens_it(client, stripe_shop, card_order):
    session_id = start_payment(client, card_order)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        actions.expire_unpaid()
    card_order.refresh_from_db()
    assert card_order.status == EXPIRED
    post_event(client, stripe_shop, stripe_shop.pay(session_id))
    card_order.refresh_from_db()
    assert card_order.status == PAID and stripe_shop.created_refunds == 0


def test_a_payment_for_an_unknown_order_is_refunded(client, stripe_shop):
    session = stripe_api.create_checkout_session(
        order_number="999999",
        amount=50000,
        description="?",
        customer_email=None,
        success_url="https://ocop.test/ok",
        cancel_url="https://ocop.test/no",
        expires_at=None,
        idempotency_key="orphan",
        locale="vi",
    )
    response = post_event(client, stripe_shop, stripe_shop.pay(session.id))
    assert response.status_code == 200
    assert "refunded" in response.content.decode()
    assert stripe_shop.created_refunds == 1


def test_another_customers_order_link_shows_nothing(client, card_order):
    other = placed_order((certified_product(), 1), method="stripe")
    forged = f"/shop/payments/{card_order.number}/{other.verification_hash()}/card/"
    assert client.post(forged).status_code == 404
    assert card_order.status == AWAITING_CARD


NOTICE_VI = "Máy chủ thẻ thử nghiệm: không có khoản tiền thật nào bị trừ."
NOTICE_EN = "Test card server: no real money is taken. Use the card 4242 4242 4242 4242."


def test_payment_page_says_when_the_card_server_is_a_test_one(client, stripe_shop, card_order):
    page = status_path(card_order)
    assert NOTICE_VI in client.get(page).content.decode()
    assert NOTICE_EN in client.get("/en" + page).content.decode()


def test_payment_method_choice_says_it_too(client, stripe_shop):
    to_preview(client, certified_product(price=125000), "stripe")
    page = client.get("/shop/checkout/payment-method/").content.decode()
    assert NOTICE_VI in page


@pytest.mark.parametrize(
    ("api_base", "key", "setting", "shown"),
    [
        ("https://api.stripe.com", "sk_live_x", None, False),  # real money
        ("https://api.stripe.com", "sk_test_x", None, True),  # Stripe's test mode
        ("http://127.0.0.1:9", "sk_live_x", False, False),  # the setting decides when set
        ("https://api.stripe.com", "sk_live_x", True, True),
    ],
)
def test_the_notice_follows_the_card_server_or_the_setting(
    client, settings, stripe_shop, card_order, api_base, key, setting, shown
):
    settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY = api_base, key
    settings.STRIPE_DEMO_NOTICE = setting
    assert stripe_api.shows_test_notice() is shown
    assert (NOTICE_VI in client.get(status_path(card_order)).content.decode()) is shown


def test_no_notice_without_card_payments(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_DEMO_NOTICE = True
    assert stripe_api.shows_test_notice() is False
