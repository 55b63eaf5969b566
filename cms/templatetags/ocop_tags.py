"""Template helpers for OCOP stars, certificate badges and inlined stylesheets."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from config.csp import inline_stylesheet

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


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    """The content sections editors put in the menu (cached; see cms.menus)."""
    from cms.menus import main_menu as items

    return {"items": items(context.get("request"))}


@register.simple_tag
def inline_style(name):
    """A theme stylesheet in a <style> element; the policy allows it by its hash (config.csp)."""
    return format_html("<style>{}</style>", mark_safe(inline_stylesheet(name)))  # noqa: S308
