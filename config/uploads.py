"""Checks every upload form applies before it keeps a file: size, pixels, kind, and no web code.

Pictures (Wagtail images, Oscar product photos, lot step photos) are refused above
UPLOAD_MAX_IMAGE_BYTES, or above UPLOAD_MAX_IMAGE_PIXELS as read from the header, so a small
file that would decode to a huge bitmap is refused before anything decodes it. Documents
(Wagtail documents, lot test reports) are limited to the listed kinds and UPLOAD_MAX_DOCUMENT_BYTES.
Neither may carry HTML, SVG or script: such a "polyglot" (a real picture or PDF with a web page
inside) would be served from our own origin. The size is always checked first, so the scan
never reads more than a limit's worth.
"""

import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

# Byte sequences that make a browser treat a file as a page or run it (compared in lower case).
# Each is at least six bytes long: compressed picture data is close to random, and a shorter
# marker (a bare "<svg") would turn up by chance in about one 10 MB photo in fifty. An SVG
# document is found by its namespace, which it needs to be drawn as SVG at all.
ACTIVE_CONTENT = (
    b"<script",
    b"<html>",
    b"<html ",
    b"<!doctype html",
    b"http://www.w3.org/2000/svg",
    b"<iframe",
    b"<object",
    b"<embed",
    b"javascript:",
)
_CHUNK = 1024 * 1024
_OVERLAP = max(len(marker) for marker in ACTIVE_CONTENT)


def is_new_upload(file):
    """An uploaded file, bare or assigned to a model's file field and not yet saved (a file kept
    from before is not checked again)."""
    return isinstance(file, UploadedFile) or getattr(file, "_committed", True) is False


def check_size(file, limit, what):
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("This file is %(size)s; %(what)s may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "what": what, "limit": filesizeformat(limit)},
            code="file_too_large",
        )


def refuse_active_content(file):
    """ValidationError when the file holds HTML, SVG or script anywhere in it."""
    position = file.tell() if hasattr(file, "tell") else None
    file.seek(0)
    tail = b""
    try:
        while chunk := file.read(_CHUNK):
            window = (tail + chunk).lower()
            if any(marker in window for marker in ACTIVE_CONTENT):
                raise ValidationError(
                    _("This file contains web page code (HTML, SVG or script) and is refused."),
                    code="active_content",
                )
            tail = window[-_OVERLAP:]
    finally:
        file.seek(position or 0)


def validate_photo(file):
    """A picture within the size and pixel limits, without web code."""
    if not is_new_upload(file):
        return  # a picture kept from before
    check_size(file, settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE, _("photos"))
    position = file.tell() if hasattr(file, "tell") else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(file)
        with image:
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        width = height = frames = None
    except Exception:
        width = height = frames = 0  # not a picture: the image field itself says so
    finally:
        if position is not None:
            file.seek(position)
    max_pixels = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
    if width is None or width * height * frames > max_pixels:
        raise ValidationError(
            _("This picture has too many pixels; photos may have at most %(limit)s megapixels.")
            % {"limit": max_pixels // 1_000_000},
            code="too_many_pixels",
        )
    refuse_active_content(file)


def validate_document(file):
    """A document of a listed kind, within the size limit, without web code."""
    if not is_new_upload(file):
        return
    check_size(file, settings.WAGTAILDOCS_MAX_UPLOAD_SIZE, _("documents"))
    extension = os.path.splitext(file.name or "")[1].lower().lstrip(".")
    if extension not in settings.WAGTAILDOCS_EXTENSIONS:
        raise ValidationError(
            _("Files of this kind are not accepted; use one of: %(kinds)s.")
            % {"kinds": ", ".join(settings.WAGTAILDOCS_EXTENSIONS)},
            code="file_kind",
        )
    refuse_active_content(file)
