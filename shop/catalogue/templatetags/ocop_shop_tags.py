from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from oscar.templatetags.category_tags import get_annotated_list

from config.pagecache import remember
from shop.catalogue.images import responsive_photo
from shop.catalogue.jsonld import product_jsonld

register = template.Library()


@register.simple_tag
def product_json_ld(product, info):
    """<script type="application/ld+json"> for a product page."""
    body = product_jsonld(product, info)
    return mark_safe(f'<script type="application/ld+json">{body}</script>')  # noqa: S308


@register.inclusion_tag("includes/product_photo.html")
def product_photo(product, widths="320 480 640", sizes="100vw", alt="", priority=False, lazy=True):
    """A product's main photo as a responsive <img> (or a placeholder when it has none).

    `priority` marks the page's largest photo (the product page's): fetched first. Photos in
    the first screenful pass `lazy=False`; the rest wait until they near the screen.
    """
    photo = responsive_photo(product, [int(w) for w in widths.split()])
    return {"photo": photo, "sizes": sizes, "alt": alt, "priority": priority, "lazy": lazy}


@register.simple_tag(takes_context=True)
def shop_categories(context, depth=None):
    """Oscar's `category_tree` as plain dicts (name, url, pk, has_children, num_to_close, level),
    kept in the cache until the catalogue changes: the header and the product list show it on
    every shop page, and Oscar reads it with two queries each time."""

    def build():
        return [
            {
                "name": info.category.name,
                "url": info["url"],
                "pk": info.category.pk,
                "has_children": info.get("has_children", False),
                "num_to_close": info.get("num_to_close", []),
                "level": info.get("level", 0),
            }
            for info in get_annotated_list(depth=depth)
        ]

    return remember(f"categories:{get_language()}:{depth}", build, context.get("request"))
