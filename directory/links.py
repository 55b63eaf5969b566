"""Producer → page URL, for pages that show a producer (product and scan pages).

One query fills a map of every live producer page for the current language; the map is cached
until a producer page is published, unpublished, moved or deleted.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from cms.privacy import public_live
from config.pagecache import remember

CACHE_TIMEOUT = 60 * 60


def _cache_key(language):
    return f"directory:producer-page-urls:{language}"


def active_locale_id():
    """The active language's Wagtail locale id (None without one), kept until locales change."""
    from wagtail.models import Locale

    def find():
        try:
            return Locale.get_active().pk
        except Locale.DoesNotExist:
            return 0

    return remember(f"locale-id:{translation.get_language()}", find) or None


def active_language_first(pages):
    """`pages` sorted so those in the active language come first (a stable sort keeps the rest)."""
    pages = list(pages)
    if len(pages) < 2:
        return pages
    locale_id = active_locale_id()
    return sorted(pages, key=lambda page: page.locale_id != locale_id)


def forget_producer_page_urls():
    cache.delete_many([_cache_key(code) for code, _name in settings.LANGUAGES])


def producer_page_urls(request=None):
    """{producer id: URL} for the active language (another language's page when none)."""
    from .models import ProducerPage

    language = translation.get_language() or settings.LANGUAGE_CODE
    key = _cache_key(language)
    urls = cache.get(key)
    if urls is None:
        urls = {}
        for page in active_language_first(public_live(ProducerPage.objects)):
            if page.producer_id not in urls:
                url = page.get_url(request)
                if url:
                    urls[page.producer_id] = url
        cache.set(key, urls, CACHE_TIMEOUT)
    return urls


def producer_page_url(producer, request=None):
    if producer is None:
        return ""
    producer_id = getattr(producer, "pk", producer)
    return producer_page_urls(request).get(producer_id, "")
