from django import template

from shop.shipping.selection import free_delivery_gap as gap

register = template.Library()


@register.simple_tag
def free_delivery_gap(method, basket):
    """`{% free_delivery_gap method basket as gap %}`: đồng still to buy for free delivery."""
    return gap(method, basket)
