"""sitemap.xml: every live, public CMS page in every locale and every browsable product in
every language, each with its hreflang alternates.

Django's sitemap framework does the XML, pagination and Last-Modified. Products use its
`i18n`/`alternates`/`x_default`, which fit them exactly: one product, the same path under each
language prefix. Wagtail pages don't fit that model (a translation is another page with its own
slug, and may not exist or be live), and `wagtail.contrib.sitemaps` lists only the default
site's root tree, without alternates, and with the Wagtail Site's configured hostname; so pages
get a small Sitemap of our own that reads every page once and groups translations by
`translation_key` in memory. Addresses are on SITE_URL's origin (config/origin.py).
"""

from collections import defaultdict

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import Q
from oscar.core.loading import get_model
from wagtail.models import Page, Site

from config.origin import site_origin
from traceability.certification import current_filter


class OriginSitemap(Sitemap):
    """Addresses on SITE_URL's origin, whatever host or scheme the sitemap was asked on."""

    def __init__(self, request):
        self.request = request

    def get_domain(self, site=None):
        return site_origin().netloc

    def get_protocol(self, protocol=None):
        return site_origin().scheme


class PageSitemap(OriginSitemap):
    def site_root_paths(self):
        site = Site.find_for_request(self.request)
        site_id = site.pk if site else None
        paths = Site.get_site_root_paths()
        return [p.root_path for p in paths if site_id is None or p.site_id == site_id]

    def items(self):
        roots = self.site_root_paths()
        if not roots:
            return []
        under_a_root = Q()
        for root in roots:
            under_a_root |= Q(url_path__startswith=root)
        pages = (
            Page.objects.live()
            .public()
            .filter(under_a_root)
            .select_related("locale")
            .order_by("path")
        )
        found = []
        for page in pages:
            # Not specific(): URLs come from url_path and the site's roots, and .specific()
            # would add a query per page type.
            page_path = self.page_path(page)
            if page_path:
                found.append((page, page_path))
        by_key = defaultdict(dict)
        for page, page_path in found:
            by_key[page.translation_key][page.locale.language_code] = page_path
        self.versions = by_key
        return found

    def page_path(self, page):
        parts = page.get_url_parts(self.request)
        return parts[2] if parts and parts[2] else None

    def location(self, item):
        return item[1]

    def lastmod(self, item):
        page = item[0]
        return page.last_published_at or page.latest_revision_created_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        base = f"{self.get_protocol(protocol)}://{self.get_domain()}"
        for url in urls:
            versions = self.versions[url["item"][0].translation_key]
            url["alternates"] = [
                {"lang_code": code, "location": base + versions[code]}
                for code, _name in settings.LANGUAGES
                if code in versions
            ]
            if settings.LANGUAGE_CODE in versions:
                url["alternates"].append(
                    {"lang_code": "x-default", "location": base + versions[settings.LANGUAGE_CODE]}
                )
        return urls


class ProductSitemap(OriginSitemap):
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        from shop.catalogue.models import CatalogueDisplay

        Product = get_model("catalogue", "Product")
        products = Product.objects.browsable().only("id", "slug", "date_updated").order_by("pk")
        if CatalogueDisplay.load(request_or_site=self.request).hide_uncertified:
            products = products.filter(current_filter(prefix="certification__"))
        return products

    def lastmod(self, product):
        return product.date_updated


def sitemaps_for(request):
    return {"pages": PageSitemap(request), "products": ProductSitemap(request)}
