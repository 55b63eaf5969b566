"""Readiness checks for the load balancer: the database, the cache and media storage.

Each check answers "ok" or "failed" only; what went wrong goes to the log, never to the caller.
Timeouts come from the backends' own settings (config/settings/production.py for the cache and
database, config/storage_settings.py for S3).
"""

import logging
import secrets

from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connections

logger = logging.getLogger(__name__)

# Only ever looked up, never written: safe on S3 (no object is created or overwritten).
STORAGE_PROBE_NAME = "health/probe.txt"


def check_database():
    """One round trip to the default database."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache():
    """Write, read back and delete a key nobody else uses."""
    cache = caches["default"]
    key = f"health:{secrets.token_hex(8)}"
    value = secrets.token_hex(8)
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value just written")
    finally:
        cache.delete(key)


def check_storage():
    """Ask each file storage (public media, private files) whether a probe name exists: a HEAD
    request on S3, failing within the client's timeouts even when the store failed moments ago."""
    for alias in ("default", "private"):
        storage = storages[alias]
        getattr(storage, "probe", storage.exists)(STORAGE_PROBE_NAME)


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


def readiness():
    """Run every check; return (all passed, {name: "ok" | "failed"})."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("Readiness check %s failed", name)
            results[name] = "failed"
        else:
            results[name] = "ok"
    return all(result == "ok" for result in results.values()), results
