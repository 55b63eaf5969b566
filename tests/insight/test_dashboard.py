"""The staff dashboard: charts, the figures each panel shows, who sees what, and query counts."""

import datetime
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from insight import charts, panels
from insight.models import ProductSalesDay, SalesDay, ScanDay
from insight.rollups import refresh_rollups
from shop.order import actions
from staff.provisioning import ensure_roles
from staff.roles import EDITORS, MODERATORS, REGISTRY_OFFICERS, SHOP_STAFF
from tests.factories import CertificationFactory, ProducerFactory, certified_product, placed_order
from traceability.models import Scan

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
DASHBOARD = "/admin/insight/"


def svg_of(html, chart_id):
    start = html.index(f'id="{chart_id}"')
    svg_start = html.index("<svg", start)
    svg_end = html.index("</svg>", svg_start) + len("</svg>")
    return ET.fromstring(html[svg_start:svg_end])


def table_of(html, chart_id):
    start = html.index(f'id="{chart_id}"')
    table = html[html.index("<table", start) : html.index("</table>", start) + len("</table>")]
    root = ET.fromstring(table)
    return [
        ["".join(cell.itertext()).strip() for cell in row]
        for row in root.iter("tr")
        if row.find("td") is not None
    ]


# --- Charts ------------------------------------------------------------------------------------


def test_column_chart_is_well_formed_svg_with_a_title_and_the_same_figures_in_its_table():
    with translation.override("vi"):
        chart = charts.column_chart(
            "c1",
            "Doanh thu",
            [("01/06", 1250000), ("02/06", 0), ("03/06", 300000)],
            charts.money,
        )
        html = render_to_string("insight/includes/chart.html", {"chart": chart})
    svg = svg_of(html, "c1")
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title")
    assert title.text == "Doanh thu" and svg.get("aria-labelledby") == title.get("id")
    heights = [float(rect.get("height")) for rect in svg.iter(f"{SVG}rect")]
    assert len(heights) == 3 and heights[1] == 0 and heights[0] > heights[2] > 0
    assert heights[0] / heights[2] == pytest.approx(1250000 / 300000, rel=0.01)
    rows = table_of(html, "c1")
    assert rows == [
        ["01/06", "1.250.000\xa0₫"],
        ["02/06", "0\xa0₫"],
        ["03/06", "300.000\xa0₫"],
    ]
    # Bar tooltips carry the same figures as the table.
    tips = [rect.find(f"{SVG}title").text for rect in svg.iter(f"{SVG}rect")]
    assert tips[0] == "01/06: 1.250.000\xa0₫"


def test_counts_use_the_languages_thousands_separator():
    with translation.override("vi"):
        assert charts.count(1250000) == "1.250.000"
    with translation.override("en"):
        assert charts.count(1250000) == "1,250,000"


def test_axis_steps_are_round_numbers():
    assert charts.nice_step(1250000) == 500000
    assert charts.nice_step(7) == 2
    assert charts.nice_step(0) == 1


def test_stacked_chart_rows_add_up_and_empty_chart_says_so():
    chart = charts.stacked_bar_chart(
        "s", "Stars", ["3", "4"], [("a", [1, 2]), ("b", [3, 0])], header="h", total_header="t"
    )
    assert chart.rows == [["3", "1", "3", "4"], ["4", "2", "0", "2"]]
    assert len(chart.bars) == 3  # a zero is not drawn
    empty = charts.bar_chart("e", "Nothing", [])
    html = render_to_string("insight/includes/chart.html", {"chart": empty})
    assert "<svg" not in html and "<table" not in html


# --- Panel figures -----------------------------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


