"""The Content Security Policy in Chromium: the demo's public pages run under it without a
single violation (their scripts work and JSON-LD stays readable), and a violation is caught."""

from urllib.parse import urlsplit

from directory.models import PointOfSalePage
from news.models import NewsIndexPage
from tests.browser.conftest import watch_for_errors
from tests.browser.shopping import the_tea
from traceability.digital_link import lot_uri
from traceability.models import Lot


def violations(page):
    return page.evaluate("window.__csp")


def test_public_pages_run_under_the_policy_without_violations(demo_phone):
    page = demo_phone
    lot = Lot.objects.exclude(product__gtin="").select_related("product").first()
    paths = [
        "/",
        "/en/",
        "/shop/catalogue/",
        the_tea().get_absolute_url(),
        urlsplit(lot_uri(lot)).path,
        NewsIndexPage.objects.live().first().url,
        PointOfSalePage.objects.live().first().get_parent().url,
        "/search/?q=che",
    ]
    for path in paths:
        response = page.goto(path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        assert violations(page) == [], path

    page.goto(the_tea().get_absolute_url())
    types = page.evaluate(
        """[...document.querySelectorAll('script[type="application/ld+json"]')]
            .map(s => JSON.parse(s.textContent)["@type"])"""
    )
    assert "Product" in types
    assert violations(page) == []


def test_a_violation_is_reported(browser, demo_url):
    context = browser.new_context(base_url=demo_url)
    errors = []
    watch_for_errors(context, errors)
    page = context.new_page()
    page.goto("/")
    page.evaluate(
        """() => {
            const div = document.createElement("div");
            div.innerHTML = '<p style="color: red">x</p>';
            document.body.append(div);
            const script = document.createElement("script");
            script.textContent = "window.ran = true";
            document.body.append(script);
        }"""
    )
    page.wait_for_function("() => window.__csp.length >= 2")
    assert page.evaluate("window.ran") is None
    directives = " ".join(violations(page))
    assert "style-src-attr" in directives and "script-src-elem" in directives
    assert any(error.startswith("CSP ") for error in errors)
    context.close()
