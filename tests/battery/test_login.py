"""Item 10: sign-in brute force against every login form: the shop's, the Wagtail admin's, the
Django admin's, the Oscar dashboard's, Wagtail's for private pages and the checkout's for
returning customers (django-axes, config/login_throttle.py).

Each door is tried the way an attacker would: many passwords for one account from many
addresses, and many accounts from one address. After LOGIN_FAILURE_LIMIT failures the door
answers 429 with a translated page, even to the right password, and never a 500; a sign-in that
succeeds gets a new session key.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import certified_product

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-đúng-2026"
LOCKED_TITLE = "Too many failed sign-in attempts"


@dataclass(frozen=True)
class Door:
    name: str
    url: str
    username_field: str
    password_field: str
    extra: tuple = ()
    staff: bool = False

    def form(self, username, password):
        return {self.username_field: username, self.password_field: password, **dict(self.extra)}


DOORS = (
    Door(
        "shop",
        "/shop/accounts/login/",
        "login-username",
        "login-password",
        (("login_submit", "1"),),
    ),
    Door("Wagtail admin", "/admin/login/", "username", "password", staff=True),
    Door(
        "Django admin",
        "/django-admin/login/?next=/django-admin/",
        "username",
        "password",
        (("next", "/django-admin/"),),
        staff=True,
    ),
    Door("Oscar dashboard", "/shop/dashboard/login/", "username", "password", staff=True),
    # Wagtail's sign-in for pages that staff restrict to logged-in visitors.
    Door("Wagtail private pages", "/_util/login/", "username", "password", staff=True),
    # A returning customer signing in at the checkout's first step (with a basket).
    Door("checkout", "/shop/checkout/", "username", "password", (("options", "existing"),)),
)


def make_account(django_user_model, door, name):
    """A customer (signs in by e-mail at the shop) or a superuser (by user name, staff doors)."""
    email = f"{name}@example.vn"
    user = django_user_model.objects.create_user(
        name, email, PASSWORD, is_staff=door.staff, is_superuser=door.staff
    )
    return user, (name if door.staff else email)


def signed_in(client):
    return "_auth_user_id" in client.session


def attempt(client, door, login, password, address, **headers):
    if door.name == "checkout" and not client.cookies.get("oscar_open_basket"):
        product = certified_product()
        client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1}, REMOTE_ADDR=address)
    return client.post(door.url, door.form(login, password), REMOTE_ADDR=address, **headers)


def locked_page(response, language="vi"):
    with translation.override(language):
        title = gettext(LOCKED_TITLE)
    return response.status_code == 429 and title in response.content.decode()


def try_door(client, django_user_model, door, net=0):
    """What one door does under both attacks, and at an honest sign-in: a dict of figures.
    `net` picks fresh addresses: the counters are shared by all three doors."""
    limit = settings.AXES_FAILURE_LIMIT
    figures = {"server_errors": 0}

    def note(response):
        figures["server_errors"] += response.status_code >= 500
        return response

    # One account, a new address for every guess.
    _victim, victim_login = make_account(django_user_model, door, f"nan-nhan-{net}")
    answers = [
        note(attempt(client, door, victim_login, f"doan-{i}", f"198.51.{100 + net}.{i + 1}"))
        for i in range(limit)
    ]
    figures["account_failures_before_lock"] = next(
        (i + 1 for i, r in enumerate(answers) if r.status_code == 429), None
    )
    right_password = note(attempt(client, door, victim_login, PASSWORD, f"198.51.{100 + net}.200"))
    figures["account_locked"] = locked_page(right_password) and not signed_in(client)

    # One address, a new account for every guess; then a real account from it and from elsewhere.
    address = f"203.0.113.{9 + net}"
    answers = [
        note(attempt(client, door, f"khach-{net}-{i}@example.vn", "sai", address))
        for i in range(limit)
    ]
    figures["source_failures_before_lock"] = next(
        (i + 1 for i, r in enumerate(answers) if r.status_code == 429), None
    )
    _user, login = make_account(django_user_model, door, "nguoi-dung")
    from_locked = note(attempt(client, door, login, PASSWORD, address))
    figures["source_locked"] = locked_page(from_locked) and not signed_in(client)

    # The same account from another address, with a session opened before signing in.
    before = client.session
    before["basket_hint"] = "kept?"
    before.save()
    old_key = before.session_key
    success = note(attempt(client, door, login, PASSWORD, f"192.0.2.{44 + net}"))
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    figures["signed_in_elsewhere"] = success.status_code == 302 and signed_in(client)
    figures["session_rotated"] = new_key != old_key and not SessionStore().exists(old_key)
    return figures


def test_every_login_form_locks_per_account_and_per_source_and_rotates_the_session(
    client, django_user_model, battery
):
    limit = settings.AXES_FAILURE_LIMIT
    results = {}
    for net, door in enumerate(DOORS):
        client.logout()
        results[door.name] = try_door(client, django_user_model, door, net)
        django_user_model.objects.all().delete()
    ok = all(
        figures["account_failures_before_lock"] == limit
        and figures["source_failures_before_lock"] == limit
        and figures["account_locked"]
        and figures["source_locked"]
        and figures["signed_in_elsewhere"]
        and figures["session_rotated"]
        and figures["server_errors"] == 0
        for figures in results.values()
    )
    locked_doors = sum(r["account_locked"] and r["source_locked"] for r in results.values())
    rotated = sum(r["session_rotated"] for r in results.values())
    errors = sum(r["server_errors"] for r in results.values())
    battery.record(
        10,
        "Login brute force",
        f"{locked_doors}/{len(DOORS)} login forms locked after {limit} failures per account "
        f"and per source (429, translated); session key rotated {rotated}/{len(DOORS)}; "
        f"{errors} server errors",
        ok=ok,
    )
    assert ok, results


def test_changing_the_case_of_an_e_mail_does_not_reset_its_counter(client, django_user_model):
    door = DOORS[0]
    make_account(django_user_model, door, "lan")
    spellings = ["lan@example.vn", "LAN@example.vn", " Lan@Example.VN", "lAn@eXample.vn"]
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, door, spellings[i % len(spellings)], "sai", f"198.51.100.{i + 1}")
    assert locked_page(attempt(client, door, "lan@example.vn", PASSWORD, "192.0.2.1"))


def test_the_lockout_page_is_in_the_visitors_language(client, django_user_model):
    door = DOORS[0]
    make_account(django_user_model, door, "anna")
    url = "/en" + door.url
    for i in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, door.form("anna@example.vn", "wrong"), REMOTE_ADDR=f"198.51.100.{i + 1}")
    response = client.post(url, door.form("anna@example.vn", PASSWORD), REMOTE_ADDR="192.0.2.7")
    assert locked_page(response, "en")
    assert response["Content-Language"] == "en"
    assert int(response["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()


def test_the_lock_lifts_after_the_wait(client, django_user_model):
    door = DOORS[2]
    make_account(django_user_model, door, "boss")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, door, "boss", "sai", "198.51.100.1")
    assert locked_page(attempt(client, door, "boss", PASSWORD, "192.0.2.1"))
    later = timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(later):
        response = attempt(client, door, "boss", PASSWORD, "192.0.2.1")
    assert response.status_code == 302 and signed_in(client)


def test_behind_the_proxy_the_source_is_the_visitor_not_the_proxy(
    client, django_user_model, settings
):
    """Production puts config.proxy first: axes must count the address the proxy saw, so one
    attacker cannot lock out everyone behind the proxy, nor dodge the count with a forged
    X-Forwarded-For of their own."""
    settings.MIDDLEWARE = ["config.proxy.ProxyAddressMiddleware", *settings.MIDDLEWARE]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    door = DOORS[0]
    make_account(django_user_model, door, "mai")
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(
            client,
            door,
            f"doan-{i}@example.vn",
            "sai",
            "127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"10.{i}.0.1, 203.0.113.50",  # forged entry, then the proxy's
        )
    from_attacker = attempt(
        client, door, "mai@example.vn", PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50"
    )
    assert locked_page(from_attacker)
    from_neighbour = attempt(
        client, door, "mai@example.vn", PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.51"
    )
    assert from_neighbour.status_code == 302 and signed_in(client)


def test_registering_signs_the_new_customer_in(client, django_user_model):
    """Oscar authenticates a new customer without a request; axes' own backend made it a 500."""
    response = client.post(
        "/shop/accounts/login/",
        {
            "registration-email": "moi@example.vn",
            "registration-password1": PASSWORD,
            "registration-password2": PASSWORD,
            "registration_submit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert signed_in(client)
    assert django_user_model.objects.filter(email="moi@example.vn").exists()


def test_the_checkout_counts_one_failure_per_wrong_password(client, django_user_model):
    """The gateway's form was validated twice per submission, so each wrong password counted
    twice and a customer was locked out after three."""
    from axes.models import AccessAttempt

    door = DOORS[-1]
    make_account(django_user_model, door, "hoa")
    attempt(client, door, "hoa@example.vn", "sai", "198.51.100.1")
    assert AccessAttempt.objects.get().failures_since_start == 1


def test_signing_in_as_another_customer_at_the_checkout_is_no_500(client, django_user_model):
    """Signing in as someone else empties the session; the gateway then wrote the guest's phone
    into checkout data that was gone."""
    door = DOORS[-1]
    first, _login = make_account(django_user_model, door, "mot")
    second, second_login = make_account(django_user_model, door, "hai")
    client.force_login(first)
    response = attempt(client, door, second_login, PASSWORD, "198.51.100.1")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(second.pk)


# --- One counter per account, whatever was typed ----------------------------------------------


def two_names(django_user_model, door, name):
    """An account and the two strings that sign it in: its user name and its e-mail."""
    user, _login = make_account(django_user_model, door, name)
    return user, name, f"{name}@example.vn"


SHOP, ADMIN = DOORS[0], DOORS[1]  # the shop takes e-mails; the Wagtail admin either name


@pytest.mark.parametrize(
    ("guessed_at", "guessed_with", "signed_at", "signed_with"),
    [
        (ADMIN, "username", ADMIN, "email"),
        (ADMIN, "email", ADMIN, "username"),
        (ADMIN, "username", SHOP, "email"),
        (SHOP, "email", ADMIN, "username"),
    ],
    ids=[
        "admin by name, admin by e-mail",
        "admin by e-mail, admin by name",
        "admin by name, shop by e-mail",
        "shop by e-mail, admin by name",
    ],
)
def test_a_locked_account_cannot_sign_in_by_its_other_name(
    client, django_user_model, guessed_at, guessed_with, signed_at, signed_with
):
    _user, username, email = two_names(django_user_model, ADMIN, "tuan")
    names = {"username": username, "email": email}
    guessed = names[guessed_with]
    answers = [
        attempt(client, guessed_at, guessed.upper() if i % 2 else guessed, "sai", f"198.51.100.{i}")
        for i in range(1, settings.AXES_FAILURE_LIMIT + 1)
    ]
    assert [r.status_code == 429 for r in answers] == [False] * (len(answers) - 1) + [True]
    # The right password, by the other name and in another case, from a fresh address.
    response = attempt(client, signed_at, names[signed_with].upper(), PASSWORD, "192.0.2.9")
    assert locked_page(response) and not signed_in(client)


def test_names_no_account_has_keep_counters_of_their_own(client, django_user_model):
    from axes.models import AccessAttempt

    door = DOORS[0]
    user, _username, _email = two_names(django_user_model, door, "thu")
    attempt(client, door, "Khong-Ai@Example.vn", "sai", "198.51.100.1")
    attempt(client, door, "THU@example.vn", "sai", "198.51.100.2")
    assert sorted(AccessAttempt.objects.values_list("username", flat=True)) == [
        "khong-ai@example.vn",
        f"user:{user.pk}",
    ]


def reset_password(client, email, new_password):
    """Oscar's password reset as its owner does it: ask, follow the e-mailed link, choose."""
    import re

    from django.core import mail

    mail.outbox.clear()
    asked = client.post("/shop/password-reset/", {"email": email}, REMOTE_ADDR="192.0.2.60")
    assert asked.status_code == 302
    link = re.search(r"https?://[^/\s]+(/\S*password-reset/confirm/\S+/)", mail.outbox[0].body)
    form_page = client.get(link.group(1), follow=True, REMOTE_ADDR="192.0.2.60")
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"new_password1": new_password, "new_password2": new_password},
        REMOTE_ADDR="192.0.2.60",
    )
    assert done.status_code == 302, done.content.decode()[:500]


