"""Absolute URLs in what the site answers, and the ones that name the site under a wrong origin."""

import ipaddress
import re
from urllib.parse import urlsplit

URL = re.compile(r"https?://[^\s\"'<>()\\,]+")
# Hosts that only ever mean "this site, misconfigured": defaults of Django, Wagtail and tests.
PLACEHOLDER_HOSTS = {"localhost", "example.com", "www.example.com", "testserver", "ocop.test"}


def absolute_urls(text):
    return URL.findall(text)


def _is_local(host):
    if host in PLACEHOLDER_HOSTS or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified


def foreign_origins(urls, site_url):
    """The URLs that name this site under another origin than SITE_URL: a loopback, private or
    placeholder host, or SITE_URL's host with another scheme or port. Links to other sites
    (a producer's Zalo page, the map's attribution) are not this site and pass."""
    site = urlsplit(site_url)
    found = []
    for url in urls:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == f"{site.scheme}://{site.netloc}":
            continue
        if _is_local(parts.hostname or "") or parts.hostname == site.hostname:
            found.append(url)
    return found
