"""The catalogue reacts to registry syncs: products are linked to new certificates by GTIN."""

from django.dispatch import receiver

from traceability.sync import certificates_changed

from .linking import link_by_gtin


@receiver(certificates_changed)
def link_new_certificates(sender, run, registry_ids, **kwargs):
    link_by_gtin(registry_ids)
