"""Data exports for staff: orders, products with their certificate, scans per day (CSV and XLSX).

Each export is a list of columns and a generator of rows read with `.iterator(chunk_size=…)`, so
neither format holds the whole table in memory: CSV is streamed line by line, XLSX is written by
openpyxl's write-only workbook to a temporary file. Text that a spreadsheet would run as a formula
(starting with = + - @, a tab or a carriage return) is neutralised in both.
"""

import csv
import datetime
import tempfile
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from oscar.core.loading import get_model

from insight.models import ScanDay
from shop.order.statuses import PAYMENT_METHOD_CHOICES, status_label
from staff.roles import can_see_sales
from traceability.certification import standing

from .periods import moment_range

CHUNK = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT, INTEGER, MONEY, DATE, DATETIME = "text", "integer", "money", "date", "datetime"
NUMBER_FORMATS = {
    INTEGER: "#,##0",
    MONEY: '#,##0 "₫"',
    DATE: "dd/mm/yyyy",
    DATETIME: "dd/mm/yyyy hh:mm",
}
WIDTHS = {TEXT: 24, INTEGER: 10, MONEY: 14, DATE: 12, DATETIME: 17}


@dataclass(frozen=True)
class Column:
    header: object  # a lazy translation
    kind: str = TEXT
    width: int | None = None


@dataclass(frozen=True)
class Export:
    name: str
    title: object
    columns: tuple
    rows: object  # rows(since, until) -> iterator of tuples
    count: object  # count(since, until) -> int
    allowed: object  # allowed(user) -> bool

    def headers(self):
        return [str(column.header) for column in self.columns]

    def filename(self, since, until, fmt):
        span = "-".join(day.isoformat() for day in (since, until) if day) or "all"
        return f"{self.name}-{span}.{fmt}"


def neutralise(value):
    """A text cell a spreadsheet would run as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# --- Orders ------------------------------------------------------------------------------------


def _orders(since, until):
    Order = get_model("order", "Order")
    orders = Order.objects.all()
    if since:
        orders = orders.filter(date_placed__gte=moment_range(since, since)[0])
    if until:
        orders = orders.filter(date_placed__lt=moment_range(until, until)[1])
    return orders


def order_rows(since=None, until=None):
    methods = dict(PAYMENT_METHOD_CHOICES)
    orders = (
        _orders(since, until)
        .select_related("shipping_address", "user")
        .prefetch_related("lines")
        .order_by("date_placed", "pk")
    )
    for order in orders.iterator(chunk_size=CHUNK):
        address = order.shipping_address
        yield (
            order.number,
            _local(order.date_placed),
            str(status_label(order.status)),
            str(methods.get(order.payment_method, order.payment_method)),
            _local(order.paid_at),
            address.name if address else "",
            str(address.phone_number or "") if address else "",
            order.email,
            address.state if address else "",
            address.line4 if address else "",
            order.total_incl_tax,
            "; ".join(f"{line.quantity} × {line.title}" for line in order.lines.all()),
        )


ORDERS = Export(
    name="orders",
    title=gettext_lazy("Orders"),
    columns=(
        Column(gettext_lazy("Order number"), width=14),
        Column(gettext_lazy("Placed at"), DATETIME),
        Column(gettext_lazy("Status"), width=20),
        Column(gettext_lazy("Payment method"), width=20),
        Column(gettext_lazy("Paid at"), DATETIME),
        Column(gettext_lazy("Customer")),
        Column(gettext_lazy("Phone"), width=16),
        Column(gettext_lazy("Email"), width=28),
        Column(gettext_lazy("Province")),
        Column(gettext_lazy("Commune")),
        Column(gettext_lazy("Total"), MONEY),
        Column(gettext_lazy("Lines"), width=50),
    ),
    rows=order_rows,
    count=lambda since, until: _orders(since, until).count(),
    allowed=can_see_sales,
)


# --- Products ----------------------------------------------------------------------------------


def _products():
    return get_model("catalogue", "Product").objects.exclude(structure="parent")


def product_rows(since=None, until=None):
    """Every product with its certificate's standing on `until` (today when not given)."""
    on = until or timezone.localdate()
    products = (
        _products()
        .select_related("producer", "certification")
        .prefetch_related("stockrecords")
        .order_by("title", "pk")
    )
    for product in products.iterator(chunk_size=CHUNK):
        certificate = product.certification
        held = standing(certificate, on)
        stock = next(iter(product.stockrecords.all()), None)
        yield (
            product.get_title(),
            product.producer.name if product.producer_id else "",
            product.commune_name,
            certificate.stars if certificate else None,
            str(held.label),
            certificate.valid_until if certificate else None,
            certificate.decision_no if certificate else "",
            stock.price if stock else None,
            stock.net_stock_level if stock else None,
        )


