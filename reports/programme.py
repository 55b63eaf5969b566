"""The programme report: what a period of the OCOP programme amounted to, as plain data.

`programme_report(start, end)` (both dates inclusive, the programme's local days) returns dicts
and lists only, so the HTML page, the workbook and tests read the same figures.

Certificates are read from the registry mirror, whose change log (CertificationChange) lets a
record be seen as it stood at any moment. A *product* is one producer's product name (letter case
ignored): the registry may renew a product by updating its record or by issuing a new one.

- **certified at period end**: certificates with 3–5 stars, status active and the period's last
  day (today, if the period runs on) between decision date and valid-until, as the mirror stood
  at the end of that day; one per product (the latest decision).
- **new**: a decision dated in the period for a product never certified before.
- **renewed**: a decision dated in the period for a product that held an earlier decision
  (same record with a later decision date, or another record); stars before and after are given.
- **lapsed**: a decision whose first day without validity (valid-until + 1) falls in the period
  and has come, with no later decision for the product by that day and not revoked before it.
- **revoked**: the registry status became "revoked" in the period (from the change log; a record
  received already revoked counts at its registry update time).
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_date
from oscar.core.loading import get_model

from insight.models import ProductSalesDay, SalesDay, ScanDay
from shop.order.statuses import PAYMENT_METHOD_CHOICES
from traceability.models import Certification, CertificationChange
from traceability.places import commune_name
from traceability.rules import CERTIFIED_STARS, ProductGroup

from .periods import moment_range, months, start_of

TRACKED_FIELDS = ("decision_date", "valid_until", "status", "stars", "product_group", "decision_no")
DATE_FIELDS = ("decision_date", "valid_until")
TOP = 10


def programme_report(start, end, *, with_sales=True, today=None):
    """Every section of the programme report for [start, end]; `sales` only `with_sales`."""
    today = today or timezone.localdate()
    history = CertificateHistory.load()
    report = {
        "start": start,
        "end": end,
        "today": today,
        "products": certified_at_end(history, min(end, today)),
        "certificates": certificate_events(history, start, end, today),
        "events": events_held(start, end),
        "scans": scans(start, end),
        "sales": sales(start, end) if with_sales else None,
    }
    return report


# --- Certificates ------------------------------------------------------------------------------


def _value(field, value):
    return parse_date(value) if field in DATE_FIELDS and isinstance(value, str) else value


class CertificateHistory:
    """Each certificate's versions (fields after each sync that changed them) and decisions."""

    def __init__(self, certificates, changes):
        self.certificates = {c.pk: c for c in certificates}
        self.versions = {}
        self.revocations = {}
        by_certificate = defaultdict(list)
        for change in changes:
            by_certificate[change["certification_id"]].append(change)
        for certificate in certificates:
            self.versions[certificate.pk] = self._versions(
                certificate, by_certificate[certificate.pk]
            )

    @classmethod
    def load(cls):
        certificates = list(Certification.objects.select_related("producer"))
        changes = (
            CertificationChange.objects.filter(field__in=TRACKED_FIELDS)
            .order_by("changed_at", "pk")
            .values("certification_id", "changed_at", "field", "old_value", "new_value")
        )
        return cls(certificates, changes)

    def _versions(self, certificate, changes):
        """[(since, fields)]: `since` None for the first known version."""
        current = {name: getattr(certificate, name) for name in TRACKED_FIELDS}
        first = dict(current)
        for change in reversed(changes):
            first[change["field"]] = _value(change["field"], change["old_value"])
        versions = [(None, dict(first))]
        fields = dict(first)
        revoked_at = None
        for change in changes:
            fields[change["field"]] = _value(change["field"], change["new_value"])
            if versions[-1][0] == change["changed_at"]:
                versions[-1] = (change["changed_at"], dict(fields))
            else:
                versions.append((change["changed_at"], dict(fields)))
            if change["field"] == "status" and change["new_value"] == "revoked":
                revoked_at = change["changed_at"]
        if certificate.status == "revoked":
            self.revocations[certificate.pk] = revoked_at or certificate.updated_at
        return versions

    def as_of(self, pk, moment):
        fields = self.versions[pk][0][1]
        for since, version in self.versions[pk]:
            if since is not None and since >= moment:
                break
            fields = version
        return fields

    def decisions(self, pk):
        """Each decision the record carried: its fields when last seen with that decision date."""
        found = {}
        for _since, fields in self.versions[pk]:
            found[fields["decision_date"]] = fields
        return list(found.values())

    def product_key(self, pk):
        certificate = self.certificates[pk]
        return certificate.producer_id, certificate.product_name.strip().casefold()

    def decisions_by_product(self):
        products = defaultdict(list)
        for pk in self.certificates:
            for fields in self.decisions(pk):
                products[self.product_key(pk)].append((fields["decision_date"], pk, fields))
        for decisions in products.values():
            decisions.sort(key=lambda item: (item[0], item[1]))
        return products


