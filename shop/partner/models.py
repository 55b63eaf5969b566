"""Stock records priced in whole đồng: VND has no minor unit."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractPartnerAddress
from oscar.apps.partner.abstract_models import AbstractStockRecord

from shop.address.postcodes import VietnamesePostcode


class StockRecord(AbstractStockRecord):
    price = models.DecimalField(
        _("Price"),
        decimal_places=0,
        max_digits=12,
        blank=True,
        null=True,
        help_text=_("Whole đồng, VAT included."),
    )


class PartnerAddress(VietnamesePostcode, AbstractPartnerAddress):
    pass


from oscar.apps.partner.models import *  # noqa: E402,F403
