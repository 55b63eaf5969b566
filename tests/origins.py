"""Absolute URLs in what the site answers, and the ones that name another origin than SITE_URL.

Shared by every layer that checks the "one origin" rule (DESIGN.md, Contract): find the URLs in
any text (HTML, XML, JSON, iCal, e-mail, a header), then keep those whose origin is neither the
site's nor one of the few third parties the site names on purpose.
"""

import re
from urllib.parse import urlsplit

# Third parties named on purpose: vocabularies and XML namespaces (identifiers, never fetched),
# the map, video and social hosts editors link to, and the card payment page.
THIRD_PARTY_PREFIXES = (
    "https://schema.org/",
    "http://schema.org/",
    "https://gs1.org/voc/",
    "https://ref.gs1.org/",
    "http://www.w3.org/",
    "https://www.w3.org/",
    "http://www.sitemaps.org/schemas/",
    "http://www.google.com/schemas/sitemap-image/",
    "http://purl.org/",
    "https://www.openstreetmap.org/",
    "https://www.youtube.com/",
    "https://www.youtube-nocookie.com/",
    "https://youtu.be/",
    "https://player.vimeo.com/",
    "https://vimeo.com/",
    "https://www.facebook.com/",
    "https://www.tiktok.com/",
    "https://zalo.me/",
    "https://checkout.stripe.com/",
    "https://www.enable-javascript.com/",  # Wagtail's admin sign-in, for a browser without JS
)

URL = re.compile(
    r"https?://"
    r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]*)"  # host (an IPv6 address in brackets)
    r"(?::[0-9]+)?"
    r"(?:[/?#][^\s\"'<>\\`]*)?"
)
# Where an URL found inside escaped markup or prose stops.
_ENDS = re.compile(r"&(?:quot|#34|#x22|#39|#x27|lt|gt);")
_TRAILING = ".,;:!)]}"


def absolute_urls(text):
    """Every http:// or https:// URL in `text`, in order (bytes are read as UTF-8)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    found = []
    for match in URL.finditer(text):
        url = _ENDS.split(match.group(0), 1)[0].rstrip(_TRAILING)
        found.append(url)
    return found


def origin_of(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def foreign_origins(urls, site_url):
    """The URLs of `urls` that name neither SITE_URL's origin nor an allowed third party."""
    site = origin_of(site_url)
    return sorted(
        {
            url
            for url in urls
            if origin_of(url) != site and not (url.lower() + "/").startswith(THIRD_PARTY_PREFIXES)
        }
    )


def response_urls(response):
    """The absolute URLs in a Django test response: its body and its headers."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.items())
    return absolute_urls(headers) + absolute_urls(body)
