"""One generation number for every cached scan answer: bump it and all are stale at once.

Generations start from the clock (milliseconds), so a cache that is emptied or restarted never
hands out a number an older cached answer (in Redis or in a worker's memory) was stored under.
"""

import time

from django.core.cache import cache

GENERATION_KEY = "scan:generation"


def _fresh():
    return int(time.time() * 1000)


def current_generation():
    return cache.get_or_set(GENERATION_KEY, _fresh, None)


def invalidate_scan_pages(**kwargs):
    """Any change to a lot, product, producer or certificate makes every cached answer stale."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, _fresh(), None)