def certificate_row(certificate, fields=None):
    """One certificate for a list: what the registry says, with the fields of one decision."""
    fields = fields or {name: getattr(certificate, name) for name in TRACKED_FIELDS}
    producer = certificate.producer
    return {
        "registry_id": certificate.registry_id,
        "product": certificate.product_name,
        "producer": producer.name,
        "commune": commune_name(producer.commune_code),
        "group": fields["product_group"],
        "group_label": _group_label(fields["product_group"]),
        "stars": fields["stars"],
        "decision_no": fields["decision_no"],
        "decision_date": fields["decision_date"],
        "valid_until": fields["valid_until"],
    }


def _group_label(code):
    try:
        return str(ProductGroup(code).label)
    except ValueError:
        return code or ""


def certified_at_end(history, day):
    """Certified products on `day` by stars × product group, with totals."""
    moment = start_of(day + datetime.timedelta(days=1))
    latest = {}
    for pk in history.certificates:
        fields = history.as_of(pk, moment)
        if (
            fields["stars"] in CERTIFIED_STARS
            and fields["status"] == "active"
            and fields["decision_date"] <= day <= fields["valid_until"]
        ):
            key = history.product_key(pk)
            if key not in latest or latest[key]["decision_date"] < fields["decision_date"]:
                latest[key] = fields
    counts = defaultdict(int)
    for fields in latest.values():
        counts[(fields["stars"], fields["product_group"])] += 1
    groups = [{"code": code, "label": str(label)} for code, label in ProductGroup.choices]
    rows = []
    for group in groups:
        by_stars = [counts[(stars, group["code"])] for stars in CERTIFIED_STARS]
        rows.append({**group, "by_stars": by_stars, "total": sum(by_stars)})
    by_stars = [sum(row["by_stars"][i] for row in rows) for i in range(len(CERTIFIED_STARS))]
    return {
        "on": day,
        "stars": list(CERTIFIED_STARS),
        "rows": rows,
        "by_stars": by_stars,
        "total": sum(by_stars),
    }


def certificate_events(history, start, end, today):
    """New, renewed, lapsed and revoked certificates of the period, each listed."""
    new, renewed, lapsed = [], [], []
    for decisions in history.decisions_by_product().values():
        for index, (decided, pk, fields) in enumerate(decisions):
            certificate = history.certificates[pk]
            if start <= decided <= end:
                row = certificate_row(certificate, fields)
                if index == 0:
                    new.append(row)
                else:
                    previous = decisions[index - 1][2]
                    row["previous_stars"] = previous["stars"]
                    row["previous_decision_date"] = previous["decision_date"]
                    renewed.append(row)
            first_day_without = fields["valid_until"] + datetime.timedelta(days=1)
            if not start <= first_day_without <= min(end, today):
                continue
            later = [d for d, _pk, _f in decisions[index + 1 :] if d <= first_day_without]
            revoked_at = history.revocations.get(pk)
            if later or (revoked_at is not None and revoked_at < start_of(first_day_without)):
                continue
            lapsed.append({**certificate_row(certificate, fields), "lapsed_on": first_day_without})
    revoked = []
    low, high = moment_range(start, end)
    for pk, moment in history.revocations.items():
        if low <= moment < high:
            certificate = history.certificates[pk]
            revoked.append(
                {
                    **certificate_row(certificate),
                    "revoked_on": timezone.localdate(moment),
                    "reason": certificate.status_reason,
                }
            )
    return {
        "new": _by(new, "decision_date"),
        "renewed": _by(renewed, "decision_date"),
        "lapsed": _by(lapsed, "lapsed_on"),
        "revoked": _by(revoked, "revoked_on"),
    }


def _by(rows, key):
    return sorted(rows, key=lambda row: (row[key], row["product"]))


# --- Fairs and livestreams ---------------------------------------------------------------------


def _one_per_translation(pages):
    """A page translated into several languages is one event: keep the default language's."""
    chosen = {}
    for page in pages:
        key = page.translation_key
        if key not in chosen or page.locale.language_code == settings.LANGUAGE_CODE:
            chosen[key] = page
    return sorted(chosen.values(), key=lambda page: (page.start, page.pk))


def _product_title(product):
    return product.get_title() if product is not None else ""


