from django import template
from django.conf import settings

from shop.address.vietnam import format_phone
from shop.payments import stripe_api, transfer

register = template.Library()


@register.simple_tag
def vietqr_details(order):
    """What a customer needs to pay this order by bank transfer, QR payload included."""
    return {
        "bank_name": settings.VIETQR_BANK_NAME,
        "account": settings.VIETQR_ACCOUNT,
        "account_name": settings.VIETQR_ACCOUNT_NAME,
        "amount": int(order.total_incl_tax),
        "note": str(order.number),
        "payload": transfer.order_payload(order),
    }


@register.simple_tag
def card_test_notice():
    """Whether the card payment pages say that no real money is taken (a demo card server)."""
    return stripe_api.shows_test_notice()


@register.filter
def phone(number):
    """A phone number as Vietnamese people write it ("0912 345 678"), "" for none."""
    return format_phone(number) if number else ""
