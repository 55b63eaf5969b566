"""Screenshots of the key pages of the demo site at phone and desktop widths, saved in
test-artifacts/ for a reviewer; on a phone each page must also fit the screen."""

import pytest

from tests.browser.conftest import ARTIFACTS, DESKTOP, PHONE, screenshot
from tests.browser.layout import layout_problems
from tests.browser.shopping import CHECKOUT_STEPS, buy_tea_with_cash_on_delivery, content_page

PAGES = ("home", "product-list", "product", "news-article", "trade-fair", "producer")
PAGES += ("points-of-sale", "scan")


@pytest.mark.parametrize("device,viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_key_pages_screenshots(open_page, demo_url, device, viewport):
    page = open_page(demo_url, viewport=viewport)
    problems = []

    def look(name):
        page.wait_for_load_state("load")
        screenshot(page, f"{device}-{name}")
        if device == "phone":
            problems.extend(layout_problems(page))

    for name in PAGES:
        page.goto(content_page(name))
        look(name)
    buy_tea_with_cash_on_delivery(page, "vi", f"{device}@example.vn", at_each_step=look)
    for name in PAGES + CHECKOUT_STEPS:
        assert (ARTIFACTS / f"{device}-{name}.png").stat().st_size > 0
    assert problems == [], "\n".join(problems)
