"""Emails about an order (placed, payment received, shipped), in the language it was placed in.

Templates live in the theme (`oscar/communication/emails/commtype_<code>_*`), where staff can
override them in the database through Oscar's communication event types as usual. Guests who
gave only a phone number get no email; their status page link is on the confirmation page.
"""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_class

OrderDispatcher = get_class("order.utils", "OrderDispatcher")
Dispatcher = get_class("communication.utils", "Dispatcher")

ORDER_PLACED = "ORDER_PLACED"
PAYMENT_RECEIVED = "PAYMENT_RECEIVED"
SHIPPED = "ORDER_SHIPPED"

logger = logging.getLogger("shop.order")


def status_path(order):
    """Where the customer follows the order: their account, or a signed link for guests."""
    if order.user_id:
        return reverse("customer:order", kwargs={"order_number": order.number})
    return reverse("payments:order-status", args=[order.number, order.verification_hash()])


def status_url(order):
    with translation.override(order.language or settings.LANGUAGE_CODE):
        return settings.SITE_URL + status_path(order)


def notify(order, code):
    if not order.email:
        return False
    with translation.override(order.language or settings.LANGUAGE_CODE):
        context = {"order": order, "lines": order.lines.all(), "status_url": status_url(order)}
        messages = Dispatcher().get_messages(code, context)
        OrderDispatcher(logger=logger).dispatch_order_messages(order, messages, code)
    return True
