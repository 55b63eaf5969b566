"""Shipping methods that staff set up in the Wagtail admin, each one an Oscar shipping method.

- `OrderAndItemCharges` (Oscar's model): a flat charge per order for a region of provinces.
- `WeightBased` and `WeightBand` (Oscar's models): a charge by the basket's weight, in bands,
  for a region; above the top band, the top charge plus a price for each further kilogram.
- `PickupPoint`: collection at a point of sale (showroom, fair booth), free, for every address.

Delivery methods can be free from a basket amount. Amounts are whole đồng, VAT included.
Regions are sets of province codes (see `regions`); Oscar's per-country restriction is left in
place for its dashboard but not used: the shop delivers in Vietnam only.
"""

from decimal import ROUND_CEILING, Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from oscar.apps.shipping.abstract_models import (
    AbstractBase,
    AbstractOrderAndItemCharges,
    AbstractWeightBand,
    AbstractWeightBased,
)
from oscar.core.utils import slugify

from .fields import ProvinceCodesField
from .methods import PickUp, in_whole_dong, vnd_price
from .regions import region_covers, region_label

# Codes Oscar and this app give their own built-in methods; a staff method must not take one.
RESERVED_CODES = {"__default__", "free-shipping", "no-shipping-required", "no-delivery-available"}


def whole_dong_field(verbose_name, **kwargs):
    kwargs.setdefault("help_text", _("In whole đồng, VAT included."))
    return models.DecimalField(
        verbose_name,
        max_digits=12,
        decimal_places=0,
        validators=[MinValueValidator(0)],
        **kwargs,
    )


class ShippingMethodSettings(models.Model):
    """What every kind of method has: on/off, a place in the list, a code unique across kinds."""

    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active methods are offered at checkout.")
    )
    sort_order = models.PositiveSmallIntegerField(
        _("sort order"),
        default=10,
        help_text=_(
            "Methods with a lower number are listed first; with the same number, the cheapest "
            "comes first."
        ),
    )

    is_pickup = False

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The checkout finds the chosen method by its code among all kinds at once, so a code
        # must be unique across kinds, not only within one table as Oscar's slug field ensures.
        if not self.code:
            self.code = unique_method_code(self.name, self)
        super().save(*args, **kwargs)

    def is_offered(self):
        return self.is_active


class RegionalDelivery(ShippingMethodSettings):
    """A delivery method for a region of provinces, free from a basket amount if staff say so."""

    provinces = ProvinceCodesField(
        _("provinces"),
        default=list,
        blank=True,
        help_text=_("The provinces this method delivers to. Tick none for every province."),
    )
    free_shipping_threshold = whole_dong_field(
        _("free delivery from"),
        null=True,
        blank=True,
        help_text=_(
            "Delivery is free when the basket, after discounts and with VAT, reaches this amount "
            "in đồng. Leave empty if it is never free."
        ),
    )

    class Meta:
        abstract = True

    def delivers_to(self, province_code):
        return region_covers(self.provinces, province_code)

    def is_free_for(self, basket):
        return (
            self.free_shipping_threshold is not None
            and basket.total_incl_tax >= self.free_shipping_threshold
        )

    def amount_to_free_delivery(self, basket):
        """What the customer must still buy for free delivery; None when it is never free."""
        if self.free_shipping_threshold is None:
            return None
        return max(self.free_shipping_threshold - basket.total_incl_tax, Decimal(0))

    @property
    def region_label(self):
        return region_label(self.provinces)


class OrderAndItemCharges(RegionalDelivery, AbstractOrderAndItemCharges):
    price_per_order = whole_dong_field(_("charge per order"), default=0)
    price_per_item = whole_dong_field(
        _("charge per item"),
        default=0,
        help_text=_("Added for each item that needs shipping. In whole đồng, VAT included."),
    )

    class Meta(AbstractOrderAndItemCharges.Meta):
        ordering = ["sort_order", "name"]
        verbose_name = _("flat-rate delivery")
        verbose_name_plural = _("flat-rate deliveries")

    def calculate(self, basket):
        # Oscar's own rule already frees delivery from `free_shipping_threshold`.
        return in_whole_dong(super().calculate(basket))


