"""Product querysets that bring producer and certificate along: lists cost O(1) queries."""

from oscar.apps.catalogue.managers import *  # noqa: F403
from oscar.apps.catalogue.managers import ProductQuerySet as CoreProductQuerySet


class ProductQuerySet(CoreProductQuerySet):
    def base_queryset(self):
        return super().base_queryset().select_related("producer", "certification")
