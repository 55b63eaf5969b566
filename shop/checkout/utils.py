"""Checkout session data, plus the phone number a guest may give instead of an email address."""

from oscar.apps.checkout import utils
from oscar.apps.checkout.utils import *  # noqa: F403  Oscar's forking convention


class CheckoutSessionData(utils.CheckoutSessionData):
    def set_guest_phone(self, phone):
        """Keep a guest's phone number (E.164 text, or "" for none) for the shipping step."""
        self._set("guest", "phone", phone)

    def get_guest_phone(self):
        return self._get("guest", "phone", "")
