"""Whole public pages cached for anonymous visitors, and the one generation number that makes
every cached page and scan answer stale at once.

Who is served from the cache: GET and HEAD requests without a session, basket or messages cookie
or an Authorization header (so never a signed-in user, nor a visitor with a basket or a pending
message), to paths outside the basket, checkout, account, payment, dashboard and admin areas,
with no query parameter other than PAGE_CACHE_QUERY_PARAMS (a search's `q` among them: answers
to a query are kept PAGE_CACHE_SEARCH_SECONDS at most, and a visitor's query is a key as typed,
so the search box shows it as typed; it is kept the second time it is asked, so queries made up
by the thousand leave only small markers). What is kept: 200 HTML answers, and
the public API's JSON, that set no cookie, leave the session alone and do not say
`Cache-Control: private`, `no-cache` or `no-store`. A visitor with a basket neither reads nor
feeds the shared copy.

The key holds the generation, the local date, scheme, host, the active language (LocaleMiddleware
runs first and takes it from the URL prefix), path and query string. Compression is not in it:
GZipMiddleware sits outside this one and compresses each answer, hit or not, for the client that
asked for it (`Vary: Accept-Encoding` as on any page). The cached headers are those of the layers
inside this one (Content-Security-Policy: hashes, never a nonce; X-Frame-Options; Content-Type);
the layers outside (security headers, Content-Language, the CSRF cookie) run on hits as on misses.

CSRF: a cached page must not hand one visitor's token to others. For a request that may be cached,
templates get a placeholder as `csrf_token` (`csrf_placeholder`, a context processor listed after
Django's own, so it wins); the placeholder is what the cache keeps, and every answer, first or
cached, gets a freshly masked token of the visitor's own secret from `get_token`, which also makes
CsrfViewMiddleware set or renew the CSRF cookie, exactly as an uncached page would. A page that
took a real token another way (`get_token` in Python) is not kept. The placeholder is derived from
SECRET_KEY, so no content can contain it by chance or design.

Invalidation: any change to what a public page shows bumps the generation (kept in the cache, so
with Redis every process and node sees it): saves and deletes of the models in SOURCES, of every
Wagtail setting and snippet, Wagtail publishing, moves and deletions, the registry sync's bulk
writes and stock allocation (`invalidate` called by that code). The bump happens at once and
again when the transaction commits, so a page rebuilt from data not yet committed is never kept
under the new number. Time: the key holds the local date (a certificate lapses at midnight) and
an entry lives PAGE_CACHE_SECONDS at most and never past the next moment registered clocks name
(a fair or livestream starting or ending). PAGE_CACHE_SECONDS=0 switches the page cache off.
When a copy reaches its age under traffic, one request renders the new one and the others get
the old copy meanwhile (`X-Page-Cache: stale`, at most STALE_SECONDS more and never past the
next clock moment or a new generation), instead of every visitor of that moment rendering the
same page at once.

Why not a package: Django's cache middleware and wagtail-cache both keep a page with a CSRF token
per visitor's cookies (or not at all), which is every product card here (add-to-basket forms),
and invalidate by clearing everything on page publish only.
"""

import datetime
import functools
import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property

GENERATION_KEY = "pages:generation"
HEADER = "X-Page-Cache"
# A copy that has reached its age is still handed out this long while one request renders the
# new one (at most RENEW_SECONDS before another may try), unless the clock changes the page.
STALE_SECONDS = 30
RENEW_SECONDS = 10

# Areas that are never cached, below any language prefix: someone's basket, order, account or
# payment, staff pages, and answers with their own caching (the scan resolver).
PRIVATE_PREFIXES = (
    "/shop/basket/",
    "/shop/checkout/",
    "/shop/accounts/",
    "/shop/wishlists/",
    "/shop/payments/",
    "/shop/dashboard/",
    "/shop/password-reset/",
    "/shop/search/",
)
UNPREFIXED_PRIVATE = (
    "/healthz",  # probes touch neither the database nor the cache
    "/readyz",
    "/admin/",
    "/django-admin/",
    "/api/v1/docs",
    "/i18n/",
    "/documents/",
    "/01/",
    "/q/",
    "/Q/",
)

