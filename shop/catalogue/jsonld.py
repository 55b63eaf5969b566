"""schema.org JSON-LD for product pages: the product, its offer and its OCOP certification."""

import json

from traceability.certification import standing
from traceability.digital_link import digital_link_uri

from .summary import whole_dong

SCHEMA = "https://schema.org/"


def product_jsonld(product, info, request):
    url = request.build_absolute_uri(product.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.get_title(),
        "url": url,
        "sku": product.upc or str(product.pk),
    }
    if product.gtin:
        data["gtin14"] = product.gtin
        data["sameAs"] = digital_link_uri(product.gtin)  # the GS1 Digital Link of the product
    if product.producer_id:
        data["manufacturer"] = {"@type": "Organization", "name": product.producer.name}
    if info.price.exists:
        data["offers"] = {
            "@type": "Offer",
            "price": whole_dong(info.price.incl_tax),
            "priceCurrency": info.price.currency,
            "availability": SCHEMA
            + ("InStock" if info.availability.is_available_to_buy else "OutOfStock"),
            "url": url,
        }
    certificate = product.certification
    if certificate is not None:
        active = standing(certificate).sellable
        data["hasCertification"] = {
            "@type": "Certification",
            "name": f"OCOP {certificate.stars}★",
            "issuedBy": {"@type": "Organization", "name": certificate.issuer},
            "certificationIdentification": certificate.decision_no,
            "certificationRating": {
                "@type": "Rating",
                "ratingValue": certificate.stars,
                "bestRating": 5,
                "worstRating": 3,
            },
            "certificationStatus": SCHEMA
            + ("CertificationActive" if active else "CertificationInactive"),
            "validFrom": certificate.decision_date.isoformat(),
            "expires": certificate.valid_until.isoformat(),
        }
    # escape "<" so that no value can close the script element
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
