"""Matching registry records to catalogue products: by registry id (the link itself), else GTIN.

Nothing is guessed: a product is linked only when one of its certificate's GTINs is exactly
the product's GTIN, the product has no certificate yet and the certificate is its own producer's
(`traceability.certification.certificate_mismatch`, the rule every form follows too). A record
that changes hands in the registry (another producer, other GTINs) is unlinked from the products
it no longer belongs to. What was refused or unlinked is named in the sync's problems for staff.
"""

from dataclasses import dataclass

from oscar.core.loading import get_model

from traceability.certification import certificate_mismatch
from traceability.models import Certification, Lot
from traceability.sync import note_problem

Product = get_model("catalogue", "Product")


def link_by_gtin(registry_ids, run=None):
    """Link unlinked products to the given certificates by GTIN; return how many were linked."""
    certificates = Certification.objects.filter(registry_id__in=registry_ids).exclude(gtins=[])
    by_gtin = {}
    for certificate in certificates.select_related("producer"):
        for gtin in certificate.gtins:
            by_gtin.setdefault(gtin, []).append(certificate)
    if not by_gtin:
        return 0
    linked = 0
    products = Product.objects.filter(certification__isnull=True, gtin__in=list(by_gtin))
    for product in products.select_related("producer"):
        matches = by_gtin[product.gtin]
        if len(matches) != 1:
            continue
        certificate = matches[0]
        reason = certificate_mismatch(product.producer, product.gtin, certificate)
        if reason:
            _note(run, certificate, product, reason, "not linked to")
            continue
        product.certification = certificate
        product.save(update_fields=["certification"])
        linked += 1
    return linked


def unlink_mismatched(registry_ids, run=None):
    """Unlink products from the given certificates where these no longer belong to them (the
    registry moved the certificate to another producer or dropped the product's GTIN)."""
    products = Product.objects.filter(certification__registry_id__in=registry_ids)
    unlinked = []
    for product in products.select_related("producer", "certification__producer"):
        reason = product.certificate_link_problem()
        if reason:
            _note(run, product.certification, product, reason, "unlinked from")
            unlinked.append(product.pk)
    if unlinked:
        # Unlinking can never break the rule; one UPDATE, like the sync's own writes.
        Product.objects.filter(pk__in=unlinked).update(certification=None)
    return len(unlinked)


def _note(run, certificate, product, reason, action):
    if run is not None:
        note_problem(
            run, f"record {certificate.registry_id}: {action} product {product.pk}: {reason}"
        )


@dataclass(frozen=True)
class Mismatch:
    """A product or lot carrying a certificate that is not its own (made before the rule held)."""

    kind: str  # "product" or "lot"
    carrier: object
    producer: object
    certificate: object
    reason: str


def mismatches():
    """Every product and lot whose certificate breaks `certificate_mismatch`, in id order."""
    products = (
        Product.objects.filter(certification__isnull=False)
        .select_related("producer", "certification__producer")
        .order_by("pk")
    )
    for product in products.iterator(chunk_size=500):
        reason = product.certificate_link_problem()
        if reason:
            yield Mismatch("product", product, product.producer, product.certification, reason)
    lots = (
        Lot.objects.filter(certification__isnull=False)
        .select_related("product__producer", "certification__producer")
        .order_by("pk")
    )
    for lot in lots.iterator(chunk_size=500):
        reason = lot.certificate_link_problem()
        if reason:
            yield Mismatch("lot", lot, lot.product.producer, lot.certification, reason)


def unlinked_certificates():
    """Certificates no product is sold under: for staff to link (or to add the product)."""
    return Certification.objects.filter(products__isnull=True).select_related("producer")
