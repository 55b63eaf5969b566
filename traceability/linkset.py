"""RFC 9264 linksets and link-type targets for a traced product (GS1 Web Vocabulary types)."""

from urllib.parse import urlencode

from django.utils.translation import get_language
from django.utils.translation import gettext as _

GS1 = "https://gs1.org/voc/"
LINK_TYPES = ("pip", "certificationInfo", "traceability", "defaultLink")


def _targets(trace, scan_uri):
    shop = trace.shop_url()
    # The product page stays the information page (gs1:pip); it is titled as a place to buy only
    # while the shop sells the product (the scan page's rule).
    if trace.offer.for_sale:
        pip_title = _("Buy in the shop")
    else:
        pip_title = _("Product page in the shop (not for sale)")
    return {
        "pip": {"href": shop, "title": pip_title, "type": "text/html"},
        "certificationInfo": {
            "href": f"{shop}#ocop-certificate",
            "title": _("OCOP certificate"),
            "type": "text/html",
        },
        "traceability": {
            "href": scan_uri,
            "title": _("Where and when it was made"),
            "type": "text/html",
        },
        "defaultLink": {"href": scan_uri, "title": trace.product.get_title(), "type": "text/html"},
    }


def linkset_for(trace, scan_uri):
    anchor = trace.uri or scan_uri
    language = get_language()
    links = {"anchor": anchor}
    for name, target in _targets(trace, scan_uri).items():
        links[GS1 + name] = [{**target, "hreflang": [language]}]
    return {"linkset": [links]}


def targets_for(trace, scan_uri):
    return {name: target["href"] for name, target in _targets(trace, scan_uri).items()}


def redirect_target(targets, link_type, query):
    """Where ?linkType= sends a client (None: serve the scan page); other parameters kept."""
    name = link_type.removeprefix("gs1:").removeprefix(GS1)
    if name not in ("pip", "certificationInfo"):
        return None  # traceability, defaultLink, unknown types: the scan page is the answer
    kept = [(k, v) for k, v in query.items() if k != "linkType"]
    target = targets[name]
    if kept:
        base, _sep, fragment = target.partition("#")
        target = f"{base}?{urlencode(kept)}" + (f"#{fragment}" if fragment else "")
    return target
