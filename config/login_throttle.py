"""Login throttling for the three sign-in forms (shop, Wagtail admin, Django admin): django-axes.

Axes counts failed sign-ins per account and per source address (AXES_LOCKOUT_PARAMETERS) and
refuses further attempts for a while once either reaches LOGIN_FAILURE_LIMIT. These functions are
the hooks axes calls: the account name as one key whatever its case, the visitor's address as
config.proxy left it, and the page a locked-out visitor sees.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.shortcuts import render
from django.utils.translation import gettext as _

# AccessAttempt.username is 255 characters; a longer name must not become a database error.
MAX_NAME = 255


class LoginThrottleBackend(AxesStandaloneBackend):
    """axes' backend (first in AUTHENTICATION_BACKENDS: refuses a locked-out account or address),
    except for a sign-in made without a request. Oscar signs a new customer in that way right
    after registration, with the password just chosen; axes' own backend raises an error there,
    which made registering a 500. No visitor is guessing a password in such a call."""

    def authenticate(self, request, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def login_name(request, credentials):
    """The account a sign-in is for, as one key: Oscar finds customers by e-mail whatever its
    case, so "Lan@Example.vn" and "lan@example.vn" must share a counter."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") or request.POST.get("login-username") or ""
    return str(name).strip().lower()[:MAX_NAME]


def client_address(request):
    """REMOTE_ADDR: behind the proxy, config.proxy has already replaced it with the visitor's
    address (never the client's own X-Forwarded-For), so axes must not read headers itself."""
    return request.META.get("REMOTE_ADDR") or None


def locked_out(request, original_response=None, credentials=None):
    """429 with a translated page: how long to wait, and how to reset the password meanwhile."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(
        request,
        "login_locked.html",
        {"minutes": minutes, "title": _("Too many failed sign-in attempts")},
        status=429,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
