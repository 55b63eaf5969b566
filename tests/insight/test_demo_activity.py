"""The demo leaves the staff dashboard's charts filled."""

from cms import demo
from insight import panels
from insight.models import SalesDay, ScanDay


def test_demo_fills_the_charts(demo_db, client):
    assert ScanDay.objects.exists() and SalesDay.objects.exists()
    since = panels.first_day(365)
    for chart in (
        panels.sales_month_chart(),
        panels.sales_commune_chart(since),
        panels.sales_group_chart(since),
        panels.sales_method_chart(since),
        panels.scans_product_chart(since),
        panels.scans_region_chart(since),
        panels.certificates_chart(),
    ):
        assert chart.bars, chart.id
    assert sum(n for _day, n in panels.scans_per_day(panels.first_day(30))) > 0
    client.login(username="admin", password="demo-pass")
    html = client.get("/admin/insight/?days=90").content.decode()
    assert html.count("<svg") >= 9
    # Loading the activity again adds nothing.
    scans = sum(ScanDay.objects.values_list("scans", flat=True))
    demo.load_activity(lambda message: None)
    assert sum(ScanDay.objects.values_list("scans", flat=True)) == scans
