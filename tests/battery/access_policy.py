"""Who may open what, for the access matrix of tests/battery/test_access.py (item 11).

Every URL pattern of the project is found by walking the URL conf; each must match a rule here
(first match wins), or the matrix fails naming it. A rule says which personas may get a
successful answer. For the Django admin the rule is Django's own permission model: a staff
user with the view/add/change/delete permission of the model the URL serves, which
`staff.roles` declares per role. Everywhere else it is a set of personas, written from the role
table in the README and `staff/roles.py`.

Path parameters are filled with real objects, owned by customer A where anything is owned.
"""

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern

ANONYMOUS, A, B = "anonymous", "customer A", "customer B"
E, M, S, R = "editor", "moderator", "shop staff", "registry officer"
PERSONAS = (ANONYMOUS, A, B, E, M, S, R)
EVERYONE = frozenset(PERSONAS)
SIGNED_IN = EVERYONE - {ANONYMOUS}
WAGTAIL_USERS = frozenset({E, M, S, R})  # every role has wagtailadmin.access_admin
NOBODY = frozenset()  # superusers only


@dataclass(frozen=True)
class Pattern:
    route: str  # the URL conf's patterns joined, as Django's ResolverMatch.route has it
    name: str  # namespaced, "" when the pattern has no name
    callback: object


def url_patterns():
    """Every pattern of the URL conf (Vietnamese, unprefixed; /en/ serves the same views)."""
    found = []

    def join(prefix, own):
        # As Django joins them for ResolverMatch.route: an inner regex loses its "^".
        return prefix + own[1:] if prefix and own.startswith("^") else prefix + own

    def walk(patterns, prefix, namespaces):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                own = "" if isinstance(entry.pattern, LocalePrefixPattern) else str(entry.pattern)
                spaces = namespaces + ([entry.namespace] if entry.namespace else [])
                walk(entry.url_patterns, join(prefix, own), spaces)
            elif isinstance(entry, URLPattern):
                name = ":".join(namespaces + [entry.name]) if entry.name else ""
                found.append(Pattern(join(prefix, str(entry.pattern)), name, entry.callback))

    walk(get_resolver().url_patterns, "", [])
    return found


# --- The rules ----------------------------------------------------------------------------------
# (regex on the route, who may succeed). Some rules only probe the personas who are refused
# ("denied only"): a deliberate error page, for instance.


@dataclass(frozen=True)
class Rule:
    route: str
    allowed: frozenset
    why: str
    denied_only: bool = False


def rule(route, allowed, why, denied_only=False):
    return Rule(route, frozenset(allowed), why, denied_only)


OWNED_BY_A = frozenset({A})

