"""Product querysets that bring producer and certificate along: lists and pages cost a fixed
number of queries, whatever the size of the catalogue."""

from oscar.apps.catalogue.managers import *  # noqa: F403
from oscar.apps.catalogue.managers import ProductQuerySet as CoreProductQuerySet


class ProductQuerySet(CoreProductQuerySet):
    def base_queryset(self):
        return super().base_queryset().select_related("producer", "certification")

    def for_cards(self):
        """Products for cards and lists in three queries whatever their number: the products
        (class, producer, certificate, whether they have options), stock records and photos.

        Oscar's base queryset also prefetches variants and options, which no card reads: a card
        shows no basket form for a product with options (`has_options` comes with the product),
        and a parent's variants are asked for with `children.public()`, a query of its own."""
        return (
            self.base_queryset().prefetch_related(None).prefetch_related("stockrecords", "images")
        )

    def for_product_page(self):
        """One product with all its page shows, in four queries: the product (class, producer,
        certificate, parent, whether it has options), its stock records, photos and categories.

        No variants or options are prefetched: the page asks for them only when the product has
        some (`has_options` and `is_parent` come with the product)."""
        return self.for_cards().select_related("parent").prefetch_browsable_categories()
