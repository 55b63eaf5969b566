"""What must hold after any fault, read back from the database and the Stripe-compatible server:
no order written halfway, no stock held or taken without an order, and every card payment that
succeeded landing on exactly one order or coming back as exactly one refund.

Each function returns a list of problems in plain words (empty when all is well), so a battery
item can count them, report them and assert there are none.
"""

from collections import Counter

from django.db.models import Sum
from oscar.core.loading import get_model

from shop.order.statuses import CLOSED, DELIVERED, SHIPPED

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")

# Orders whose lines no longer hold stock: released (closed) or consumed (on the way, delivered).
NOT_HOLDING = (*CLOSED, SHIPPED, DELIVERED)


def order_problems(*, through_checkout=True):
    """Orders written halfway, and stock allocated that no order holds (or the reverse).

    Orders made by the test factories (`through_checkout=False`) have no address and their
    basket stays open; those two checks are for orders placed on the checkout pages."""
    problems = []
    lines = Counter(Line.objects.values_list("order_id", flat=True))
    paid = Counter(
        PaymentEvent.objects.filter(event_type__name="Paid").values_list("order_id", flat=True)
    )
    for order in Order.objects.select_related("basket"):
        if not lines[order.pk]:
            problems.append(f"order {order.number} has no lines")
        if through_checkout and order.shipping_address_id is None:
            problems.append(f"order {order.number} has no shipping address")
        if through_checkout and order.basket.status != "Submitted":
            problems.append(f"order {order.number}: its basket is still {order.basket.status}")
        if paid[order.pk] != (1 if order.paid_at else 0):
            problems.append(
                f"order {order.number}: paid_at {order.paid_at}, {paid[order.pk]} payment events"
            )
    orphans = ShippingAddress.objects.filter(order__isnull=True).count()
    if orphans:
        problems.append(f"{orphans} shipping addresses without an order")
    held = dict(
        Line.objects.exclude(order__status__in=NOT_HOLDING)
        .filter(stockrecord__isnull=False)
        .values_list("stockrecord_id")
        .annotate(total=Sum("quantity"))
    )
    for record in StockRecord.objects.all():
        if (record.num_allocated or 0) != held.get(record.pk, 0):
            problems.append(
                f"stock record {record.pk}: {record.num_allocated} allocated, "
                f"{held.get(record.pk, 0)} held by orders"
            )
    return problems


def payment_problems(stripe_server):
    """Card payments that succeeded at Stripe and are neither on one order nor one refund."""
    problems = []
    events = Counter(
        PaymentEvent.objects.filter(event_type__name__in=["Paid", "Refunded"]).values_list(
            "reference", "event_type__name"
        )
    )
    refunds = Counter(refund["payment_intent"] for refund in stripe_server.refunds.values())
    succeeded = [pi for pi in stripe_server.payment_intents.values() if pi["status"] == "succeeded"]
    numbers = {pi["id"]: (pi.get("metadata") or {}).get("order_number") for pi in succeeded}
    paid_at = dict(
        Order.objects.filter(number__in=numbers.values()).values_list("number", "paid_at")
    )
    for pi, number in numbers.items():
        paid, refunded = events[(pi, "Paid")], events[(pi, "Refunded")]
        if paid + refunds[pi] != 1:
            problems.append(
                f"payment {pi} (order {number}): on {paid} orders, refunded {refunds[pi]} times"
            )
        elif paid and paid_at.get(number) is None:
            problems.append(f"payment {pi} recorded but order {number} is not paid")
        elif refunds[pi] and number in paid_at and refunded != 1:
            problems.append(f"payment {pi} refunded once, recorded {refunded} times")
    return problems
