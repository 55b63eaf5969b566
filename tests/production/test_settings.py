"""Production settings as a deployment runs them: in a fresh process, from the environment."""

import importlib.util
import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.sentry import init_sentry

from .conftest import ROOT

SHOW_SETTINGS = """
import json, sys
import django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE,
                s.OSCAR_BASKET_COOKIE_SECURE, s.OSCAR_RECENTLY_VIEWED_COOKIE_SECURE],
    "hsts": [s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD],
    "redirect": [s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT],
    "db": [db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"]],
    "csrf_origins": s.CSRF_TRUSTED_ORIGINS,
    "log_format": s.LOGGING["handlers"]["console"]["formatter"],
    "sentry_loaded": "sentry_sdk" in sys.modules,
}))
"""


def _run(args, env, timeout=120):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def check_deploy(env):
    """`manage.py check --deploy` as a deployment runs it; warnings count as failures."""
    return _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


def test_check_deploy_reports_nothing(production_env):
    result = check_deploy(production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_https_is_switched_off(production_env):
    production_env["SECURE_SSL_REDIRECT"] = "false"
    production_env["SECURE_HSTS_SECONDS"] = "0"
    result = check_deploy(production_env)
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_production_defaults(production_env):
    result = _run(["-c", SHOW_SETTINGS], production_env)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["cookies"] == [True] * 5
    assert shown["hsts"] == [31536000, True, False]
    assert shown["redirect"] == [True, [r"^healthz$", r"^readyz$"]]
    assert shown["db"] == [60, True]
    assert shown["csrf_origins"] == ["https://ocop.test"]
    assert shown["log_format"] == "json"
    assert shown["sentry_loaded"] is False


@pytest.mark.parametrize("site_url", ["http://ocop.test", "http://127.0.0.1:8000"])
def test_production_refuses_a_site_url_that_is_not_https(production_env, site_url):
    production_env["SITE_URL"] = site_url
    result = _run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "SITE_URL must be the site's public https origin" in result.stderr


def test_production_allows_the_site_url_host_and_redirects_to_it(production_env):
    production_env["ALLOWED_HOSTS"] = "127.0.0.1"
    production_env["SITE_URL"] = "https://ocop.example.vn"
    shown = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.ALLOWED_HOSTS, s.SECURE_SSL_HOST, s.OSCAR_URL_SCHEMA, s.LABEL_DEMO_SHEETS)",
        ],
        production_env,
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == [
        "['127.0.0.1',",
        "'ocop.example.vn']",
        "ocop.example.vn",
        "https",
        "False",
    ]


def test_production_refuses_to_start_without_a_secret_key(production_env):
    del production_env["SECRET_KEY"]
    result = _run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable." in result.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("sentry_sdk") is not None, reason="sentry-sdk is installed here"
)
def test_sentry_dsn_without_the_sdk_says_what_to_install(production_env):
    production_env["SENTRY_DSN"] = "https://public@127.0.0.1:9/1"
    result = _run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "pip install sentry-sdk" in result.stderr


def test_sentry_settings_are_checked():
    assert init_sentry("") is False
    with pytest.raises(ImproperlyConfigured, match="SENTRY_TRACES_SAMPLE_RATE"):
        init_sentry("https://public@127.0.0.1:9/1", traces_sample_rate=2.0)


@pytest.mark.django_db
def test_cookies_carry_the_secure_flag_over_https(client, settings, django_user_model):
    """With the production cookie settings, session and CSRF cookies are Secure and HttpOnly."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    django_user_model.objects.create_user(
        "shopper", "shopper@ocop.test", "pw-123456", is_staff=True
    )
    login_page = client.get("/django-admin/login/", secure=True)
    assert login_page.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/django-admin/login/",
        {"username": "shopper@ocop.test", "password": "pw-123456"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True


@pytest.mark.parametrize("hosts", ["*", "ocop.test,*", "*.example.vn", "127.0.0.1, ocop*.vn"])
def test_production_refuses_a_wildcard_allowed_hosts(production_env, hosts):
    production_env["ALLOWED_HOSTS"] = hosts
    result = _run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must name the site's hosts, not a wildcard" in result.stderr
