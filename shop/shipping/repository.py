"""The shipping methods Oscar's basket and checkout offer: those staff configured (see `models`)."""

from oscar.apps.shipping import repository

from .methods import NoDeliveryAvailable
from .selection import offered_methods


class Repository(repository.Repository):
    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        # The address model carries the province code of the 2025 two-tier divisions; an
        # address without one (or no address yet, on the basket page) is an unknown province.
        return offered_methods(basket, getattr(shipping_addr, "province_code", None))

    def get_default_shipping_method(self, basket, shipping_addr=None, **kwargs):
        # Oscar raises when nothing is configured, which would break the basket page; checkout
        # itself tells the customer that shipping is unavailable and asks for another address.
        methods = self.get_shipping_methods(basket, shipping_addr=shipping_addr, **kwargs)
        return methods[0] if methods else NoDeliveryAvailable()
