"""Recording scans without a database write per scan.

With Redis (REDIS_URL), each worker collects scans for a moment and pushes them to a Redis list
in one RPUSH (every SCAN_PUSH_BATCH scans or SCAN_PUSH_SECONDS); the list is written to the
database in batches by `flush_scans`: by a queued task when it grows past SCAN_BUFFER_FLUSH_AT
(never inside a visitor's request when task workers run), from
`manage.py flush_scans` on a schedule, and before staff read the figures. A worker that dies
loses at most one unpushed batch. Without Redis (the embedded demo), or while it is down, each
scan is written at once (a batch that Redis refused too).
"""

import atexit
import datetime
import json
import threading
import time
from functools import lru_cache

from django.conf import settings
from django.utils import timezone
from redis.exceptions import RedisError

from config.cache import mark_unavailable, redis_available

from .models import Label, Lot, Scan

BUFFER_KEY = "ocop:scan-buffer"
FLUSH_QUEUED_KEY = "ocop:scan-flush-queued"
FIELDS = (
    "lot_id",
    "label_id",
    "product_id_seen",
    "unknown_code",
    "language",
    "region",
    "source_hash",
)

_pending = []
_pending_since = 0.0
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _redis(url):
    import redis

    return redis.Redis.from_url(url)


def buffer_client():
    """The Redis client, or None without Redis or while it is down (config/cache.py): scans are
    then written to the database at once, as without Redis."""
    if not settings.REDIS_URL or not redis_available():
        return None
    return _redis(settings.REDIS_URL)


def log_scan(**fields):
    global _pending_since
    record = {name: fields.get(name) for name in FIELDS}
    client = buffer_client()
    if client is None:
        Scan.objects.create(**record)
        return
    record["scanned_at"] = timezone.now().isoformat()
    with _lock:
        if not _pending:
            _pending_since = time.monotonic()
        _pending.append(json.dumps(record))
        due = (
            len(_pending) >= settings.SCAN_PUSH_BATCH
            or time.monotonic() - _pending_since >= settings.SCAN_PUSH_SECONDS
        )
    if due:
        push_pending()


def push_pending():
    """Send this worker's collected scans to Redis; write them out when the list is long."""
    client = buffer_client()
    with _lock:
        batch = list(_pending)
        _pending.clear()
    if not batch:
        return
    length = None
    if client is not None:
        try:
            length = client.rpush(BUFFER_KEY, *batch)
        except RedisError as error:
            mark_unavailable(error)
    if length is None:  # Redis down: kept all the same, in the database straight away
        _save([json.loads(item) for item in batch])
        return
    if length >= settings.SCAN_BUFFER_FLUSH_AT:
        # Written by a task, not by this visitor's request: with task workers (RQ) the insert
        # happens there, once however many requests see the long list at the same moment.
        try:
            if client.set(FLUSH_QUEUED_KEY, 1, nx=True, ex=30):
                from .tasks import flush_scans_task

                flush_scans_task.enqueue()
        except RedisError as error:  # the scans are in the list; the scheduled flush takes them
            mark_unavailable(error)


def flush_scans(batch=5000, push=True):
    """Move buffered scans into the database; return how many were written."""
    client = buffer_client()
    if client is None:
        return 0
    client.delete(FLUSH_QUEUED_KEY)  # a long list may queue the next flush again
    if push:
        push_pending()
    written = 0
    while True:
        items = client.lpop(BUFFER_KEY, batch) or []
        if not items:
            return written
        written += _save([json.loads(item) for item in items])


def _save(records):
    """Write buffered scan records (dicts of FIELDS and `scanned_at`) to the database."""
    # a lot or label deleted since the scan: keep the scan, drop the dangling reference
    lots = set(
        Lot.objects.filter(pk__in={r["lot_id"] for r in records}).values_list("pk", flat=True)
    )
    labels = set(
        Label.objects.filter(pk__in={r["label_id"] for r in records}).values_list("pk", flat=True)
    )
    scans = []
    for record in records:
        record["scanned_at"] = datetime.datetime.fromisoformat(record["scanned_at"])
        record["lot_id"] = record["lot_id"] if record["lot_id"] in lots else None
        record["label_id"] = record["label_id"] if record["label_id"] in labels else None
        scans.append(Scan(**record))
    Scan.objects.bulk_create(scans)
    return len(scans)


@atexit.register
def _push_on_exit():
    try:
        push_pending()
    except Exception:  # the process is ending; Redis may already be gone
        pass