def test_a_password_reset_unlocks_the_account_and_the_guessers_address_stays_locked(
    client, django_user_model
):
    door = DOORS[0]
    _user, _username, email = two_names(django_user_model, door, "hung")
    attacker = "203.0.113.66"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, door, email, "sai", attacker)
    assert locked_page(attempt(client, door, email, PASSWORD, "192.0.2.61"))

    new_password = "Mật-khẩu-mới-2026"
    reset_password(client, email, new_password)
    client.logout()
    response = attempt(client, door, email, new_password, "192.0.2.62")
    assert response.status_code == 302 and signed_in(client)
    client.logout()
    # The address the guesses came from is still locked, for this account as for any other.
    assert locked_page(attempt(client, door, email, new_password, attacker))


def test_an_ipv6_source_is_its_64(client, django_user_model):
    """A subscriber picks a new address of their /64 for every guess: still one source."""
    door = DOORS[0]
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, door, f"khach-{i}@example.vn", "sai", f"2001:db8:5:6::{i + 1:x}")
    _user, login = make_account(django_user_model, door, "lien")
    assert locked_page(attempt(client, door, login, PASSWORD, "2001:db8:5:6:abcd::9"))
    elsewhere = attempt(client, door, login, PASSWORD, "2001:db8:5:7::1")
    assert elsewhere.status_code == 302 and signed_in(client)
