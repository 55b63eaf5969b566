"""Oscar's shipping method classes, plus collection at a point of sale and whole-đồng prices.

Oscar loads this module by name (`shipping.methods`): what is not defined here comes from Oscar.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import *  # noqa: F403
from oscar.apps.shipping.methods import Base
from oscar.core import prices

# The storefront sells in đồng only, and prices already include VAT (the strategy is NoTax).
CURRENCY = "VND"

# Oscar's Order.shipping_method holds this many characters.
ORDER_LABEL_LENGTH = 128


def whole_dong(amount):
    """An amount as a Decimal of whole đồng (VND has no minor unit; Babel would round silently)."""
    return Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def vnd_price(amount):
    """A VAT-inclusive charge in whole đồng, as Oscar's checkout expects it."""
    amount = whole_dong(amount)
    return prices.Price(currency=CURRENCY, excl_tax=amount, incl_tax=amount)


def in_whole_dong(price):
    """Oscar's computed charge, restated in whole đồng with tax already included."""
    return vnd_price(price.incl_tax if price.is_tax_known else price.excl_tax)


class PickUp(Base):
    """Collection at a point of sale (a `PickupPoint`): no charge, any address.

    The name Oscar writes on the order is the point's name *and* address, so the order itself
    says where the customer will collect it.
    """

    is_pickup = True

    def __init__(self, point):
        self.point = point

    @property
    def code(self):
        return self.point.code

    @property
    def name(self):
        label = f"{self.point.name} — {' '.join(self.point.address.split())}"
        if len(label) > ORDER_LABEL_LENGTH:
            label = label[: ORDER_LABEL_LENGTH - 1].rstrip() + "…"
        return label

    @property
    def description(self):
        return self.point.description

    @property
    def sort_order(self):
        return self.point.sort_order

    def calculate(self, basket):
        return vnd_price(0)


class NoDeliveryAvailable(Base):
    """Stands in on the basket page when staff have switched every method off.

    Checkout itself never offers it: there Oscar tells the customer shipping is unavailable.
    """

    code = "no-delivery-available"
    name = _("No delivery method is available at the moment")

    def calculate(self, basket):
        return vnd_price(0)
