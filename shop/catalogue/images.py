"""The picture a product shows in link previews and structured data.

Product images are Oscar's (sorl-thumbnail), so the share picture is a sorl thumbnail of the
primary image, cropped to the 1200×630 that link previews expect.
"""

import logging

from oscar.core.thumbnails import get_thumbnailer

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
