"""Accessibility in Chromium: axe-core finds no serious or critical problem on the pages
shoppers and tourists meet, every form control has a name, and a guest can check out with the
keyboard alone, seeing where the focus is at every step."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.shopping import (
    CHECKOUT_STEPS,
    buy_tea_with_cash_on_delivery,
    content_page,
    say,
    the_tea,
)

BLOCKING = {"serious", "critical"}

# Controls a person can fill in or choose, but no buttons (their text is their name).
UNNAMED_CONTROLS = """() => {
  const text = s => (s || "").replace(/\\s+/g, " ").trim();
  const named = el =>
    text(el.getAttribute("aria-label")) ||
    text((el.getAttribute("aria-labelledby") || "").split(/\\s+/)
      .map(id => document.getElementById(id)?.textContent).join(" ")) ||
    Array.from(el.labels || []).some(label => text(label.textContent)) ||
    text(el.getAttribute("title"));
  return Array.from(document.querySelectorAll("input, select, textarea"))
    .filter(el => !["hidden", "submit", "button", "reset", "image"].includes(el.type))
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== "hidden"
                  || el.type === "radio" || el.type === "checkbox")
    .filter(el => !named(el))
    .map(el => el.outerHTML.slice(0, 160));
}"""

# Whether the focused control shows it: an outline or a ring (box-shadow) on it, or on its label
# when the control itself is drawn by the label (a hidden radio inside a card).
FOCUS_SHOWN = """el => {
  const shows = e => {
    const s = getComputedStyle(e);
    return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
  };
  return el.matches(":focus-visible") && (shows(el) || Array.from(el.labels || []).some(shows));
}"""


def blocking_violations(page):
    """axe-core's serious and critical violations on the page, one readable line each."""
    results = Axe().run(page).response
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): "
        f"{', '.join(' '.join(node['target']) for node in violation['nodes'][:5])}"
        f"{' …' if len(violation['nodes']) > 5 else ''} — {violation['helpUrl']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]


@pytest.mark.parametrize(
    "name", ["home", "product-list", "product", "scan", "news-article", "trade-fair"]
)
def test_no_serious_accessibility_problem_on_content_pages(demo_phone, name):
    demo_phone.goto(content_page(name))
    problems = blocking_violations(demo_phone)
    assert problems == [], "\n".join(problems)
    assert demo_phone.evaluate(UNNAMED_CONTROLS) == []


def test_no_serious_accessibility_problem_in_basket_and_checkout(demo_phone):
    problems, unnamed, seen = [], [], []

    def check(step):
        seen.append(step)
        problems.extend(blocking_violations(demo_phone))
        unnamed.extend(f"{step}: {html}" for html in demo_phone.evaluate(UNNAMED_CONTROLS))

    buy_tea_with_cash_on_delivery(demo_phone, "vi", "axe@example.vn", at_each_step=check)
    assert seen == list(CHECKOUT_STEPS)
    assert problems == [], "\n".join(problems)
    assert unnamed == [], "\n".join(unnamed)


# --- Keyboard only ---------------------------------------------------------------------------


class Keyboard:
    """Moves through a page with Tab as a keyboard user does, checking that every control it
    lands on shows its focus."""

    MAX_TABS = 80

    def __init__(self, page):
        self.page = page
        self.unseen_focus = []

    def tab_to(self, locator):
        locator.first.wait_for(state="attached")
        for _ in range(self.MAX_TABS):
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate_handle("document.activeElement")
            if focused.evaluate("el => el !== document.body") and not focused.evaluate(FOCUS_SHOWN):
                self.unseen_focus.append(
                    f"{self.page.url}: {focused.evaluate('el => el.outerHTML.slice(0, 160)')}"
                )
            if locator.evaluate_all("els => els.includes(document.activeElement)"):
                return
        raise AssertionError(f"Tab never reached {locator} on {self.page.url}")

    def press(self, locator, key="Enter"):
        self.tab_to(locator)
        self.page.keyboard.press(key)

    def type(self, locator, text):
        self.tab_to(locator)
        self.page.keyboard.type(text)

    def pick(self, group, choice):
        """Checks one radio button of a group: Tab lands in the group, arrows move in it."""
        self.tab_to(group)
        for _ in range(group.count()):
            if choice.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"arrows never reached {choice}")

    def choose(self, locator, label):
        """Picks an option of a closed <select> with the arrow keys."""
        self.tab_to(locator)
        for _ in range(300):
            if locator.evaluate("el => el.selectedOptions[0]?.text") == label:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"no option {label!r} in {locator}")


def test_guest_checks_out_with_the_keyboard_alone(demo_phone):
    from tests.browser.shopping import Order, field

    page, keys = demo_phone, Keyboard(demo_phone)
    page.goto(the_tea().get_absolute_url())
    keys.press(page.get_by_role("button", name=say("vi", "Add to basket")))
    keys.press(
        page.get_by_role("navigation", name=say("vi", "Main")).get_by_role(
            "link", name=say("vi", "Basket")
        )
    )
    keys.press(page.get_by_role("link", name=say("vi", "Proceed to checkout")))
    keys.type(field(page, "vi", "Email address"), "banphim@example.vn")
    keys.press(page.get_by_role("button", name=say("vi", "Continue")))

    keys.type(field(page, "vi", "Full name"), "Lò Văn Pấng")
    keys.type(field(page, "vi", "Phone number"), "0912345678")
    keys.choose(field(page, "vi", "Province or city"), "Điện Biên")
    commune = field(page, "vi", "Commune or ward")
    commune.locator("option", has_text="Xã Mường Phăng").wait_for(state="attached")
    keys.choose(commune, "Xã Mường Phăng")
    keys.type(field(page, "vi", "House number and street, or village"), "Bản Phăng")
    keys.press(page.get_by_role("button", name=say("vi", "Continue")))

    keys.pick(page.get_by_role("radio"), page.get_by_role("radio").first)
    keys.press(page.get_by_role("button", name=say("vi", "Continue")))
    cod = page.get_by_role("radio", name=re.compile(say("vi", "Cash on delivery")))
    keys.pick(page.get_by_role("radio"), cod)
    keys.press(page.get_by_role("button", name=say("vi", "Continue")))
    keys.press(page.get_by_role("button", name=say("vi", "Place order")))
    page.wait_for_url("**/checkout/thank-you/")

    order = Order.objects.get(guest_email="banphim@example.vn")
    assert order.payment_method == "cod" and order.status == "cod-unpaid"
    assert order.shipping_address.line4 == "Xã Mường Phăng"
    assert order.number in page.locator("body").inner_text()
    assert keys.unseen_focus == [], "\n".join(keys.unseen_focus)
