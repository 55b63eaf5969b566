"""schema.org JSON-LD for directory pages: producers as Organization, points of sale as
Store or LocalBusiness with their position and opening hours."""

import json

from django.utils.html import strip_tags

from config.origin import absolute_url
from seo.images import share_rendition

from .models import PointOfSaleKind

STORE_KINDS = {PointOfSaleKind.SHOWROOM, PointOfSaleKind.FAIR_BOOTH, PointOfSaleKind.SHOP}


def _dump(data):
    # escape "<" so that no value can close the script element
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _address(street, found):
    address = {"@type": "PostalAddress", "addressCountry": "VN"}
    if street:
        address["streetAddress"] = street
    if found:
        address["addressLocality"] = found.name
        address["addressRegion"] = found.province_name
    return address


def producer_jsonld(page, request):
    producer = page.producer
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": producer.name,
        "url": absolute_url(page.get_url(request)),
        "address": _address(page.address, page.commune),
    }
    if page.story:
        data["description"] = strip_tags(page.story).strip()[:500]
    if page.phone or producer.phone:
        data["telephone"] = page.phone or producer.phone
    if page.email:
        data["email"] = page.email
    if page.website:
        data["sameAs"] = [page.website]
    if producer.tax_code:
        data["taxID"] = producer.tax_code
    # Producers have no logo in our records; their first photo represents them.
    rendition = share_rendition(page.share_image())
    if rendition is not None:
        data["image"] = absolute_url(rendition.url)
    return _dump(data)


def point_of_sale_jsonld(page, request):
    data = {
        "@context": "https://schema.org",
        "@type": "Store" if page.kind in STORE_KINDS else "LocalBusiness",
        "name": page.title,
        "url": absolute_url(page.get_url(request)),
        "address": _address(page.address, page.commune),
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": float(page.latitude),
            "longitude": float(page.longitude),
        },
    }
    if page.opening_hours:
        data["openingHours"] = page.opening_hours
    if page.phone:
        data["telephone"] = page.phone
    return _dump(data)
