"""Template helpers for OCOP stars and certificate badges."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.inclusion_tag("includes/stars.html")
def ocop_stars(stars):
    """Star rating as text glyphs with an accessible label (no icon font needed)."""
    stars = int(stars or 0)
    return {
        "stars": stars,
        "filled": "★" * stars,
        "empty": "☆" * (5 - stars),
        "label": _("OCOP %(stars)s stars") % {"stars": stars},
    }


@register.inclusion_tag("includes/certificate_badge.html")
def certificate_badge(product, verbose=False):
    return {"product": product, "standing": product.standing, "verbose": verbose}
