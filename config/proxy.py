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
