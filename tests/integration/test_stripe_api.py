"""The Stripe client module against the Stripe-compatible test server, through stripe-python.

Every call goes over HTTP on 127.0.0.1 to `shop.payments.stripe_devserver.FakeStripe`, so what
is checked is what Stripe would receive on the wire: whole-đồng amounts, the order number in three
places, idempotency keys, retries; and what the shop gets back: small dataclasses and this module's
own exceptions, never a raw stripe one. Webhook signatures are made the way Stripe makes them.
"""

import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode, urlsplit

import pytest
import stripe
from django.conf import settings as django_settings

from shop.payments import stripe_api
from shop.payments.stripe_api import InvalidWebhook, StripeRequestFailed, StripeUnavailable
from shop.payments.stripe_devserver import FakeStripe, sign

API_KEY = "sk_test_ocop_4eC39HqLyjWDarjtT1zdp7dc"
WEBHOOK_SECRET = "whsec_test_ocop_dien_bien"
PARAMS_OF_ONE_ITEM = {
    "mode": "payment",
    "line_items": [
        {"price_data": {"currency": "vnd", "unit_amount": 1000, "product_data": {"name": "x"}}}
    ],
}


@pytest.fixture
def quick_retries(monkeypatch):
    """stripe-python sleeps 0.5 s and more between retries; tests need not wait."""
    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)


@pytest.fixture
def stripe_server(settings, quick_retries):
    with FakeStripe(API_KEY) as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = API_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        yield server