class WeightBased(RegionalDelivery, ClusterableModel, AbstractWeightBased):
    default_weight = models.DecimalField(
        _("default weight (kg)"),
        max_digits=12,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0)],
        help_text=_("Weight counted for a product that has no weight attribute."),
    )
    price_per_extra_kg = whole_dong_field(
        _("charge per kg above the top band"),
        default=0,
        help_text=_(
            "Above the heaviest band: that band's charge plus this for each started kilogram. "
            "In whole đồng."
        ),
    )

    class Meta(AbstractWeightBased.Meta):
        ordering = ["sort_order", "name"]
        verbose_name = _("weight-based delivery")
        verbose_name_plural = _("weight-based deliveries")

    def is_offered(self):
        # Without bands Oscar would charge nothing: a half-configured method must not look free.
        return self.is_active and self.bands.exists()

    def calculate(self, basket):
        if self.is_free_for(basket):
            return vnd_price(0)
        return in_whole_dong(super().calculate(basket))

    def get_charge(self, weight):
        """The charge of the lightest band that holds the weight; above the top band, its charge
        plus `price_per_extra_kg` for each started kilogram over it (how couriers here charge),
        rather than Oscar's repeated top bands."""
        weight = Decimal(weight)
        top_band = self.top_band
        if top_band is None:
            return Decimal(0)
        if weight <= top_band.upper_limit:
            return self.get_band_for_weight(weight).charge
        extra_kg = (weight - top_band.upper_limit).to_integral_value(rounding=ROUND_CEILING)
        return top_band.charge + extra_kg * self.price_per_extra_kg


class WeightBand(AbstractWeightBand):
    # A parental key lets the admin edit the bands on the method's own page.
    method = ParentalKey(
        "shipping.WeightBased",
        on_delete=models.CASCADE,
        related_name="bands",
        verbose_name=_("method"),
    )
    upper_limit = models.DecimalField(
        _("up to (kg)"),
        max_digits=12,
        decimal_places=3,
        db_index=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("Baskets up to this weight; the next lighter band sets where it starts."),
    )
    charge = whole_dong_field(_("charge"))

    class Meta(AbstractWeightBand.Meta):
        verbose_name = _("weight band")
        verbose_name_plural = _("weight bands")


class PickupPoint(ShippingMethodSettings, AbstractBase):
    """A place where customers collect their order: a showroom, a stall at a trade fair."""

    # Collection does not depend on where the customer lives.
    countries = None

    name = models.CharField(
        _("name"),
        max_length=128,
        unique=True,
        help_text=_("Shown to the customer, e.g. “Nhận tại điểm bán OCOP Tủa Chùa”."),
    )
    description = models.TextField(_("description"), blank=True)
    address = models.TextField(_("address"), help_text=_("Where the customer collects the order."))
    opening_hours = models.CharField(
        _("opening hours"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “7:30–17:00, thứ Hai đến thứ Bảy”."),
    )

    is_pickup = True

    class Meta(AbstractBase.Meta):
        ordering = ["sort_order", "name"]
        verbose_name = _("pick-up point")
        verbose_name_plural = _("pick-up points")

    def as_shipping_method(self):
        return PickUp(self)


def method_models():
    return (OrderAndItemCharges, WeightBased, PickupPoint)


def unique_method_code(name, instance=None):
    """A slug of the name that no other shipping method of any kind uses."""
    base = (slugify(name) or "method")[:120]
    code, number = base, 2
    while code in RESERVED_CODES or any(
        model.objects.filter(code=code)
        .exclude(pk=instance.pk if isinstance(instance, model) else None)
        .exists()
        for model in method_models()
    ):
        code = f"{base}-{number}"
        number += 1
    return code


from oscar.apps.shipping.models import *  # noqa: E402,F403
