"""The resolver behind every printed QR: scan pages for people, linksets for machines.

Follows GS1's Conformant Resolver standard as its public test suite checks it: GET, HEAD and
OPTIONS with CORS; 400 for malformed URIs, 404 for codes that are not ours; the scan page is
the default link; `?linkType=` and `Accept: application/linkset+json` select other links;
query strings survive redirects.

What a URI answers is cached (per canonical URI, language and day) so a warm scan reads nothing
from the database; any change to a lot, product, producer or certificate invalidates it all, with
every cached page (the generation of `config.pagecache`).
"""

import hashlib
import json
import re

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from redis.exceptions import RedisError

from config.cache import mark_unavailable
from config.pagecache import GENERATION_KEY, current_generation
from config.proxy import source_network

from .digital_link import MalformedLink, parse_digital_link, parse_short_code
from .linkset import linkset_for, redirect_target, targets_for
from .scan import trace_digital_link, trace_short_code
from .scan_log import buffer_client, log_scan

LINKSET_TYPE = "application/linkset+json"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, Content-Type",
    "Access-Control-Expose-Headers": "Link, Location, Content-Language",
}
ENTRY_TTL = 60 * 60
DEGRADED_TTL = 30
TEMPLATES = {
    400: "traceability/bad_link.html",
    404: "traceability/unknown_code.html",
    429: "traceability/too_many.html",
}


def scan_language(request):
    """?lang= first, then the browser's Accept-Language among the scan page's languages."""
    offered = [code for code, _name in settings.SCAN_LANGUAGES]
    asked = request.GET.get("lang", "")
    if asked in offered:
        return asked
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = code.lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in offered:
                return candidate
    return offered[0]


def source_hash(request):
    """A salted hash of the client's source (its IPv6 /64, config.proxy.source_network): enough
    to rate-limit, useless to identify."""
    address = source_network(request.META.get("REMOTE_ADDR", ""))
    day = timezone.now().strftime("%Y%m%d")  # the salt changes daily
    return hashlib.sha256(f"{settings.SECRET_KEY}:{day}:{address}".encode()).hexdigest()[:16]


# User-Agent words of crawlers and of the link previews apps draw when a scan URI is shared in a
# chat (Zalo's, Facebook's, WhatsApp's, Telegram's, Skype's…): they fetch the page, nobody scanned
# a label. A person scanning inside an app (Zalo's or Facebook's QR reader and browser) sends
# that app's browser agent, which names none of these.
BOT_AGENT = re.compile(
    r"bot|crawl|spider|preview|slurp|facebookexternalhit|facebookcatalog|whatsapp/"
    r"|headlesschrome|lighthouse",
    re.IGNORECASE,
)


def is_bot(request):
    """The User-Agent names a crawler, a link previewer or an HTTP library."""
    return bool(BOT_AGENT.search(request.headers.get("User-Agent", "")))


def rate_keys(source, target):
    """Counters: the same code from one source (SCAN_RATE_PER_CODE a minute) and any codes from
    one source (SCAN_RATE_PER_SOURCE): a tour group scanning different labels on one IP passes."""
    minute = timezone.now().strftime("%Y%m%d%H%M")
    return (
        (f"scan:rate:{source}:{target}:{minute}", settings.SCAN_RATE_PER_CODE),
        (f"scan:rate:{source}:{minute}", settings.SCAN_RATE_PER_SOURCE),
    )


GENERATION_REDIS_KEY = cache.make_and_validate_key(GENERATION_KEY)


def generation_and_rate(source, target):
    """The cache generation and whether the source is over a limit, in one Redis round trip."""
    limits = rate_keys(source, target)
    client = buffer_client()
    if client is not None:
        try:
            return _generation_and_rate_in_redis(client, limits)
        except RedisError as error:  # down: the cache answers as an empty one meanwhile
            mark_unavailable(error)
    generation, counts = current_generation(), []
    for key, _limit in limits:
        cache.add(key, 0, 120)
        try:
            counts.append(cache.incr(key))
        except ValueError:
            counts.append(1)
    limited = any(count > limit for count, (_key, limit) in zip(counts, limits, strict=True))
    return generation, limited


def _generation_and_rate_in_redis(client, limits):
    pipe = client.pipeline(transaction=False)
    pipe.get(GENERATION_REDIS_KEY)
    for key, _limit in limits:
        pipe.incr(key)
    generation, *counts = pipe.execute()
    fresh = [key for count, (key, _limit) in zip(counts, limits, strict=True) if count == 1]
    if fresh:  # a new minute's counter: let it expire (once a minute per counter)
        for key in fresh:
            client.expire(key, 120)
    generation = current_generation() if generation is None else int(generation)
    limited = any(count > limit for count, (_key, limit) in zip(counts, limits, strict=True))
    return generation, limited


def shared_region(request):
    """The visitor's country, only when they chose to share it on the page (PDP law)."""
    region = request.GET.get("region", "")
    if request.GET.get("share") == "1" and region in settings.SCAN_REGIONS:
        return region
    return ""


def _with_cors(response):
    for header, value in CORS.items():
        response[header] = value
    response["Vary"] = "Accept, Accept-Language"
    return response


def _render(request, template, context, language):
    with translation.override(language):
        return render_to_string(
            template,
            {
                **context,
                "language": language,
                "languages": settings.SCAN_LANGUAGES,
                "contact_email": settings.OCOP_CONTACT_EMAIL,
                "site_name": settings.OCOP_SITE_NAME,
                "regions": settings.SCAN_REGIONS,
            },
            request=request,
        )


