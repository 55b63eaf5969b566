"""sitemap.xml, robots.txt and favicon.ico, served at the root for every language."""

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from config.origin import absolute_url

from .sitemaps import sitemaps_for

# Nothing a search engine should index: staff screens, a visitor's own basket, checkout,
# account and payment pages, and search results (endless, thin, and costly to serve).
PRIVATE_PATHS = (
    "/admin/",
    "/django-admin/",
    "/shop/basket/",
    "/shop/checkout/",
    "/shop/accounts/",
    "/shop/payments/",
    "/shop/dashboard/",
    "/search/",
)
# Scan pages (printed QR codes) stay open at the lot level: /01/{gtin}/10/{lot} is real
# provenance for that batch. A serial (/21/…) is one printed label: thousands of URLs with the
# lot's content, and a crawler fetching them would be counted as scans and could trip the
# "one label scanned from many places" counterfeit signal. /q/ short codes can be a lot or a
# serial and nobody can tell from the URL, so they are closed too; a lot with a GTIN stays
# reachable at its /01/ address, and every product has its shop page.
SCAN_PATHS = ("/01/*/21/", "/q/", "/Q/")


def robots_lines(sitemap_url):
    prefixes = [""] + [
        f"/{code}" for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE
    ]
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {prefix}{path}" for path in PRIVATE_PATHS for prefix in prefixes]
    lines += [f"Disallow: {path}" for path in SCAN_PATHS]
    lines += ["", f"Sitemap: {sitemap_url}"]
    return lines


@require_safe
def robots_txt(request):
    sitemap_url = absolute_url(reverse("sitemap"))
    return HttpResponse("\n".join(robots_lines(sitemap_url)) + "\n", content_type="text/plain")


@require_safe
@cache_page(60 * 60)
def sitemap(request):
    return sitemap_views.sitemap(request, sitemaps_for(request))


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon: the scan page names none, to
    stay one request on a slow connection, and each scan would otherwise log a 404."""
    return HttpResponsePermanentRedirect(static("ocop/img/favicon.svg"))
