"""Daily rollups: what the staff dashboard and reports read instead of counting raw rows.

One row per day and per combination of the dimensions a panel filters or groups on. They are
rebuilt by `insight.rollups.refresh_rollups` (scheduled, and after the demo or the generator
load data): the days since the last refresh, plus any older day an order changed on.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.order.statuses import PAYMENT_METHOD_CHOICES
from traceability.rules import ProductGroup

# Rollups outlive what they count: a deleted product keeps its history, so no database constraint.
PRODUCT = dict(
    to="catalogue.Product",
    null=True,
    blank=True,
    on_delete=models.DO_NOTHING,
    db_constraint=False,
    related_name="+",
    verbose_name=_("product"),
)


class ScanDay(models.Model):
    """Scans of one day, per product, consented region and page language."""

    day = models.DateField(_("day"))
    # None: a code that is not ours (a possible counterfeit).
    product = models.ForeignKey(**PRODUCT)
    region = models.CharField(_("region (with consent)"), max_length=64, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    scans = models.PositiveIntegerField(_("scans"))

    class Meta:
        verbose_name = _("scans of a day")
        verbose_name_plural = _("scans per day")
        indexes = [models.Index(fields=["day"]), models.Index(fields=["product", "day"])]

    def __str__(self):
        return f"{self.day} {self.product_id or '?'}: {self.scans}"


class SalesDay(models.Model):
    """Sales of one day (orders placed that day whose money arrived), per payment method."""

    day = models.DateField(_("day"))
    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PAYMENT_METHOD_CHOICES, blank=True
    )
    orders = models.PositiveIntegerField(_("orders"))
    revenue = models.DecimalField(_("revenue (VND)"), max_digits=16, decimal_places=0)

    class Meta:
        verbose_name = _("sales of a day")
        verbose_name_plural = _("sales per day")
        indexes = [models.Index(fields=["day"])]

    def __str__(self):
        return f"{self.day} {self.payment_method}: {self.orders}"


class ProductSalesDay(models.Model):
    """Units and revenue of one product on one day, with the commune and group it belongs to."""

    day = models.DateField(_("day"))
    product = models.ForeignKey(**PRODUCT)
    # The producer's commune: what "one commune, one product" reports on.
    commune_code = models.PositiveIntegerField(_("commune code"), null=True, blank=True)
    product_group = models.CharField(
        _("product group"), max_length=32, choices=ProductGroup.choices, blank=True
    )
    quantity = models.PositiveIntegerField(_("units"))
    revenue = models.DecimalField(_("revenue (VND)"), max_digits=16, decimal_places=0)

    class Meta:
        verbose_name = _("product sales of a day")
        verbose_name_plural = _("product sales per day")
        indexes = [models.Index(fields=["day"]), models.Index(fields=["product", "day"])]

    def __str__(self):
        return f"{self.day} {self.product_id}: {self.quantity}"


class RollupState(models.Model):
    """How far one family of rollups has been rebuilt."""

    name = models.CharField(_("rollup"), max_length=16, unique=True)
    refreshed_at = models.DateTimeField(_("refreshed"), null=True, blank=True)
    refreshed_through = models.DateField(_("complete up to"), null=True, blank=True)
    # An older day whose raw rows changed since (an order paid or refunded later).
    stale_from = models.DateField(_("to rebuild from"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup state")
        verbose_name_plural = _("rollup states")

    def __str__(self):
        return self.name