def events_held(start, end):
    """Published fairs and livestreams running at some time in the period, with their products."""
    TradeFairPage = get_model("events", "TradeFairPage")
    LivestreamPage = get_model("events", "LivestreamPage")
    low, high = moment_range(start, end)
    fairs = TradeFairPage.objects.live().filter(start__lt=high, end__gte=low)
    streams = LivestreamPage.objects.live().filter(start__lt=high, end__gte=low)
    fair_rows = []
    for fair in _one_per_translation(fairs.select_related("locale")):
        participants = fair.participants.select_related("producer", "product")
        fair_rows.append(
            {
                "title": fair.title,
                "start": timezone.localtime(fair.start),
                "end": timezone.localtime(fair.end),
                "venue": fair.location_text(),
                "organiser": fair.organiser,
                "products": [
                    {
                        "producer": p.producer.name,
                        "product": _product_title(p.product),
                        "booth": p.booth,
                    }
                    for p in participants
                ],
            }
        )
    stream_rows = []
    for stream in _one_per_translation(streams.select_related("locale")):
        featured = stream.featured_products.select_related("product__producer")
        stream_rows.append(
            {
                "title": stream.title,
                "start": timezone.localtime(stream.start),
                "end": timezone.localtime(stream.end),
                "platform": stream.get_platform_display(),
                "streamer": stream.streamer_name,
                "products": [
                    {
                        "producer": f.product.producer.name if f.product.producer_id else "",
                        "product": _product_title(f.product),
                    }
                    for f in featured
                ],
            }
        )
    return {"fairs": fair_rows, "livestreams": stream_rows}


# --- Scans and sales (from the daily rollups) --------------------------------------------------


def _titles(product_ids):
    Product = get_model("catalogue", "Product")
    found = Product.objects.filter(pk__in=[pk for pk in product_ids if pk])
    return {product.pk: product.get_title() for product in found}


def _per_month(rows, start, end, fields):
    totals = {month: dict.fromkeys(fields, 0) for month in months(start, end)}
    for row in rows:
        month = row["day"].replace(day=1)
        for field in fields:
            totals[month][field] += row[field] or 0
    return [{"month": month, **values} for month, values in totals.items()]


def scans(start, end):
    """Label scans of the period: total, codes not ours, per month, top products, regions."""
    days = ScanDay.objects.filter(day__gte=start, day__lte=end)
    total = days.aggregate(n=Sum("scans"))["n"] or 0
    unknown = days.filter(product__isnull=True).aggregate(n=Sum("scans"))["n"] or 0
    per_product = list(
        days.filter(product__isnull=False)
        .values("product_id")
        .annotate(scans=Sum("scans"))
        .order_by("-scans", "product_id")[:TOP]
    )
    titles = _titles(row["product_id"] for row in per_product)
    regions = days.values("region").annotate(scans=Sum("scans")).order_by("-scans", "region")
    return {
        "total": total,
        "unknown_codes": unknown,
        "per_month": _per_month(days.values("day", "scans"), start, end, ["scans"]),
        "top_products": [
            {"product": titles.get(row["product_id"], f"#{row['product_id']}"), **row}
            for row in per_product
        ],
        "regions": list(regions),
    }


def sales(start, end):
    """Sales of the period (paid, not refunded): orders and revenue by month, method, group."""
    days = SalesDay.objects.filter(day__gte=start, day__lte=end)
    lines = ProductSalesDay.objects.filter(day__gte=start, day__lte=end)
    totals = days.aggregate(orders=Sum("orders"), revenue=Sum("revenue"))
    methods = dict(PAYMENT_METHOD_CHOICES)
    per_method = [
        {**row, "label": str(methods.get(row["payment_method"], row["payment_method"]))}
        for row in days.values("payment_method")
        .annotate(orders=Sum("orders"), revenue=Sum("revenue"))
        .order_by("-revenue", "payment_method")
    ]
    per_group = [
        {**row, "label": _group_label(row["product_group"])}
        for row in lines.values("product_group")
        .annotate(quantity=Sum("quantity"), revenue=Sum("revenue"))
        .order_by("-revenue", "product_group")
    ]
    per_commune = [
        {**row, "commune": commune_name(row["commune_code"]) if row["commune_code"] else ""}
        for row in lines.values("commune_code")
        .annotate(quantity=Sum("quantity"), revenue=Sum("revenue"))
        .order_by("-revenue", "commune_code")
    ]
    per_product = list(
        lines.values("product_id")
        .annotate(quantity=Sum("quantity"), revenue=Sum("revenue"))
        .order_by("-revenue", "product_id")[:TOP]
    )
    titles = _titles(row["product_id"] for row in per_product)
    for row in per_product:
        row["product"] = titles.get(row["product_id"], f"#{row['product_id']}")
    return {
        "orders": totals["orders"] or 0,
        "revenue": totals["revenue"] or 0,
        "per_month": _per_month(
            days.values("day", "orders", "revenue"), start, end, ["orders", "revenue"]
        ),
        "per_method": per_method,
        "per_group": per_group,
        "per_commune": per_commune,
        "top_products": per_product,
    }
