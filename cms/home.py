"""What the home page's live blocks show, computed when the page is shown (never stored).

Each function answers in a fixed number of queries however many items there are, so the home
page costs the same with three fairs or three hundred.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from wagtail.images import get_image_model

from directory.geo import map_frame, project
from directory.models import CommunePage, commune_rows
from events.models import TradeFairPage, live_and_next
from news.models import NewsArticlePage
from shop.catalogue.selectors import certified_products, featured_products

MAP_WIDTH = 400
NEWS_THUMBNAIL = "fill-640x360"


def _languages():
    """The visitor's language, then the site's default one when they differ."""
    current = get_language() or settings.LANGUAGE_CODE
    return [current] if current == settings.LANGUAGE_CODE else [current, settings.LANGUAGE_CODE]


def in_visitor_language(queryset, limit=None):
    """Pages of `queryset` in the visitor's language; those in the default language when there
    are none, so an English visitor sees Vietnamese news rather than an empty box."""
    for language in _languages():
        pages = queryset.filter(locale__language_code=language)
        pages = list(pages[:limit] if limit else pages)
        if pages:
            return pages
    return []


def chosen_products(products):
    """The chosen products that hold a certificate today, in the editor's order."""
    ids = [product.pk for product in products if product is not None]
    found = certified_products().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def automatic_products(count):
    return featured_products(count)


def upcoming_fairs(count, now=None):
    """Fairs not yet over, soonest first."""
    now = now or timezone.now()
    fairs = TradeFairPage.objects.live().public().filter(end__gte=now).order_by("start", "pk")
    return in_visitor_language(fairs, count)


def livestreams(now=None):
    """(live now, next upcoming) livestreams, as the events strip computes them."""
    live, upcoming = [], None
    for language in _languages():
        live, upcoming = live_and_next(now=now, language=language)
        if live or upcoming:
            break
    return live, upcoming


def latest_news(count, category=None):
    """The newest articles, of one category when given, with their lead image's thumbnail."""
    images = get_image_model().objects.prefetch_renditions(NEWS_THUMBNAIL)
    articles = (
        NewsArticlePage.objects.live()
        .public()
        .prefetch_related(Prefetch("lead_image", queryset=images))
        .order_by("-date", "-first_published_at", "-pk")
    )
    if category is not None:
        articles = articles.filter(categories=category)
    return in_visitor_language(articles, count)


def commune_map(bounds=None, width=MAP_WIDTH):
    """The communes with a page, with counts and their position on a map of the province.

    Returns {"width", "height", "rows"}; each row has `number` (the marker's label, shared by
    the list under the map) and `point` ((x, y), or None for a commune with no point set or
    one outside the province's box, which is then listed but not drawn).
    """
    bounds = bounds or settings.OCOP_PROVINCE_BOUNDS
    pages = CommunePage.objects.live().public()
    rows = commune_rows(in_visitor_language(pages))
    for number, row in enumerate(rows, 1):
        page = row["page"]
        row["number"] = number
        row["point"] = (
            project(page.latitude, page.longitude, bounds, width) if page.has_point else None
        )
    return {"width": width, "height": round(map_frame(bounds, width), 1), "rows": rows}
