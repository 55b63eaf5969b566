"""Which shipping methods a basket may use for a province, in the order customers see them."""

from .models import OrderAndItemCharges, PickupPoint, WeightBased
from .regions import province_code as as_province_code


def offered_methods(basket, province_code):
    """Active methods that reach the province (None: unknown, so only 'every province' methods)
    and every active pick-up point; by sort order, then cheapest first, then name."""
    province_code = as_province_code(province_code)
    methods = [
        method
        for model in (OrderAndItemCharges, WeightBased)
        for method in model.objects.filter(is_active=True)
        if method.is_offered() and method.delivers_to(province_code)
    ]
    methods += [point.as_shipping_method() for point in PickupPoint.objects.filter(is_active=True)]
    charged = [(method, method.calculate(basket).incl_tax) for method in methods]
    charged.sort(key=lambda pair: (pair[0].sort_order, pair[1], str(pair[0].name)))
    return [method for method, _charge in charged]


def free_delivery_gap(method, basket):
    """How much more to buy for this method to deliver free; None when it has no such offer."""
    method = getattr(method, "method", method)  # Oscar wraps methods when an offer discounts them
    amount_to_free = getattr(method, "amount_to_free_delivery", None)
    return amount_to_free(basket) if amount_to_free else None
