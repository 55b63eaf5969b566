"""What the staff dashboard shows: figures read from the daily rollups, and the few live lists.

Scans and sales come from `insight.models` rollups (a few rows per day), never from raw scans or
orders. Live queries are only the bounded ones: certificates (thousands of rows at most) and
orders waiting for money or a courier (an indexed filter and a count). Each function returns
plain data or a `Chart`; `insight.wagtail_hooks` decides who sees which panel.
"""

import datetime
from dataclasses import dataclass

from babel import Locale
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.order import statuses
from staff.roles import can_see_sales
from traceability.admin import state_q
from traceability.certification import State, current_filter
from traceability.models import Certification
from traceability.places import commune_name
from traceability.rules import ProductGroup

from . import charts
from .models import ProductSalesDay, RollupState, SalesDay, ScanDay

PERIODS = (30, 90, 365)
DEFAULT_PERIOD = 30
TOP = 10
LIST_LENGTH = 5
CHART_CACHE_SECONDS = 24 * 60 * 60
WEEKLY_AFTER = 92  # days; a longer period is charted by week
CERTIFICATE_STATES = (State.ACTIVE, State.EXPIRING, State.EXPIRED, State.SUSPENDED, State.REVOKED)
AWAITING_DELIVERY = (statuses.PAID, statuses.COD_UNPAID, statuses.SHIPPED)


def period_from(value):
    """The period in days asked for in a query string; anything else gives the default."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def first_day(days, today=None):
    """The first day of a period of `days` days ending today (included)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=days - 1)


def _day_label(day):
    return date_format(day, "d/m")


def _month_label(month):
    return date_format(month, "m/Y")


# --- Freshness ---------------------------------------------------------------------------------


def refresh_times():
    """When each family of rollups was last rebuilt: {name: datetime}."""
    return {name: at for name, at in RollupState.objects.values_list("name", "refreshed_at") if at}


def figures_as_of(times=None):
    """When the rollups were last rebuilt (the older of the two families), or None."""
    times = refresh_times() if times is None else times
    return min(times.values()) if times else None


def from_rollups(times, name, build, *args):
    """A chart made from rollups, cached until they are rebuilt: the figures can't change before.

    The key holds the rebuild times, the chart and its arguments, and the language of its labels.
    """
    if not times:  # never rebuilt: whatever rows there are were not made by a refresh
        return build(*args)
    stamp = "-".join(f"{family}{at.timestamp():.6f}" for family, at in sorted(times.items()))
    key = "insight:{}:{}:{}:{}".format(
        name, get_language(), stamp, ":".join(str(arg) for arg in args)
    )
    return cache.get_or_set(key, lambda: build(*args), CHART_CACHE_SECONDS)


# --- Sales (rollups) ---------------------------------------------------------------------------


def sales_per_month(months=12, today=None):
    """[(first day of month, orders, revenue)] for the last `months` months, empty months too."""
    today = today or timezone.localdate()
    start = today.replace(day=1)
    for _step in range(months - 1):
        start = (start - datetime.timedelta(days=1)).replace(day=1)
    found = {
        row["month"]: (row["orders"], row["revenue"])
        for row in SalesDay.objects.filter(day__gte=start)
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"))
        .order_by()
    }
    result, month = [], start
    while month <= today:
        orders, revenue = found.get(month, (0, 0))
        result.append((month, orders, revenue))
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return result


def every_day(found, since, today):
    """[(day, value)] for every day from `since` to `today`, 0 where `found` has none."""
    days = (since + datetime.timedelta(days=n) for n in range((today - since).days + 1))
    return [(day, found.get(day, 0)) for day in days]


def by_week_when_long(series):
    """Days as they are up to WEEKLY_AFTER days; longer periods summed by week (from Monday),
    so a year is 53 readable bars instead of 365 slivers. Returns (weekly?, [(label, value)])."""
    if len(series) <= WEEKLY_AFTER:
        return False, [(_day_label(day), value) for day, value in series]
    weeks = {}
    for day, value in series:
        monday = day - datetime.timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + value
    return True, [(_day_label(monday), value) for monday, value in weeks.items()]


def sales_per_day(since, today=None):
    """[(day, revenue)] for every day from `since` to today."""
    today = today or timezone.localdate()
    found = dict(
        SalesDay.objects.filter(day__gte=since)
        .values("day")
        .annotate(revenue=Sum("revenue"))
        .order_by()
        .values_list("day", "revenue")
    )
    return every_day(found, since, today)


def sales_per_method(since):
    """[(method label, orders, revenue)], largest revenue first."""
    labels = dict(statuses.PAYMENT_METHOD_CHOICES)
    rows = (
        SalesDay.objects.filter(day__gte=since)
        .values("payment_method")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"))
        .order_by("-revenue")
    )
    return [
        (
            str(labels.get(r["payment_method"], r["payment_method"] or "?")),
            r["orders"],
            r["revenue"],
        )
        for r in rows
    ]


