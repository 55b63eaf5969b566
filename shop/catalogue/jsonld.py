"""schema.org JSON-LD for product pages: the product, its offer and its OCOP certification.

OCOP stars are a certification, not customer reviews: they go in `hasCertification`, never in
`aggregateRating` or `review`.
"""

import json

from config.origin import absolute_url
from traceability.certification import standing
from traceability.digital_link import digital_link_uri

from .images import share_thumbnail
from .summary import whole_dong

SCHEMA = "https://schema.org/"
# A stored GTIN-14 with leading zeros is a shorter GTIN padded: schema.org names each length.
GTIN_PROPERTIES = (("000000", "gtin8", 8), ("00", "gtin12", 12), ("0", "gtin13", 13))


def gtin_property(gtin14):
    """(schema.org property, digits) for a GTIN stored as 14 digits."""
    for zeros, name, length in GTIN_PROPERTIES:
        if gtin14.startswith(zeros):
            return name, gtin14[-length:]
    return "gtin14", gtin14


def product_jsonld(product, info):
    url = absolute_url(product.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.get_title(),
        "url": url,
        "sku": product.upc or str(product.pk),
    }
    if product.gtin:
        name, digits = gtin_property(product.gtin)
        data[name] = digits
        data["sameAs"] = digital_link_uri(product.gtin)  # the GS1 Digital Link of the product
    description = product.get_meta_description()
    if description:
        data["description"] = description
    thumbnail = share_thumbnail(product)
    if thumbnail is not None:
        data["image"] = [absolute_url(thumbnail.url)]
    if product.producer_id:
        producer = {"@type": "Organization", "name": product.producer.name}
        data["manufacturer"] = producer
        data["brand"] = {"@type": "Brand", "name": product.producer.name}
    # An offer only while the strategy lets the product be sold (a current certificate);
    # sold out still is an offer, out of stock.
    if info.price.exists and product.standing.sellable:
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
