"""Where a product can be bought in person: points of sale that stock it and fairs it is shown at.

Shown on the product page (and reached from the scan page), for a tourist who holds the product
or its label and wants more. Fairs are read by model name, so the directory imports no event code.
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language

from cms.privacy import public_live
from config.pagecache import remember

from .links import active_language_first
from .models import PointOfSaleIndexPage, PointOfSalePage, StockedProduct


@dataclass
class Place:
    title: str
    url: str
    address: str
    kind: str = ""
    opening_hours: str = ""
    booth: str = ""
    start: object = None
    end: object = None


def _in_active_locale(pages):
    """One page per translation: the active language's, else the first other one."""
    chosen = {}
    for page in active_language_first(pages):
        chosen.setdefault(page.translation_key, page)
    return list(chosen.values())


def points_of_sale(product, request=None):
    # Pages that ask a visitor to sign in (a view restriction) are not named to the public.
    public_pages = public_live(PointOfSalePage.objects).values("pk")
    stocked = StockedProduct.objects.filter(product=product, page__in=public_pages).select_related(
        "page"
    )
    pages = _in_active_locale(item.page for item in stocked)
    pages.sort(key=lambda page: (page.commune_name, page.title))
    return [
        Place(
            title=page.title,
            url=page.get_url(request),
            address=", ".join(filter(None, [page.address, page.commune_name])),
            kind=page.get_kind_display(),
            opening_hours=page.opening_hours,
        )
        for page in pages
    ]


def fairs(product, request=None):
    """Fairs not yet over where the product, or its producer with all their products, is shown."""
    Participant = apps.get_model("events", "TradeFairParticipant")
    public_pages = public_live(apps.get_model("events", "TradeFairPage").objects).values("pk")
    shown = Q(product=product)
    if product.producer_id:
        shown |= Q(product__isnull=True, producer_id=product.producer_id)
    participants = (
        Participant.objects.filter(shown, page__in=public_pages, page__end__gte=timezone.now())
        .select_related("page")
        .order_by("page__start")
    )
    booths = {}
    for participant in participants:
        booths.setdefault(participant.page_id, participant.booth)
    pages = _in_active_locale(participant.page for participant in participants)
    pages.sort(key=lambda page: page.start)
    return [
        Place(
            title=page.title,
            url=page.get_url(request),
            address=page.address,
            booth=booths.get(page.pk, ""),
            start=page.start,
            end=page.end,
        )
        for page in pages
    ]


def points_of_sale_index_url(request=None):
    """The list of points of sale in the active language (kept until pages change)."""

    def find():
        pages = _in_active_locale(public_live(PointOfSaleIndexPage.objects.all()))
        return pages[0].get_url(request) if pages else ""

    host = request.get_host() if request is not None else ""
    return remember(f"points-of-sale-url:{host}:{get_language()}", find, request)
