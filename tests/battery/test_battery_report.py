"""The battery's report: one line per item, in item order, with its figure and verdict."""

from tests.battery.conftest import Figure, report_lines


def test_one_line_per_item_in_item_order(battery):
    figures = [
        Figure(2, "Forged webhooks", "0 of 1000 accepted", True),
        Figure(1, "Webhook replay", "2 orders", False),
    ]
    assert report_lines(figures) == [
        " 1. FAIL  Webhook replay: 2 orders",
        " 2. PASS  Forged webhooks: 0 of 1000 accepted",
    ]