def test_sales_panels_sum_the_rollups(today):
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    SalesDay.objects.create(day=today, payment_method="vietqr", orders=2, revenue=300000)
    SalesDay.objects.create(day=today, payment_method="cod", orders=1, revenue=100000)
    SalesDay.objects.create(day=last_month, payment_method="vietqr", orders=1, revenue=50000)
    SalesDay.objects.create(
        day=today - datetime.timedelta(days=400), payment_method="cod", orders=9, revenue=9
    )
    common = dict(product=None, quantity=1)
    ProductSalesDay.objects.create(
        day=today, commune_code=3217, product_group="food", revenue=250000, **common
    )
    ProductSalesDay.objects.create(
        day=today, commune_code=3217, product_group="beverages", revenue=50000, **common
    )
    ProductSalesDay.objects.create(
        day=last_month, commune_code=None, product_group="", revenue=70000, **common
    )

    months = panels.sales_per_month(today=today)
    assert len(months) == 12 and months[-1] == (today.replace(day=1), 3, Decimal(400000))
    assert months[-2] == (last_month, 1, Decimal(50000))
    since = panels.first_day(365, today)
    with translation.override("en"):
        assert panels.sales_per_method(since) == [
            ("Bank transfer (VietQR)", 3, Decimal(350000)),
            ("Cash on delivery", 1, Decimal(100000)),
        ]
        assert panels.sales_per_commune(since) == [
            ("Xã Tủa Chùa", 2, Decimal(300000)),
            ("Unknown commune", 1, Decimal(70000)),
        ]
        assert panels.sales_per_group(since) == [
            ("Food", 1, Decimal(250000)),
            ("No group", 1, Decimal(70000)),
            ("Beverages", 1, Decimal(50000)),
        ]
    assert sum(revenue for _day, revenue in panels.sales_per_day(since, today)) == 450000


def test_scan_panels_sum_the_rollups(today):
    tea = certified_product(title="Chè Shan tuyết")
    honey = certified_product(title="Mật ong bạc hà")
    yesterday = today - datetime.timedelta(days=1)
    ScanDay.objects.create(day=today, product=tea, region="", language="vi", scans=5)
    ScanDay.objects.create(day=today, product=tea, region="FR", language="fr", scans=2)
    ScanDay.objects.create(day=yesterday, product=honey, region="VN", language="vi", scans=3)
    ScanDay.objects.create(day=yesterday, product=None, region="", language="en", scans=1)
    ScanDay.objects.create(
        day=today - datetime.timedelta(days=40), product=honey, region="", language="", scans=50
    )
    since = panels.first_day(30, today)
    days = panels.scans_per_day(since, today)
    assert len(days) == 30 and days[-1] == (today, 7) and days[-2] == (yesterday, 4)
    with translation.override("en"):
        assert panels.scans_per_product(since) == [
            ("Chè Shan tuyết", 7),
            ("Mật ong bạc hà", 3),
            ("Codes that are not ours", 1),
        ]
        assert panels.scans_per_region(since) == ([("Vietnam", 3), ("France", 2)], 11)
    assert panels.scans_per_product(panels.first_day(90, today))[0] == ("Mật ong bạc hà", 53)


def test_a_year_is_charted_by_week_with_nothing_lost(today):
    tea = certified_product(title="Chè Shan tuyết")
    for back in (0, 1, 6, 7, 100, 364):
        ScanDay.objects.create(
            day=today - datetime.timedelta(days=back), product=tea, language="vi", scans=back + 1
        )
    month = panels.scans_day_chart(panels.first_day(90, today), today)
    assert len(month.bars) == 90
    year = panels.scans_day_chart(panels.first_day(365, today), today)
    assert 53 <= len(year.bars) <= 54
    assert sum(int(row[1].replace(".", "").replace(",", "")) for row in year.rows) == sum(
        back + 1 for back in (0, 1, 6, 7, 100, 364)
    )
    with translation.override("en"):
        assert str(panels.scans_day_chart(panels.first_day(365, today), today).title) == (
            "Scans per week"
        )


