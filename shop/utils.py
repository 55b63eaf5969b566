"""Small helpers for the shop."""

from anyascii import anyascii
from django.utils.text import slugify


def ascii_slugify(value, allow_unicode=False):
    """Readable ASCII slugs for Vietnamese titles ("Điện Biên" → "dien-bien", not "ien-bien")."""
    return slugify(anyascii(str(value)))
