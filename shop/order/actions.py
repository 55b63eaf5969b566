"""What can happen to an order after it is placed, each as one locked, all-or-nothing step.

Every function takes the order row's lock first (`select_for_update`), re-reads its state and
only then acts, so a payment confirmed twice at the same moment (a replayed webhook, a staff
click racing a bank-statement import) is recorded once, and stock is released or consumed once.
Emails go out only after the transaction commits.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from . import emails
from .statuses import (
    AWAITING_PAYMENT,
    CANCELLED,
    CLOSED,
    COD,
    COD_UNPAID,
    DELIVERED,
    EXPIRED,
    INITIAL_STATUS,
    PAID,
    REFUNDED,
    SHIPPED,
    STRIPE,
    VIETQR,
)

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
OrderStatusChange = get_model("order", "OrderStatusChange")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
OutOfStock = get_class("order.utils", "OutOfStock")
allocate = get_class("order.utils", "allocate")
tracks_stock = get_class("order.utils", "tracks_stock")

SOURCE_NAMES = {VIETQR: "VietQR", COD: "Cash on delivery", STRIPE: "Stripe"}


class ActionRefused(Exception):
    """The order is not in a state where this can happen; the message says why, for staff."""


class AmountMismatch(ActionRefused):
    pass


def payment_due(method, now=None):
    """When an unpaid order of this method expires (None: it waits for the courier)."""
    from shop.payments.models import PaymentSettings

    now = now or timezone.now()
    config = PaymentSettings.load()
    if method == VIETQR:
        return now + timedelta(hours=config.transfer_hours)
    if method == STRIPE:
        return now + timedelta(minutes=config.card_minutes)
    return None


def initial_fields(method, language, now=None):
    """The fields a new order of this payment method starts with."""
    return {
        "status": INITIAL_STATUS[method],
        "payment_method": method,
        "payment_due": payment_due(method, now),
        "language": language,
    }


def locked(order):
    return Order.objects.select_for_update().get(pk=order.pk)


def set_status(order, new_status, *, user=None, note=""):
    old_status = order.status
    order.status = new_status
    order.save(update_fields=["status", "paid_at"])
    OrderStatusChange.objects.create(order=order, old_status=old_status, new_status=new_status)
    if note:
        OrderNote.objects.create(order=order, user=user, note_type="System", message=note)


def _stock_lines(order):
    lines = order.lines.select_related("stockrecord", "product__product_class", "product__parent")
    return [line for line in lines if line.product_id and tracks_stock(line)]


def release_stock(order):
    for line in _stock_lines(order):
        line.stockrecord.cancel_allocation(line.quantity)


def reallocate_stock(order):
    """Hold the stock of a closed order again; OutOfStock (roll back) when it is gone."""
    for line in sorted(_stock_lines(order), key=lambda line: line.stockrecord_id):
        if not allocate(line.stockrecord_id, line.quantity):
            raise OutOfStock(line.product)


def consume_stock(order):
    for line in _stock_lines(order):
        line.stockrecord.consume_allocation(line.quantity)


def _record_money(order, *, event, amount, reference, method, user=None):
    source_type, _created = SourceType.objects.get_or_create(name=SOURCE_NAMES[method])
    source = Source.objects.filter(order=order, source_type=source_type).first()
    if source is None:
        source = Source(
            order=order,
            source_type=source_type,
            currency=order.currency,
            amount_allocated=order.total_incl_tax,
        )
    if event == "Refunded":
        source.amount_refunded += amount
    else:
        source.amount_debited += amount
    if reference and not source.reference:
        source.reference = reference[:255]
    source.save()
    event_type, _created = PaymentEventType.objects.get_or_create(name=event)
    PaymentEvent.objects.create(
        order=order, amount=amount, reference=reference[:128], event_type=event_type
    )


@transaction.atomic
def record_payment(order, *, amount, reference, user=None, now=None):
    """The order's money arrived. False when it was already recorded (nothing changes).

    The amount must be the order total, to the đồng. An order that expired meanwhile is
    reopened if its stock is still there; otherwise OutOfStock is raised and nothing is written.
    """
    order = locked(order)
    if order.paid_at is not None:
        return False
    if amount != order.total_incl_tax:
        raise AmountMismatch(
            _("The amount %(amount)s does not match the order total %(total)s.")
            % {"amount": amount, "total": order.total_incl_tax}
        )
    if order.status in (SHIPPED, DELIVERED) and order.payment_method != COD:
        raise ActionRefused(_("This order was already shipped."))
    if order.status in CLOSED:
        reallocate_stock(order)
    order.paid_at = now or timezone.now()
    _record_money(
        order, event="Paid", amount=amount, reference=reference, method=order.payment_method
    )
    new_status = order.status if order.status in (SHIPPED, DELIVERED) else PAID
    set_status(order, new_status, user=user, note=_("Payment received: %s") % reference)
    transaction.on_commit(lambda: emails.notify(order, emails.PAYMENT_RECEIVED))
    return True


@transaction.atomic
def mark_shipped(order, *, user=None):
    order = locked(order)
    if order.status not in (PAID, COD_UNPAID):
        raise ActionRefused(_("Only paid or cash-on-delivery orders can be shipped."))
    consume_stock(order)
    set_status(order, SHIPPED, user=user, note=_("Handed to the courier."))
    transaction.on_commit(lambda: emails.notify(order, emails.SHIPPED))
    return order


@transaction.atomic
def record_delivery(order, *, user=None, now=None):
    """The customer has the parcel; a cash-on-delivery order is paid with it."""
    order = locked(order)
    if order.status not in (SHIPPED, PAID, COD_UNPAID):
        raise ActionRefused(_("This order is not on its way."))
    if order.status != SHIPPED:
        consume_stock(order)
    if order.paid_at is None:
        if order.payment_method != COD:
            raise ActionRefused(_("This order has not been paid."))
        order.paid_at = now or timezone.now()
        _record_money(
            order,
            event="Paid",
            amount=order.total_incl_tax,
            reference=_("cash collected on delivery"),
            method=COD,
            user=user,
        )
    set_status(order, DELIVERED, user=user, note=_("Delivered."))
    return order


@transaction.atomic
def cancel(order, *, user=None, reason=""):
    """Cancel an unpaid order and release its stock. Paid orders are refunded, not cancelled."""
    order = locked(order)
    if order.status in CLOSED or order.status in (SHIPPED, DELIVERED):
        raise ActionRefused(_("This order can no longer be cancelled."))
    if order.paid_at is not None:
        raise ActionRefused(_("This order is paid: refund it instead."))
    release_stock(order)
    set_status(order, CANCELLED, user=user, note=reason or _("Cancelled."))
    return order


def recorded_payment(order, reference):
    """How the payment with this reference is already booked on the order: "Paid" (received)
    or "Refunded" (given back); None when it is not."""
    return (
        PaymentEvent.objects.filter(
            order=order, event_type__name__in=["Paid", "Refunded"], reference=reference[:128]
        )
        .values_list("event_type__name", flat=True)
        .first()
    )


@transaction.atomic
def record_refund(order, *, amount, reference, user=None, note="", close=True):
    """Money went back to the customer. With `close`, the order ends and its stock is released;
    without, the order stands (a second, duplicate payment was returned)."""
    order = locked(order)
    _record_money(
        order, event="Refunded", amount=amount, reference=reference, method=order.payment_method
    )
    message = note or _("Refunded: %s") % reference
    if not close or order.status == REFUNDED:
        OrderNote.objects.create(order=order, user=user, note_type="System", message=message)
        return order
    if order.status not in CLOSED and order.status not in (SHIPPED, DELIVERED):
        release_stock(order)
    set_status(order, REFUNDED, user=user, note=message)
    return order


def expire_unpaid(now=None):
    """Close orders whose payment did not arrive in time and release their stock."""
    now = now or timezone.now()
    due = Order.objects.filter(
        status__in=AWAITING_PAYMENT, paid_at__isnull=True, payment_due__lt=now
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            order = (
                Order.objects.select_for_update()
                .filter(pk=pk, status__in=AWAITING_PAYMENT, paid_at__isnull=True)
                .first()
            )
            if order is None:
                continue
            release_stock(order)
            set_status(order, EXPIRED, note=_("Not paid in time; stock released."))
            expired += 1
    return expired
