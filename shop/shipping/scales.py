"""Oscar's basket scale, reading each product's `weight` attribute (kg) exactly.

Oscar turns a float attribute straight into a Decimal, so 1.1 kg becomes 1.1000000000000000888…
and ten of them weigh a hair over 11 kg, one kilogram too many once a charge counts started
kilograms. Here the value is read as written ("1.1", or "1,1" with a Vietnamese decimal comma in a
text attribute); a value that is not a weight counts as the method's default weight.
"""

import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ObjectDoesNotExist
from oscar.apps.shipping import scales

logger = logging.getLogger(__name__)


def parse_weight(value):
    """A weight in kg as a Decimal, or None when the value is empty or not a weight."""
    if value is None:
        return None
    try:
        weight = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return weight if weight.is_finite() and weight >= 0 else None


class Scale(scales.Scale):
    def weigh_product(self, product):
        try:
            value = product.get_attribute_values().get(attribute__code=self.attribute).value
        except ObjectDoesNotExist:
            value = None
        weight = parse_weight(value)
        if weight is not None:
            return weight
        if value not in (None, ""):
            logger.warning("Product %s has an unreadable %s: %r", product.pk, self.attribute, value)
        if self.default_weight is None:
            raise ValueError(f"No {self.attribute} for product {product} and no default weight")
        return Decimal(self.default_weight)
