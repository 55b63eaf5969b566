"""VietQR bank transfers for orders: the QR a customer scans, and bank statements staff import.

The transfer note is the order number, so a statement line names its order. A line marks an order
paid only when it names exactly one order awaiting a transfer and carries its total to the đồng;
everything else (partial, too much, no order number, an order not waiting) is kept and shown to
staff, who decide. Importing the same statement twice changes nothing: each line is remembered by
a fingerprint of its date, amount, note and bank reference.
"""

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from shop.order import actions
from shop.order.statuses import AWAITING_TRANSFER, EXPIRED, VIETQR

from . import vietqr
from .models import BankTransfer

Order = get_model("order", "Order")
OutOfStock = get_class("order.utils", "OutOfStock")


def order_payload(order):
    """The dynamic VietQR payload for this order: its total, and its number as the note."""
    return vietqr.payload(
        settings.VIETQR_BANK_BIN,
        settings.VIETQR_ACCOUNT,
        amount=int(order.total_incl_tax),
        purpose=str(order.number),
    )


def order_qr_png(order, size_px=360):
    from traceability.labels import qr_image

    buffer = io.BytesIO()
    qr_image(order_payload(order), size_px).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# Column names banks use in their statement exports (Vietnamese and English).
AMOUNT_COLUMNS = ("credit", "amount", "ghi có", "ghi co", "số tiền ghi có", "số tiền", "so tien")
NOTE_COLUMNS = (
    "description",
    "note",
    "remark",
    "details",
    "nội dung",
    "noi dung",
    "nội dung giao dịch",
    "diễn giải",
    "dien giai",
)
DATE_COLUMNS = ("date", "booking date", "ngày", "ngay", "ngày giao dịch", "transaction date")
REFERENCE_COLUMNS = (
    "reference",
    "ref",
    "transaction id",
    "số tham chiếu",
    "mã giao dịch",
    "số bút toán",
)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")


class StatementError(ValueError):
    """The file is not a statement we can read; the message says what is missing."""


@dataclass
class StatementLine:
    booked_on: date | None
    amount: Decimal
    note: str
    bank_reference: str

    @property
    def fingerprint(self):
        key = f"{self.booked_on}|{self.amount}|{self.note}|{self.bank_reference}"
        return hashlib.sha256(key.encode()).hexdigest()


def parse_amount(text):
    """'1.250.000', '1,250,000', '1250000 VND', '1.250.000 ₫' → Decimal(1250000); None: blank."""
    cleaned = re.sub(r"[^\d.,-]", "", text or "")
    if not cleaned.strip("-"):
        return None
    # Whole đồng: separators are thousands separators, unless two decimals follow (x,00 / x.00).
    cleaned = re.sub(r"[.,]00$", "", cleaned)
    digits = cleaned.replace(".", "").replace(",", "")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def parse_date(text):
    text = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _column(header, names):
    normalised = [h.strip().lower() for h in header]
    for name in names:
        if name in normalised:
            return normalised.index(name)
    return None


def read_statement(data: bytes):
    """Credited lines of a CSV statement (UTF-8, comma or semicolon separated)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise StatementError(
            _("The file is not UTF-8 text: export the statement as CSV.")
        ) from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if not rows:
        raise StatementError(_("The file is empty."))
    header, body = rows[0], rows[1:]
    amount_at, note_at = _column(header, AMOUNT_COLUMNS), _column(header, NOTE_COLUMNS)
    if amount_at is None or note_at is None:
        raise StatementError(
            _(
                "The first row must name an amount column (e.g. “Credit”, “Số tiền”) and a "
                "note column (e.g. “Description”, “Nội dung”)."
            )
        )
    date_at, reference_at = _column(header, DATE_COLUMNS), _column(header, REFERENCE_COLUMNS)
    lines = []
    for row in body:
        cells = [cell.strip() for cell in row]
        cell = dict(enumerate(cells)).get
        amount = parse_amount(cell(amount_at, ""))
        if amount is None or amount <= 0:
            continue  # debits and blank credit cells are not transfers to us
        lines.append(
            StatementLine(
                parse_date(cell(date_at, "")),
                amount,
                cell(note_at, ""),
                cell(reference_at, ""),
            )
        )
    return lines


def _orders_named(note):
    candidates = set(re.findall(r"\d{6,}", note or ""))
    if not candidates:
        return []
    return list(Order.objects.filter(number__in=candidates, payment_method=VIETQR))


def match_line(line: StatementLine, *, user=None):
    """Record one statement line and act on it; the BankTransfer says what happened."""
    existing = BankTransfer.objects.filter(fingerprint=line.fingerprint).first()
    if existing:
        return existing, False
    orders = _orders_named(line.note)
    order = orders[0] if len(orders) == 1 else None
    outcome = BankTransfer.Outcome.UNMATCHED
    if order is not None:
        outcome = _settle(order, line, user)
    with transaction.atomic():
        transfer, created = BankTransfer.objects.get_or_create(
            fingerprint=line.fingerprint,
            defaults={
                "booked_on": line.booked_on,
                "amount": line.amount,
                "note": line.note[:500],
                "bank_reference": line.bank_reference[:100],
                "order": order,
                "outcome": outcome,
                "imported_by": user if user and user.is_authenticated else None,
            },
        )
    return transfer, created


def _settle(order, line, user):
    Outcome = BankTransfer.Outcome
    if order.paid_at is not None:
        return Outcome.ALREADY_PAID
    if order.status not in (AWAITING_TRANSFER, EXPIRED):
        return Outcome.NOT_AWAITING
    if line.amount < order.total_incl_tax:
        return Outcome.PARTIAL
    if line.amount > order.total_incl_tax:
        return Outcome.OVERPAID
    reference = line.bank_reference or line.note
    try:
        paid = actions.record_payment(order, amount=line.amount, reference=reference, user=user)
    except OutOfStock:
        return Outcome.NOT_AWAITING  # expired and sold out since: staff refund by transfer
    return Outcome.MATCHED if paid else Outcome.ALREADY_PAID


def import_statement(data: bytes, *, user=None):
    """Read and match a whole statement; returns the BankTransfer rows for its lines."""
    return [match_line(line, user=user) for line in read_statement(data)]
