"""`{% producer_page_url producer %}`: the producer's directory page URL, or "" without one."""

from django import template

from directory.links import producer_page_url as lookup

register = template.Library()


@register.simple_tag(takes_context=True)
def producer_page_url(context, producer):
    return lookup(producer, context.get("request"))
