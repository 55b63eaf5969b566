"""The activity generator: real, consistent orders and scans, and filled rollups."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Sum
from oscar.core.loading import get_model

from insight.models import RollupState, SalesDay, ScanDay
from shop.order import statuses
from traceability.models import Scan

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")

PAID_STAGES = {statuses.PAID, statuses.SHIPPED, statuses.DELIVERED, statuses.REFUNDED}


def test_generator_makes_consistent_orders_and_scans_and_rolls_them_up():
    out = io.StringIO()
    call_command(
        "generate_activity", scans=300, orders=30, days=60, seed=7, stdout=out, stderr=io.StringIO()
    )
    assert "300 scans and 30 orders" in out.getvalue()
    assert Scan.objects.count() == 300
    orders = list(Order.objects.prefetch_related("lines").select_related("shipping_address"))
    assert len(orders) == 30
    for order in orders:
        lines = list(order.lines.all())
        assert lines
        assert sum(line.line_price_incl_tax for line in lines) + order.shipping_incl_tax == (
            order.total_incl_tax
        )
        for line in lines:
            assert line.line_price_incl_tax == line.unit_price_incl_tax * line.quantity
        assert order.payment_method in dict(statuses.PAYMENT_METHOD_CHOICES)
        assert order.status in statuses.LABELS
        if order.payment_method == statuses.COD and order.status == statuses.SHIPPED:
            assert order.paid_at is None  # the courier collects the money
        elif order.status in PAID_STAGES:
            assert order.paid_at is not None and order.paid_at >= order.date_placed
        else:
            assert order.paid_at is None
        if order.status in statuses.AWAITING_PAYMENT:
            assert order.payment_due is not None and order.payment_method != statuses.COD
        assert order.shipping_address.commune_code and order.shipping_address.state
        assert order.shipping_address.line4  # the commune's name, as Oscar shows it
    assert ScanDay.objects.aggregate(n=Sum("scans"))["n"] == 300
    paid = [o for o in orders if o.paid_at and o.status != statuses.REFUNDED]
    assert SalesDay.objects.aggregate(n=Sum("orders"))["n"] == len(paid)
    assert SalesDay.objects.aggregate(r=Sum("revenue"))["r"] == sum(o.total_incl_tax for o in paid)
    assert set(RollupState.objects.values_list("name", flat=True)) == {"scans", "sales"}
    shared = Scan.objects.exclude(region="").count()
    assert 0 < shared < 150  # a minority consented to share a region
    assert Scan.objects.exclude(unknown_code="").count() < 60


def test_generator_refuses_nonsense():
    with pytest.raises(Exception, match="--days"):
        call_command("generate_activity", days=0, stdout=io.StringIO())


def test_refresh_rollups_command():
    out = io.StringIO()
    call_command("refresh_rollups", full=True, stdout=out)
    assert "scans: 0 rows" in out.getvalue()
