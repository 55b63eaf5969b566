"""Recording scans without a database write per scan.

With Redis (REDIS_URL), a scan is one RPUSH onto a list; the list is written to the database in
batches by `flush_scans` (when it grows past SCAN_BUFFER_FLUSH_AT, from `manage.py flush_scans`
on a schedule, and before staff read the figures). Without Redis (the embedded demo) each scan
is written at once.
"""

import datetime
import json
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from .models import Scan

BUFFER_KEY = "ocop:scan-buffer"
FIELDS = (
    "lot_id",
    "label_id",
    "product_id_seen",
    "unknown_code",
    "language",
    "region",
    "source_hash",
)


@lru_cache(maxsize=1)
def _redis(url):
    import redis

    return redis.Redis.from_url(url)


def buffer_client():
    return _redis(settings.REDIS_URL) if settings.REDIS_URL else None


def log_scan(**fields):
    record = {name: fields.get(name) for name in FIELDS}
    client = buffer_client()
    if client is None:
        Scan.objects.create(**record)
        return
    record["scanned_at"] = timezone.now().isoformat()
    if client.rpush(BUFFER_KEY, json.dumps(record)) >= settings.SCAN_BUFFER_FLUSH_AT:
        flush_scans()


def flush_scans(batch=5000):
    """Move buffered scans into the database; return how many were written."""
    client = buffer_client()
    if client is None:
        return 0
    written = 0
    while True:
        items = client.lpop(BUFFER_KEY, batch) or []
        if not items:
            return written
        scans = []
        for item in items:
            record = json.loads(item)
            record["scanned_at"] = datetime.datetime.fromisoformat(record["scanned_at"])
            scans.append(Scan(**record))
        Scan.objects.bulk_create(scans)
        written += len(scans)