def test_certificates_by_stars_and_state_and_expiring_ones(today):
    producer = ProducerFactory()
    decided = today - datetime.timedelta(days=400)

    def cert(stars, until_days, status="active"):
        return CertificationFactory(
            producer=producer,
            stars=stars,
            status=status,
            decision_date=decided,
            valid_until=today + datetime.timedelta(days=until_days),
        )

    cert(4, 500)
    cert(4, 10)  # expiring (within the 30-day notice)
    cert(5, 60)  # active, expiring within 90 days
    cert(3, -5)  # expired
    cert(3, 500, status="suspended")
    cert(5, 500, status="revoked")
    table = panels.certificates_by_stars(today)
    assert table[3] == {"active": 0, "expiring": 0, "expired": 1, "suspended": 1, "revoked": 0}
    assert table[4] == {"active": 1, "expiring": 1, "expired": 0, "suspended": 0, "revoked": 0}
    assert table[5] == {"active": 1, "expiring": 0, "expired": 0, "suspended": 0, "revoked": 1}
    count30, first30 = panels.expiring_certificates(30, today)
    count90, first90 = panels.expiring_certificates(90, today)
    assert count30 == 1 and count90 == 2
    assert [c.valid_until for c in first90] == [
        today + datetime.timedelta(days=10),
        today + datetime.timedelta(days=60),
    ]
    chart = panels.certificates_chart(today)
    assert [row[-1] for row in chart.rows] == ["2", "2", "2"]


def test_orders_awaiting_counts_and_links_to_the_shop_dashboard():
    tea = certified_product(price=100000)
    waiting = placed_order((tea, 1))
    placed_order((tea, 1), method="cod")
    paid = placed_order((tea, 2))
    actions.record_payment(paid, amount=paid.total_incl_tax, reference="T1")
    shipped = placed_order((tea, 1), method="cod")
    actions.mark_shipped(shipped)
    found = panels.orders_awaiting()
    assert (found["transfer_count"], found["to_ship_count"], found["shipped_count"]) == (1, 2, 1)
    assert [o.number for o in found["transfer"]] == [str(waiting.number)]
    assert found["transfer"][0].url == f"/shop/dashboard/orders/{waiting.number}/"
    assert len(found["to_ship"]) == 2


@pytest.mark.parametrize("value", ["", "abc", "7", "-30", "99999999999999999999", "90.5"])
def test_period_from_a_bad_query_value_is_the_default(value):
    assert panels.period_from(value) == panels.DEFAULT_PERIOD
    assert panels.period_from("90") == 90


# --- Pages and permissions ---------------------------------------------------------------------


@pytest.fixture
def member(django_user_model):
    groups = ensure_roles()

    def make(role):
        user = django_user_model.objects.create_user(role.name.replace(" ", "-"), password="pw")
        user.groups.add(groups[role.name])
        user.refresh_from_db()
        return user

    return make


@pytest.fixture
def activity(today):
    tea = certified_product(price=123000, title="Chè Shan tuyết")
    order = placed_order((tea, 3))
    actions.record_payment(order, amount=order.total_incl_tax, reference="T1")
    Scan.objects.create(product_id_seen=tea.pk, language="vi", region="VN")
    refresh_rollups()
    order.refresh_from_db()
    return order


def test_superuser_sees_every_chart_with_a_table(staff_client, activity):
    response = staff_client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    for chart_id in (
        "chart-sales-month",
        "chart-sales-day",
        "chart-sales-method",
        "chart-sales-commune",
        "chart-sales-group",
        "chart-scans-day",
        "chart-scans-product",
        "chart-scans-region",
        "chart-certificates",
    ):
        svg_of(html, chart_id)  # parses
        assert table_of(html, chart_id)
    revenue = charts.money(activity.total_incl_tax)
    assert [panels._month_label(timezone.localdate()), revenue] in table_of(
        html, "chart-sales-month"
    )
    assert activity.number in html


@pytest.mark.parametrize("value", ["abc", "7", "-1", "%00", "365" * 30])
def test_bad_period_is_the_default(staff_client, value):
    response = staff_client.get(DASHBOARD, {"days": value})
    assert response.status_code == 200 and response.context["days"] == 30


