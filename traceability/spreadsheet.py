"""Importing a certification decision from a spreadsheet (CSV or XLSX, one row per product).

Officials write Vietnamese column headers; `COLUMNS` maps the usual spellings (compared without
diacritics, case or punctuation) to feed fields. The whole file is checked first: one bad row
and nothing is imported; every problem is reported with its row number and column.
"""

import csv
import datetime
import hashlib
import io
import re
import zipfile
from pathlib import Path

from anyascii import anyascii
from django.utils import timezone

from .models import Source
from .places import province_communes
from .records import RecordError, check_record
from .rules import ProducerKind, ProductGroup, validity_end
from .sync import run_sync

# feed field → header spellings (normalised: ASCII, lower case, words separated by one space)
COLUMNS = {
    "id": ["ma ho so", "ma chung nhan", "ma so chung nhan", "ma dinh danh", "id"],
    "product_name": ["ten san pham", "san pham"],
    "producer.name": ["ten chu the", "chu the", "chu the san xuat"],
    "producer.kind": ["loai hinh chu the", "loai hinh"],
    "producer.tax_code": ["ma so thue", "mst"],
    "producer.commune_code": ["ma xa", "ma xa phuong", "ma don vi hanh chinh"],
    "commune_name": ["xa phuong", "xa", "dia chi xa phuong"],
    "product_group": ["nhom san pham", "nhom"],
    "stars": ["so sao", "hang sao", "xep hang", "ket qua xep hang"],
    "score": ["tong diem", "diem", "diem danh gia"],
    "issuer": ["co quan cap", "don vi cap", "co quan cong nhan"],
    "decision_no": ["so quyet dinh", "so qd"],
    "decision_date": ["ngay quyet dinh", "ngay qd", "ngay ban hanh", "ngay cap"],
    "valid_until": ["hieu luc den", "ngay het han", "ngay het hieu luc"],
    "status": ["trang thai"],
    "status_reason": ["ly do", "ghi chu", "ly do thu hoi"],
    "gtins": ["ma vach gtin", "ma vach", "gtin"],
}
REQUIRED = ["product_name", "producer.name", "stars", "issuer", "decision_no", "decision_date"]

KINDS = {
    "cong ty": ProducerKind.COMPANY,
    "doanh nghiep": ProducerKind.COMPANY,
    "hop tac xa": ProducerKind.COOPERATIVE,
    "htx": ProducerKind.COOPERATIVE,
    "to hop tac": ProducerKind.COOPERATIVE_GROUP,
    "tht": ProducerKind.COOPERATIVE_GROUP,
    "ho kinh doanh": ProducerKind.HOUSEHOLD,
    "ho san xuat": ProducerKind.HOUSEHOLD,
    "ca nhan": ProducerKind.HOUSEHOLD,
}
GROUPS = {
    "thuc pham": ProductGroup.FOOD,
    "do uong": ProductGroup.BEVERAGES,
    "thao duoc": ProductGroup.HERBAL,
    "vai": ProductGroup.TEXTILES,
    "luu niem": ProductGroup.SOUVENIRS,
    "dich vu du lich": ProductGroup.TOURISM,
}
STATUSES = {
    "con hieu luc": "active",
    "hieu luc": "active",
    "active": "active",
    "tam dinh chi": "suspended",
    "dinh chi": "suspended",
    "thu hoi": "revoked",
    "da thu hoi": "revoked",
}


class SpreadsheetInvalid(Exception):
    def __init__(self, problems):
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


def normalise(text):
    return " ".join(re.sub(r"[^a-z0-9]+", " ", anyascii(str(text or "")).lower()).split())


def _lookup(table, value):
    key = normalise(value)
    for prefix, result in table.items():
        if key == prefix or key.startswith(prefix + " "):
            return result
    return None


# A decision lists a few hundred products. Far bigger files are refused before they are read
# whole: an XLSX is a zip archive that can unpack to gigabytes from a few kilobytes.
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 64 * 1024 * 1024


def _limited(name, rows):
    for number, row in rows:
        if number > MAX_ROWS:
            raise SpreadsheetInvalid([f"{name}: more than {MAX_ROWS:,} rows"])
        yield number, row


