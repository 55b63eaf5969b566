"""What the daily digest reports, kind by kind: plain functions over the current data.

Each collector returns `Item`s with a key that stays the same while the fact it reports stays
the same, so the sender can tell what was already said. Texts are in the site's language
(Vietnamese) and every item links to the admin page where staff act on it.

When an item alerts again:
- a certificate entering the 30-day window: once per (certificate, valid_until), so a renewed
  certificate alerts again when its new end comes near;
- a status change from a sync: once per change row; a lapse by date: once per (certificate,
  valid_until);
- a counterfeit signal: when it first crosses its threshold, then each time it has doubled
  (a label seen from more than 2×, 4×, 8×… the allowed sources; an unknown code asked for
  2×, 4×… the allowed times), so a growing signal is reported again and a steady one is not;
- an unpaid transfer: once when it is overdue, once more when it has expired unpaid.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from shop.order.statuses import AWAITING_TRANSFER, EXPIRED, VIETQR
from traceability.analytics import overused_labels, repeated_unknown_codes
from traceability.certification import current_filter
from traceability.models import Certification, CertificationChange, SyncRun
from traceability.rules import CERTIFIED_STARS, EXPIRY_NOTICE_DAYS
from traceability.scan_log import flush_scans

from .kinds import Kind

Order = get_model("order", "Order")
OrderStatusChange = get_model("order", "OrderStatusChange")

# A kind never checked before looks this far back for things that "happened since last time".
FIRST_LOOKBACK = datetime.timedelta(days=1)
NOT_HELD = ("revoked", "suspended")


@dataclass(frozen=True)
class Item:
    kind: str
    key: str
    text: str
    url: str


def admin_url(name, *args, query=None, **kwargs):
    """An absolute link to a back-office page, in the site's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(name, args=args or None, kwargs=kwargs or None)
    return settings.SITE_URL + path + (f"?{urlencode(query)}" if query else "")


def _date(day):
    return formats.date_format(day, "d/m/Y")


def _certificate_url(certificate):
    return admin_url("admin:traceability_certification_change", certificate.pk)


def _describe(certificate):
    return _("%(product)s of %(producer)s (%(stars)s★, decision %(decision)s)") % {
        "product": certificate.product_name,
        "producer": certificate.producer.name,
        "stars": certificate.stars,
        "decision": certificate.decision_no,
    }


def expiring_certificates(now):
    """Certificates in force today whose end falls within the notice window."""
    today = timezone.localdate(now)
    end = today + datetime.timedelta(days=EXPIRY_NOTICE_DAYS - 1)
    certificates = (
        Certification.objects.filter(current_filter(today), valid_until__lte=end)
        .select_related("producer")
        .order_by("valid_until", "pk")
    )
    return [
        Item(
            Kind.EXPIRING,
            f"cert:{c.pk}:{c.valid_until.isoformat()}",
            _("%(certificate)s expires on %(date)s (%(days)s days left)")
            % {
                "certificate": _describe(c),
                "date": _date(c.valid_until),
                "days": (c.valid_until - today).days,
            },
            _certificate_url(c),
        )
        for c in certificates
    ]


def runs_to_report(since):
    """Finished syncs since the last digest, and always the latest finished one."""
    finished = SyncRun.objects.filter(finished_at__isnull=False)
    latest = finished.order_by("-finished_at").values_list("pk", flat=True).first()
    recent = set(finished.filter(finished_at__gte=since).values_list("pk", flat=True))
    return recent | ({latest} if latest else set())


def lapsed_certificates(now, since):
    """Certificates suspended, revoked or cut short by the last sync, and those whose end date
    passed since the last digest."""
    today = timezone.localdate(now)
    items, seen = [], set()
    changes = (
        CertificationChange.objects.filter(
            run__in=runs_to_report(since), field__in=("status", "valid_until")
        )
        .select_related("certification__producer")
        .order_by("changed_at", "pk")
    )
    for change in changes:
        certificate = change.certification
        if change.field == "status":
            if change.new_value not in NOT_HELD or certificate.status != change.new_value:
                continue  # reinstated since, or not a loss of the certificate
            label = certificate.get_status_display().lower()
            text = _("%(certificate)s was %(status)s by the registry: %(reason)s") % {
                "certificate": _describe(certificate),
                "status": label,
                "reason": certificate.status_reason or "—",
            }
        else:
            if not (
                certificate.status == "active"
                and certificate.valid_until < today
                and str(change.new_value) == certificate.valid_until.isoformat()
            ):
                continue
            text = _("%(certificate)s: the registry moved its end date to %(date)s") % {
                "certificate": _describe(certificate),
                "date": _date(certificate.valid_until),
            }
        seen.add(certificate.pk)
        items.append(Item(Kind.LAPSED, f"change:{change.pk}", text, _certificate_url(certificate)))

    # Lapsed on the morning after valid_until: report those whose morning came since last time.
    first_day = timezone.localdate(since) - datetime.timedelta(days=1)
    by_date = (
        Certification.objects.filter(
            status="active",
            stars__in=CERTIFIED_STARS,
            valid_until__gte=first_day,
            valid_until__lt=today,
        )
        .exclude(pk__in=seen)
        .select_related("producer")
        .order_by("valid_until", "pk")
    )
    for certificate in by_date:
        items.append(
            Item(
                Kind.LAPSED,
                f"expired:{certificate.pk}:{certificate.valid_until.isoformat()}",
                _("%(certificate)s lapsed on %(date)s: no longer sold as certified")
                % {
                    "certificate": _describe(certificate),
                    "date": _date(certificate.valid_until + datetime.timedelta(days=1)),
                },
                _certificate_url(certificate),
            )
        )
    return items


