"""Importing a certification decision from CSV and XLSX: all rows or none, problems named."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from traceability.models import Certification, Source, SyncRun
from traceability.spreadsheet import SpreadsheetInvalid, import_spreadsheet

pytestmark = pytest.mark.django_db

TITLE = ["DANH SÁCH SẢN PHẨM OCOP ĐƯỢC CÔNG NHẬN NĂM 2026"]
HEADER = [
    "STT",
    "Tên sản phẩm",
    "Tên chủ thể",
    "Loại hình chủ thể",
    "Mã số thuế",
    "Xã/phường",
    "Nhóm sản phẩm",
    "Số sao",
    "Tổng điểm",
    "Cơ quan cấp",
    "Số quyết định",
    "Ngày quyết định",
    "Mã vạch (GTIN)",
]
ROWS = [
    [
        1,
        "Gạo Séng Cù Mường Ảng",
        "HTX Nông nghiệp Mường Ảng",
        "Hợp tác xã",
        "5600999001",
        "Xã Mường Ảng",
        "Thực phẩm",
        "4 sao",
        76,
        "UBND tỉnh Điện Biên",
        "1520/QĐ-UBND",
        "15/09/2026",
        "8936045900017",
    ],
    [
        2,
        "Mật ong hoa ban",
        "Hộ kinh doanh Lò Văn Ơn",
        "Hộ kinh doanh",
        "",
        "Mường Phăng",
        "Thực phẩm",
        "3",
        62,
        "UBND tỉnh Điện Biên",
        "1520/QĐ-UBND",
        "15/09/2026",
        "",
    ],
    [
        3,
        "Khăn piêu Thanh Nưa",
        "Tổ hợp tác thêu Thanh Nưa",
        "Tổ hợp tác",
        "5600999003",
        "Xã Thanh Nưa",
        "Vải và may mặc",
        "★★★",
        55,
        "UBND tỉnh Điện Biên",
        "1520/QĐ-UBND",
        "15/09/2026",
        "",
    ],
]


def as_csv(rows, delimiter=","):
    buffer = io.StringIO()
    for row in [TITLE, [], HEADER, *rows]:
        buffer.write(delimiter.join(f'"{c}"' for c in row) + "\n")
    return buffer.getvalue().encode("utf-8-sig")


def as_xlsx(rows):
    book = Workbook()
    sheet = book.active
    for row in [TITLE, HEADER, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_csv_decision_is_imported_with_vietnamese_headers():
    run = import_spreadsheet("QD-1520.csv", as_csv(ROWS), started_by="cán bộ")
    assert run.status == SyncRun.Status.SUCCEEDED and run.source == Source.FILE
    assert run.created == 3
    rice = Certification.objects.get(product_name="Gạo Séng Cù Mường Ảng")
    assert rice.stars == 4 and rice.score == 76 and rice.producer.kind == "cooperative"
    assert rice.producer.commune_code == 3256  # Xã Mường Ảng, found by name
    assert rice.valid_until == datetime.date(2029, 9, 15)  # 36 months by default
    assert rice.gtins == ["08936045900017"]
    honey = Certification.objects.get(product_name="Mật ong hoa ban")
    assert honey.producer.kind == "household" and honey.producer.commune_code == 3325
    assert Certification.objects.get(product_name="Khăn piêu Thanh Nưa").stars == 3

    again = import_spreadsheet("QD-1520.csv", as_csv(ROWS[::-1], delimiter=";"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_xlsx_with_a_bad_row_imports_nothing_and_names_row_and_column():
    rows = [list(r) for r in ROWS]
    rows[0][11] = datetime.datetime(2026, 9, 15)  # Excel dates arrive as datetimes: fine
    rows[1][7] = "6 sao"
    rows[2][5] = "Xã Không Có"
    with pytest.raises(SpreadsheetInvalid) as error:
        import_spreadsheet("QD-1520.xlsx", as_xlsx(rows))
    problems = error.value.problems
    assert any(p.startswith("row 4, column 'Số sao'") and "outside 3–5" in p for p in problems)
    assert any(p.startswith("row 5, column 'Xã/phường'") for p in problems), problems
    assert Certification.objects.count() == 0
    assert SyncRun.objects.count() == 0


def test_missing_columns_and_wrong_file_types_are_explained():
    with pytest.raises(SpreadsheetInvalid, match="missing columns 'so sao'"):
        import_spreadsheet("x.csv", as_csv([]).replace("Số sao".encode(), b"Hang"))
    with pytest.raises(SpreadsheetInvalid, match="only .csv and .xlsx"):
        import_spreadsheet("x.pdf", b"%PDF")
    with pytest.raises(SpreadsheetInvalid, match="not a readable XLSX"):
        import_spreadsheet("x.xlsx", b"not a zip")


def test_sync_registry_command_imports_a_file(tmp_path):
    good = tmp_path / "QD-1520.xlsx"
    good.write_bytes(as_xlsx(ROWS))
    out = io.StringIO()
    call_command("sync_registry", file=str(good), stdout=out)
    assert "succeeded" in out.getvalue() and Certification.objects.count() == 3

    bad = tmp_path / "QD-1521.csv"
    bad.write_bytes(as_csv([ROWS[0][:7] + ["7"] + ROWS[0][8:]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("sync_registry", file=str(bad), stdout=io.StringIO(), stderr=err)
    assert "row 4, column 'Số sao'" in err.getvalue()


def test_staff_import_a_spreadsheet_from_the_admin(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = staff_client.get("/django-admin/traceability/certification/import/")
    assert page.status_code == 200 and "ten san pham" in page.content.decode()
    upload = SimpleUploadedFile("QD-1520.csv", as_csv(ROWS), content_type="text/csv")
    response = staff_client.post(
        "/django-admin/traceability/certification/import/", {"file": upload}
    )
    assert response.status_code == 302 and Certification.objects.count() == 3
    broken = SimpleUploadedFile("bad.csv", as_csv([ROWS[0][:7] + ["9"] + ROWS[0][8:]]))
    response = staff_client.post(
        "/django-admin/traceability/certification/import/", {"file": broken}
    )
    assert response.status_code == 200
    assert "row 4, column &#x27;Số sao&#x27;" in response.content.decode()


def test_a_workbook_that_unpacks_too_far_is_refused_unread(monkeypatch):
    from traceability import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_UNPACKED_BYTES", 1024)
    with pytest.raises(SpreadsheetInvalid) as raised:
        import_spreadsheet("qd.xlsx", as_xlsx(ROWS))
    assert "unpacks to more than" in raised.value.problems[0]
    assert not Certification.objects.exists()


def test_a_sheet_with_too_many_rows_is_refused(monkeypatch):
    from traceability import spreadsheet

    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 4)
    with pytest.raises(SpreadsheetInvalid) as raised:
        import_spreadsheet("qd.csv", as_csv(ROWS))
    assert "more than 4 rows" in raised.value.problems[0]
    assert not Certification.objects.exists()
