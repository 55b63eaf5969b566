from django import template
from django.utils.safestring import mark_safe

from shop.catalogue.jsonld import product_jsonld

register = template.Library()


@register.simple_tag(takes_context=True)
def product_json_ld(context, product, info):
    """<script type="application/ld+json"> for a product page."""
    body = product_jsonld(product, info, context["request"])
    return mark_safe(f'<script type="application/ld+json">{body}</script>')  # noqa: S308