def can_export_products(user):
    return user.is_active and (
        user.has_perm("catalogue.view_product") or user.has_perm("traceability.view_certification")
    )


PRODUCTS = Export(
    name="products",
    title=gettext_lazy("Products with certification"),
    columns=(
        Column(gettext_lazy("Product"), width=36),
        Column(gettext_lazy("Producer"), width=30),
        Column(gettext_lazy("Commune")),
        Column(gettext_lazy("Stars"), INTEGER, width=7),
        Column(gettext_lazy("Certification status"), width=26),
        Column(gettext_lazy("Valid until"), DATE),
        Column(gettext_lazy("Decision number"), width=18),
        Column(gettext_lazy("Price"), MONEY),
        Column(gettext_lazy("In stock"), INTEGER),
    ),
    rows=product_rows,
    count=lambda since, until: _products().count(),
    allowed=can_export_products,
)


# --- Scans -------------------------------------------------------------------------------------


def _scan_days(since, until):
    days = ScanDay.objects.all()
    if since:
        days = days.filter(day__gte=since)
    if until:
        days = days.filter(day__lte=until)
    return days.values("day", "product_id", "region").annotate(scans=Sum("scans"))


def scan_rows(since=None, until=None):
    days = (
        _scan_days(since, until)
        .annotate(title=F("product__title"))
        .order_by("day", "product_id", "region")
    )
    for row in days.iterator(chunk_size=CHUNK):
        product = row["title"] or (f"#{row['product_id']}" if row["product_id"] else "")
        yield (
            row["day"],
            row["product_id"],
            product or _("Code not ours"),
            row["region"],
            row["scans"],
        )


SCANS = Export(
    name="scans",
    title=gettext_lazy("Scans per day, product and region"),
    columns=(
        Column(gettext_lazy("Day"), DATE),
        Column(gettext_lazy("Product id"), INTEGER),
        Column(gettext_lazy("Product"), width=36),
        Column(gettext_lazy("Region (with consent)")),
        Column(gettext_lazy("Scans"), INTEGER),
    ),
    rows=scan_rows,
    count=lambda since, until: _scan_days(since, until).order_by().count(),
    allowed=lambda user: user.is_active and user.has_perm("traceability.view_scan"),
)

EXPORTS = {export.name: export for export in (ORDERS, PRODUCTS, SCANS)}


def allowed_exports(user):
    return [export for export in EXPORTS.values() if export.allowed(user)]


# --- Writers -----------------------------------------------------------------------------------


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    return neutralise(value)


class _Line:
    """A file-like object whose write returns what was written (csv.writer → one line)."""

    def write(self, value):
        return value


def csv_chunks(export, since=None, until=None, progress=None):
    """The export as UTF-8 CSV with a byte-order mark (Excel then reads Vietnamese right)."""
    writer = csv.writer(_Line())
    yield "\ufeff".encode() + writer.writerow(export.headers()).encode()
    for row in export.rows(since, until):
        yield writer.writerow([_csv_value(value) for value in row]).encode()
        if progress:
            progress.update()


def _xlsx_cell(sheet, value, column):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = _local(value)
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # text, never a formula
    elif column.kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[column.kind]
    return cell


def write_xlsx(export, out, since=None, until=None, progress=None):
    """Write the export to `out` (a path or a binary file) with a write-only workbook."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(export.title)[:31])
    for index, column in enumerate(export.columns, 1):
        width = column.width or WIDTHS[column.kind]
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in export.headers():
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export.rows(since, until):
        sheet.append([_xlsx_cell(sheet, v, c) for v, c in zip(row, export.columns, strict=True)])
        if progress:
            progress.update()
    workbook.save(out)


def xlsx_file(export, since=None, until=None):
    """The export written to an anonymous temporary file, rewound, ready to be streamed."""
    spooled = tempfile.TemporaryFile(suffix=".xlsx")
    write_xlsx(export, spooled, since, until)
    spooled.seek(0)
    return spooled