def sales_per_commune(since, limit=TOP):
    """[(commune name, units, revenue)] of the producers' communes, largest revenue first."""
    rows = (
        ProductSalesDay.objects.filter(day__gte=since)
        .values("commune_code")
        .annotate(quantity=Sum("quantity"), revenue=Sum("revenue"))
        .order_by("-revenue", "commune_code")[:limit]
    )
    return [
        (commune_name(r["commune_code"]) or _("Unknown commune"), r["quantity"], r["revenue"])
        for r in rows
    ]


def sales_per_group(since):
    """[(product group label, units, revenue)], largest revenue first."""
    labels = dict(ProductGroup.choices)
    rows = (
        ProductSalesDay.objects.filter(day__gte=since)
        .values("product_group")
        .annotate(quantity=Sum("quantity"), revenue=Sum("revenue"))
        .order_by("-revenue", "product_group")
    )
    return [
        (str(labels.get(r["product_group"]) or _("No group")), r["quantity"], r["revenue"])
        for r in rows
    ]


# --- Scans (rollups) ---------------------------------------------------------------------------


def scans_per_day(since, today=None):
    """[(day, scans)] for every day from `since` to today."""
    today = today or timezone.localdate()
    found = dict(
        ScanDay.objects.filter(day__gte=since)
        .values("day")
        .annotate(n=Sum("scans"))
        .order_by()
        .values_list("day", "n")
    )
    return every_day(found, since, today)


def scans_per_product(since, limit=TOP):
    """[(product title, scans)], most scanned first; codes that are not ours count as one."""
    Product = get_model("catalogue", "Product")
    rows = list(
        ScanDay.objects.filter(day__gte=since)
        .values("product_id")
        .annotate(n=Sum("scans"))
        .order_by("-n", "product_id")[:limit]
    )
    titles = dict(
        Product.objects.filter(
            pk__in=[r["product_id"] for r in rows if r["product_id"]]
        ).values_list("pk", "title")
    )
    result = []
    for row in rows:
        if row["product_id"] is None:
            name = _("Codes that are not ours")
        else:
            name = titles.get(row["product_id"]) or _("Deleted product #%(id)s") % {
                "id": row["product_id"]
            }
        result.append((name, row["n"]))
    return result


def region_name(code):
    if code == "other":
        return _("Other countries")
    language = (get_language() or "vi").split("-")[0]
    try:
        return Locale.parse(language).territories.get(code, code)
    except (ValueError, TypeError):
        return code


def scans_per_region(since):
    """([(region name, scans)] of visitors who agreed to share a coarse region, all scans)."""
    rows = (
        ScanDay.objects.filter(day__gte=since)
        .values("region")
        .annotate(n=Sum("scans"))
        .order_by("-n", "region")
    )
    shared, total = [], 0
    for row in rows:
        total += row["n"]
        if row["region"]:
            shared.append((region_name(row["region"]), row["n"]))
    return shared, total


# --- Certificates and orders (live, bounded) ---------------------------------------------------


def certificates_by_stars(today=None):
    """{stars: {state: count}} of every certificate in the mirror, by today's state."""
    today = today or timezone.localdate()
    counts = {
        state.value: Count("id", filter=state_q(state, today)) for state in CERTIFICATE_STATES
    }
    return {
        row.pop("stars"): row
        for row in Certification.objects.values("stars").annotate(**counts).order_by("stars")
    }


def expiring_certificates(days, today=None, limit=LIST_LENGTH):
    """(count, first few) of certificates holding today that lapse within `days` days."""
    today = today or timezone.localdate()
    expiring = Certification.objects.filter(
        current_filter(today), valid_until__lte=today + datetime.timedelta(days=days)
    )
    return expiring.count(), list(
        expiring.select_related("producer").order_by("valid_until", "pk")[:limit]
    )


@dataclass
class AwaitingOrder:
    number: str
    total: object
    placed: datetime.datetime
    status: str
    url: str


