"""Every call the shop makes to Stripe, as small typed functions.

The rest of the shop never imports `stripe`: it calls these functions, gets small frozen
dataclasses back, and sees only this module's exceptions — `StripeUnavailable` (network trouble,
Stripe's 5xx, rate limits: try again later), `StripeRequestFailed` (Stripe refused the request:
show or log the message) and `InvalidWebhook` (a webhook whose signature, age or body is not
right: answer 400).

Money: VND is a zero-decimal currency for Stripe, so an amount is whole đồng — 125000 is
125.000 ₫. Never multiply by 100 as for USD cents; an order total goes to Stripe unchanged, and
Stripe's amounts come back in the same unit.

Idempotency: every creating call takes an `idempotency_key`, sent as Stripe's `Idempotency-Key`
header. Stripe answers a repeated key with the first result instead of doing the work again, so a
request retried after a timeout — by the library's own retries (`max_network_retries`) or by us
on the next attempt — cannot open a second Checkout Session or refund twice. Derive the key from
what the request is for (say `f"checkout-{order.number}-{attempt}"`, `f"refund-{refund_row.pk}"`),
never from the clock. Stripe keeps keys for 24 hours, and reusing one with different parameters
is refused (`StripeRequestFailed` with `code == "idempotency_error"`).

`STRIPE_API_BASE` points the client at another Stripe-compatible server (tests and staging use
`shop/payments/stripe_devserver.py`).
"""

import functools
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

from config.csp import is_stripe_api

CURRENCY = "vnd"
WEBHOOK_TOLERANCE_SECONDS = 300

# Checkout keeps a session open for 30 minutes at least and 24 hours at most. The bounds are
# counted from the start of the current minute, hence the two-minute margin at the low end.
SESSION_MIN_SECONDS = 32 * 60
SESSION_MAX_SECONDS = 24 * 60 * 60

# Seconds to wait for Stripe on one attempt. The library's default (80 s) would hold a buyer's
# request far too long; with two retries a dead connection still fails within a minute.
REQUEST_TIMEOUT_SECONDS = 15
MAX_NETWORK_RETRIES = 2


class StripeUnavailable(Exception):
    """Stripe could not be reached or failed on its side; the same call may work later."""


