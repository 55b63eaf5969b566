"""Directory tags: `{% producer_page_url producer %}` (the producer page URL, or "") and
`{% where_to_buy product %}` (points of sale and fairs where it can be bought in person)."""

from django import template

from directory import where_to_buy as where
from directory.links import producer_page_url as lookup

register = template.Library()


@register.simple_tag(takes_context=True)
def producer_page_url(context, producer):
    return lookup(producer, context.get("request"))


@register.inclusion_tag("directory/includes/where_to_buy.html", takes_context=True)
def where_to_buy(context, product):
    """Points of sale stocking `product` and fairs showing it, with a link to all points of sale."""
    request = context.get("request")
    return {
        "points_of_sale": where.points_of_sale(product, request),
        "fairs": where.fairs(product, request),
        "all_points_url": where.points_of_sale_index_url(request),
    }
