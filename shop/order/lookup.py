"""A guest finds their order again by its number and the phone number or email they gave.

Guests may have given only a phone number at checkout (no email, so no mailed link). The phone is
the shipping address's (checkout fills it from the gateway); it is compared as a number, so
"0912 345 678", "0912345678" and "+84 912 345 678" are the same. Emails are compared without
regard to case. Only guests' orders are found this way: customers with an account sign in.
"""

import hmac

import phonenumbers
from oscar.core.loading import get_model

from shop.address.vietnam import VIETNAM

Order = get_model("order", "Order")


def _phone(text):
    """E.164 form of a phone number as typed (Vietnamese national form assumed), or ""."""
    try:
        number = phonenumbers.parse(str(text).strip(), VIETNAM)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _same(given, kept):
    return bool(given) and bool(kept) and hmac.compare_digest(given.encode(), kept.encode())


def contact_matches(order, contact):
    """Whether `contact` (a phone number or an email address) is the one given with the order."""
    contact = str(contact).strip()
    if "@" in contact:
        return _same(contact.lower(), (order.guest_email or "").strip().lower())
    address = order.shipping_address
    kept = address.phone_number if address is not None else None
    return _same(_phone(contact), kept.as_e164 if kept else "")  # stored numbers are E.164


def find_guest_order(number, contact):
    """The guest order with this number whose phone or email is `contact`, or None.

    The answer is the same (None) for an unknown number, a customer's order and a wrong contact,
    so a caller cannot tell whether the order exists.
    """
    order = (
        Order.objects.select_related("shipping_address")
        .filter(number=str(number).strip(), user__isnull=True)
        .first()
    )
    if order is None or not contact_matches(order, contact):
        return None
    return order
