"""Pricing and availability for the OCOP storefront.

Prices are whole đồng with VAT included (so no tax is added on top); a product is available
only while its OCOP certificate holds today (see `traceability.certification`).
"""

from oscar.apps.partner.strategy import *  # noqa: F403
from oscar.apps.partner.strategy import (
    NoTax,
    StockRequired,
    Structured,
    UseFirstStockRecord,
)
from oscar.core.loading import get_class

NotCertified = get_class("partner.availability", "NotCertified")


class CertificationRequired(StockRequired):
    """Stock rules, behind the certificate: without a current certificate nothing is sold."""

    def availability_policy(self, product, stockrecord):
        standing = (product.parent if product.is_child else product).standing
        if not standing.sellable:
            return NotCertified(standing)
        return super().availability_policy(product, stockrecord)


class OCOPStrategy(UseFirstStockRecord, CertificationRequired, NoTax, Structured):
    pass


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return OCOPStrategy(request)