# Models whose rows public pages show (besides Wagtail pages, settings and snippets).
SOURCES = (
    "catalogue.Product",
    "catalogue.ProductImage",
    "catalogue.ProductClass",
    "catalogue.Category",
    "catalogue.ProductCategory",
    "catalogue.ProductRecommendation",
    "catalogue.ProductAttribute",
    "catalogue.ProductAttributeValue",
    "catalogue.AttributeOption",
    "catalogue.Option",
    "partner.Partner",
    "partner.StockRecord",
    "offer.ConditionalOffer",
    "offer.Range",
    "offer.RangeProduct",
    "offer.Condition",
    "offer.Benefit",
    "traceability.Producer",
    "traceability.Certification",
    "traceability.Lot",
    "traceability.LotEvent",
    "traceability.Label",
    "wagtailcore.Site",
    "wagtailcore.Locale",
    "wagtailcore.PageViewRestriction",
    "wagtailcore.CollectionViewRestriction",
    "wagtailimages.Image",
    "wagtaildocs.Document",
    "wagtailredirects.Redirect",
    "taggit.Tag",
    "sites.Site",
    "flatpages.FlatPage",
)

# --- The generation ----------------------------------------------------------------------------


def _fresh():
    # From the clock (milliseconds): a cache emptied or restarted never hands out a number that
    # an older cached answer (in Redis or a worker's memory) was stored under.
    return int(time.time() * 1000)


def current_generation(request=None):
    """The generation every cached page and scan answer is stored under (once per request)."""
    if request is not None:
        known = getattr(request, "_page_generation", None)
        if known is not None:
            return known
    generation = cache.get_or_set(GENERATION_KEY, _fresh, None)
    if request is not None:
        request._page_generation = generation
    return generation


def _bump():
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, _fresh(), None)


def invalidate(**kwargs):
    """Make every cached page and scan answer stale: now, and again when the transaction commits.

    Usable as a signal receiver. The second bump covers a request that rebuilt a page between the
    first and the commit, from data the transaction had not yet committed.
    """
    _bump()
    connection = transaction.get_connection()
    if connection.in_atomic_block and not any(
        callback is _bump for _savepoints, callback, _robust in connection.run_on_commit
    ):
        transaction.on_commit(_bump)


def remember(name, build, request=None, timeout=60 * 60):
    """`build()`, kept in the cache until public content changes (for parts of pages that every
    visitor sees, such as the category tree; `name` must hold what the value depends on)."""
    key = f"pages:{current_generation(request)}:part:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value


# --- Time: what changes without anyone saving anything --------------------------------------

_clocks = []


def register_clock(clock):
    """`clock(now)` names the next moment (aware datetime, or None) a public page changes by
    itself, e.g. a livestream going live; no cached page outlives it."""
    if clock not in _clocks:
        _clocks.append(clock)


def next_local_midnight(now):
    local = timezone.localtime(now)
    tomorrow = local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time()))


def fresh_until(now=None, request=None):
    """The next moment a page changes with the clock: local midnight or a registered clock.

    Computed once per generation and kept until that moment.
    """
    now = now or timezone.now()
    key = f"pages:{current_generation(request)}:until"
    until = cache.get(key)
    if until is None or until <= now:
        moments = [next_local_midnight(now)]
        moments += [moment for clock in _clocks if (moment := clock(now)) and moment > now]
        until = min(moments)
        cache.set(key, until, max(1, int((until - now).total_seconds())))
    return until


# --- The middleware ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _placeholder(secret):
    digest = hmac.new(secret.encode(), b"page-cache-csrf", hashlib.sha256).hexdigest()
    return f"csrfplaceholder{digest[:32]}"


def placeholder():
    """What a cacheable page holds where the CSRF token goes (letters and digits only, like a
    token, so it survives escaping)."""
    return _placeholder(settings.SECRET_KEY)


def csrf_placeholder(request):
    """Context processor: the placeholder as `csrf_token` while a page may be cached."""
    if getattr(request, "_page_cache_candidate", False):
        return {"csrf_token": placeholder()}
    return {}


