"""Every page that asks an anonymous visitor to sign in sends them to a sign-in page that answers.

`LOGIN_URL` is the shop's sign-in page, reversed per request: Vietnamese without a prefix, English
under /en/. Walks every URL of Oscar's customer app (accounts) and checks each one that redirects
an anonymous visitor lands on a 200 sign-in page in the visitor's language.
"""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import NoReverseMatch, get_resolver, reverse
from django.urls.converters import IntConverter
from django.urls.resolvers import RoutePattern
from django.utils import translation

pytestmark = pytest.mark.django_db

SIGN_IN = {"vi": "Đăng nhập", "en": "Log In"}


def customer_urls(language):
    """A URL for every named pattern of the customer app (dummy values for its arguments)."""
    _prefix, resolver = get_resolver().namespace_dict["customer"]
    urls = []
    with translation.override(language):
        for pattern in resolver.url_patterns:
            if not getattr(pattern, "name", None):
                continue
            if isinstance(pattern.pattern, RoutePattern):
                names = pattern.pattern.converters
                candidates = [
                    {k: 1 if isinstance(c, IntConverter) else "abc" for k, c in names.items()}
                ]
            else:
                names = list(pattern.pattern.regex.groupindex)
                candidates = [dict.fromkeys(names, value) for value in ("1", "abc", "a1")]
            for kwargs in candidates:
                try:
                    urls.append(reverse(f"customer:{pattern.name}", kwargs=kwargs or None))
                    break
                except NoReverseMatch:
                    continue
    return urls


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_account_page_sends_an_anonymous_visitor_to_a_sign_in_page_that_answers(
    client, language
):
    with translation.override(language):
        login = reverse("customer:login")
    assert login == {"vi": "/shop/accounts/login/", "en": "/en/shop/accounts/login/"}[language]
    redirected = []
    for url in customer_urls(language):
        response = client.get(url)
        if response.status_code == 302 and urlsplit(response["Location"]).path == login:
            redirected.append(url)
            assert parse_qs(urlsplit(response["Location"]).query)["next"] == [url]
        else:  # never a redirect to anywhere else (e.g. the old /accounts/login/)
            assert response.status_code != 302 or "login" not in response["Location"], url
    assert len(redirected) >= 15, redirected  # summary, profile, orders, addresses, alerts…
    page = client.get(login)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{language}"' in html and SIGN_IN[language] in html


@pytest.mark.parametrize(
    ("url", "language"),
    [
        ("/shop/accounts/", "vi"),
        ("/shop/accounts/orders/", "vi"),
        ("/shop/accounts/profile/", "vi"),
        ("/shop/accounts/orders/100001/1/", "vi"),  # the project's own order-line view
        ("/en/shop/accounts/", "en"),
        ("/en/shop/accounts/orders/", "en"),
    ],
)
def test_anonymous_account_urls_follow_to_a_sign_in_page(client, url, language):
    response = client.get(url, follow=True)
    assert response.status_code == 200
    final, _status = response.redirect_chain[-1]
    assert (
        urlsplit(final).path
        == {"vi": "/shop/accounts/login/", "en": "/en/shop/accounts/login/"}[language]
    )
    html = response.content.decode()
    assert f'<html lang="{language}"' in html and 'name="login-username"' in html
