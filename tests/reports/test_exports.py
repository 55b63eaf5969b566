"""Export rows and writers: formulas neutralised, the command writes files with progress."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reports import exports
from tests.factories import CertificationFactory, certified_product

pytestmark = pytest.mark.django_db


def test_formula_like_text_is_neutralised_in_csv_and_written_as_text_in_xlsx(tmp_path):
    evil = CertificationFactory(product_name='=HYPERLINK("http://x")')
    certified_product(certification=evil, title='=HYPERLINK("http://x","bấm")')
    certified_product(title="@SUM(A1)")
    body = b"".join(exports.csv_chunks(exports.PRODUCTS)).decode("utf-8-sig")
    titles = [row[0] for row in csv.reader(io.StringIO(body))][1:]
    assert sorted(titles) == ['\'=HYPERLINK("http://x","bấm")', "'@SUM(A1)"]

    path = tmp_path / "products.xlsx"
    exports.write_xlsx(exports.PRODUCTS, path)
    sheet = load_workbook(path).active
    cells = [sheet.cell(row, 1) for row in (2, 3)]
    assert {cell.data_type for cell in cells} == {"s"}
    assert sorted(cell.value for cell in cells) == ['=HYPERLINK("http://x","bấm")', "@SUM(A1)"]


def test_neutralise_leaves_numbers_and_plain_text_alone():
    assert exports.neutralise(-5) == -5
    assert exports.neutralise("Chè -1") == "Chè -1"
    assert exports.neutralise("+84 912") == "'+84 912"


def test_scans_command_writes_csv_and_prints_plain_progress_lines(tmp_path, programme):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "scans.csv"
    call_command(
        "export", "scans", "--format", "csv", "--out", str(target),
        "--since", "2026-04-01", "--until", "2026-06-30", stdout=out, stderr=err,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig"))))
    # 2 Apr tea VN-71 (2), 9 May rice and tea, 1 June a code not ours.
    assert [(row[0], row[3], row[4]) for row in rows[1:]] == [
        ("2026-04-02", "VN-71", "2"),
        ("2026-05-09", "", "1"),
        ("2026-05-09", "", "1"),
        ("2026-06-01", "", "1"),
    ]
    lines = err.getvalue().splitlines()
    assert lines and lines[-1].startswith("Exporting scans: 4/4 rows (100%)")
    assert "4 rows written" in out.getvalue()


def test_orders_command_writes_xlsx(tmp_path, programme):
    target = tmp_path / "orders.xlsx"
    err = io.StringIO()
    call_command("export", "orders", "--format", "xlsx", "--out", str(target), stderr=err)
    sheet = load_workbook(target).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3
    assert sheet.cell(2, 2).number_format == "dd/mm/yyyy hh:mm"
    assert isinstance(sheet.cell(2, 11).value, int)
    assert err.getvalue().startswith("Exporting orders: ")


def test_command_refuses_bad_dates(tmp_path):
    with pytest.raises(CommandError, match="not a date"):
        call_command("export", "scans", "--out", str(tmp_path / "x.csv"), "--since", "31/02")
