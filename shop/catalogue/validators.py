"""Limits on product photos uploaded through Oscar's dashboard: the same as Wagtail's images.

Django's ImageField already refuses files Pillow can't read (SVG among them). These checks add the
file size and the pixel count, read from the image header, so a small file that decodes to a huge
bitmap (a "pixel flood") is refused before anything decodes it.
"""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image


def validate_photo_upload(file):
    max_bytes = settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE
    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; photos may be at most %(limit)s.")
            % {"size": filesizeformat(file.size), "limit": filesizeformat(max_bytes)},
            code="file_too_large",
        )
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
        return  # not an image: ImageField itself says so
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
