"""Scan figures for staff, and the signals that suggest counterfeit labels."""

import datetime

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Label, Scan
from .scan_log import flush_scans


def scans_per_day(days=30, lot=None, product_id=None):
    """[(day, lot id, scans)] for the last `days` days."""
    flush_scans()
    since = timezone.now() - datetime.timedelta(days=days)
    scans = Scan.objects.filter(scanned_at__gte=since, lot__isnull=False)
    if lot is not None:
        scans = scans.filter(lot=lot)
    if product_id is not None:
        scans = scans.filter(lot__product_id=product_id)
    return list(
        scans.annotate(day=TruncDate("scanned_at"))
        .values("day", "lot_id", "lot__code", "lot__product__title")
        .annotate(scans=Count("id"))
        .order_by("-day", "lot_id")
    )


def overused_labels(days=90):
    """Serialised labels scanned from more sources than one real unit plausibly meets.

    Counted from the label scans of the period (a partial index holds just those), most sources
    first; each label carries `sources` and `total` (scans)."""
    since = timezone.now() - datetime.timedelta(days=days)
    rows = list(
        Scan.objects.filter(label__isnull=False, scanned_at__gte=since)
        .values("label_id")
        .annotate(sources=Count("source_hash", distinct=True), total=Count("*"))
        .filter(sources__gt=settings.SCAN_ALERT_SOURCES_PER_LABEL)
        .order_by("-sources", "label_id")
    )
    labels = Label.objects.select_related("lot__product").in_bulk([row["label_id"] for row in rows])
    found = []
    for row in rows:
        label = labels.get(row["label_id"])
        if label is not None:
            label.sources, label.total = row["sources"], row["total"]
            found.append(label)
    return found


def repeated_unknown_codes(days=30):
    """Codes that are not ours but are asked for again and again: likely printed on fakes."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        Scan.objects.filter(scanned_at__gte=since)
        .exclude(unknown_code="")
        .values("unknown_code")
        .annotate(times=Count("*"), sources=Count("source_hash", distinct=True))
        .filter(times__gte=settings.SCAN_ALERT_UNKNOWN_REPEATS)
        .order_by("-times")
    )


def counterfeit_alerts():
    flush_scans()
    return {
        "labels": list(overused_labels()[:20]),
        "unknown_codes": list(repeated_unknown_codes()[:20]),
    }