class StripeRequestFailed(Exception):
    """Stripe answered and refused the request (invalid parameters, declined card, bad key…)."""

    def __init__(self, message, *, code=None, param=None, http_status=None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.param = param
        self.http_status = http_status


class InvalidWebhook(Exception):
    """A webhook request that must not be trusted: bad or missing signature, stale, or not JSON."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None  # the hosted payment page; None once the session is complete or expired
    status: str  # "open", "complete" or "expired"
    payment_status: str  # "unpaid", "paid" or "no_payment_required"
    amount_total: int | None  # whole đồng
    currency: str | None
    order_number: str | None  # Stripe's client_reference_id
    payment_intent_id: str | None  # Checkout creates it only when the buyer confirms
    expires_at: int | None  # Unix time

    @property
    def client_reference_id(self) -> str | None:
        return self.order_number

    @property
    def is_paid(self) -> bool:
        return self.status == "complete" and self.payment_status == "paid"


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: str  # "succeeded" once the money is taken; "requires_payment_method" after a decline
    amount: int  # whole đồng
    amount_received: int
    currency: str
    order_number: str | None  # from metadata["order_number"]
    latest_charge: str | None


@dataclass(frozen=True)
class Refund:
    id: str
    status: str  # "succeeded", "pending", "requires_action", "failed" or "canceled"
    amount: int  # whole đồng
    currency: str | None
    payment_intent_id: str | None


def is_configured() -> bool:
    """Whether card payments can be offered: both the API key and the webhook secret are set."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def shows_test_notice() -> bool:
    """Whether the payment pages tell the buyer that no real money is taken, and which test card
    to use: card payments go to a Stripe-compatible server other than Stripe's API (the demo's,
    staging's) or to Stripe in test mode. `STRIPE_DEMO_NOTICE`, when set, decides instead."""
    if not is_configured():
        return False
    if settings.STRIPE_DEMO_NOTICE is not None:
        return bool(settings.STRIPE_DEMO_NOTICE)
    return not is_stripe_api(settings.STRIPE_API_BASE) or settings.STRIPE_SECRET_KEY.startswith(
        ("sk_test_", "rk_test_")
    )


def create_checkout_session(
    *,
    order_number: str,
    amount: int,
    description: str,
    customer_email: str | None,
    success_url: str,
    cancel_url: str,
    expires_at: int | None,
    idempotency_key: str,
    locale: str,
) -> CheckoutSession:
    """A hosted Checkout page asking for `amount` đồng for one order, as one line item.

    The order number goes in `client_reference_id` and in the metadata of both the session and
    its future PaymentIntent, so `checkout.session.completed` and `payment_intent.*` events both
    say which order they are about. `success_url` may contain `{CHECKOUT_SESSION_ID}`, which
    Stripe fills in. `expires_at` (Unix time) is moved into Checkout's allowed window of 30
    minutes to 24 hours from now; the session returned says when it really expires.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValueError(f"amount must be whole đồng as an int, not {amount!r}")
    if amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    name = description.strip() or order_number
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": amount,
                    "product_data": {"name": name},
                },
                "quantity": 1,
            }
        ],
        "client_reference_id": order_number,
        "metadata": {"order_number": order_number},
        "payment_intent_data": {
            "metadata": {"order_number": order_number},
            "description": name,
        },
        "success_url": success_url,
        "cancel_url": cancel_url,
        "locale": checkout_locale(locale),
    }
    if customer_email:
        params["customer_email"] = customer_email
    if expires_at is not None:
        # Bounds from the start of the current minute, so a retry with the same idempotency
        # key a few seconds later sends the same parameters even when the bound applies.
        minute = int(time.time()) // 60 * 60
        params["expires_at"] = min(
            max(int(expires_at), minute + SESSION_MIN_SECONDS), minute + SESSION_MAX_SECONDS
        )
    with _translated_errors():
        session = _client().v1.checkout.sessions.create(
            params, {"idempotency_key": idempotency_key}
        )
    return _checkout_session(session)


def retrieve_checkout_session(session_id: str) -> CheckoutSession:
    with _translated_errors():
        session = _client().v1.checkout.sessions.retrieve(session_id)
    return _checkout_session(session)


def expire_checkout_session(session_id: str) -> CheckoutSession:
    """Closes an open session so it can no longer be paid (the order was cancelled or expired).

    Stripe refuses a session that is already complete (`StripeRequestFailed`): the buyer paid
    in the meantime, and the caller must treat the order as paid.
    """
    with _translated_errors():
        session = _client().v1.checkout.sessions.expire(session_id)
    return _checkout_session(session)


def list_checkout_sessions_for_payment_intent(payment_intent_id: str) -> list[CheckoutSession]:
    with _translated_errors():
        page = _client().v1.checkout.sessions.list({"payment_intent": payment_intent_id})
    return [_checkout_session(session) for session in page.data]


def retrieve_payment_intent(payment_intent_id: str) -> PaymentIntent:
    with _translated_errors():
        intent = _client().v1.payment_intents.retrieve(payment_intent_id)
    data = intent.to_dict()
    charge = data.get("latest_charge")
    return PaymentIntent(
        id=data["id"],
        status=data["status"],
        amount=data["amount"],
        amount_received=data.get("amount_received") or 0,
        currency=data["currency"],
        order_number=(data.get("metadata") or {}).get("order_number"),
        latest_charge=charge.get("id") if isinstance(charge, dict) else charge,
    )


def refund(
    *, payment_intent_id: str, amount: int | None, reason_note: str, idempotency_key: str
) -> Refund:
    """Gives back `amount` đồng of a succeeded payment, or all that is left when `amount` is None.

    Stripe refuses more than what remains unrefunded (`StripeRequestFailed`, code
    `amount_too_large`). `reason_note` is kept in the refund's metadata for staff.
    """
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        raise ValueError(f"amount must be whole đồng as an int, not {amount!r}")
    if amount is not None and amount <= 0:
        raise ValueError(f"amount must be positive, not {amount}")
    if not idempotency_key:
        raise ValueError("an idempotency key is required")
    params: dict[str, Any] = {"payment_intent": payment_intent_id}
    if amount is not None:
        params["amount"] = amount
    if reason_note:
        # Stripe metadata values hold at most 500 characters.
        params["metadata"] = {"note": reason_note[:500]}
    with _translated_errors():
        created = _client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
    return _refund(created)


def list_refunds(payment_intent_id: str) -> list[Refund]:
    """The refunds of one payment, newest first."""
    with _translated_errors():
        page = _client().v1.refunds.list({"payment_intent": payment_intent_id, "limit": 100})
    return [_refund(item) for item in page.data]


def construct_event(payload: bytes, sig_header: str | None) -> stripe.Event:
    """The event in a webhook request, once its `Stripe-Signature` proves Stripe sent it.

    Pass the raw request body (`request.body`), not parsed JSON: the signature covers the exact
    bytes. Anything wrong — no header, a header that does not parse, a signature made with another
    secret or over other bytes, a timestamp more than five minutes old, a body that is not a JSON
    event — raises `InvalidWebhook`. The result is a `stripe.Event` (attribute access:
    `event.type`, `event.data.object`; `event.to_dict()` for a plain dict).
    """
    try:
        event = stripe.Webhook.construct_event(
            payload,
            sig_header,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(str(error)) from error
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        # A correctly signed body that is not a JSON object (json and UTF-8 decoding errors are
        # ValueErrors; a JSON list or string fails when the library reads it as an event).
        raise InvalidWebhook(f"Webhook body is not a Stripe event: {error}") from error
    data = event.to_dict(recursive=False)
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        raise InvalidWebhook("Webhook body has no event id or type")
    return event


def checkout_locale(language: str) -> str:
    """Checkout's locale for a language code: "vi" or "en", else "auto" (the buyer's browser)."""
    base = (language or "").replace("_", "-").split("-")[0].lower()
    return base if base in ("vi", "en") else "auto"


def _client() -> stripe.StripeClient:
    if not settings.STRIPE_SECRET_KEY:
        raise StripeRequestFailed("Stripe is not configured (STRIPE_SECRET_KEY is empty)")
    return _client_for(settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE)


# One client per (key, base): building one is cheap, but reusing it keeps its HTTP connections;
# keying on the settings means a changed setting (in tests) gets its own client.
@functools.lru_cache(maxsize=8)
def _client_for(secret_key: str, api_base: str) -> stripe.StripeClient:
    return stripe.StripeClient(
        secret_key,
        base_addresses={"api": api_base},
        max_network_retries=MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT_SECONDS),
    )


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError) as error:
        raise StripeUnavailable(_message(error)) from error
    except stripe.StripeError as error:
        raise StripeRequestFailed(
            _message(error),
            code=error.code or _error_type(error),
            param=getattr(error, "param", None),
            http_status=error.http_status,
        ) from error


def _message(error: stripe.StripeError) -> str:
    return error.user_message or str(error) or type(error).__name__


def _error_type(error: stripe.StripeError) -> str | None:
    # Idempotency errors carry no code, only Stripe's error type.
    body = error.json_body if isinstance(error.json_body, dict) else {}
    details = body.get("error")
    return details.get("type") if isinstance(details, dict) else None


def _checkout_session(session: stripe.checkout.Session) -> CheckoutSession:
    data = session.to_dict()
    intent = data.get("payment_intent")
    metadata = data.get("metadata") or {}
    return CheckoutSession(
        id=data["id"],
        url=data.get("url"),
        status=data.get("status"),
        payment_status=data.get("payment_status"),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        order_number=data.get("client_reference_id") or metadata.get("order_number"),
        payment_intent_id=intent.get("id") if isinstance(intent, dict) else intent,
        expires_at=data.get("expires_at"),
    )


def _refund(refund_object: stripe.Refund) -> Refund:
    data = refund_object.to_dict()
    intent = data.get("payment_intent")
    return Refund(
        id=data["id"],
        status=data.get("status"),
        amount=data["amount"],
        currency=data.get("currency"),
        payment_intent_id=intent.get("id") if isinstance(intent, dict) else intent,
    )
