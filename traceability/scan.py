"""What a scan answers: the product, its certificate today and when the lot was made, the lot.

One plain object shared by the scan page, the linkset and `/api/v1/trace/{code}`. Reads the
catalogue through the ORM by model name only, and asks whether the product is on sale of the
shop's Oscar strategy loaded by name (no shop code is imported): the scan page offers exactly
what the basket accepts.
"""

import logging
from dataclasses import dataclass, field
from functools import cached_property

from django.apps import apps
from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class
from oscar.core.thumbnails import get_thumbnailer
from PIL import features

from .certification import held_on, standing
from .digital_link import digital_link_uri, lot_uri
from .models import Label, Lot

logger = logging.getLogger(__name__)

SHOP_LANGUAGE_FALLBACK = "en"  # scan languages the shop itself is not translated into
SCAN_PHOTO_SIZE = "640x640"  # a phone's screen at twice its pixel density
# WebP at quality 80 where Pillow writes it: a third of the bytes of sorl's default JPEG (95).
SCAN_PHOTO_OPTIONS = {"upscale": False, "quality": 80}
if features.check("webp"):
    SCAN_PHOTO_OPTIONS["format"] = "WEBP"


@dataclass(frozen=True)
class Offer:
    """What may be offered of a traced product today.

    `for_sale` is the shop's own answer (its availability strategy, which asks the certificate's
    `standing` and the stock); `certified` is today's certificate alone, enough to point to the
    places that sell it in person.
    """

    for_sale: bool
    certified: bool

    @property
    def reason(self):
        """Why it cannot be bought online ("" when it can)."""
        if self.for_sale:
            return ""
        if not self.certified:
            return _("Not for sale: this product holds no current OCOP certificate.")
        return _("Not for sale online at the moment: out of stock.")


def shop_offer(product, certified):
    """Ask the shop's strategy, as the basket does, whether the product can be bought today."""
    strategy = get_class("partner.strategy", "Selector")().strategy()
    if product.is_parent:
        info = strategy.fetch_for_parent(product)
    else:
        info = strategy.fetch_for_product(product)
    return Offer(for_sale=bool(info.availability.is_available_to_buy), certified=certified)


@dataclass
class Trace:
    product: object
    lot: Lot | None = None
    label: Label | None = None
    missing: str = ""  # "lot" or "serial": asked for, not in our records (suspected fake)
    events: list = field(default_factory=list)
    image_failed: bool = False  # the photo could not be read (see image())

    @property
    def certificate(self):
        return self.product.certification

    @property
    def today(self):
        return standing(self.certificate)

    @property
    def certified_when_made(self):
        """The lot's certificate was in force on its production date (by its dates)."""
        return self.lot is not None and held_on(self.lot.certification, self.lot.produced_on)

    @cached_property
    def offer(self):
        """What the scan page may offer: buying online only when the basket would accept it."""
        return shop_offer(self.product, certified=self.today.sellable)

    @property
    def past_best_before(self):
        """The lot's best-before date has passed (local date)."""
        best_before = self.lot.best_before if self.lot else None
        return best_before is not None and best_before < self.today.on

    @property
    def producer(self):
        return self.product.producer

    @property
    def uri(self):
        if self.lot:
            return lot_uri(self.lot, self.label)
        return digital_link_uri(self.product.gtin) if self.product.gtin else ""

    def shop_path(self):
        language = translation.get_language()
        shop_language = language if language in dict(settings.LANGUAGES) else SHOP_LANGUAGE_FALLBACK
        with translation.override(shop_language):
            return self.product.get_absolute_url()

    def shop_url(self):
        return settings.SITE_URL + self.shop_path()

    def image(self):
        """The product's photo at most 640 px wide (url, width, height), or None.

        A thumbnail, whose URL and size sorl-thumbnail remembers: the page is drawn without
        reading the photo from the file store. When the store cannot be read the page goes
        without the photo and `image_failed` is set, so the page is not kept for long.
        """
        image = self.product.primary_image()
        original = getattr(image, "original", None) if not isinstance(image, dict) else None
        if not original:
            return None
        try:
            thumb = get_thumbnailer().generate_thumbnail(
                original, size=SCAN_PHOTO_SIZE, **SCAN_PHOTO_OPTIONS
            )
            return {"url": thumb.url, "width": thumb.width, "height": thumb.height}
        except Exception:  # an unreadable photo or a store that is down must not fail a scan
            logger.warning("No scan page photo for product %s", self.product.pk, exc_info=True)
            self.image_failed = True
            return None


def _product_model():
    return apps.get_model("catalogue", "Product")


# A product shown to the public: itself public and, for a variant, its parent too. Lots of any
# other product answer as an unknown code does (404): unpublished products appear nowhere.
def public_products_filter(prefix=""):
    """Products shown to the public (a variant only with its parent), for a query on a model
    that reaches the product by `prefix`."""
    return Q(**{f"{prefix}is_public": True}) & (
        Q(**{f"{prefix}parent__isnull": True}) | Q(**{f"{prefix}parent__is_public": True})
    )


PUBLIC_PRODUCT = public_products_filter()

LOT_RELATED = (
    "product__producer",
    "product__certification",
    "product__product_class",
    "certification",
)
PRODUCT_RELATED = ("producer", "certification", "product_class")


def trace_digital_link(link):
    """Trace for a parsed Digital Link, or None when the GTIN is not one of ours."""
    if link.serial:
        label = (
            Label.objects.select_related(*(f"lot__{r}" for r in LOT_RELATED), "lot")
            .filter(public_products_filter("lot__product__"))
            .filter(serial=link.serial, lot__product__gtin=link.gtin)
            .first()
        )
        if label and (link.lot is None or label.lot.code == link.lot):
            return _with_events(Trace(label.lot.product, label.lot, label))
    if link.lot:
        lot = (
            Lot.objects.select_related(*LOT_RELATED)
            .filter(public_products_filter("product__"))
            .filter(product__gtin=link.gtin, code=link.lot)
            .first()
        )
        if lot:
            return _with_events(Trace(lot.product, lot, missing="serial" if link.serial else ""))
    product = (
        _product_model()
        .objects.select_related(*PRODUCT_RELATED)
        .filter(PUBLIC_PRODUCT, gtin=link.gtin)
        .first()
    )
    if product is None:
        return None
    missing = "lot" if link.lot else ("serial" if link.serial else "")
    return Trace(product, missing=missing)


def trace_short_code(code):
    """Trace for a /q/ code (a lot's short code or a label's serial), or None."""
    lot = (
        Lot.objects.select_related(*LOT_RELATED)
        .filter(public_products_filter("product__"), short_code=code)
        .first()
    )
    if lot:
        return _with_events(Trace(lot.product, lot))
    label = (
        Label.objects.select_related(*(f"lot__{r}" for r in LOT_RELATED), "lot")
        .filter(public_products_filter("lot__product__"), serial=code)
        .first()
    )
    if label:
        return _with_events(Trace(label.lot.product, label.lot, label))
    return None


def _with_events(trace):
    trace.events = list(trace.lot.events.all())
    return trace
