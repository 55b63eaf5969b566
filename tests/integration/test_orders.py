"""Order life after placement: stock held and released, payments recorded once, emails sent."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from shop.order import actions
from shop.order.statuses import (
    AWAITING_CARD,
    AWAITING_TRANSFER,
    CANCELLED,
    COD_UNPAID,
    DELIVERED,
    EXPIRED,
    PAID,
    SHIPPED,
)
from tests.factories import certified_product, placed_order

pytestmark = pytest.mark.django_db

OutOfStock = get_class("order.utils", "OutOfStock")
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")


def stock(product):
    record = product.stockrecords.get()
    return record.num_in_stock, record.num_allocated or 0


def test_each_method_starts_in_its_own_stage_and_holds_stock():
    tea = certified_product(price=185000, stock=5)
    transfer = placed_order((tea, 2), method="vietqr")
    cod = placed_order((tea, 1), method="cod")
    card = placed_order((tea, 1), method="stripe")
    assert (transfer.status, cod.status, card.status) == (
        AWAITING_TRANSFER,
        COD_UNPAID,
        AWAITING_CARD,
    )
    assert transfer.payment_due > timezone.now() + timedelta(hours=47)
    assert cod.payment_due is None
    assert timezone.now() < card.payment_due < timezone.now() + timedelta(minutes=61)
    assert stock(tea) == (5, 4)


def test_the_last_unit_cannot_be_sold_twice():
    tea = certified_product(stock=1)
    placed_order((tea, 1))
    with pytest.raises(OutOfStock):
        placed_order((tea, 1))
    assert stock(tea) == (1, 1)
    assert Order.objects.count() == 1


def test_a_failed_line_rolls_back_the_whole_order():
    tea, wine = certified_product(stock=5), certified_product(stock=1)
    with pytest.raises(OutOfStock):
        placed_order((tea, 2), (wine, 2))
    assert stock(tea) == (5, 0) and stock(wine) == (1, 0)
    assert Order.objects.count() == 0


def test_payment_is_recorded_once_and_emails_once(django_capture_on_commit_callbacks):
    order = placed_order((certified_product(price=185000), 2))
    mail.outbox.clear()
    with pytest.raises(actions.AmountMismatch):
        actions.record_payment(order, amount=Decimal("369000"), reference="FT1")
    order.refresh_from_db()
    assert order.paid_at is None and order.status == AWAITING_TRANSFER
    with pytest.raises(actions.AmountMismatch):
        actions.record_payment(order, amount=Decimal("370001"), reference="FT1")

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.record_payment(order, amount=Decimal("370000"), reference="FT2") is True
        assert actions.record_payment(order, amount=Decimal("370000"), reference="FT2") is False
    order.refresh_from_db()
    assert order.status == PAID and order.paid_at is not None
    assert PaymentEvent.objects.filter(order=order, event_type__name="Paid").count() == 1
    assert order.sources.get().amount_debited == Decimal("370000")
    assert [m.subject for m in mail.outbox] == [f"Đã nhận thanh toán cho đơn hàng {order.number}"]


def test_unpaid_orders_expire_and_release_stock():
    tea = certified_product(stock=3)
    transfer = placed_order((tea, 2), method="vietqr")
    cod = placed_order((tea, 1), method="cod")
    assert actions.expire_unpaid() == 0
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert actions.expire_unpaid() == 1
        assert actions.expire_unpaid() == 0  # twice releases nothing twice
    transfer.refresh_from_db()
    cod.refresh_from_db()
    assert transfer.status == EXPIRED and cod.status == COD_UNPAID
    assert stock(tea) == (3, 1)


def test_a_transfer_arriving_after_expiry_reopens_the_order_if_stock_remains():
    tea = certified_product(stock=1)
    order = placed_order((tea, 1))
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        actions.expire_unpaid()
    assert actions.record_payment(order, amount=order.total_incl_tax, reference="late")
    order.refresh_from_db()
    assert order.status == PAID and stock(tea) == (1, 1)


def test_a_late_transfer_for_a_sold_out_order_changes_nothing():
    tea = certified_product(stock=1)
    order = placed_order((tea, 1))
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        actions.expire_unpaid()
    placed_order((tea, 1), method="cod")
    with pytest.raises(OutOfStock):
        actions.record_payment(order, amount=order.total_incl_tax, reference="late")
    order.refresh_from_db()
    assert order.status == EXPIRED and order.paid_at is None


def test_cash_on_delivery_is_paid_when_delivered_and_stock_leaves_on_shipping(
    django_capture_on_commit_callbacks,
):
    tea = certified_product(stock=4)
    order = placed_order((tea, 2), method="cod", language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.mark_shipped(order)
    assert stock(tea) == (2, 0)
    assert mail.outbox[-1].subject == f"Order {order.number} is on its way"
    assert "ready in cash" in mail.outbox[-1].body
    actions.record_delivery(order)
    order.refresh_from_db()
    assert order.status == DELIVERED and order.paid_at is not None
    with pytest.raises(actions.ActionRefused):
        actions.record_delivery(order)


def test_cancelling_releases_stock_and_paid_orders_are_refunded_not_cancelled():
    tea = certified_product(stock=2)
    order = placed_order((tea, 2))
    actions.cancel(order)
    order.refresh_from_db()
    assert order.status == CANCELLED and stock(tea) == (2, 0)
    with pytest.raises(actions.ActionRefused):
        actions.cancel(order)
    paid = placed_order((tea, 1), method="cod")
    actions.record_delivery(paid)
    with pytest.raises(actions.ActionRefused):
        actions.cancel(paid)


def test_shipping_needs_payment_unless_cash_on_delivery():
    order = placed_order((certified_product(), 1), method="vietqr")
    with pytest.raises(actions.ActionRefused):
        actions.mark_shipped(order)
    actions.record_payment(order, amount=order.total_incl_tax, reference="FT")
    actions.mark_shipped(order)
    order.refresh_from_db()
    assert order.status == SHIPPED
