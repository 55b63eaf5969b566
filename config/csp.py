"""Pieces of the Content Security Policy computed from settings: hosts, the card payment page
and inline stylesheets.

The policy itself is in config/settings/base.py. A stylesheet that a page inlines (the scan page
must not cost a request on 3G, the error page must not depend on static files) is allowed by the
sha256 hash of its text, so the page needs no nonce and its HTML can be cached.
"""

import base64
import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from csp.constants import SELF

# Static files whose text pages put in a <style> element ({% inline_style %} in ocop_tags).
INLINE_STYLESHEETS = ("ocop/css/scan.css", "ocop/css/error.css")


def origin(url):
    """`scheme://host[:port]` of an absolute URL; "" for a path or anything without a host."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def media_origins(media_url="", custom_domain="", endpoint_url="", bucket="", region=""):
    """Where uploaded pictures are served from when that is not this site: an absolute
    MEDIA_URL, the S3 custom domain, or the bucket's own host (AWS or an S3-compatible store)."""
    found = [origin(media_url)]
    if custom_domain:
        found.append(origin(f"https://{custom_domain.strip('/')}"))
    elif bucket and endpoint_url:
        found.append(origin(endpoint_url))
    elif bucket:
        regional = f".{region}" if region else ""
        found.append(f"https://{bucket}.s3{regional}.amazonaws.com")
    return [o for o in dict.fromkeys(found) if o]


# Stripe's API, and the origin of the hosted Checkout page a session's `url` opens on.
STRIPE_API = "https://api.stripe.com"
STRIPE_CHECKOUT = "https://checkout.stripe.com"


def is_stripe_api(api_base):
    """Whether card payments go to Stripe itself (no STRIPE_API_BASE counts as Stripe)."""
    return not api_base or origin(api_base) == STRIPE_API


def payment_origins(api_base, *, card_configured, checkout_origin=""):
    """Where card payments send the buyer's browser: the origin of the hosted checkout page.

    Pressing "Pay" posts a form of ours that answers with a redirect to that page, and browsers
    apply `form-action` to where a submission is redirected. Stripe's API serves its page from
    checkout.stripe.com; a Stripe-compatible server (`STRIPE_API_BASE`, e.g. the demo's) serves
    it from its own origin, unless `checkout_origin` says otherwise. Nothing without card
    payments.
    """
    if not card_configured:
        return []
    if checkout_origin:
        found = origin(checkout_origin)
    elif is_stripe_api(api_base):
        found = STRIPE_CHECKOUT
    else:
        found = origin(api_base)
    return [found] if found else []


def payment_directives(api_base, *, card_configured, checkout_origin=""):
    """The policy's directives that name the payment endpoints (merged into DIRECTIVES)."""
    origins = payment_origins(
        api_base, card_configured=card_configured, checkout_origin=checkout_origin
    )
    return {"connect-src": [SELF, *origins], "form-action": [SELF, *origins]}


def style_hash(css):
    """The CSP source that allows a <style> element holding exactly this text."""
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def read_static(static_dirs, name):
    """The text of a static file from the first of these folders that has it, or None."""
    for folder in static_dirs:
        path = Path(folder) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


def inline_style_hashes(static_dirs, names=INLINE_STYLESHEETS):
    """Hashes of the inlined stylesheets as the active theme has them."""
    texts = (read_static(static_dirs, name) for name in names)
    return [style_hash(css) for css in texts if css is not None]


@lru_cache(maxsize=16)
def inline_stylesheet(name):
    """The text a page inlines for a stylesheet (read once per process)."""
    from django.conf import settings

    css = read_static(settings.STATICFILES_DIRS, name)
    if css is None:
        raise FileNotFoundError(f"{name} is not in any theme's static folder")
    return css