class PageCacheMiddleware:
    """Goes right after CsrfViewMiddleware (after SessionMiddleware and LocaleMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def private_prefixes(self):
        prefixes = list(UNPREFIXED_PRIVATE)
        for code, _name in settings.LANGUAGES:
            lead = "" if code == settings.LANGUAGE_CODE else f"/{code}"
            prefixes += [lead + prefix for prefix in PRIVATE_PREFIXES]
        return tuple(prefixes)

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if "q" in request.GET:  # free text: many answers, each seldom asked for again
            seconds = min(seconds, settings.PAGE_CACHE_SEARCH_SECONDS)
        if seconds <= 0 or not self.may_serve(request):
            return self.get_response(request)
        request._page_cache_candidate = True
        key = self.key(request)
        entry = cache.get(key)
        renewing = False
        if entry is not None and len(entry) == 4:  # (an older release kept 3)
            body, headers, expires, usable_until = entry
            now = time.time()  # the cache's own expiry may lag: the entry says when it ends
            if expires > now:
                return self.cached(request, body, headers, "hit")
            if usable_until > now:
                renewing = cache.add(f"{key}:renewing", 1, RENEW_SECONDS)
                if not renewing:
                    # Another request is rendering the new copy: this one gets the old one
                    # rather than joining a crowd that renders the same page at once.
                    return self.cached(request, body, headers, "stale")

        token_was_pending = request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        response = self.get_response(request)
        stored = False
        if request.method == "GET" and not token_was_pending and self.may_store(request, response):
            now = timezone.now()
            until = fresh_until(now, request)
            ttl = min(seconds, (until - now).total_seconds())
            if ttl >= 1 and self.asked_before(request, key, ttl):
                headers = [
                    (name, value)
                    for name, value in response.items()
                    if name.lower() not in ("content-length", HEADER.lower())
                ]
                # Served while a new copy is rendered: a little past its age, never past the
                # moment the page changes by the clock.
                usable = min(ttl + STALE_SECONDS, (until - now).total_seconds())
                at = now.timestamp()
                entry = (response.content, headers, at + ttl, at + usable)
                cache.set(key, entry, int(usable) + 1)
                stored = True
        if renewing:
            cache.delete(f"{key}:renewing")  # stored or not, the next request may try
        if response.streaming:
            if response.get("Content-Type", "").startswith("text/html"):
                # Read the stream before replacing it: the new stream must not read itself.
                response.streaming_content = self.streamed_with_token(
                    request, response.streaming_content
                )
            # Files (photos, downloads) carry no token and are handed on untouched.
        elif placeholder().encode() in response.content:
            response.content = self.with_token(request, response.content)
        if stored:
            response[HEADER] = "miss"
        return response

    def may_serve(self, request):
        if request.method not in ("GET", "HEAD") or settings.CSRF_USE_SESSIONS:
            return False
        if "Authorization" in request.headers:
            return False
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or settings.OSCAR_BASKET_COOKIE_OPEN in cookies
            or "messages" in cookies
        ):
            return False
        allowed = settings.PAGE_CACHE_QUERY_PARAMS
        if any(name not in allowed for name in request.GET):
            return False
        return not request.path.startswith(self.private_prefixes)

    def may_store(self, request, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        content_type = response.get("Content-Type", "")
        if not (
            content_type.startswith("text/html")
            or (content_type.startswith("application/json") and request.path.startswith("/api/"))
        ):
            return False
        cache_control = response.get("Cache-Control", "").lower()
        if any(word in cache_control for word in ("private", "no-cache", "no-store")):
            return False
        if "'nonce-" in response.get("Content-Security-Policy", ""):
            return False  # a nonce is for one answer only
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False  # a real token went into the page: it is this visitor's alone
        session = getattr(request, "session", None)
        return not (session is not None and session.modified)

    def cached(self, request, body, headers, state):
        response = HttpResponse(self.with_token(request, body))
        for name, value in headers:
            response[name] = value
        patch_vary_headers(response, ("Cookie",))  # as the pages it was rendered from
        response[HEADER] = state
        return response

    def asked_before(self, request, key, ttl):
        """A search answer is kept only when its query comes a second time within its lifetime:
        queries typed once (or made up by the thousand) leave a marker of a few bytes, not a
        page."""
        if "q" not in request.GET:
            return True
        return not cache.add(f"{key}:asked", 1, int(ttl) * 10)

    def key(self, request):
        query = request.META.get("QUERY_STRING", "")
        return ":".join(
            (
                "pages",
                str(current_generation(request)),
                timezone.localdate().isoformat(),
                translation.get_language() or "",
                hashlib.sha256(
                    f"{request.scheme}://{request.get_host()}{request.path}?{query}".encode()
                ).hexdigest(),
            )
        )

    def with_token(self, request, body):
        marker = placeholder().encode()
        if marker not in body:
            return body
        return body.replace(marker, get_token(request).encode())

    def streamed_with_token(self, request, chunks):
        for chunk in chunks:
            yield self.with_token(request, chunk)


def connect_signals():
    """Bump the generation whenever something a public page shows changes (from an app's
    `ready()`, once every model is loaded)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.contrib.settings.registry import registry as setting_models
    from wagtail.models import get_page_models
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move
    from wagtail.snippets.models import get_snippet_models

    models = [apps.get_model(label) for label in SOURCES]
    models += [*setting_models, *get_snippet_models()]
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(invalidate, sender=model, dispatch_uid=f"pages:{model._meta.label}")
    for model in get_page_models():
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"pages:{model._meta.label}")
    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(invalidate, dispatch_uid="pages:wagtail")