@pytest.fixture
def webhook_receiver():
    """A stand-in for the shop's webhook view: records what was posted and answers 200."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "body": body, "headers": dict(self.headers)})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/shop/payments/stripe/webhook/"
    yield url, received
    server.shutdown()
    server.server_close()


# One deadline for the whole module: the same idempotency key must come with the same parameters,
# and two calls a second apart would otherwise send two different deadlines.
EXPIRES_AT = int(time.time()) + 6 * 3600


def new_session(**changes):
    arguments = {
        "order_number": "100023",
        "amount": 125000,
        "description": "Đơn hàng 100023 — Chè Shan tuyết Tủa Chùa",
        "customer_email": "lan@example.vn",
        "success_url": "https://ocop.test/shop/checkout/thank-you/?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://ocop.test/shop/checkout/card/cancelled/",
        "expires_at": EXPIRES_AT,
        "idempotency_key": "checkout-100023-1",
        "locale": "vi",
    }
    arguments.update(changes)
    return stripe_api.create_checkout_session(**arguments)


def signed(event, secret=WEBHOOK_SECRET, timestamp=None):
    body = json.dumps(event).encode()
    return body, sign(body, secret, timestamp)


def raw_request(url, method="GET", body=None, headers=None):
    """One HTTP exchange without following redirects: (status, headers, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    connection.request(method, target, body=body, headers=headers or {})
    response = connection.getresponse()
    result = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return result


# -- creating a Checkout Session -----------------------------------------------------------------


def test_session_asks_for_whole_dong_with_the_order_number_everywhere(stripe_server):
    session = new_session()

    assert session.id.startswith("cs_test_")
    assert session.url == f"{stripe_server.url}/pay/{session.id}"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency) == (125000, "vnd")
    assert session.order_number == session.client_reference_id == "100023"
    assert session.payment_intent_id is None  # Checkout creates it when the buyer pays
    assert not session.is_paid

    sent = stripe_server.last_request("POST", "/v1/checkout/sessions")
    params = sent["params"]
    assert params["line_items[0][price_data][unit_amount]"] == "125000"  # not 12500000
    assert params["line_items[0][price_data][currency]"] == "vnd"
    assert params["line_items[0][quantity]"] == "1"
    assert params["line_items[0][price_data][product_data][name]"] == (
        "Đơn hàng 100023 — Chè Shan tuyết Tủa Chùa"
    )
    assert not any(key.startswith("line_items[1]") for key in params)
    assert params["mode"] == "payment"
    assert params["client_reference_id"] == "100023"
    assert params["metadata[order_number]"] == "100023"
    assert params["payment_intent_data[metadata][order_number]"] == "100023"
    assert params["customer_email"] == "lan@example.vn"
    assert params["locale"] == "vi"
    assert "{CHECKOUT_SESSION_ID}" in params["success_url"]
    assert sent["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert sent["idempotency_key"] == "checkout-100023-1"


def test_a_large_order_is_not_scaled(stripe_server):
    session = new_session(amount=2_450_000, idempotency_key="checkout-big")

    assert session.amount_total == 2_450_000
    sent = stripe_server.last_request("POST", "/v1/checkout/sessions")
    assert sent["data"]["line_items"][0]["price_data"]["unit_amount"] == "2450000"


@pytest.mark.parametrize("amount", [0, -125000, 125000.0, Decimal("125000"), "125000", True, None])
def test_amount_must_be_a_positive_int(stripe_server, amount):
    with pytest.raises(ValueError):
        new_session(amount=amount)
    assert stripe_server.requests == []


def test_without_email_the_buyer_is_asked_on_the_page(stripe_server):
    new_session(customer_email=None)

    assert "customer_email" not in stripe_server.last_request()["params"]


@pytest.mark.parametrize(
    ("language", "sent"),
    [("vi", "vi"), ("en", "en"), ("en-us", "en"), ("vi_VN", "vi"), ("fr", "auto")],
)
def test_locale_is_one_checkout_knows(stripe_server, language, sent):
    new_session(locale=language, idempotency_key=f"checkout-{language}")

    assert stripe_server.last_request()["params"]["locale"] == sent


def test_expiry_is_kept_inside_checkouts_window(stripe_server):
    now = int(time.time())
    in_two_hours = new_session(expires_at=now + 7200, idempotency_key="k-2h")
    too_soon = new_session(expires_at=now + 600, idempotency_key="k-10min")
    too_late = new_session(expires_at=now + 3 * 86400, idempotency_key="k-3d")

    assert in_two_hours.expires_at == now + 7200
    assert now + 30 * 60 < too_soon.expires_at <= now + 33 * 60
    assert now + 86400 - 60 <= too_late.expires_at <= now + 86400


def test_server_enforces_checkouts_expiry_window(stripe_server):
    client = stripe.StripeClient(API_KEY, base_addresses={"api": stripe_server.url})
    params = {**PARAMS_OF_ONE_ITEM, "expires_at": int(time.time()) + 600}
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create(params)
    assert raised.value.param == "expires_at"


def test_misspelt_parameter_is_refused_as_stripe_does(stripe_server):
    client = stripe.StripeClient(API_KEY, base_addresses={"api": stripe_server.url})
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create({**PARAMS_OF_ONE_ITEM, "success_ur1": "https://x"})
    assert raised.value.code == "parameter_unknown"
    assert stripe_server.created_sessions == 0


# -- idempotency ---------------------------------------------------------------------------------


def test_same_key_twice_creates_one_session(stripe_server):
    first = new_session()
    second = new_session()

    assert second.id == first.id
    assert stripe_server.created_sessions == 1
    assert len(stripe_server.sessions) == 1
    assert [r["idempotency_key"] for r in stripe_server.requests] == ["checkout-100023-1"] * 2


def test_same_key_with_other_parameters_is_refused(stripe_server):
    new_session()

    with pytest.raises(StripeRequestFailed) as raised:
        new_session(amount=130000)

    assert raised.value.code == "idempotency_error"
    assert raised.value.http_status == 400
    assert "same parameters" in raised.value.message
    assert stripe_server.created_sessions == 1


def test_different_keys_create_different_sessions(stripe_server):
    first = new_session(idempotency_key="checkout-100023-1")
    second = new_session(idempotency_key="checkout-100023-2")

    assert first.id != second.id
    assert stripe_server.created_sessions == 2


# -- reading sessions and payments ---------------------------------------------------------------


def test_retrieve_follows_the_session_through_payment(stripe_server):
    session = new_session()
    assert stripe_api.retrieve_checkout_session(session.id) == session

    stripe_server.pay(session.id)
    paid = stripe_api.retrieve_checkout_session(session.id)

    assert paid.is_paid
    assert (paid.status, paid.payment_status, paid.url) == ("complete", "paid", None)
    assert paid.payment_intent_id.startswith("pi_")
    intent = stripe_api.retrieve_payment_intent(paid.payment_intent_id)
    assert intent.status == "succeeded"
    assert (intent.amount, intent.amount_received, intent.currency) == (125000, 125000, "vnd")
    assert intent.order_number == "100023"
    assert intent.latest_charge.startswith("ch_")
    assert stripe_api.list_checkout_sessions_for_payment_intent(intent.id) == [paid]
    assert stripe_api.list_checkout_sessions_for_payment_intent("pi_unknown") == []


def test_declined_card_then_paid_uses_one_payment_intent(stripe_server):
    session = new_session()

    failed = stripe_server.decline(session.id)
    assert failed["type"] == "payment_intent.payment_failed"
    pi_id = failed["data"]["object"]["id"]
    assert stripe_api.retrieve_payment_intent(pi_id).status == "requires_payment_method"
    assert stripe_api.retrieve_checkout_session(session.id).status == "open"

    completed = stripe_server.pay(session.id)
    assert completed["data"]["object"]["payment_intent"] == pi_id
    assert stripe_api.retrieve_payment_intent(pi_id).status == "succeeded"
    assert stripe_server.created_payment_intents == 1


def test_unknown_session_is_a_request_failure_not_a_stripe_exception(stripe_server):
    with pytest.raises(StripeRequestFailed) as raised:
        stripe_api.retrieve_checkout_session("cs_test_nope")

    assert raised.value.code == "resource_missing"
    assert raised.value.http_status == 404
    assert not isinstance(raised.value, stripe.StripeError)


def test_expire_closes_an_open_session_but_not_a_paid_one(stripe_server):
    open_one = new_session(idempotency_key="k-open")
    paid_one = new_session(idempotency_key="k-paid")
    stripe_server.pay(paid_one.id)

    expired = stripe_api.expire_checkout_session(open_one.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(ValueError):
        stripe_server.pay(open_one.id)
    with pytest.raises(StripeRequestFailed):
        stripe_api.expire_checkout_session(paid_one.id)
    assert stripe_api.retrieve_checkout_session(paid_one.id).is_paid


def test_session_expires_by_itself_when_its_time_is_up(stripe_server):
    session = new_session()
    stripe_server.sessions[session.id]["expires_at"] = int(time.time()) - 1

    assert stripe_api.retrieve_checkout_session(session.id).status == "expired"
    assert any(e["type"] == "checkout.session.expired" for e in stripe_server.events.values())


# -- refunds -------------------------------------------------------------------------------------


@pytest.fixture
def paid_intent(stripe_server):
    session = new_session()
    event = stripe_server.pay(session.id)
    return event["data"]["object"]["payment_intent"]


def test_full_refund_gives_back_everything_once(stripe_server, paid_intent):
    refund = stripe_api.refund(
        payment_intent_id=paid_intent, amount=None, reason_note="Hết hàng", idempotency_key="r-1"
    )

    assert refund.id.startswith("re_")
    assert (refund.status, refund.amount, refund.currency) == ("succeeded", 125000, "vnd")
    assert refund.payment_intent_id == paid_intent
    sent = stripe_server.last_request("POST", "/v1/refunds")
    assert "amount" not in sent["params"]
    assert sent["params"]["metadata[note]"] == "Hết hàng"
    with pytest.raises(StripeRequestFailed) as raised:
        stripe_api.refund(
            payment_intent_id=paid_intent, amount=None, reason_note="", idempotency_key="r-2"
        )
    assert raised.value.code == "charge_already_refunded"


def test_partial_refunds_up_to_what_was_paid(stripe_server, paid_intent):
    first = stripe_api.refund(
        payment_intent_id=paid_intent, amount=25000, reason_note="", idempotency_key="r-1"
    )
    rest = stripe_api.refund(
        payment_intent_id=paid_intent, amount=100000, reason_note="", idempotency_key="r-2"
    )

    assert (first.amount, rest.amount) == (25000, 100000)
    assert stripe_server.last_request("POST", "/v1/refunds")["params"]["amount"] == "100000"
    with pytest.raises(StripeRequestFailed):
        stripe_api.refund(
            payment_intent_id=paid_intent, amount=1, reason_note="", idempotency_key="r-3"
        )
    listed = stripe_api.list_refunds(paid_intent)
    assert [r.id for r in listed] == [rest.id, first.id]  # newest first
    assert sum(r.amount for r in listed) == 125000


def test_refund_of_more_than_was_paid_is_refused(stripe_server, paid_intent):
    stripe_api.refund(
        payment_intent_id=paid_intent, amount=25000, reason_note="", idempotency_key="r-1"
    )

    with pytest.raises(StripeRequestFailed) as raised:
        stripe_api.refund(
            payment_intent_id=paid_intent, amount=200000, reason_note="", idempotency_key="r-2"
        )

    assert raised.value.code == "amount_too_large"
    assert raised.value.param == "amount"
    assert "100.000 ₫" in raised.value.message  # what is left, in whole đồng
    assert stripe_server.created_refunds == 1


def test_refund_retried_with_its_key_refunds_once(stripe_server, paid_intent):
    first = stripe_api.refund(
        payment_intent_id=paid_intent, amount=25000, reason_note="", idempotency_key="r-1"
    )
    again = stripe_api.refund(
        payment_intent_id=paid_intent, amount=25000, reason_note="", idempotency_key="r-1"
    )

    assert again == first
    assert stripe_server.created_refunds == 1


def test_refund_of_an_unpaid_session_is_refused(stripe_server):
    session = new_session()
    pi_id = stripe_server.decline(session.id)["data"]["object"]["id"]

    with pytest.raises(StripeRequestFailed):
        stripe_api.refund(payment_intent_id=pi_id, amount=None, reason_note="", idempotency_key="r")
    with pytest.raises(StripeRequestFailed) as raised:
        stripe_api.refund(
            payment_intent_id="pi_nope", amount=None, reason_note="", idempotency_key="r-x"
        )
    assert raised.value.code == "resource_missing"


@pytest.mark.parametrize("amount", [0, -1, 1.5, "1000"])
def test_refund_amount_must_be_a_positive_int(stripe_server, amount):
    with pytest.raises(ValueError):
        stripe_api.refund(
            payment_intent_id="pi_x", amount=amount, reason_note="", idempotency_key="r"
        )
    assert stripe_server.requests == []


# -- Stripe unavailable or misconfigured ---------------------------------------------------------


def test_server_errors_become_unavailable_after_the_clients_retries(stripe_server):
    stripe_server.fail_next(3, status=500)

    with pytest.raises(StripeUnavailable):
        new_session()

    assert [r["status"] for r in stripe_server.requests] == [500, 500, 500]  # 1 try + 2 retries
    assert stripe_server.created_sessions == 0


def test_a_passing_failure_is_retried_with_the_same_key(stripe_server):
    stripe_server.fail_next(2, status=503)

    session = new_session()

    assert session.status == "open"
    assert [r["status"] for r in stripe_server.requests] == [503, 503, 200]
    assert {r["idempotency_key"] for r in stripe_server.requests} == {"checkout-100023-1"}
    assert stripe_server.created_sessions == 1


def test_dropped_connections_become_unavailable(stripe_server):
    stripe_server.fail_next(3, status=0)

    with pytest.raises(StripeUnavailable):
        stripe_api.retrieve_checkout_session("cs_test_whatever")
    assert len(stripe_server.requests) == 3


def test_nothing_listening_is_unavailable(settings, quick_retries):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
    settings.STRIPE_SECRET_KEY = API_KEY

    with pytest.raises(StripeUnavailable):
        stripe_api.retrieve_payment_intent("pi_x")


def test_wrong_key_is_refused_in_stripes_shape(stripe_server, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_someone_elses_key"

    with pytest.raises(StripeRequestFailed) as raised:
        new_session()

    assert raised.value.http_status == 401
    assert stripe_server.created_sessions == 0
    status, headers, body = raw_request(f"{stripe_server.url}/v1/checkout/sessions/cs_x")
    assert status == 401
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["type"] == "invalid_request_error"


def test_unconfigured_key_fails_before_any_request(stripe_server, settings):
    settings.STRIPE_SECRET_KEY = ""

    with pytest.raises(StripeRequestFailed):
        new_session()
    assert stripe_server.requests == []


def test_is_configured_needs_both_secrets(settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = API_KEY, ""
    assert not stripe_api.is_configured()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "", WEBHOOK_SECRET
    assert not stripe_api.is_configured()
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = API_KEY, WEBHOOK_SECRET
    assert stripe_api.is_configured()


def test_client_follows_changed_settings(stripe_server, settings):
    new_session(idempotency_key="first-server")
    with FakeStripe("sk_test_other") as other:
        settings.STRIPE_API_BASE = other.url
        settings.STRIPE_SECRET_KEY = "sk_test_other"
        new_session(idempotency_key="second-server")

    assert (stripe_server.created_sessions, other.created_sessions) == (1, 1)


# -- webhook signatures --------------------------------------------------------------------------


def test_correctly_signed_event_is_accepted(stripe_server):
    session = new_session()
    body, header = signed(stripe_server.pay(session.id))

    event = stripe_api.construct_event(body, header)

    assert event.type == "checkout.session.completed"
    assert event.id.startswith("evt_")
    assert event.data.object.id == session.id
    assert event.data.object.client_reference_id == "100023"
    assert event.data.object.amount_total == 125000
    assert event.data.object.payment_status == "paid"


def test_event_signed_four_minutes_ago_is_still_accepted(stripe_server):
    event = stripe_server.payment_intent_event(
        stripe_server.pay(new_session().id)["data"]["object"]["payment_intent"]
    )
    body, header = signed(event, timestamp=int(time.time()) - 240)

    accepted = stripe_api.construct_event(body, header)

    assert accepted.type == "payment_intent.succeeded"
    assert accepted.data.object.metadata.order_number == "100023"


def test_server_signs_as_stripe_does():
    body = b'{"id": "evt_1", "object": "event", "type": "checkout.session.completed"}'
    ours = sign(body, WEBHOOK_SECRET, timestamp=1_767_225_600)
    theirs = stripe.WebhookSignature.generate_signature_header(
        body.decode(), WEBHOOK_SECRET, timestamp=1_767_225_600
    )
    assert ours == theirs


def _event_body():
    event = {"id": "evt_test_1", "object": "event", "type": "checkout.session.completed"}
    event["data"] = {"object": {"id": "cs_test_1", "client_reference_id": "100023"}}
    return json.dumps(event).encode()


@pytest.mark.parametrize(
    "case",
    [
        "tampered body",
        "wrong secret",
        "stale timestamp",
        "missing header",
        "empty header",
        "garbage header",
        "header without v1",
        "unparseable timestamp",
        "not JSON",
        "JSON but not an object",
        "not UTF-8",
        "no event type",
        "webhook secret not configured",
    ],
)
def test_untrustworthy_webhooks_raise_one_exception(settings, case):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = _event_body()
    header = sign(body, WEBHOOK_SECRET)
    if case == "tampered body":
        body = body.replace(b"100023", b"100024")
    elif case == "wrong secret":
        header = sign(body, "whsec_someone_else")
    elif case == "stale timestamp":
        header = sign(body, WEBHOOK_SECRET, timestamp=int(time.time()) - 301)
    elif case == "missing header":
        header = None
    elif case == "empty header":
        header = ""
    elif case == "garbage header":
        header = "garbage"
    elif case == "header without v1":
        header = header.replace("v1=", "v0=")
    elif case == "unparseable timestamp":
        header = "t=yesterday," + header.split(",")[1]
    elif case == "not JSON":
        body = b"<html>not json</html>"
        header = sign(body, WEBHOOK_SECRET)
    elif case == "JSON but not an object":
        body = b'["evt_test_1"]'
        header = sign(body, WEBHOOK_SECRET)
    elif case == "not UTF-8":
        body = b'{"id": "evt_\xff"}'
        header = sign(body, WEBHOOK_SECRET)
    elif case == "no event type":
        body = b'{"id": "evt_test_1", "object": "event"}'
        header = sign(body, WEBHOOK_SECRET)
    elif case == "webhook secret not configured":
        settings.STRIPE_WEBHOOK_SECRET = ""

    with pytest.raises(InvalidWebhook):
        stripe_api.construct_event(body, header)


def test_the_same_body_is_accepted_when_not_tampered(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = _event_body()

    assert stripe_api.construct_event(body, sign(body, WEBHOOK_SECRET)).id == "evt_test_1"


# -- the fake hosted payment page ----------------------------------------------------------------


def test_hosted_page_pays_posts_signed_webhook_and_returns_to_the_shop(
    settings, quick_retries, webhook_receiver
):
    webhook_url, received = webhook_receiver
    with FakeStripe(API_KEY, webhook_url=webhook_url, webhook_secret=WEBHOOK_SECRET) as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = API_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        session = new_session()

        status, headers, page = raw_request(session.url)
        assert status == 200
        assert headers["Content-Type"].startswith("text/html")
        text = page.decode()
        assert "125.000 ₫" in text
        assert f'action="/pay/{session.id}"' in text
        assert 'href="https://ocop.test/shop/checkout/card/cancelled/"' in text
        assert received == []  # looking is not paying

        status, headers, _ = raw_request(
            session.url,
            method="POST",
            body=b"pay=1",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

        assert status == 303
        assert headers["Location"] == (
            f"https://ocop.test/shop/checkout/thank-you/?session={session.id}"
        )
        assert len(received) == 1
        delivery = received[0]
        assert delivery["path"] == "/shop/payments/stripe/webhook/"
        event = stripe_api.construct_event(
            delivery["body"], delivery["headers"]["Stripe-Signature"]
        )
        assert event.type == "checkout.session.completed"
        assert event.data.object.id == session.id
        assert event.data.object.client_reference_id == "100023"
        assert stripe_api.retrieve_checkout_session(session.id).is_paid
        assert server.deliveries == [
            {"event_id": event.id, "type": event.type, "url": webhook_url, "status": 200}
        ]

        # A second press of "Pay" goes to the success page again without paying twice.
        status, headers, _ = raw_request(session.url, method="POST", body=b"")
        assert status == 303
        assert len(received) == 1
        assert server.created_payment_intents == 1


def test_hosted_page_can_also_send_payment_intent_events(settings, webhook_receiver):
    webhook_url, received = webhook_receiver
    events = ("checkout.session.completed", "payment_intent.succeeded")
    with FakeStripe(
        API_KEY, webhook_url=webhook_url, webhook_secret=WEBHOOK_SECRET, webhook_events=events
    ) as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = API_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        session = new_session()
        raw_request(session.url, method="POST", body=b"")

    delivered = [
        stripe_api.construct_event(r["body"], r["headers"]["Stripe-Signature"]) for r in received
    ]
    assert [e.type for e in delivered] == list(events)
    assert delivered[1].data.object.metadata.order_number == "100023"
    assert delivered[1].data.object.amount_received == 125000


def test_hosted_page_survives_an_unreachable_webhook(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_url = f"http://127.0.0.1:{probe.getsockname()[1]}/webhook/"
    with FakeStripe(API_KEY, webhook_url=dead_url, webhook_secret=WEBHOOK_SECRET) as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = API_KEY
        session = new_session()

        status, headers, _ = raw_request(session.url, method="POST", body=b"")

        assert status == 303
        assert server.deliveries[0]["status"] is None
        assert stripe_api.retrieve_checkout_session(session.id).is_paid


def test_hosted_page_for_unknown_and_expired_sessions(stripe_server):
    assert raw_request(f"{stripe_server.url}/pay/cs_test_nope")[0] == 404
    session = new_session()
    stripe_api.expire_checkout_session(session.id)

    status, _, page = raw_request(f"{stripe_server.url}/pay/{session.id}")
    assert status == 200
    assert "Phiên thanh toán này đã hết hạn." in page.decode()  # the session's locale is vi
    assert raw_request(f"{stripe_server.url}/pay/{session.id}", method="POST", body=b"")[0] == 410
    assert stripe_api.retrieve_checkout_session(session.id).status == "expired"


def post_card(session, **fields):
    card = {"card_number": "4242 4242 4242 4242", "card_expiry": "12 / 34", "card_cvc": "123"}
    card.update(fields)
    return raw_request(
        session.url,
        method="POST",
        body=urlencode(card).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def test_hosted_page_asks_for_a_card_in_the_sessions_language(stripe_server):
    _, _, page = raw_request(new_session().url)
    text = page.decode()
    assert '<html lang="vi">' in text
    for name, autocomplete in (
        ("card_number", "cc-number"),
        ("card_expiry", "cc-exp"),
        ("card_cvc", "cc-csc"),
    ):
        assert f'<label for="{name}">' in text
        assert f'name="{name}"' in text and f'autocomplete="{autocomplete}"' in text
    assert "Thanh toán 125.000 ₫" in text and "4242 4242 4242 4242" in text
    _, _, page = raw_request(new_session(locale="en", idempotency_key="checkout-en").url)
    assert '<html lang="en">' in page.decode() and "Pay 125.000 ₫" in page.decode()


def test_hosted_page_pays_with_stripes_test_card(stripe_server):
    session = new_session()
    status, headers, _ = post_card(session)
    assert status == 303 and headers["Location"].endswith(f"?session={session.id}")
    assert stripe_api.retrieve_checkout_session(session.id).is_paid


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"card_number": "4242 4242 4242 4241"}, "Số thẻ không hợp lệ."),
        ({"card_number": "4242"}, "Số thẻ không hợp lệ."),
        ({"card_expiry": "01 / 20"}, "Ngày hết hạn của thẻ chưa đủ hoặc đã qua."),
        ({"card_expiry": "13/34"}, "Ngày hết hạn của thẻ chưa đủ hoặc đã qua."),
        ({"card_cvc": "1"}, "Mã bảo mật của thẻ chưa đủ."),
        ({"card_number": "4000 0000 0000 0002"}, "Thẻ của bạn bị từ chối."),
    ],
)
def test_hosted_page_refuses_a_bad_or_declined_card_and_stays_open(stripe_server, fields, said):
    session = new_session()
    status, _, page = post_card(session, **fields)
    assert status == 200
    assert f'role="alert">{said}' in page.decode()
    assert 'value="123"' not in page.decode()  # the security code is never sent back
    found = stripe_api.retrieve_checkout_session(session.id)
    assert found.status == "open" and not found.is_paid
    declined = "0002" in fields.get("card_number", "")
    assert stripe_server.created_payment_intents == (1 if declined else 0)
    assert post_card(session)[0] == 303  # another card then pays
    assert stripe_api.retrieve_checkout_session(session.id).is_paid


# -- the staging entry point ---------------------------------------------------------------------


def test_command_line_server_serves_the_api(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shop.payments.stripe_devserver",
            "--port",
            str(port),
            "--key",
            API_KEY,
        ],
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout.readline().strip().endswith(f"http://127.0.0.1:{port}")
        settings.STRIPE_API_BASE = f"http://127.0.0.1:{port}"
        settings.STRIPE_SECRET_KEY = API_KEY
        session = new_session()
        assert stripe_api.retrieve_checkout_session(session.id).amount_total == 125000
    finally:
        process.terminate()
        process.wait(timeout=10)
