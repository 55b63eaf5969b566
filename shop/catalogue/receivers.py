"""The catalogue reacts to registry syncs: products are linked to new certificates by GTIN, and
the products of producers the registry renamed are re-indexed (the producer's name and commune
are part of a product's search text)."""

from django.dispatch import receiver

from sitesearch.indexing import reindex
from traceability.sync import certificates_changed, producers_changed

from .linking import link_by_gtin, unlink_mismatched


@receiver(certificates_changed)
def link_new_certificates(sender, run, registry_ids, **kwargs):
    unlink_mismatched(registry_ids, run)
    link_by_gtin(registry_ids, run)


@receiver(producers_changed)
def reindex_products(sender, producer_ids, **kwargs):
    from .models import Product

    reindex(
        Product.objects.filter(producer_id__in=producer_ids).select_related(
            "producer", "product_class"
        )
    )
