"""Uploaded files at run time: the S3 storage, private files for staff, a store that is down.

Settings (which storage, where) are built in config/storage_settings.py. Here:

- `S3MediaStorage`: django-storages' S3 backend whose failures are `StorageUnavailable`, an
  `OSError` like any other unreadable file. Wagtail then draws a missing rendition as a
  placeholder and sorl-thumbnail leaves the picture out, so pages answer without images.
  After a failure the store is not asked again for `unavailable_for` seconds (a page with 24
  product photos does not wait 24 times); URLs are computed without asking it at all.
- `private_storage()`: the storage of files only staff may fetch, for `FileField(storage=...)`.
- `private_file_response()`: hands a private file to someone already allowed to have it.
- `StorageUnavailableMiddleware`: an upload that fails because the store is down becomes a
  message on the form's page instead of a 500; the request's transaction (ATOMIC_REQUESTS) is
  rolled back first, so no row points at a file that was never stored.
"""

import logging
import time
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.contrib import messages
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import LazyObject, empty
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)


class StorageUnavailable(OSError):
    """The file store did not answer, timed out or refused the request."""


class S3MediaStorage(S3Storage):
    """S3 (or compatible) storage whose failures are OSErrors and which fails fast when down."""

    def get_default_settings(self):
        # Seconds during which, after a failure, calls fail at once instead of waiting again.
        return {**super().get_default_settings(), "unavailable_for": 5.0}

    def __init__(self, **settings):
        super().__init__(**settings)
        self._down_until = 0.0

    @contextmanager
    def _answering(self, probe=False):
        if not probe and time.monotonic() < self._down_until:
            raise StorageUnavailable("the file store failed moments ago and is not asked again yet")
        try:
            yield
        except (BotoCoreError, ClientError) as exc:
            status = getattr(exc, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status is None or status >= 500:  # the store itself, not this one request
                self._down_until = time.monotonic() + self.unavailable_for
            raise StorageUnavailable(f"the file store did not answer: {exc}") from exc
        if probe:
            self._down_until = 0.0

    def probe(self, name):
        """Ask the store whether `name` exists even if it failed moments ago (health checks)."""
        with self._answering(probe=True):
            return super().exists(name)

    def _open(self, name, mode="rb"):
        with self._answering():
            return super()._open(name, mode)

    def _save(self, name, content):
        with self._answering():
            return super()._save(name, content)

    def delete(self, name):
        with self._answering():
            return super().delete(name)

    def exists(self, name):
        with self._answering():
            return super().exists(name)

    def size(self, name):
        with self._answering():
            return super().size(name)

    def listdir(self, name):
        with self._answering():
            return super().listdir(name)

    def get_modified_time(self, name):
        with self._answering():
            return super().get_modified_time(name)


class _PrivateStorage(LazyObject):
    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def private_storage():
    """The "private" storage. A callable, so migrations name it instead of a backend."""
    return _private


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def signs_urls(storage):
    """True when the storage's URLs are signed and expire (S3), False for a local folder."""
    return bool(getattr(storage, "querystring_auth", False))


def private_file_response(file, filename):
    """The file as a download for someone already allowed to have it, never a lasting link:
    a redirect to a URL that expires in minutes (S3), or the bytes themselves (local folder)."""
    if not file:
        raise Http404
    if signs_urls(file.storage):
        disposition = content_disposition_header(as_attachment=True, filename=filename)
        url = file.storage.url(file.name, parameters={"ResponseContentDisposition": disposition})
        response = HttpResponseRedirect(url)
    else:
        try:
            handle = file.storage.open(file.name, "rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=filename)
    add_never_cache_headers(response)
    return response


UNAVAILABLE_MESSAGE = _(
    "The file store is not answering, so nothing was saved. Please try again in a few minutes."
)


class StorageUnavailableMiddleware:
    """A request that failed because the file store is down gets a message, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error(
            "File store unavailable: %s %s", request.method, request.path, exc_info=exception
        )
        message = str(UNAVAILABLE_MESSAGE)
        if request.method in ("GET", "HEAD"):
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
            response["Retry-After"] = "60"
        elif request.headers.get("x-requested-with") == "XMLHttpRequest":
            # Wagtail's multiple uploader marks the file as failed and keeps the others going.
            response = JsonResponse({"success": False, "error_message": message}, status=503)
        else:
            messages.error(request, message)
            response = HttpResponseRedirect(request.get_full_path())
        add_never_cache_headers(response)
        return response
