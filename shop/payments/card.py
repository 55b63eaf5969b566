"""Card payments through Stripe Checkout, confirmed by Stripe's signed webhook.

The order exists before the customer pays (status "awaiting card payment", stock held), so a
payment always has an order to land on. What confirms it is `confirm()`, reached three ways that
may arrive in any order and any number of times: the webhook, the customer's browser coming back,
and `manage.py reconcile_payments`. Under the order's row lock it records the payment once; a
payment that cannot be honoured (the order expired and sold out, a wrong amount, a second payment
for a paid order, an unknown order) is refunded and the refund recorded.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from shop.order import actions
from shop.order.statuses import AWAITING_CARD, STRIPE

from . import stripe_api
from .models import StripeEvent

Order = get_model("order", "Order")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
OutOfStock = get_class("order.utils", "OutOfStock")

logger = logging.getLogger("shop.payments")

# Stripe accepts a Checkout Session expiry between 30 minutes and 24 hours ahead.
SESSION_MIN_LIFETIME = timedelta(minutes=31)


def start(order, *, success_url, cancel_url):
    """A Checkout Session for this unpaid order; the same one for repeated clicks."""
    with transaction.atomic():
        order = actions.locked(order)
        if order.paid_at is not None or order.status != AWAITING_CARD:
            raise actions.ActionRefused(_("This order is not waiting for a card payment."))
        now = timezone.now()
        if order.payment_due is None or order.payment_due < now + SESSION_MIN_LIFETIME:
            order.payment_due = actions.payment_due(STRIPE, now)
            order.payment_due = max(order.payment_due, now + SESSION_MIN_LIFETIME)
            order.save(update_fields=["payment_due"])
    expires_at = int(order.payment_due.timestamp())
    # In the order's language, not the page's: a second press must repeat the same request.
    with translation.override(order.language or settings.LANGUAGE_CODE):
        description = _("Order %s") % order.number
    session = stripe_api.create_checkout_session(
        order_number=str(order.number),
        amount=int(order.total_incl_tax),
        description=description,
        customer_email=order.email or None,
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=expires_at,
        # One key per order and deadline: double clicks and retries reuse the session.
        idempotency_key=f"ocop-checkout-{order.number}-{expires_at}",
        locale="vi" if (order.language or "vi").startswith("vi") else "en",
    )
    source_type, _created = SourceType.objects.get_or_create(name=actions.SOURCE_NAMES[STRIPE])
    Source.objects.get_or_create(
        order=order,
        source_type=source_type,
        reference=session.id,
        defaults={"currency": order.currency, "amount_allocated": order.total_incl_tax},
    )
    return session


def refund(order, *, payment_intent_id, amount, reason, detail="", close=True):
    """Give a card payment back and record it on its order, under the payment's id.

    `reason` is a short fixed code sent to Stripe with the refund, the same on every attempt so a
    retry repeats the first request exactly (same idempotency key, same parameters) whatever
    language or path it comes from; `detail` is the explanation staff read on the order.
    """
    result = stripe_api.refund(
        payment_intent_id=payment_intent_id,
        amount=int(amount),
        reason_note=reason,
        idempotency_key=f"ocop-refund-{payment_intent_id}",
    )
    if order is not None:
        actions.record_refund(
            order,
            amount=Decimal(result.amount),
            reference=payment_intent_id,
            note=_("Card payment %(payment)s refunded (%(refund)s): %(reason)s")
            % {"payment": payment_intent_id, "refund": result.id, "reason": detail or reason},
            close=close,
        )
    return f"refunded ({reason})"


@transaction.atomic
def confirm(order_number, *, payment_intent_id, amount, currency):
    """Record a succeeded card payment for an order, or refund it. Returns what happened.

    A payment already recorded on the order, as paid or as refunded, is left as it is: each
    payment ends on its order or in one refund, however many times and ways it is confirmed.
    """
    order = Order.objects.filter(number=order_number, payment_method=STRIPE).first()
    if order is None:
        return refund(None, payment_intent_id=payment_intent_id, amount=amount, reason="no order")
    if (currency or "").lower() != "vnd":
        return refund(
            order,
            payment_intent_id=payment_intent_id,
            amount=amount,
            reason="currency",
            detail=_("paid in a currency other than đồng"),
        )
    # Lock before looking, so two events for one payment can't both see it unrecorded.
    order = actions.locked(order)
    recorded = actions.recorded_payment(order, payment_intent_id)
    if recorded is not None:
        return "already refunded" if recorded == "Refunded" else "already recorded"
    try:
        with transaction.atomic():
            paid = actions.record_payment(
                order, amount=Decimal(amount), reference=payment_intent_id
            )
    except (OutOfStock, actions.ActionRefused) as refused:
        return refund(
            order,
            payment_intent_id=payment_intent_id,
            amount=amount,
            reason="sold out" if isinstance(refused, OutOfStock) else "not payable",
            detail=str(refused),
        )
    if not paid:  # paid already, by another payment: give this one back
        return refund(
            order,
            payment_intent_id=payment_intent_id,
            amount=amount,
            reason="duplicate payment",
            detail=_("a second payment for an order already paid"),
            close=False,
        )
    return "paid"


def _session_paid(session):
    if (session.get("payment_status") or "") != "paid":
        return "session not paid"
    return confirm(
        session.get("client_reference_id") or (session.get("metadata") or {}).get("order_number"),
        payment_intent_id=session.get("payment_intent") or session.get("id"),
        amount=session.get("amount_total"),
        currency=session.get("currency"),
    )


def _intent_succeeded(intent):
    return confirm(
        (intent.get("metadata") or {}).get("order_number"),
        payment_intent_id=intent.get("id"),
        amount=intent.get("amount_received") or intent.get("amount"),
        currency=intent.get("currency"),
    )


HANDLERS = {
    "checkout.session.completed": _session_paid,
    "checkout.session.async_payment_succeeded": _session_paid,
    "payment_intent.succeeded": _intent_succeeded,
}


def handle_webhook(payload: bytes, signature: str | None):
    """Verify, dedupe by event id, act. InvalidWebhook when the signature does not hold."""
    event = stripe_api.construct_event(payload, signature).to_dict()
    with transaction.atomic():
        record, created = StripeEvent.objects.get_or_create(
            event_id=event["id"], defaults={"type": event["type"]}
        )
        if not created:
            return "duplicate"
        obj = event["data"]["object"]
        handler = HANDLERS.get(event["type"])
        outcome = handler(obj) if handler else "ignored"
        metadata = obj.get("metadata") or {}
        record.order_number = str(
            obj.get("client_reference_id") or metadata.get("order_number") or ""
        )
        record.outcome = outcome[:255]
        record.save(update_fields=["order_number", "outcome"])
    logger.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return outcome


def check_session(session_id):
    """Ask Stripe about one session and confirm it if it was paid (browser return, reconcile)."""
    session = stripe_api.retrieve_checkout_session(session_id)
    if session.payment_status != "paid":
        return "session not paid"
    return confirm(
        session.order_number,
        payment_intent_id=session.payment_intent_id or session.id,
        amount=session.amount_total,
        currency=session.currency,
    )


def reconcile(*, days=7, now=None):
    """Find card payments that succeeded but were never recorded, and record or refund them."""
    now = now or timezone.now()
    sources = Source.objects.filter(
        source_type__name=actions.SOURCE_NAMES[STRIPE],
        reference__startswith="cs_",
        order__paid_at__isnull=True,
        order__date_placed__gte=now - timedelta(days=days),
    ).select_related("order")
    results = {}
    for source in sources:
        try:
            results[source.reference] = check_session(source.reference)
        except stripe_api.StripeUnavailable as error:
            results[source.reference] = f"Stripe unavailable: {error}"
    return results