def orders_awaiting(limit=LIST_LENGTH):
    """Counts per waiting stage and the oldest orders awaiting a transfer or the courier."""
    Order = get_model("order", "Order")
    waiting = (statuses.AWAITING_TRANSFER, *AWAITING_DELIVERY)
    counts = dict(
        Order.objects.filter(status__in=waiting)
        .values("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )

    def oldest(*stages):
        # One indexed (status, date_placed) read per stage, merged here: with `status IN (…)`
        # PostgreSQL walks every order by date instead.
        rows = sorted(
            (
                row
                for stage in stages
                for row in Order.objects.filter(status=stage)
                .order_by("date_placed", "pk")
                .values("pk", "number", "total_incl_tax", "date_placed", "status")[:limit]
            ),
            key=lambda row: (row["date_placed"], row["pk"]),
        )[:limit]
        return [
            AwaitingOrder(
                r["number"],
                r["total_incl_tax"],
                r["date_placed"],
                statuses.status_label(r["status"]),
                reverse("dashboard:order-detail", kwargs={"number": r["number"]}),
            )
            for r in rows
        ]

    return {
        "transfer_count": counts.get(statuses.AWAITING_TRANSFER, 0),
        "to_ship_count": counts.get(statuses.PAID, 0) + counts.get(statuses.COD_UNPAID, 0),
        "shipped_count": counts.get(statuses.SHIPPED, 0),
        "transfer": oldest(statuses.AWAITING_TRANSFER),
        "to_ship": oldest(statuses.PAID, statuses.COD_UNPAID),
    }


# --- Charts ------------------------------------------------------------------------------------


def sales_month_chart(today=None):
    rows = sales_per_month(today=today)
    return charts.column_chart(
        "chart-sales-month",
        _("Sales per month (₫)"),
        [(_month_label(month), revenue) for month, _orders, revenue in rows],
        charts.money,
        header=(_("Month"), _("Revenue")),
    )


def sales_day_chart(since, today=None):
    weekly, points = by_week_when_long(sales_per_day(since, today))
    return charts.column_chart(
        "chart-sales-day",
        _("Sales per week (₫)") if weekly else _("Sales per day (₫)"),
        points,
        charts.money,
        header=(_("Week from") if weekly else _("Day"), _("Revenue")),
    )


def sales_method_chart(since):
    return charts.bar_chart(
        "chart-sales-method",
        _("Sales per payment method (₫)"),
        [(label, revenue) for label, _orders, revenue in sales_per_method(since)],
        charts.money,
        header=(_("Payment method"), _("Revenue")),
    )


def sales_commune_chart(since):
    return charts.bar_chart(
        "chart-sales-commune",
        _("Sales per producer's commune (₫)"),
        [(name, revenue) for name, _units, revenue in sales_per_commune(since)],
        charts.money,
        header=(_("Commune"), _("Revenue")),
    )


def sales_group_chart(since):
    return charts.bar_chart(
        "chart-sales-group",
        _("Sales per product group (₫)"),
        [(name, revenue) for name, _units, revenue in sales_per_group(since)],
        charts.money,
        header=(_("Product group"), _("Revenue")),
    )


def scans_day_chart(since, today=None):
    weekly, points = by_week_when_long(scans_per_day(since, today))
    return charts.column_chart(
        "chart-scans-day",
        _("Scans per week") if weekly else _("Scans per day"),
        points,
        header=(_("Week from") if weekly else _("Day"), _("Scans")),
    )


def scans_product_chart(since):
    return charts.bar_chart(
        "chart-scans-product",
        _("Most scanned products"),
        scans_per_product(since),
        header=(_("Product"), _("Scans")),
    )


def scans_region_chart(since):
    shared, total = scans_per_region(since)
    chart = charts.bar_chart(
        "chart-scans-region",
        _("Where scans come from (visitors who agreed to share a region)"),
        shared,
        header=(_("Region"), _("Scans")),
    )
    chart.shared = sum(n for _name, n in shared)
    chart.total = total
    return chart


def certificates_chart(today=None):
    table = certificates_by_stars(today)
    labels = {state.value: str(state.label) for state in CERTIFICATE_STATES}
    return charts.stacked_bar_chart(
        "chart-certificates",
        _("Certificates by stars and state today"),
        [_("%(stars)s stars") % {"stars": stars} for stars in table],
        [
            (labels[state.value], [row[state.value] for row in table.values()])
            for state in CERTIFICATE_STATES
        ],
        header=_("Stars"),
        total_header=_("Total"),
    )


# --- Who sees what -----------------------------------------------------------------------------


def sees_scans(user):
    return user.is_active and user.has_perm("traceability.view_scan")


def sees_certificates(user):
    return user.is_active and user.has_perm("traceability.view_certification")


def sees_anything(user):
    return can_see_sales(user) or sees_scans(user) or sees_certificates(user)


def sales_charts(times, since, today):
    return [
        from_rollups(times, "sales-month", sales_month_chart, today),
        from_rollups(times, "sales-day", sales_day_chart, since, today),
        from_rollups(times, "sales-method", sales_method_chart, since),
        from_rollups(times, "sales-commune", sales_commune_chart, since),
        from_rollups(times, "sales-group", sales_group_chart, since),
    ]


def scan_charts(times, since, today):
    return [
        from_rollups(times, "scans-day", scans_day_chart, since, today),
        from_rollups(times, "scans-product", scans_product_chart, since),
        from_rollups(times, "scans-region", scans_region_chart, since),
    ]


def prepare_charts(today=None):
    """Draw every period's rollup charts in every language after a rebuild, so the first person
    to open the dashboard does not wait for them."""
    today = today or timezone.localdate()
    times = refresh_times()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for days in PERIODS:
                since = first_day(days, today)
                sales_charts(times, since, today)
                scan_charts(times, since, today)


def dashboard(user, days, today=None):
    """The dashboard page's figures for `days` days, limited to what this user may see."""
    today = today or timezone.localdate()
    since = first_day(days, today)
    times = refresh_times()
    context = {"days": days, "since": since, "periods": PERIODS, "as_of": figures_as_of(times)}
    if can_see_sales(user):
        context["sales_charts"] = sales_charts(times, since, today)
        context["orders"] = orders_awaiting()
    if sees_scans(user):
        context["scan_charts"] = scan_charts(times, since, today)
    if sees_certificates(user):
        context["certificates_chart"] = certificates_chart(today)
        context["expiring"] = [(n, *expiring_certificates(n, today)) for n in (30, 90)]
    return context
