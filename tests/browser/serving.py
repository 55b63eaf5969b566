"""The shop served the way production serves it, to measure what a browser really downloads.

Static files are collected once per run with production's storage (fingerprinted names and gzip
copies) and served by WhiteNoise from STATIC_ROOT with production's middleware, which also
compresses HTML; uploaded media are served as a web server in front of the site would.
"""

import atexit
import functools
import importlib
import os
import shutil
import tempfile
import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.cache import cache
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from django.views.static import serve

from config.origin import sync_sites

# Production refuses to import without these; only its static and middleware settings are used.
PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "test-only-secret",
    "ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": "sqlite:///:memory:",
    "SITE_URL": "https://ocop.test",
}


@functools.cache
def production_settings():
    """`config.settings.production` as a module, imported with the environment it insists on."""
    missing = {k: v for k, v in PRODUCTION_ENVIRONMENT.items() if not os.environ.get(k)}
    os.environ.update(missing)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        for name in missing:
            del os.environ[name]


def production_static_settings(static_root):
    """The settings that decide how static files and HTML leave the server in production."""
    production = production_settings()
    overrides = {
        name: getattr(production, name)
        for name in dir(production)
        if name.startswith("WHITENOISE_")
    }
    overrides.update(
        MIDDLEWARE=production.MIDDLEWARE,
        STORAGES={**settings.STORAGES, "staticfiles": production.STORAGES["staticfiles"]},
        STATIC_ROOT=str(static_root),
        DEBUG=False,
    )
    return overrides


@functools.cache
def collected_static():
    """A STATIC_ROOT filled by `collectstatic` with production's storage, once per process."""
    root = tempfile.mkdtemp(prefix="ocop-static-")
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    with override_settings(**production_static_settings(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def forget_rendered_pages():
    """Pages rendered earlier carry static URLs of another storage: render them afresh."""
    from traceability import views as scan_views

    cache.clear()
    scan_views.LOCAL_ENTRIES.clear()


@contextmanager
def production_static():
    """Settings as production has them for static files and compression, for this block."""
    with override_settings(**production_static_settings(collected_static())):
        forget_rendered_pages()
        try:
            yield
        finally:
            forget_rendered_pages()


class MediaFilesHandler(StaticFilesHandler):
    """Uploaded media (product photos) served the way a web server in front of the site would."""

    def get_base_url(self):
        return settings.MEDIA_URL

    def serve(self, request):
        return serve(request, self.file_path(request.path), document_root=settings.MEDIA_ROOT)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def production_like_server():
    """The site on 127.0.0.1 as production serves it; yields its base URL.

    The database must be one the server's threads can see (committed data)."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with production_static(), override_settings(SITE_URL=url):
            sync_sites()  # the Site rows name it too
            # Middleware reads its settings when the handler is built: build it inside the
            # overrides.
            server.set_app(MediaFilesHandler(get_wsgi_application()))
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                yield url
            finally:
                server.shutdown()
                server.server_close()
                thread.join(timeout=10)
    finally:
        sync_sites()  # and name SITE_URL again (their rows are committed)
