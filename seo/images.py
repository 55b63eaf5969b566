"""The picture a CMS page shows in link previews and structured data.

One rendition size for every use (Open Graph, Twitter, JSON-LD), so each image is cut once.
Pages say which image represents them through a `share_image()` method returning a Wagtail
image or None; this module imports nothing from the project so any page model may use it.
"""

import logging

logger = logging.getLogger(__name__)

SHARE_RENDITION = "fill-1200x630"


def share_rendition(image):
    """The 1200×630 rendition of a Wagtail image, or None when there is no usable image."""
    if image is None:
        return None
    try:
        return image.get_rendition(SHARE_RENDITION)
    except Exception:  # a missing or unreadable file must not break the page it decorates
        logger.warning("No share rendition for image %s", image.pk, exc_info=True)
        return None


def page_share_rendition(page):
    """The share rendition of the image a page names for itself, or None."""
    pick = getattr(page, "share_image", None)
    return share_rendition(pick()) if callable(pick) else None
