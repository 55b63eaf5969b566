"""Reading the registry's HTTP feed page by page (`GET {REGISTRY_URL}/certifications`)."""

from urllib.parse import urljoin

import requests
from django.conf import settings

from .sync import SourceError


def feed_pages(base_url=None, token=None, updated_since=None, timeout=None, max_pages=None):
    """Yield each page's `results` list; raise SourceError naming what went wrong.

    Pages are read one at a time, so memory stays bounded whatever the feed's size.
    """
    base_url = (base_url or settings.REGISTRY_URL).rstrip("/")
    if not base_url:
        raise SourceError("REGISTRY_URL is not set")
    token = settings.REGISTRY_TOKEN if token is None else token
    timeout = timeout or settings.REGISTRY_TIMEOUT
    max_pages = max_pages or settings.REGISTRY_MAX_PAGES
    session = requests.Session()
    session.headers["Accept"] = "application/json"
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    params = {"updated_since": updated_since.isoformat()} if updated_since else None
    url = requests.Request("GET", f"{base_url}/certifications", params=params).prepare().url
    seen = set()
    with session:
        while url:
            if url in seen:
                raise SourceError(f"the registry sent the same page twice: {url}")
            if len(seen) >= max_pages:
                raise SourceError(f"the registry sent more than {max_pages} pages; stopped")
            seen.add(url)
            page = _read_page(session, url, timeout)
            yield page["results"]
            url = urljoin(url, page["next"]) if page["next"] else None


def _read_page(session, url, timeout):
    try:
        response = session.get(url, timeout=timeout)
    except requests.Timeout:
        raise SourceError(f"the registry did not answer within {timeout:g} s: {url}") from None
    except requests.RequestException as exc:
        raise SourceError(f"cannot reach the registry at {url}: {exc.__class__.__name__}") from None
    if response.status_code in (401, 403):
        raise SourceError(
            f"the registry refused our token (HTTP {response.status_code}); check REGISTRY_TOKEN"
        )
    if response.status_code != 200:
        raise SourceError(f"the registry answered HTTP {response.status_code} for {url}")
    try:
        page = response.json()
    except ValueError:
        raise SourceError(f"the registry sent invalid or truncated JSON for {url}") from None
    if (
        not isinstance(page, dict)
        or not isinstance(page.get("results"), list)
        or not isinstance(page.get("next"), str | None)
    ):
        raise SourceError(f"the registry's page is not {{'next', 'results': [...]}}: {url}")
    return page
