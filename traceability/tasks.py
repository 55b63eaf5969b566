"""Background tasks (Django Tasks API): the registry sync, scheduled or started from the admin."""

import json
from pathlib import Path

from django.conf import settings
from django_tasks import task

from .feed import feed_pages
from .models import Source
from .sync import SourceError, last_cursor, run_sync


def sync_from_feed(*, full=False, started_by="", progress=None):
    """Pull the registry feed (incrementally from the last complete run unless `full`)."""
    location = settings.REGISTRY_URL
    since = None if full else last_cursor(location)
    return run_sync(
        feed_pages(updated_since=since),
        source=Source.FEED,
        location=location,
        updated_since=since,
        started_by=started_by,
        progress=progress,
    )


def feed_file_pages(path):
    """Pages of a feed saved as a JSON file ({"next": …, "results": […]}), e.g. the demo's."""
    try:
        page = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"{path}: not a readable feed file ({exc})") from None
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise SourceError(f"{path}: expected {{'next', 'results': [...]}}")
    yield page["results"]


def sync_from_feed_file(path, *, started_by="", progress=None):
    return run_sync(
        feed_file_pages(path),
        source=Source.FEED,
        location=str(path),
        started_by=started_by,
        progress=progress,
    )


@task()
def sync_registry_task(full=False, started_by="scheduled"):
    run = sync_from_feed(full=full, started_by=started_by)
    return run.pk


@task()
def flush_scans_task():
    from .scan_log import flush_scans

    return flush_scans()
