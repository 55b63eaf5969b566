"""The programme report on crafted data: each kind of certificate, events, scans, sales."""

import datetime
import io

import pytest
import time_machine
from openpyxl import load_workbook

from reports.programme import programme_report
from reports.workbook import programme_workbook

from .conftest import END, START, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(programme):
    with time_machine.travel(at(2026, 7, 5), tick=False):
        return programme_report(START, END)


def names(rows):
    return [row["product"] for row in rows]


def test_certified_products_at_period_end_by_stars_and_group(report):
    products = report["products"]
    assert products["on"] == END
    table = {row["code"]: row["by_stars"] for row in products["rows"]}
    # Stars 3, 4, 5. The honey's two records are one product; the weaving revoked after the end
    # still counts; the bamboo shoots revoked in May and the lapsed herbs do not.
    assert table == {
        "food": [0, 2, 0],
        "beverages": [1, 0, 0],
        "herbal": [0, 0, 1],
        "textiles": [1, 0, 0],
        "souvenirs": [0, 0, 0],
        "tourism": [0, 0, 0],
    }
    assert products["by_stars"] == [2, 2, 1]
    assert products["total"] == 5


def test_new_renewed_lapsed_and_revoked_certificates(report, programme):
    certificates = report["certificates"]
    assert names(certificates["new"]) == ["Gạo Séng Cù"]
    renewed = {row["product"]: row for row in certificates["renewed"]}
    assert set(renewed) == {"mật ong Bạc Hà ", "Sâm Tủa Chùa"}
    assert renewed["mật ong Bạc Hà "]["previous_stars"] == 3
    assert renewed["Sâm Tủa Chùa"]["previous_stars"] == 4
    assert renewed["Sâm Tủa Chùa"]["previous_decision_date"] == datetime.date(2023, 5, 10)
    assert renewed["Sâm Tủa Chùa"]["stars"] == 5
    # The old honey certificate ended in May but its successor came first: not lapsed.
    assert [(row["product"], row["lapsed_on"]) for row in certificates["lapsed"]] == [
        ("Cao khô", datetime.date(2026, 6, 2))
    ]
    revoked = certificates["revoked"]
    assert [(row["product"], row["revoked_on"]) for row in revoked] == [
        ("Măng khô", datetime.date(2026, 5, 5))
    ]
    assert revoked[0]["reason"] == "Vi phạm an toàn thực phẩm"
    assert revoked[0]["registry_id"] == programme["revoked"].registry_id


def test_fairs_and_livestreams_held_in_the_period_with_their_products(report):
    fairs, streams = report["events"]["fairs"], report["events"]["livestreams"]
    assert [fair["title"] for fair in fairs] == ["Hội chợ OCOP tháng 5"]
    assert fairs[0]["products"][0]["product"] == "Gạo Séng Cù"
    assert fairs[0]["products"][0]["booth"] == "A12"
    assert [stream["title"] for stream in streams] == ["Livestream rượu Mông pê"]
    assert [item["product"] for item in streams[0]["products"]] == ["Rượu Mông pê"]


def test_scans_from_the_daily_rollups(report):
    scans = report["scans"]
    assert scans["total"] == 5
    assert scans["unknown_codes"] == 1
    assert [(row["month"].month, row["scans"]) for row in scans["per_month"]] == [
        (4, 2),
        (5, 2),
        (6, 1),
    ]
    assert [(row["product"], row["scans"]) for row in scans["top_products"]] == [
        ("Rượu Mông pê", 3),
        ("Gạo Séng Cù", 1),
    ]
    assert {row["region"]: row["scans"] for row in scans["regions"]} == {"VN-71": 2, "": 3}


def test_sales_count_paid_orders_of_the_period_only(report, programme):
    sales = report["sales"]
    paid = programme["paid"]
    assert sales["orders"] == 1
    assert sales["revenue"] == paid.total_incl_tax
    assert [(row["month"].month, row["orders"]) for row in sales["per_month"]] == [
        (4, 0),
        (5, 1),
        (6, 0),
    ]
    assert [(row["payment_method"], row["orders"]) for row in sales["per_method"]] == [
        ("vietqr", 1)
    ]
    groups = {row["product_group"]: (row["quantity"], row["revenue"]) for row in sales["per_group"]}
    assert groups == {"beverages": (2, 240000), "food": (1, 250000)}
    assert [row["quantity"] for row in sales["per_commune"]] == [3]
    assert sales["per_commune"][0]["commune"]  # the producers' commune, by name
    assert [row["product"] for row in sales["top_products"]] == ["Gạo Séng Cù", "Rượu Mông pê"]


def test_without_sales_the_section_is_absent(programme):
    with time_machine.travel(at(2026, 7, 5), tick=False):
        report = programme_report(START, END, with_sales=False)
    assert report["sales"] is None


def test_a_period_running_on_counts_products_today(programme):
    with time_machine.travel(at(2026, 7, 5), tick=False):
        report = programme_report(datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
    assert report["products"]["on"] == datetime.date(2026, 7, 5)
    # The weaving was revoked on 2 July; "Chè Shan tuyết" was decided on 1 July.
    assert names(report["certificates"]["new"]) == ["Chè Shan tuyết"]
    assert names(report["certificates"]["revoked"]) == ["Thổ cẩm"]
    assert report["products"]["total"] == 5


def test_workbook_has_a_sheet_per_section_with_numbers(report):
    workbook = load_workbook(io.BytesIO(programme_workbook(report)))
    assert len(workbook.sheetnames) == 9
    summary = workbook.worksheets[0]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    numbers = [v for v in values.values() if isinstance(v, int)]
    assert 5 in numbers and 1 in numbers  # products at the end, orders
    revenue_row = summary.max_row
    assert summary.cell(revenue_row, 2).value == report["sales"]["revenue"]
    assert "₫" in summary.cell(revenue_row, 2).number_format
    stars = workbook.worksheets[1]
    rows = list(stars.iter_rows(min_row=3, values_only=True))
    assert rows[-1][1:] == (2, 2, 1, 5)
    assert stars.column_dimensions["A"].width >= 10
    sales = workbook.worksheets[-1]
    assert ("Rượu Mông pê", 2, 240000) in list(sales.iter_rows(values_only=True))
