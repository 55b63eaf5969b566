"""Product pictures: the one shown in link previews and structured data, and the responsive
photos of product cards and the product page.

Product images are Oscar's (sorl-thumbnail): one pipeline, and sorl makes each size once and
remembers it in its key-value store. The share picture is a thumbnail of the primary image
cropped to the 1200×630 that link previews expect; the page photos come in a few widths, in WebP
when Pillow can write it (about a third smaller than JPEG for the same photo on a slow line).
"""

import logging
from dataclasses import dataclass

from oscar.core.thumbnails import get_thumbnailer
from PIL import features

logger = logging.getLogger(__name__)

SHARE_SIZE = "1200x630"
_UNSET = object()


def share_thumbnail(product):
    """A 1200×630 thumbnail (with url, width, height) of the product's photo, or None.

    Remembered on the product so a page asking twice (meta tags, JSON-LD) cuts it once.
    """
    cached = getattr(product, "_share_thumbnail", _UNSET)
    if cached is not _UNSET:
        return cached
    thumbnail = None
    image = product.primary_image()
    if not isinstance(image, dict):  # Oscar returns a dict when the product has no image
        try:
            thumbnail = get_thumbnailer().generate_thumbnail(
                image.original, size=SHARE_SIZE, crop="center"
            )
        except Exception:  # a missing or unreadable file must not break the product page
            logger.warning("No share thumbnail for product %s", product.pk, exc_info=True)
    product._share_thumbnail = thumbnail
    return thumbnail


@dataclass(frozen=True)
class ResponsivePhoto:
    src: str
    srcset: str
    width: int
    height: int


def webp_supported():
    return features.check("webp")


def uploaded_photo(product):
    """The product's primary image file, or None for Oscar's "image not found" stand-in (a
    dict), so no page ever asks for a thumbnail of that stand-in."""
    image = product.primary_image()
    if isinstance(image, dict) or not image.original:
        return None
    return image.original


def responsive_photo(product, widths, ratio=(4, 3)):
    """Thumbnails of the product's main photo cropped to `ratio`, one per width in `widths`.

    Returns None when the product has no photo or the file cannot be read, so the template
    draws a placeholder instead of a broken image.
    """
    source = uploaded_photo(product)
    if source is None:
        return None
    options = {"crop": "center", "upscale": False}
    if webp_supported():
        options["format"] = "WEBP"
    thumbnailer = get_thumbnailer()
    candidates = []
    try:
        for width in widths:
            height = round(width * ratio[1] / ratio[0])
            thumb = thumbnailer.generate_thumbnail(source, size=f"{width}x{height}", **options)
            # A small upload is not enlarged: describe the file that was really made.
            if all(thumb.width != w for w, _, _ in candidates):
                candidates.append((thumb.width, thumb.height, thumb.url))
    except Exception:  # a missing or corrupt upload must not take the page down
        logger.warning("Cannot make thumbnails of %s", source, exc_info=True)
        return None
    width, height, src = candidates[0]
    return ResponsivePhoto(
        src=src,
        srcset=", ".join(f"{url} {w}w" for w, _, url in candidates),
        width=width,
        height=height,
    )
