"""Order addresses with Vietnamese five-digit postcodes; everything else is Oscar's."""

from oscar.apps.address.abstract_models import AbstractBillingAddress, AbstractShippingAddress

from shop.address.postcodes import VietnamesePostcode


class ShippingAddress(VietnamesePostcode, AbstractShippingAddress):
    pass


class BillingAddress(VietnamesePostcode, AbstractBillingAddress):
    pass


from oscar.apps.order.models import *  # noqa: E402,F403