RULES = [
    # Public: the site, the shop front, QR resolver, feeds, the API, health probes.
    rule(r"^(healthz|readyz|robots\.txt|sitemap\.xml|favicon\.ico)$", EVERYONE, "public"),
    rule(r"^\^01/|^\^\[qQ\]/|^\.well-known/", EVERYONE, "printed QR codes"),
    rule(r"^documents/", EVERYONE, "Wagtail documents (public collections)"),
    rule(r"^\^media/", EVERYONE, "uploaded public media, where the site serves them (SERVE_MEDIA)"),
    rule(r"^api/v1/", EVERYONE, "public read-only API"),
    rule(r"^(i18n/setlang/|jsi18n/)$", EVERYONE, "language switch"),
    rule(r"^admin/(sprite|jsi18n)/$", EVERYONE, "Wagtail's icons and translations (static)"),
    rule(r"^shop/payments/stripe/webhook/$", EVERYONE, "Stripe's webhook (signature checked)"),
    rule(r"^shop/payments/<str:number>/<str:signed>/", EVERYONE, "an order's signed link"),
    rule(r"^shop/checkout/user-address/", OWNED_BY_A, "A's address book entry"),
    rule(r"^shop/(checkout|basket|catalogue|offers|search|password-reset)/", EVERYONE, "shop"),
    rule(r"^shop/$", EVERYONE, "shop home"),
    rule(r"^shop/wishlists/", OWNED_BY_A, "A's private wish list"),
    rule(r"^shop/accounts/(login|logout|register)/$", EVERYONE, "signing in"),
    rule(
        r"^shop/accounts/alerts/create/",
        EVERYONE,
        "asking to be told when a product is back (a guest gives an e-mail and confirms it)",
    ),
    rule(
        r"^shop/accounts/order-status|^shop/accounts/alerts/(confirm|cancel/key)/",
        EVERYONE,
        "links mailed to guests (their hash or key is the permission)",
    ),
    rule(
        r"^shop/accounts/(orders/<str:order_number>/|addresses/\(|addresses/<int:pk>|"
        r"emails/<int:email_id>|notifications/<int:pk>|alerts/cancel/<int:pk>|"
        r"wishlists/<str:key>/|wishlists/<str:key>/)",
        OWNED_BY_A,
        "A's orders, addresses, e-mails, notifications, alerts, wish lists",
    ),
    rule(r"^shop/accounts/", SIGNED_IN, "one's own account"),
    rule(r"^search/$|^\^\(\?P<page_path>|^_util/|^\^\(\(\?:", EVERYONE, "site pages"),
    # The Oscar dashboard: shop staff (staff.roles.can_use_shop_dashboard).
    rule(r"^shop/dashboard/(login|logout)/$", EVERYONE, "signing in"),
    rule(
        r"^shop/dashboard/users/(\(\?P<pk>|$|results/)",
        NOBODY,
        "every user's e-mail and orders, staff included: no role has auth permissions",
    ),
    rule(r"^shop/dashboard/", {S}, "Oscar dashboard"),
    # The Django admin: by Django's model permissions (see `django_admin_perms`).
    rule(r"^django-admin/(login|logout)/$", EVERYONE, "signing in"),
    rule(
        r"^django-admin/catalogue/category/jsi18n/$",
        EVERYONE,
        "translations for the category tree's script (static text)",
    ),
    # Wagtail: who may sign in, and each area by its role.
    rule(r"^admin/(login|logout|password_reset)/", EVERYONE, "signing in"),
    rule(r"^admin/failwhale/$", WAGTAIL_USERS, "Wagtail's deliberate error page", True),
    rule(
        r"^admin/($|account/|jsi18n/|sprite/|dismissibles/|test404/|\.\*/\$|api/main/|"
        r"block-preview/|choose-page/|choose-(external|email|phone|anchor)-link/|"
        r"tag-autocomplete/|editing-sessions/|embeds/|workflows/task_chooser/|"
        r"(images|documents)/chooser/|snippets/choose/|news_product_chooser/|"
        r"pages/create/|pages/workflow/confirm_cancellation/|reports/(site-history/|$))",
        WAGTAIL_USERS,
        "Wagtail's own pages for anyone with admin access: its choosers (page titles, task "
        "names, embeds, and the pictures, documents, news categories and products one may "
        "choose), the parent chooser of a new page (only pages one may add to), whether "
        "cancelling a workflow needs confirming, site history (filtered to what each may "
        "see), the programme report",
    ),
    rule(
        r"^admin/(pages/|bulk/|translation/submit/page/|forms/|"
        r"images/|documents/|collections/|"
        r"reports/(locked|workflow|workflow_tasks|aging-pages|page-types-usage)/)",
        {E, M},
        "pages, pictures and documents: editors and moderators",
    ),
    rule(
        r"^admin/(snippets/|redirects/|translation/submit/snippet/)",
        {M},
        "news categories, redirects",
    ),
    rule(r"^admin/(insight|reports/exports)/", {S, R}, "sales to shop staff, scans to officers"),
    rule(r"^admin/(orders|shipping)/", {S}, "orders, bank statements, delivery"),
    rule(
        r"^admin/(users|groups|workflows|locales|sites)/",
        NOBODY,
        "people, roles, workflows, locales and sites: superusers only",
    ),
]

# Wagtail settings are one URL pattern per setting model: each gets its own probe.
SETTINGS_ALLOWED = {
    "payments.paymentsettings": {S},
    "cms.siteidentity": {M},
    "alerts.alertsettings": {S, R},
}


def rule_for(pattern):
    for candidate in RULES:
        if re.search(candidate.route, pattern.route):
            return candidate
    return None


