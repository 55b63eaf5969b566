"""Matching registry records to catalogue products: by registry id (the link itself), else GTIN.

Nothing is guessed: a product is linked only when one of its certificate's GTINs is exactly
the product's GTIN and the product has no certificate yet. The rest is listed for staff.
"""

from oscar.core.loading import get_model

from traceability.models import Certification

Product = get_model("catalogue", "Product")


def link_by_gtin(registry_ids):
    """Link unlinked products to the given certificates by GTIN; return how many were linked."""
    certificates = Certification.objects.filter(registry_id__in=registry_ids).exclude(gtins=[])
    by_gtin = {}
    for certificate in certificates.only("pk", "gtins"):
        for gtin in certificate.gtins:
            by_gtin.setdefault(gtin, set()).add(certificate.pk)
    if not by_gtin:
        return 0
    linked = 0
    for product in Product.objects.filter(certification__isnull=True, gtin__in=list(by_gtin)):
        matches = by_gtin[product.gtin]
        if len(matches) == 1:
            product.certification_id = next(iter(matches))
            product.save(update_fields=["certification"])
            linked += 1
    return linked


def unlinked_certificates():
    """Certificates no product is sold under: for staff to link (or to add the product)."""
    return Certification.objects.filter(products__isnull=True).select_related("producer")
