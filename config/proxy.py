"""The visitor's address behind the reverse proxy.

gunicorn hands Django the proxy's address (127.0.0.1 behind the nginx of deploy/nginx/) as
REMOTE_ADDR, so every visitor would share one scan rate limit and one source hash. When the
request comes from a trusted proxy (TRUSTED_PROXIES, the same list gunicorn trusts for
X-Forwarded-Proto), REMOTE_ADDR becomes the address that proxy put in X-Forwarded-For: the last
entry, the one the proxy saw itself. A client's own X-Forwarded-For entries come before it and are
never believed; from any other peer the header is ignored.
"""

import ipaddress

from django.conf import settings

# One subscriber usually holds a whole IPv6 /64 (RFC 6177) and may pick a new address in it for
# every request: limits per source count the /64 as one source.
IPV6_SOURCE_PREFIX = 64


def source_network(address):
    """What limits per source count as one source: an IPv4 address as it is, an IPv6 address's
    /64 network (written as its first address, e.g. "2001:db8:1:2::"), an IPv4-mapped IPv6
    address as its IPv4 address; anything unreadable as it is."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        network = ipaddress.ip_network(f"{parsed}/{IPV6_SOURCE_PREFIX}", strict=False)
        return str(network.network_address)
    return str(parsed)


def client_address(meta, trusted):
    peer = meta.get("REMOTE_ADDR", "")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or peer not in trusted:
        return peer
    candidate = forwarded.split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return peer


class ProxyAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(settings.TRUSTED_PROXIES)

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_address(request.META, self.trusted)
        return self.get_response(request)