def test_home_panels_show_sales_to_shop_staff_and_scans_to_officers(client, member, activity):
    client.force_login(member(SHOP_STAFF))
    html = client.get("/admin/").content.decode()
    assert "chart-sales-month" in html and "chart-scans-day" not in html
    assert activity.number in html
    client.force_login(member(REGISTRY_OFFICERS))
    html = client.get("/admin/").content.decode()
    assert "chart-scans-day" in html and "chart-sales-month" not in html


@pytest.mark.parametrize("role", [EDITORS, MODERATORS], ids=lambda role: role.name)
def test_editors_and_moderators_see_no_sales_and_no_dashboard(client, member, activity, role):
    client.force_login(member(role))
    home = client.get("/admin/")
    html = home.content.decode()
    assert home.status_code == 200
    assert "chart-sales" not in html and "chart-scans" not in html and DASHBOARD not in html
    assert charts.money(activity.total_incl_tax) not in html
    assert activity.number not in html
    response = client.get(DASHBOARD)
    assert response.status_code in (302, 403)
    assert "chart-sales" not in response.content.decode()


def test_dashboard_shows_each_role_its_own_sections(client, member, activity):
    client.force_login(member(SHOP_STAFF))
    html = client.get(DASHBOARD).content.decode()
    assert "chart-sales-month" in html and "chart-scans-day" not in html
    assert "chart-certificates" not in html
    client.force_login(member(REGISTRY_OFFICERS))
    response = client.get(DASHBOARD)
    html = response.content.decode()
    assert "chart-scans-day" in html and "chart-certificates" in html
    assert "chart-sales" not in html and "orders" not in response.context
    assert charts.money(activity.total_incl_tax) not in html


def _add_days_of_data(first, last, today):
    tea = certified_product(price=100000, stock=100)
    for offset in range(first, last):
        day = today - datetime.timedelta(days=offset)
        ScanDay.objects.create(day=day, product=tea, region="VN", language="vi", scans=offset + 1)
        SalesDay.objects.create(day=day, payment_method="vietqr", orders=1, revenue=100000)
        ProductSalesDay.objects.create(
            day=day, product=tea, commune_code=3217, product_group="food", quantity=1, revenue=1
        )
        placed_order((tea, 1))


def test_dashboard_query_count_does_not_grow_with_the_data(staff_client, today):
    _add_days_of_data(0, 3, today)
    with CaptureQueriesContext(connection) as few:
        assert staff_client.get(DASHBOARD, {"days": 90}).status_code == 200
    _add_days_of_data(3, 30, today)
    with CaptureQueriesContext(connection) as many:
        assert staff_client.get(DASHBOARD, {"days": 90}).status_code == 200
    assert len(few) == len(many)
    staff_client.get("/admin/")  # the first visit fills per-session caches
    with CaptureQueriesContext(connection) as home:
        assert staff_client.get("/admin/").status_code == 200
    _add_days_of_data(30, 35, today)
    with CaptureQueriesContext(connection) as home_more:
        staff_client.get("/admin/")
    assert len(home) == len(home_more)


def test_charts_are_reused_until_the_rollups_are_rebuilt(staff_client, today):
    tea = certified_product(price=100000, stock=100)
    Scan.objects.create(product_id_seen=tea.pk, language="vi")
    refresh_rollups()
    first = staff_client.get(DASHBOARD).context["scan_charts"][0]
    assert first.rows[-1][1] == "1"
    # New scans are not counted until the next rebuild, and then they are.
    Scan.objects.create(product_id_seen=tea.pk, language="vi")
    with CaptureQueriesContext(connection) as cached:
        again = staff_client.get(DASHBOARD).context["scan_charts"][0]
    assert again.rows[-1][1] == "1"
    assert not any("insight_scanday" in query["sql"] for query in cached)
    # The scheduled job rebuilds the rollups and draws the charts before anyone asks.
    call_command("refresh_rollups", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as prepared:
        assert staff_client.get(DASHBOARD).context["scan_charts"][0].rows[-1][1] == "2"
    assert not any("insight_scanday" in query["sql"] for query in prepared)
