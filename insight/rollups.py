"""Rebuilding the daily rollups from raw scans and orders.

`refresh_rollups()` rebuilds, for each family, the days from the day before the last refresh (scans
reach the database in batches, a little late) or from the oldest day an order changed on since,
whichever is earlier; the first run rebuilds everything. Each family is rebuilt in one transaction
holding its state row, so two workers never rebuild the same days at once and a reader sees either
the old rows or the new ones. Days are the programme's local days (TIME_ZONE).
"""

import datetime

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order import statuses
from traceability.scan_log import flush_scans

from .models import ProductSalesDay, RollupState, SalesDay, ScanDay

SCANS = "scans"
SALES = "sales"
BATCH = 2000


def _start_of(day):
    """The first moment of a local day, as an aware datetime."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _rebuild_from(state, today, full):
    if full or state.refreshed_through is None:
        return None
    start = min(state.refreshed_through, today) - datetime.timedelta(days=1)
    if state.stale_from is not None:
        start = min(start, state.stale_from)
    return start


def _refresh(name, rebuild, full=False):
    today = timezone.localdate()
    with transaction.atomic():
        state, _created = RollupState.objects.get_or_create(name=name)
        state = RollupState.objects.select_for_update().get(pk=state.pk)
        start = _rebuild_from(state, today, full)
        rows = rebuild(start)
        state.refreshed_at = timezone.now()
        state.refreshed_through = today
        state.stale_from = None
        state.save()
    return rows


def _replace(model, start, rows):
    old = model.objects.all() if start is None else model.objects.filter(day__gte=start)
    old.delete()
    model.objects.bulk_create((model(**row) for row in rows), batch_size=BATCH)


def rebuild_scans(start):
    Scan = get_model("traceability", "Scan")
    scans = (
        Scan.objects.all()
        if start is None
        else Scan.objects.filter(scanned_at__gte=_start_of(start))
    )
    rows = list(
        scans.annotate(day=TruncDate("scanned_at"))
        .values("day", "region", "language", product_id=F("product_id_seen"))
        .annotate(scans=Count("id"))
        .order_by()
    )
    _replace(ScanDay, start, rows)
    return len(rows)


def sales_orders(start=None):
    """Orders that count as sales: the money arrived and was not given back."""
    Order = get_model("order", "Order")
    orders = Order.objects.filter(paid_at__isnull=False).exclude(status=statuses.REFUNDED)
    if start is not None:
        orders = orders.filter(date_placed__gte=_start_of(start))
    return orders


def rebuild_sales(start):
    Line = get_model("order", "Line")
    day_rows = list(
        sales_orders(start)
        .annotate(day=TruncDate("date_placed"))
        .values("day", "payment_method")
        .annotate(orders=Count("id"), revenue=Sum("total_incl_tax"))
        .order_by()
    )
    _replace(SalesDay, start, day_rows)
    line_rows = list(
        Line.objects.filter(order__in=sales_orders(start))
        .annotate(day=TruncDate("order__date_placed"))
        .values(
            "day",
            "product_id",
            commune_code=F("product__producer__commune_code"),
            product_group=F("product__certification__product_group"),
        )
        .annotate(quantity=Sum("quantity"), revenue=Sum("line_price_incl_tax"))
        .order_by()
    )
    for row in line_rows:
        row["product_group"] = row["product_group"] or ""
    _replace(ProductSalesDay, start, line_rows)
    return len(day_rows) + len(line_rows)


def refresh_rollups(full=False):
    """Rebuild what changed since the last run; returns {family: rows written}."""
    flush_scans()
    return {
        SCANS: _refresh(SCANS, rebuild_scans, full),
        SALES: _refresh(SALES, rebuild_sales, full),
    }


def order_saved(sender, instance, **kwargs):
    """An order placed before yesterday changed (paid late, refunded): rebuild its day next time."""
    if instance.date_placed is None:
        return
    day = timezone.localdate(instance.date_placed)

    def mark():
        # Matches nothing for recent orders, which the next refresh rebuilds anyway: no write.
        RollupState.objects.filter(
            Q(stale_from__isnull=True) | Q(stale_from__gt=day),
            name=SALES,
            refreshed_through__gt=day + datetime.timedelta(days=1),
        ).update(stale_from=day)

    transaction.on_commit(mark)


def state_of(name):
    return RollupState.objects.filter(name=name).first()