def problem(request, status, language, reason="", asked=""):
    body = _render(request, TEMPLATES[status], {"reason": reason, "asked": asked}, language)
    response = HttpResponse(body, status=status)
    response["Content-Language"] = language
    if status == 429:
        response["Retry-After"] = "60"
    return _with_cors(response)


@csrf_exempt
@transaction.non_atomic_requests  # reads, plus one scan record: no request-wide transaction
def resolve_digital_link(request, rest):
    def canonical():
        link = parse_digital_link(rest)
        return "/".join(("01", link.gtin, link.lot or "", link.serial or "")), link

    return _resolve(request, canonical, trace_digital_link)


@csrf_exempt
@transaction.non_atomic_requests
def resolve_short_code(request, code):
    def canonical():
        parsed = parse_short_code(code)
        return f"q/{parsed}", parsed

    return _resolve(request, canonical, trace_short_code)


def _resolve(request, canonical, find):
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return _with_cors(response)
    language = scan_language(request)
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse(status=405)
        response["Allow"] = "GET, HEAD, OPTIONS"
        return _with_cors(response)
    try:
        key, parsed = canonical()
    except MalformedLink as exc:
        return problem(request, 400, language, str(exc), request.path)
    source = source_hash(request)
    generation, limited = generation_and_rate(source, key)
    if limited:
        return problem(request, 429, language)

    entry = cached_entry(request, generation, key, parsed, find, language)

    def count_scan():
        """Only a person's GET of the page counts (an unknown code's too: a counterfeit
        signal): not HEAD, not a linkset or a redirect for a machine, not a link previewer."""
        if request.method == "GET" and not is_bot(request):
            region = shared_region(request)
            log_scan(source_hash=source, language=language, region=region, **entry["scan"])

    if entry["status"] == 404:
        count_scan()
        return problem(request, 404, language, asked=request.path)

    link_type = request.GET.get("linkType", "")
    if link_type in ("linkset", "all") or LINKSET_TYPE in request.headers.get("Accept", ""):
        response = HttpResponse(entry["linkset"], content_type=LINKSET_TYPE)
        return _with_cors(response)
    target = redirect_target(entry["targets"], link_type, request.GET)
    if target:
        response = HttpResponse(status=307)
        response["Location"] = target
        return _with_cors(response)
    count_scan()
    response = HttpResponse(entry["body"])
    response["Content-Language"] = language
    response["Link"] = f'<{entry["uri"]}?linkType=linkset>; rel="linkset"; type="{LINKSET_TYPE}"'
    response["Cache-Control"] = "no-cache"  # a revoked certificate must show on the next scan
    return _with_cors(response)


# A small per-process copy of recent answers, so a warm scan does not fetch the page from Redis.
LOCAL_ENTRIES = {}
LOCAL_LIMIT = 2000


def cached_entry(request, generation, key, parsed, find, language):
    """Everything a URI answers in one language today: from this process, the cache, or built."""
    cache_key = f"scan:{generation}:{timezone.localdate().isoformat()}:{language}:{key}"
    entry = LOCAL_ENTRIES.get(cache_key)
    if entry is None:
        entry = cache.get(cache_key)
        if entry is None:
            entry = build_entry(request, key, parsed, find, language)
            # Drawn without its photo because the file store failed: kept only briefly.
            cache.set(cache_key, entry, DEGRADED_TTL if entry.get("degraded") else ENTRY_TTL)
        if entry.get("degraded"):
            return entry
        if len(LOCAL_ENTRIES) >= LOCAL_LIMIT:
            LOCAL_ENTRIES.clear()
        LOCAL_ENTRIES[cache_key] = entry
    return entry


def build_entry(request, key, parsed, find, language):
    trace = find(parsed)
    if trace is None:
        entry = {"status": 404, "scan": {"unknown_code": key[:120]}}
    else:
        scan_uri = f"{settings.SITE_URL}/{key.rstrip('/')}" if key.startswith("q/") else trace.uri
        with translation.override(language):
            linkset = json.dumps(linkset_for(trace, scan_uri), ensure_ascii=False)
            targets = targets_for(trace, scan_uri)
        entry = {
            "status": 200,
            "uri": scan_uri,
            "body": _render(request, "traceability/scan.html", {"trace": trace}, language),
            "degraded": trace.image_failed,
            "linkset": linkset,
            "targets": targets,
            "scan": {
                "lot_id": trace.lot.pk if trace.lot else None,
                "label_id": trace.label.pk if trace.label else None,
                "product_id_seen": trace.product.pk,
                "unknown_code": key[:120] if trace.missing else "",
            },
        }
    return entry


def resolver_description(request):
    """/.well-known/gs1resolver: what this resolver answers (GS1 Resolver standard 1.2)."""
    return _with_cors(
        JsonResponse(
            {
                "name": f"{settings.OCOP_SITE_NAME} GS1 Digital Link resolver",
                "resolverRoot": settings.SITE_URL,
                "supportedPrimaryKeys": ["01"],
                "supportedLinkType": [
                    f"gs1:{name}"
                    for name in ("defaultLink", "pip", "certificationInfo", "traceability")
                ],
                "linkTypeDefaultCanBeLinkset": False,
                "supportedContextValuesEnumerated": {
                    "lang": [code for code, _name in settings.SCAN_LANGUAGES]
                },
                "shortCodes": f"{settings.SITE_URL}/q/{{code}}",
            }
        )
    )
