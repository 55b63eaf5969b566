"""The policy's payment origins follow the configured card endpoints (config/csp.py)."""

import pytest

from config.csp import payment_directives, payment_origins


@pytest.mark.parametrize(
    ("api_base", "checkout_origin", "expected"),
    [
        # Stripe's API: its hosted Checkout page is on checkout.stripe.com.
        ("https://api.stripe.com", "", ["https://checkout.stripe.com"]),
        ("https://api.stripe.com/", "", ["https://checkout.stripe.com"]),
        ("", "", ["https://checkout.stripe.com"]),
        # A Stripe-compatible server (the demo's, staging's) serves the page from its own origin.
        ("http://127.0.0.1:8001", "", ["http://127.0.0.1:8001"]),
        ("http://127.0.0.1:12111/", "", ["http://127.0.0.1:12111"]),
        ("https://stripe.staging.example.vn/api", "", ["https://stripe.staging.example.vn"]),
        # Unless told where that page lives.
        ("http://127.0.0.1:12111", "https://pay.example.vn/", ["https://pay.example.vn"]),
    ],
)
def test_the_hosted_checkout_page_origin_follows_the_api(api_base, checkout_origin, expected):
    found = payment_origins(api_base, card_configured=True, checkout_origin=checkout_origin)
    assert found == expected


@pytest.mark.parametrize("api_base", ["https://api.stripe.com", "http://127.0.0.1:8001"])
def test_without_card_payments_no_payment_origin_at_all(api_base):
    assert payment_origins(api_base, card_configured=False) == []
    assert payment_directives(api_base, card_configured=False) == {
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
    }


def test_directives_allow_the_page_for_form_submissions_and_connections():
    assert payment_directives("http://127.0.0.1:8001", card_configured=True) == {
        "connect-src": ["'self'", "http://127.0.0.1:8001"],
        "form-action": ["'self'", "http://127.0.0.1:8001"],
    }
