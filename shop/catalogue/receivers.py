"""The catalogue reacts to registry syncs: products are linked to new certificates by GTIN."""

from django.dispatch import receiver

from traceability.sync import certifications_synced

from .linking import link_by_gtin


@receiver(certifications_synced)
def link_new_certificates(sender, run, registry_ids, **kwargs):
    link_by_gtin(registry_ids)
