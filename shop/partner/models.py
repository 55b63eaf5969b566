"""Stock records priced in whole đồng: VND has no minor unit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractStockRecord


class StockRecord(AbstractStockRecord):
    price = models.DecimalField(
        _("Price"),
        decimal_places=0,
        max_digits=12,
        blank=True,
        null=True,
        help_text=_("Whole đồng, VAT included."),
    )


from oscar.apps.partner.models import *  # noqa: E402,F403
