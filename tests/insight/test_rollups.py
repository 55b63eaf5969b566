"""Daily rollups: rebuilt from raw scans and orders by local day, incrementally, idempotently."""

import datetime

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from insight.models import ProductSalesDay, RollupState, SalesDay, ScanDay
from insight.rollups import refresh_rollups
from shop.order import actions
from tests.factories import certified_product, placed_order
from traceability.models import Scan

pytestmark = pytest.mark.django_db

HANOI = datetime.timezone(datetime.timedelta(hours=7))


def at(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=HANOI)


def pay(order, when):
    actions.record_payment(order, amount=order.total_incl_tax, reference=f"T{order.pk}", now=when)


def test_scans_are_counted_per_local_day_product_and_consented_region():
    product = certified_product(price=100000)
    # 23:30 UTC on 1 March is 06:30 on 2 March in Vietnam.
    Scan.objects.create(
        scanned_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC),
        product_id_seen=product.pk,
        region="VN",
        language="vi",
    )
    Scan.objects.create(scanned_at=at(2026, 3, 2), product_id_seen=product.pk, language="vi")
    Scan.objects.create(scanned_at=at(2026, 3, 2), product_id_seen=product.pk, language="vi")
    Scan.objects.create(scanned_at=at(2026, 3, 2), unknown_code="01/08930000000000", language="en")

    with time_machine.travel(at(2026, 3, 3), tick=False):
        refresh_rollups()

    rows = {
        (r.day.isoformat(), r.product_id, r.region, r.language): r.scans
        for r in ScanDay.objects.all()
    }
    assert rows == {
        ("2026-03-02", product.pk, "VN", "vi"): 1,
        ("2026-03-02", product.pk, "", "vi"): 2,
        ("2026-03-02", None, "", "en"): 1,
    }


def test_refresh_rebuilds_recent_days_only_and_twice_changes_nothing():
    product = certified_product(price=100000)
    for day in (1, 10, 20):
        Scan.objects.create(scanned_at=at(2026, 3, day), product_id_seen=product.pk)
    with time_machine.travel(at(2026, 3, 20, 12), tick=False):
        refresh_rollups()
        refresh_rollups()
    assert ScanDay.objects.aggregate(n=Sum("scans"))["n"] == 3
    # A scan buffered late for yesterday, and one for today, are picked up the next day.
    Scan.objects.create(scanned_at=at(2026, 3, 20, 23), product_id_seen=product.pk)
    Scan.objects.create(scanned_at=at(2026, 3, 21), product_id_seen=product.pk)
    # An old day's raw rows vanishing is not looked at again: rollups keep history.
    Scan.objects.filter(scanned_at__lt=at(2026, 3, 2)).delete()
    with time_machine.travel(at(2026, 3, 21, 12), tick=False):
        refresh_rollups()
    days = dict(ScanDay.objects.values_list("day", "scans"))
    assert days == {
        datetime.date(2026, 3, 1): 1,
        datetime.date(2026, 3, 10): 1,
        datetime.date(2026, 3, 20): 2,
        datetime.date(2026, 3, 21): 1,
    }
    state = RollupState.objects.get(name="scans")
    assert state.refreshed_through == datetime.date(2026, 3, 21)


def test_sales_count_paid_orders_and_follow_a_late_refund(django_capture_on_commit_callbacks):
    tea = certified_product(price=120000, title="Chè Shan tuyết")
    wine = certified_product(price=250000, title="Rượu Mông pê")
    with time_machine.travel(at(2026, 5, 4), tick=False):
        paid = placed_order((tea, 2), (wine, 1))
        pay(paid, timezone.now())
        cod = placed_order((tea, 1), method="cod")  # not paid yet: not a sale
        card = placed_order((wine, 2), method="stripe")
        pay(card, timezone.now())
    with time_machine.travel(at(2026, 5, 10), tick=False):
        refresh_rollups()
    sales = {r.payment_method: (r.orders, r.revenue) for r in SalesDay.objects.all()}
    assert sales == {
        "vietqr": (1, paid.total_incl_tax),
        "stripe": (1, card.total_incl_tax),
    }
    units = dict(ProductSalesDay.objects.values_list("product_id").annotate(n=Sum("quantity")))
    assert units == {tea.pk: 2, wine.pk: 3}
    line = ProductSalesDay.objects.get(product=tea)
    assert line.revenue == 240000
    assert line.commune_code == tea.producer.commune_code
    assert line.product_group == tea.certification.product_group
    assert cod.paid_at is None

    # Refunded a week later: the old day is marked and rebuilt at the next refresh.
    with (
        time_machine.travel(at(2026, 5, 11), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.record_refund(card, amount=card.total_incl_tax, reference="R1")
    assert RollupState.objects.get(name="sales").stale_from == datetime.date(2026, 5, 4)
    with time_machine.travel(at(2026, 5, 11, 12), tick=False):
        refresh_rollups()
    assert list(SalesDay.objects.values_list("payment_method", flat=True)) == ["vietqr"]
    assert RollupState.objects.get(name="sales").stale_from is None