# --- The Django admin: the model's permissions ---------------------------------------------------

ADMIN_ACTIONS = {
    "changelist": ("view", "change"),
    "change": ("view", "change"),
    "history": ("view", "change"),
    "add": ("add",),
    "delete": ("delete",),
}
# The admin's own views and custom views of model admins: the permission each one asks for.
ADMIN_CUSTOM = {
    "admin:index": (),
    "admin:password_change": (),
    "admin:password_change_done": (),
    "admin:autocomplete": (),
    "admin:jsi18n": (),
    "admin:javascript-catalog": (),
    "admin:view_on_site": (),
    "admin:traceability_lot_labels": ("traceability.change_lot",),
    "admin:traceability_lot_document": ("traceability.view_lot", "traceability.change_lot"),
    "admin:traceability_labelsheet_download": (
        "traceability.view_labelsheet",
        "traceability.change_labelsheet",
    ),
    "admin:traceability_certification_sync": ("traceability.change_certification",),
    "admin:traceability_certification_import": ("traceability.change_certification",),
    "admin:taggit_tag_merge_tags": ("taggit.change_tag",),
}
SUPERUSER_ONLY = "superusers only"


def django_admin_perms(pattern):
    """What the Django admin URL asks of a staff user: ("any", perms) = any one of them;
    () = staff status alone; SUPERUSER_ONLY; None = not a Django admin URL or unknown."""
    if not pattern.route.startswith("django-admin/"):
        return None
    if "/django_rq/" in pattern.route:
        return SUPERUSER_ONLY  # job queues: arguments of any job, clearing queues
    if pattern.name in ADMIN_CUSTOM:
        return ADMIN_CUSTOM[pattern.name]
    if pattern.route in ("django-admin/(?P<url>.*)$",):
        return ()  # the admin's 404 for anything else under it
    if pattern.route.startswith("django-admin/(?P<app_label>"):
        return "app"  # an app's index: any permission in that app
    parts = pattern.route.split("/")
    app_label, model_name = parts[1], parts[2]
    model = next(
        (
            m
            for m in admin.site._registry
            if (m._meta.app_label, m._meta.model_name) == (app_label, model_name)
        ),
        None,
    )
    if model is None:
        return None
    if model_name == "category" and parts[3] == "move":
        return (f"{app_label}.change_{model_name}",)
    suffix = pattern.name.rsplit("_", 1)[-1] if pattern.name.startswith("admin:") else ""
    if not pattern.name and parts[3] == "<path:object_id>":
        suffix = "change"  # the bare object URL redirects to its change page
    if suffix not in ADMIN_ACTIONS:
        return None
    return tuple(f"{app_label}.{verb}_{model_name}" for verb in ADMIN_ACTIONS[suffix])


def may_use_django_admin(user, perms, app_label=None):
    if user is None or not user.is_active or not user.is_staff:
        return False
    if perms == SUPERUSER_ONLY:
        return user.is_superuser
    if perms == "app":
        return user.has_module_perms(app_label)
    return not perms or any(user.has_perm(p) for p in perms)


# --- Filling path parameters ---------------------------------------------------------------

CONVERTER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")


def parameters(route):
    names = re.findall(r"\(\?P<(\w+)>", route)
    without_groups = re.sub(r"\(\?P<\w+>", "(", route)
    return names + [m.group("parameter") for m in CONVERTER.finditer(without_groups)]


def _replace_named_groups(route, values):
    """Put each value where its `(?P<name>…)` group is (groups may nest parentheses)."""
    out, i = [], 0
    while i < len(route):
        match = re.compile(r"\(\?P<(\w+)>").match(route, i)
        if not match:
            out.append(route[i])
            i += 1
            continue
        depth, j = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(route[j], 0)
            j += 1
        out.append(str(values[match.group(1)]))
        i = j
    return "".join(out)


def build_url(route, values):
    """The route with its parameters replaced by `values`; regex syntax removed."""
    url = _replace_named_groups(route, values)
    url = CONVERTER.sub(lambda m: str(values[m.group("parameter")]), url)
    url = re.sub(r"\[(.)[^\]]*\]", r"\1", url)  # a character class: its first character
    url = url.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + url
