"""Login throttling for the three sign-in forms (shop, Wagtail admin, Django admin): django-axes.

Axes counts failed sign-ins per account and per source address (AXES_LOCKOUT_PARAMETERS) and
refuses further attempts for a while once either reaches LOGIN_FAILURE_LIMIT. These functions are
the hooks axes calls: the account a sign-in is for as one key whatever was typed (user name or
e-mail, in any case), the visitor's address as config.proxy left it, and the page a locked-out
visitor sees. A locked account recovers through a password reset: a new password forgets the
account's failures (`forget_failures_on_new_password`), while the sources keep theirs.
"""

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.utils.translation import gettext as _

from config.proxy import source_network

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


def account_key(user_id):
    """The counter of one account, however its owner (or a guesser) names it."""
    return f"user:{user_id}"


def find_account(name):
    """The id of the one account `name` names, or None.

    Every sign-in form accepts a user name (Django's backend) or an e-mail (Oscar's), and Oscar
    finds e-mails whatever their case: a user name first, then an e-mail, each ignoring case and
    naming exactly one account (an ambiguous name names none, and keeps a counter of its own).
    """
    if not name:
        return None
    User = get_user_model()
    for field in (User.USERNAME_FIELD, User.get_email_field_name()):
        ids = list(User._default_manager.filter(**{f"{field}__iexact": name}).values("pk")[:2])
        if len(ids) == 1:
            return ids[0]["pk"]
    return None


def login_name(request, credentials):
    """The account a sign-in is for, as one key: `user:<id>` for an existing account whether
    its user name or its e-mail was typed, in any case ("Lan@Example.vn", "lan@example.vn" and
    "lan" share a counter); for a name no account has, the name itself, folded."""
    name = (credentials or {}).get("username")
    if name is None:
        name = request.POST.get("username") or request.POST.get("login-username") or ""
    name = str(name).strip()
    user_id = find_account(name)
    if user_id is not None:
        return account_key(user_id)
    return name.lower()[:MAX_NAME]


def forget_account_failures(user_id):
    """Lift an account's lock: its failed attempts stop counting for the account, and still
    count for the addresses they came from (an attacker's source stays locked)."""
    return AccessAttempt.objects.filter(username=account_key(user_id)).update(username=None)


def forget_failures_on_new_password(sender, instance, update_fields=None, **kwargs):
    """pre_save of the user model: a new password (a completed password reset, or one set by
    its owner or staff) ends the account's lock. Guesses made against the old one mean nothing
    now, and the owner who proved they hold the mailbox can sign in at once."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    # set_password() keeps the raw password in `_password` until the save completes (Django's
    # own signal for "the password changed"), so no query is needed to tell.
    if getattr(instance, "_password", None) is not None:
        forget_account_failures(instance.pk)


def client_address(request):
    """REMOTE_ADDR: behind the proxy, config.proxy has already replaced it with the visitor's
    address (never the client's own X-Forwarded-For), so axes must not read headers itself. An
    IPv6 address counts as its /64 (config.proxy.source_network): one subscriber, one source."""
    address = request.META.get("REMOTE_ADDR")
    return source_network(address) if address else None


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
