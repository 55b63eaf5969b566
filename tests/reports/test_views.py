"""The report and export pages in the Wagtail admin: forms, downloads, streaming, permissions."""

import csv
import io

import pytest
import time_machine
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook
from oscar.templatetags.currency_filters import currency

from staff.roles import EDITORS, REGISTRY_OFFICERS, SHOP_STAFF

from .conftest import at

pytestmark = pytest.mark.django_db

REPORT = reverse("reports:programme")
EXPORTS = reverse("reports:exports")
Q2 = {"start": "2026-04-01", "end": "2026-06-30"}


@pytest.fixture
def clock():
    with time_machine.travel(at(2026, 7, 5), tick=False):
        yield


def login(client, user):
    client.force_login(user)
    return client


def test_report_page_renders_in_vietnamese_with_money_in_dong(
    client, make_member, programme, clock
):
    login(client, make_member(SHOP_STAFF))
    response = client.get(REPORT, Q2)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Thực phẩm" in html  # the food group, in Vietnamese
    assert "Hội chợ OCOP tháng 5" in html and "Hội chợ Tết" not in html
    assert "Cao khô" in html and "Măng khô" in html
    assert currency(programme["paid"].total_incl_tax, "VND") in html
    assert "reports/print.css" in html  # laid out for A4 (tests/browser/test_printing.py)
    assert response.context["report"]["products"]["total"] == 5


def test_report_downloads_as_xlsx(client, make_member, programme, clock):
    login(client, make_member(SHOP_STAFF))
    response = client.get(REPORT, {**Q2, "format": "xlsx"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 9


def test_presets_choose_the_period(client, make_member, programme, clock):
    login(client, make_member(SHOP_STAFF))
    response = client.get(REPORT, {"preset": "last_quarter"})
    report = response.context["report"]
    assert (report["start"].isoformat(), report["end"].isoformat()) == tuple(Q2.values())


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13-01", "end": "2026-06-30"},
        {"start": "hôm qua", "end": "2026-06-30"},
        {"start": "2026-06-30", "end": "2026-04-01"},
        {"start": "2010-01-01", "end": "2026-06-30"},
        {"start": "2026-04-01"},
        {"preset": "next_century"},
    ],
)
def test_bad_periods_are_form_errors_not_crashes(client, make_member, query):
    login(client, make_member(SHOP_STAFF))
    response = client.get(REPORT, query)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["report"] is None


def test_editors_see_the_report_without_sales_and_cannot_export_orders(
    client, make_member, programme, clock
):
    login(client, make_member(EDITORS))
    response = client.get(REPORT, Q2)
    assert response.status_code == 200
    assert response.context["report"]["sales"] is None
    assert currency(programme["paid"].total_incl_tax, "VND") not in response.content.decode()
    workbook = load_workbook(io.BytesIO(client.get(REPORT, {**Q2, "format": "xlsx"}).content))
    assert len(workbook.sheetnames) == 8  # no sales sheet
    # Wagtail turns a refusal into a redirect to the dashboard with a message.
    for query in ({}, {"dataset": "orders", "format": "csv"}):
        refused = client.get(EXPORTS, query)
        assert refused.status_code == 302 and "Content-Disposition" not in refused


def test_export_permissions_follow_the_roles(client, make_member, programme):
    def datasets(role):
        login(client, make_member(role))
        response = client.get(EXPORTS)
        assert response.status_code == 200
        return set(dict(response.context["form"].fields["dataset"].choices))

    assert datasets(SHOP_STAFF) == {"orders", "products"}
    assert datasets(REGISTRY_OFFICERS) == {"products", "scans"}
    response = client.get(EXPORTS, {"dataset": "orders", "format": "csv"})
    assert response.status_code == 200 and response.context["form"].errors["dataset"]


def test_orders_csv_is_streamed_with_a_bom_and_parses(client, make_member, programme):
    login(client, make_member(SHOP_STAFF))
    response = client.get(EXPORTS, {"dataset": "orders", "format": "csv", **Q2})
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 3  # header, the paid order, the unpaid one (July's is outside)
    numbers = {row[0] for row in rows[1:]}
    number = str(programme["paid"].number)
    assert number in numbers
    paid = next(row for row in rows if row[0] == number)
    assert int(paid[10]) == programme["paid"].total_incl_tax
    assert "2 × Rượu Mông pê" in paid[11]


def test_products_xlsx_is_a_file_response_and_opens(client, make_member, programme):
    login(client, make_member(REGISTRY_OFFICERS))
    response = client.get(EXPORTS, {"dataset": "products", "format": "xlsx"})
    assert isinstance(response, FileResponse)
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    titles = {row[0]: row for row in rows[1:]}
    assert set(titles) == {"Rượu Mông pê", "Gạo Séng Cù"}
    assert titles["Gạo Séng Cù"][3] == 4 and titles["Gạo Séng Cù"][7] == 250000


def test_bad_export_dates_are_form_errors(client, make_member):
    login(client, make_member(REGISTRY_OFFICERS))
    response = client.get(
        EXPORTS, {"dataset": "scans", "format": "csv", "start": "2026-02-30", "end": "x"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"start", "end"}
