"""Browser tests: Playwright driving Debian's Chromium (`apt-get install chromium`; no download).

The shop runs in a threaded WSGI server on 127.0.0.1 over a database whose writes commit.
Screenshots land in `test-artifacts/` (not committed) for a reviewer to look at.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.views.static import serve

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}


def chromium_path():
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


class MediaFilesHandler(StaticFilesHandler):
    """Serves uploaded media (product images, thumbnails) the way the static handler serves
    static files, as a web server would in front of the site."""

    def get_base_url(self):
        return settings.MEDIA_URL

    def serve(self, request):
        return serve(request, self.file_path(request.path), document_root=settings.MEDIA_ROOT)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def shop_url(committed_db, settings):  # noqa: F811 — the pytest-django fixture
    """The shop served by a threaded WSGI server on 127.0.0.1, static files included."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    server.set_app(MediaFilesHandler(StaticFilesHandler(get_wsgi_application())))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.SITE_URL = url
    yield url
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def phone(browser, shop_url):
    """A phone-sized page that fails the test on any JavaScript error or console error."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=shop_url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: msg.type == "error" and errors.append(f"{msg.text} {msg.location.get('url')}"),
    )
    context.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )
    page.set_default_timeout(15000)
    yield page
    context.close()
    assert errors == [], errors


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
