"""What a product looks like to the outside: one plain dict shared by the API and feeds."""

from django.conf import settings

from config.origin import absolute_url
from traceability.api import certification_brief, commune_out


def whole_dong(amount):
    """A money amount as an int of đồng. VND has no minor unit; refuse to hide a fraction."""
    if amount is None:
        return None
    if amount != int(amount):
        raise ValueError(f"{amount} is not a whole number of đồng")
    return int(amount)


def product_summary(product, strategy):
    info = strategy.fetch_for_product(product)
    price = whole_dong(info.price.incl_tax) if info.price.exists else None
    producer = product.producer
    certificate = product.certification
    return {
        "id": product.pk,
        "title": product.get_title(),
        "url": absolute_url(product.get_absolute_url()),
        "price": price,
        "currency": info.price.currency if info.price.exists else settings.OSCAR_DEFAULT_CURRENCY,
        "stars": product.standing.stars,
        "producer": {"name": producer.name, "kind": producer.kind} if producer else None,
        "commune": commune_out(producer.commune_code) if producer else None,
        "gtin": product.gtin or None,
        "registry_id": certificate.registry_id if certificate else None,
        "purchasable": info.availability.is_available_to_buy,
        "certification": certification_brief(certificate),
    }
