"""The site's one origin: `SITE_URL`.

Every absolute URL the project makes starts with it (pages, feeds, iCal, sitemaps, linksets, API
fields, JSON-LD, emails, payment return URLs, printed labels), never with the Host a visitor sent
or the scheme a proxy left. Wagtail's default `Site` and Django's `sites.Site` are kept in step
with it after every migrate and by `load_demo` (`sync_sites`), so what they make agrees too.

This module is imported by the settings: nothing here touches models at import time.
"""

import functools
import ipaddress
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PORTS = {"http": 80, "https": 443}


class Origin(NamedTuple):
    scheme: str
    host: str  # as in a URL: an IPv6 address in brackets
    port: int

    @property
    def hostname(self):
        """The host without IPv6 brackets (what `ipaddress` and name checks read)."""
        return self.host.strip("[]")

    @property
    def netloc(self):
        """host, with the port only when it is not the scheme's own."""
        if self.port == DEFAULT_PORTS[self.scheme]:
            return self.host
        return f"{self.host}:{self.port}"

    @property
    def url(self):
        return f"{self.scheme}://{self.netloc}"


def parse_origin(url):
    """`scheme://host[:port]` as an Origin; ImproperlyConfigured for anything else."""
    parts = urlsplit(url.rstrip("/"))
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in DEFAULT_PORTS
        or not parts.hostname
        or port == -1
        or parts.username is not None
        or parts.path
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            f"SITE_URL must be an origin such as https://ocop.example.vn or "
            f"http://127.0.0.1:8000 (scheme, host and port only), not {url!r}."
        )
    hostname = parts.hostname.lower()
    host = f"[{hostname}]" if ":" in hostname else hostname
    return Origin(parts.scheme, host, port or DEFAULT_PORTS[parts.scheme])


def with_site_host(hosts, origin):
    """ALLOWED_HOSTS with the origin's host added (when nothing already allows it)."""
    hosts = list(hosts)
    if "*" not in hosts and origin.host not in hosts:
        hosts.append(origin.host)
    return hosts


def with_site_origin(origins, origin):
    """CSRF_TRUSTED_ORIGINS with the origin added."""
    origins = list(origins)
    if origin.url not in origins:
        origins.append(origin.url)
    return origins


@functools.lru_cache(maxsize=8)
def _parsed(url):
    return parse_origin(url)


def site_origin():
    """SITE_URL parsed (once per value: absolute URLs are made several times per page)."""
    return _parsed(settings.SITE_URL)


def absolute_url(location="/"):
    """`location` (a path, or an absolute URL left as it is) on the site's origin.

    What `request.build_absolute_uri` does, with SITE_URL in place of the request's scheme and
    Host: behind a proxy, or for a visitor who typed another of the ALLOWED_HOSTS, the address
    stays the one the site is known by.
    """
    return urljoin(site_origin().url + "/", str(location))


# --- Keeping the Site rows in step --------------------------------------------------------


def sync_sites(using="default"):
    """Point Wagtail's default Site and Django's current Site at SITE_URL.

    Called after every migrate (a fresh database, every deploy) and by `load_demo`. Wagtail's
    `Site.root_url` names the scheme by the port (443 is https, anything else http), so an https
    origin on another port cannot be told to it (`manage.py check` says so).
    """
    from django.contrib.sites.models import Site as DjangoSite
    from wagtail.models import Site

    origin = site_origin()
    site = Site.objects.using(using).filter(is_default_site=True).first()
    if site is not None and (site.hostname, site.port) != (origin.host, origin.port):
        site.hostname, site.port = origin.host, origin.port
        site.save(using=using, update_fields=["hostname", "port"])
    wanted = {"domain": origin.netloc, "name": settings.OCOP_SITE_NAME}
    current = DjangoSite.objects.using(using).filter(pk=settings.SITE_ID).first()
    if current is None:
        DjangoSite.objects.using(using).create(pk=settings.SITE_ID, **wanted)
    elif (current.domain, current.name) != (wanted["domain"], wanted["name"]):
        current.domain, current.name = wanted["domain"], wanted["name"]
        current.save(using=using, update_fields=["domain", "name"])


def sync_sites_after_migrate(sender, using="default", **kwargs):
    """post_migrate receiver: the Site rows follow SITE_URL once the tables exist."""
    from django.db import connections

    tables = connections[using].introspection.table_names()
    if "wagtailcore_site" in tables and "django_site" in tables:
        sync_sites(using)


# --- Origins a printed label may carry ----------------------------------------------------


def label_origin_problem(url=None):
    """Why a QR code for `url` (SITE_URL by default) must not be printed, or "".

    A printed code cannot be recalled: it must name a public https origin. A loopback, local
    or private-range address, `localhost`, and plain http are refused.
    """
    from django.utils.translation import gettext as _

    origin = parse_origin(url or settings.SITE_URL)
    if origin.scheme != "https":
        return _("%(origin)s is not https") % {"origin": origin.url}
    name = origin.hostname
    if name == "localhost" or name.endswith(".localhost"):
        return _("%(origin)s is this computer (localhost)") % {"origin": origin.url}
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return ""
    if address.is_loopback:
        return _("%(origin)s is a loopback address") % {"origin": origin.url}
    if not address.is_global:
        return _("%(origin)s is a private or reserved address") % {"origin": origin.url}
    return ""


def check_site_url(app_configs=None, **kwargs):
    """System check: an origin Wagtail's Site cannot hold (https on a port other than 443)."""
    from django.core.checks import Warning

    origin = site_origin()
    if origin.scheme == "https" and origin.port != 443:
        return [
            Warning(
                f"SITE_URL {origin.url} is https on port {origin.port}: Wagtail's Site calls "
                "every port but 443 http, so page addresses it makes would say http.",
                hint="Serve https on port 443, or http on this port.",
                id="ocop.W001",
            )
        ]
    return []
