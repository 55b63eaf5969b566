"""Browser tests: Playwright driving Debian's Chromium (`apt-get install chromium`; no download).

The shop runs in a threaded WSGI server on 127.0.0.1 over a database whose writes commit:
either the database as the migrations left it (`shop_url`, restored after each test) or the
demo data (`demo_url`: loaded once per session by tests/conftest.py, served by one server per
module).
Every page a test opens fails the test on a JavaScript error, a console error or an HTTP error
response. Screenshots land in `test-artifacts/` (not committed) for a reviewer to look at.
"""

import threading
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.wsgi import get_wsgi_application

from tests.browser.serving import QuietHandler

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@contextmanager
def serving():
    """The site, static and media files included, on a free port of 127.0.0.1. Uploaded media
    are served by the site itself (SERVE_MEDIA), through every middleware, as in the demo."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def shop_url(committed_db, settings):  # noqa: F811 — the pytest-django fixture
    """The shop, over the database as the migrations left it, served for this test."""
    from config.origin import sync_sites

    with serving() as url:
        settings.SITE_URL = url
        sync_sites()  # Wagtail's and Django's Site rows name it too (put back with the database)
        yield url


@pytest.fixture(scope="module")
def demo_site(_demo_snapshot, _db_snapshot, django_db_blocker):
    """The demo site for the tests of one module: the database holds the demo data (writes
    commit, and stay until the module ends, when the database is put back as the migrations
    left it) and one server answers every test of the module."""
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site as DjangoSite
    from django.core.cache import cache

    from tests.conftest import _copy_database

    name, migrated, vendor = _db_snapshot
    with django_db_blocker.unblock():
        _copy_database(_demo_snapshot.database, name, vendor)
        ContentType.objects.clear_cache()
        with serving() as url:
            yield SimpleNamespace(url=url, media=str(_demo_snapshot.media))
        _copy_database(migrated, name, vendor)
    ContentType.objects.clear_cache()
    DjangoSite.objects.clear_cache()
    cache.clear()


@pytest.fixture
def demo_url(demo_site, settings):
    """The address of the demo site, with this test's settings pointing at its media."""
    from config.origin import sync_sites

    settings.MEDIA_ROOT = demo_site.media
    settings.SITE_URL = demo_site.url
    sync_sites()
    return demo_site.url


# Collects Content Security Policy violations into window.__csp and reports each to the test.
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
    const found = `CSP ${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
        + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`;
    window.__csp.push(found);
    window.__cspViolation(found);
});
"""


def watch_for_errors(context, errors):
    """Records JavaScript errors, console errors, Content Security Policy violations and HTTP
    error responses of every page."""
    context.expose_binding("__cspViolation", lambda source, found: errors.append(found))
    context.add_init_script(CSP_LISTENER)
    context.on("weberror", lambda error: errors.append(f"{error.error} {error.page.url}"))
    context.on(
        "console",
        lambda msg: msg.type == "error" and errors.append(f"{msg.text} {msg.location.get('url')}"),
    )
    context.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )


@pytest.fixture
def open_page(browser):
    """Opens a page in a fresh browser context (`open_page(base_url, viewport=…, locale=…)`);
    the test fails at the end if any page it opened logged an error."""
    contexts, errors = [], []

    def open_page(base_url, viewport=PHONE, locale="vi-VN", **options):
        context = browser.new_context(
            viewport=viewport, locale=locale, base_url=base_url, **options
        )
        contexts.append(context)
        watch_for_errors(context, errors)
        page = context.new_page()
        page.set_default_timeout(30000)  # generous: CI shares two cores with the server
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == [], errors


@pytest.fixture
def phone(open_page, shop_url):
    """A phone-sized page on the shop that fails the test on any error."""
    return open_page(shop_url)


@pytest.fixture
def demo_phone(open_page, demo_url):
    """A phone-sized page on the demo site that fails the test on any error."""
    return open_page(demo_url)


@pytest.fixture
def demo_desktop(open_page, demo_url):
    """A desktop-sized page on the demo site that fails the test on any error."""
    return open_page(demo_url, viewport=DESKTOP)


def screenshot(page, name):
    """A full-page PNG in test-artifacts/, after scrolling through so lazy photos have loaded."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.evaluate(
        """async () => {
            for (let y = 0; y < document.body.scrollHeight; y += innerHeight) {
                scrollTo(0, y);
                await new Promise(done => setTimeout(done, 50));
            }
            scrollTo(0, 0);
            const loaded = Promise.all([...document.images].filter(img => !img.complete).map(
                img => new Promise(done => { img.onload = img.onerror = done; })));
            await Promise.race([loaded, new Promise(done => setTimeout(done, 3000))]);
        }"""
    )
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
