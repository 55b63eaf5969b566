"""Product queries used outside the catalogue views (home page, feeds)."""

from oscar.core.loading import get_model

from traceability.certification import current_filter

Product = get_model("catalogue", "Product")


def certified_products(on=None):
    """Browsable products whose certificate holds today, with everything a card needs."""
    return Product.objects.browsable().for_cards().filter(current_filter(on, "certification__"))


def featured_products(count):
    return list(certified_products().order_by("-certification__stars", "-date_created")[:count])
