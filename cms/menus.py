"""The main menu: the home page's children that editors mark "Show in menus", in tree order.

Read once per language and site, then cached until a page is published, unpublished, moved or
deleted, so the header costs no query on a warm page.
"""

from django.core.cache import cache
from django.utils import translation
from wagtail.models import Locale, Page, Site

CACHE_TIMEOUT = 60 * 60
_VERSION_KEY = "cms:menu-version"


def forget_menus(**kwargs):
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 1, None)


def main_menu(request):
    """[(title, url)] for the active language; the home page of another language when none."""
    language = translation.get_language() or ""
    version = cache.get_or_set(_VERSION_KEY, 1, None)
    host = request.get_host() if request is not None else ""
    key = f"cms:menu:{version}:{host}:{language}"
    items = cache.get(key)
    if items is None:
        items = _menu_items(request)
        cache.set(key, items, CACHE_TIMEOUT)
    return items


def _menu_items(request):
    site = Site.find_for_request(request) if request is not None else None
    root = site.root_page if site else Page.objects.filter(depth=2).first()
    if root is None:
        return []
    try:
        home = root.get_translation(Locale.get_active())
    except (Page.DoesNotExist, Locale.DoesNotExist):
        home = root
    pages = home.get_children().live().public().in_menu().specific(defer=True)
    items = [(page.title, page.get_url(request)) for page in pages]
    return [(title, url) for title, url in items if url]