def _check_archive(name, content):
    """The workbook's parts, unpacked, stay under MAX_UNPACKED_BYTES (zipfile never reads past
    the sizes the archive declares, so they are what openpyxl can get)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise SpreadsheetInvalid([f"{name}: not a readable XLSX file"]) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetInvalid(
            [f"{name}: the workbook unpacks to more than {MAX_UNPACKED_BYTES // 2**20} MB"]
        )


def read_rows(name, content):
    """(row number, [cells]) for every row of a CSV or XLSX file given as bytes."""
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        _check_archive(name, content)
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
            rows = enumerate(sheet.iter_rows(values_only=True), 1)
            return [(n, list(row)) for n, row in _limited(name, rows)]
        except SpreadsheetInvalid:
            raise
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise SpreadsheetInvalid([f"{name}: not a readable XLSX file ({exc})"]) from None
    if suffix == ".csv":
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpreadsheetInvalid([f"{name}: save the CSV as UTF-8"]) from None
        dialect = csv.excel
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            pass
        try:
            return list(_limited(name, enumerate(csv.reader(io.StringIO(text), dialect), 1)))
        except csv.Error as exc:
            raise SpreadsheetInvalid([f"{name}: not a readable CSV file ({exc})"]) from None
    raise SpreadsheetInvalid([f"{name}: only .csv and .xlsx files can be imported"])


def _find_header(rows):
    """The first row (of the first 15) naming at least three known columns, and the mapping."""
    spellings = {s: field for field, names in COLUMNS.items() for s in names}
    for number, cells in rows[:15]:
        mapping = {}
        for index, cell in enumerate(cells):
            field = spellings.get(normalise(cell))
            if field and field not in mapping:
                mapping[field] = (index, str(cell).strip())
        if len(mapping) >= 3:
            return number, mapping
    return None, {}


def _cell(cells, mapping, field):
    if field not in mapping:
        return None
    index = mapping[field][0]
    value = cells[index] if index < len(cells) else None
    return value.strip() if isinstance(value, str) else value


def _date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (dd/mm/yyyy)")


def _commune_code(cells, mapping):
    code = _cell(cells, mapping, "producer.commune_code")
    if code not in (None, ""):
        return int(float(code)) if isinstance(code, float) else code
    name = normalise(_cell(cells, mapping, "commune_name"))
    if not name:
        raise ValueError("give the commune code or the commune name")
    for place in province_communes():
        full = normalise(place.name)
        if name in (full, full.split(" ", 1)[-1]):
            return place.code
    raise ValueError(f"no commune named {name!r} in this province")


def _row_to_record(number, cells, mapping, imported_at):
    """Build a feed record from a row; _RowProblem naming the field on the first problem."""

    def need(field):
        value = _cell(cells, mapping, field)
        if value in (None, ""):
            raise _RowProblem(field, "is empty")
        return value

    stars_text = str(need("stars"))
    digits = re.findall(r"\d+", stars_text)
    stars = int(digits[0]) if digits else stars_text.count("★")
    if not stars:
        raise _RowProblem("stars", f"{stars_text!r} is not a star rating")
    try:
        decision_date = _date(need("decision_date"))
    except ValueError as exc:
        raise _RowProblem("decision_date", str(exc)) from None
    valid_until = _cell(cells, mapping, "valid_until")
    try:
        valid_until = _date(valid_until) if valid_until not in (None, "") else None
    except ValueError as exc:
        raise _RowProblem("valid_until", str(exc)) from None
    kind = _lookup(KINDS, _cell(cells, mapping, "producer.kind") or "hộ kinh doanh")
    if kind is None:
        raise _RowProblem("producer.kind", "is not a known kind of producer")
    group = _lookup(GROUPS, _cell(cells, mapping, "product_group") or "")
    if group is None:
        raise _RowProblem("product_group", "is not one of the six OCOP product groups")
    status_text = _cell(cells, mapping, "status")
    status = _lookup(STATUSES, status_text) if status_text else "active"
    if status is None:
        raise _RowProblem("status", f"{status_text!r} is not a known status")
    try:
        commune_code = _commune_code(cells, mapping)
    except (TypeError, ValueError) as exc:
        raise _RowProblem("producer.commune_code", str(exc)) from None
    score = _cell(cells, mapping, "score")
    gtins = re.findall(r"\d{8,14}", str(_cell(cells, mapping, "gtins") or ""))
    decision_no = str(need("decision_no"))
    product_name = str(need("product_name"))
    producer_name = str(need("producer.name"))
    registry_id = _cell(cells, mapping, "id") or _derived_id(
        decision_no, product_name, producer_name
    )
    return {
        "id": str(registry_id).strip(),
        "product_name": product_name,
        "producer": {
            "name": producer_name,
            "kind": kind,
            "tax_code": str(_cell(cells, mapping, "producer.tax_code") or "").strip(),
            "commune_code": commune_code,
        },
        "product_group": group,
        "stars": stars,
        "score": None if score in (None, "") else int(float(score)),
        "issuer": str(need("issuer")),
        "decision_no": decision_no,
        "decision_date": decision_date.isoformat(),
        "valid_until": (valid_until or validity_end(decision_date)).isoformat(),
        "status": status,
        "status_reason": str(_cell(cells, mapping, "status_reason") or ""),
        "gtins": gtins,
        "updated_at": imported_at.isoformat(),
    }


def _derived_id(decision_no, product_name, producer_name):
    """A stable id for a file without one: the same product in the same decision, any row."""
    digest = hashlib.sha1(normalise(f"{product_name}|{producer_name}").encode()).hexdigest()
    return f"{decision_no[:40]}#{digest[:12]}"


class _RowProblem(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def parse_spreadsheet(name, content):
    """Every row as a checked feed record, or SpreadsheetInvalid listing all the problems."""
    rows = read_rows(name, content)
    header_row, mapping = _find_header(rows)
    if header_row is None:
        raise SpreadsheetInvalid(
            [f"{name}: no header row found (expected columns such as 'Tên sản phẩm', 'Số sao')"]
        )
    missing = [f for f in REQUIRED if f not in mapping]
    if "producer.commune_code" not in mapping and "commune_name" not in mapping:
        missing.append("producer.commune_code")
    if missing:
        names = ", ".join(f"'{COLUMNS[f][0]}'" for f in missing)
        raise SpreadsheetInvalid([f"row {header_row}: missing columns {names}"])
    imported_at = timezone.now()
    records, problems, seen = [], [], {}
    for number, cells in rows[header_row:]:
        if not any(str(c or "").strip() for c in cells):
            continue
        try:
            record = _row_to_record(number, cells, mapping, imported_at)
            check_record(record)
        except (_RowProblem, RecordError) as exc:
            column = _column_for(getattr(exc, "field", None), mapping)
            message = str(exc)
            if isinstance(exc, RecordError) and message.startswith("record "):
                message = message.split(": ", 1)[1]  # the row number names it better
            problems.append(f"row {number}, column '{column}': {message}")
            continue
        if record["id"] in seen:
            problems.append(f"row {number}: same id as row {seen[record['id']]} ({record['id']})")
            continue
        seen[record["id"]] = number
        records.append(record)
    if problems:
        raise SpreadsheetInvalid(problems)
    if not records:
        raise SpreadsheetInvalid([f"{name}: no rows below the header"])
    return records


def _column_for(field, mapping):
    aliases = {"kind": "producer.kind", "commune_code": "producer.commune_code"}
    field = aliases.get(field, field)
    if field == "producer.commune_code" and field not in mapping:
        field = "commune_name"
    if field in mapping:
        return mapping[field][1]
    return COLUMNS.get(field, [field or "?"])[0]


def import_spreadsheet(name, content, started_by=""):
    """Check the whole file, then apply it in one transaction. Returns the SyncRun."""
    records = parse_spreadsheet(name, content)
    return run_sync(
        [records],
        source=Source.FILE,
        location=Path(name).name,
        started_by=started_by,
        atomic=True,
        skip_stale=False,
    )
