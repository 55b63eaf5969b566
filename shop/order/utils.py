"""Order placement with stock that cannot be oversold.

Oscar allocates stock by adding to `num_allocated` without looking at what is left, after its
availability check ran in an earlier query, so two buyers of the last unit can both win. Here the
allocation is one conditional UPDATE: it succeeds only while enough stock is free, and the database
serialises concurrent UPDATEs of the same row, so exactly one of them gets the last unit; the
others raise `OutOfStock` and their whole order is rolled back.
"""

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from oscar.apps.order.utils import *  # noqa: F403
from oscar.apps.order.utils import OrderCreator as CoreOrderCreator
from oscar.core.loading import get_model

from config.pagecache import invalidate

StockRecord = get_model("partner", "StockRecord")


class OutOfStock(Exception):
    def __init__(self, product):
        self.product = product
        super().__init__(
            _("Sorry, “%(title)s” sold out while you were checking out.")
            % {"title": product.get_title()}
        )


def allocate(stockrecord_id, quantity):
    """Hold `quantity` units if that many are free; True when held."""
    allocated = Coalesce(F("num_allocated"), 0)
    held = bool(
        StockRecord.objects.filter(
            pk=stockrecord_id, num_in_stock__gte=allocated + quantity
        ).update(num_allocated=allocated + quantity)
    )
    if held:
        invalidate()  # pages say how many are left (an UPDATE sends no post_save)
    return held


def tracks_stock(line):
    return line.stockrecord_id is not None and line.product.get_product_class().track_stock


class OrderCreator(CoreOrderCreator):
    def update_stock_records(self, line):
        if tracks_stock(line) and not allocate(line.stockrecord_id, line.quantity):
            raise OutOfStock(line.product)
