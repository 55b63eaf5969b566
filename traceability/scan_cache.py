"""One generation number for every cached scan answer: bump it and all are stale at once."""

from django.core.cache import cache

GENERATION_KEY = "scan:generation"


def current_generation():
    return cache.get_or_set(GENERATION_KEY, 1, None)


def invalidate_scan_pages(**kwargs):
    """Any change to a lot, product, producer or certificate makes every cached answer stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)
