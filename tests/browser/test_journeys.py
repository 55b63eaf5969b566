"""Journeys through the demo site on a phone: a guest finds a tea by searching without
diacritics and buys it with cash on delivery, in Vietnamese and in English; a tourist scans a
printed label, reads it in three languages and finds where to buy the product in person."""

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import screenshot
from tests.browser.shopping import (
    buy_tea_with_cash_on_delivery,
    labelled_lot,
    printed_uri,
    say,
    the_tea,
)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_guest_finds_tea_and_pays_cash_on_delivery(demo_phone, language):
    email = f"khach-{language}@example.vn"
    order = buy_tea_with_cash_on_delivery(demo_phone, language, email)
    assert order.payment_method == "cod" and order.status == "cod-unpaid"
    assert [line.product for line in order.lines.all()] == [the_tea()]
    assert order.shipping_address.line4 == "Phường Hoàn Kiếm"
    confirmation = demo_phone.locator("body").inner_text()
    assert order.number in confirmation
    assert say(language, "Cash on delivery").lower() in confirmation.lower()
    assert demo_phone.locator("html").get_attribute("lang") == language


def test_tourist_scans_a_label_switches_language_and_finds_where_to_buy(demo_phone, tmp_path):
    lot, showroom = labelled_lot()
    page = demo_phone
    page.goto(urlsplit(printed_uri(lot, tmp_path)).path)
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Mật ong hoa ban Mường Phăng" in page.get_by_role("heading", level=1).inner_text()

    switch = page.get_by_role("navigation", name=say("vi", "Language"))
    switch.get_by_role("link", name="English").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    assert "Certified OCOP 5-star" in page.content()
    switch = page.get_by_role("navigation", name="Language")
    switch.get_by_role("link", name="Français").click()
    page.wait_for_function("() => document.documentElement.lang === 'fr'")
    assert "Produit OCOP certifié 5 étoiles" in page.content()

    page.get_by_role("link", name=say("fr", "Where to buy")).click()
    page.wait_for_url(re.compile(r"#where-to-buy$"))
    section = page.locator("#where-to-buy")
    assert section.is_visible()
    assert "Hằng ngày 7:00–18:00" in section.inner_text()
    screenshot(page, "phone-where-to-buy")
    section.get_by_role("link", name=showroom.title).click()
    page.get_by_role("heading", level=1, name=showroom.title).wait_for()
    assert urlsplit(page.url).path == showroom.url