def doubling_level(value, threshold, *, strict):
    """1 at the threshold, then 2, 4, 8… each time `value` has doubled past it."""
    level = 1
    threshold = max(threshold, 1)

    def beyond(limit):
        return value > limit if strict else value >= limit

    while beyond(threshold * level * 2):
        level *= 2
    return level


def counterfeit_signals(now):
    """Labels scanned from too many sources, unknown codes asked for again and again."""
    flush_scans()
    items = []
    for label in overused_labels():
        level = doubling_level(label.sources, settings.SCAN_ALERT_SOURCES_PER_LABEL, strict=True)
        lot = label.lot
        items.append(
            Item(
                Kind.COUNTERFEIT,
                f"label:{label.pk}:x{level}",
                _(
                    "Label %(serial)s (lot %(lot)s of %(product)s) was scanned from %(sources)s "
                    "different sources in 90 days: it may have been copied"
                )
                % {
                    "serial": label.serial,
                    "lot": lot.code,
                    "product": lot.product.get_title(),
                    "sources": label.sources,
                },
                admin_url("admin:traceability_scan_changelist", query={"label": label.pk}),
            )
        )
    for row in repeated_unknown_codes():
        level = doubling_level(row["times"], settings.SCAN_ALERT_UNKNOWN_REPEATS, strict=False)
        code = row["unknown_code"]
        items.append(
            Item(
                Kind.COUNTERFEIT,
                f"code:{code}:x{level}",
                _(
                    "Unknown code “%(code)s” was asked for %(times)s times from %(sources)s "
                    "sources in 30 days: it may be printed on fakes"
                )
                % {"code": code, "times": row["times"], "sources": row["sources"]},
                admin_url("admin:traceability_scan_changelist", query={"unknown_code": code}),
            )
        )
    return items


def _order_url(order):
    return admin_url("dashboard:order-detail", number=order.number)


def _amount(order):
    with translation.override(settings.LANGUAGE_CODE):
        return currency(order.total_incl_tax, order.currency)


def unpaid_transfers(now, since):
    """VietQR orders still awaiting a transfer after their deadline, and those that expired
    unpaid since the last digest (a late transfer may be in the bank)."""
    items = []
    overdue = Order.objects.filter(
        payment_method=VIETQR,
        status=AWAITING_TRANSFER,
        paid_at__isnull=True,
        payment_due__lt=now,
    ).order_by("payment_due", "pk")
    for order in overdue:
        items.append(
            Item(
                Kind.UNPAID,
                f"overdue:{order.number}",
                _("Order %(number)s (%(amount)s) is still awaiting its transfer, due %(due)s")
                % {
                    "number": order.number,
                    "amount": _amount(order),
                    "due": formats.date_format(timezone.localtime(order.payment_due), "H:i d/m/Y"),
                },
                _order_url(order),
            )
        )
    expired = (
        Order.objects.filter(
            payment_method=VIETQR,
            status=EXPIRED,
            paid_at__isnull=True,
            status_changes__new_status=EXPIRED,
            status_changes__date_created__gte=since,
        )
        .distinct()
        .order_by("pk")
    )
    for order in expired:
        items.append(
            Item(
                Kind.UNPAID,
                f"expired:{order.number}",
                _(
                    "Order %(number)s (%(amount)s) expired unpaid: check the bank statement "
                    "for a late transfer"
                )
                % {"number": order.number, "amount": _amount(order)},
                _order_url(order),
            )
        )
    return items


def collect(kind, *, now, since):
    """The items of one kind as they stand at `now` (`since`: when this kind was last checked)."""
    with translation.override(settings.LANGUAGE_CODE):
        if kind == Kind.EXPIRING:
            return expiring_certificates(now)
        if kind == Kind.LAPSED:
            return lapsed_certificates(now, since)
        if kind == Kind.COUNTERFEIT:
            return counterfeit_signals(now)
        if kind == Kind.UNPAID:
            return unpaid_transfers(now, since)
    raise ValueError(kind)
