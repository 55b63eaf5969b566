"""The demo leaves the staff dashboard's charts filled."""

import io
import time

import pytest
from django.core.management import call_command

from cms import demo
from insight import panels
from insight.models import SalesDay, ScanDay

pytestmark = pytest.mark.django_db


def test_demo_fills_the_charts_quickly(client, monkeypatch):
    spent = []
    load_activity = demo.load_activity

    def timed(log):
        started = time.perf_counter()
        load_activity(log)
        spent.append(time.perf_counter() - started)

    monkeypatch.setattr(demo, "load_activity", timed)
    call_command("load_demo", admin_password="demo-pass", stdout=io.StringIO())
    assert spent and spent[0] < 3.0, spent  # under 1.5 s on an idle machine
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
    # Loading again adds nothing.
    scans = sum(ScanDay.objects.values_list("scans", flat=True))
    call_command("load_demo", admin_password="demo-pass", stdout=io.StringIO())
    assert sum(ScanDay.objects.values_list("scans", flat=True)) == scans
