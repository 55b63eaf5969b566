"""The periodic jobs and when each is due.

Every job has a slot: the period it belongs to (the n-th minute, or a local date for a daily
job). A job is enqueued at most once per slot, whichever node's scheduler gets there first.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    queue: str = "default"
    every: datetime.timedelta | None = None
    at: datetime.time | None = None  # daily, local time (settings.TIME_ZONE)

    def __post_init__(self):
        if (self.every is None) == (self.at is None):
            raise ValueError(f"{self.name}: give either `every` or `at`")

    @property
    def task(self):
        return import_string(self.task_path).using(queue_name=self.queue)

    def slot(self, now):
        """The period `now` falls in, or None for a daily job before its time of day."""
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            return f"{int(now.timestamp()) // seconds * seconds}"
        local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
        if local.time() < self.at:
            return None
        return local.date().isoformat()

    def next_run(self, now):
        """When the next slot starts (for display)."""
        if self.every is not None:
            seconds = int(self.every.total_seconds())
            start = (int(now.timestamp()) // seconds + 1) * seconds
            return datetime.datetime.fromtimestamp(start, tz=datetime.UTC)
        zone = ZoneInfo(settings.TIME_ZONE)
        local = now.astimezone(zone)
        day = local.date() if local.time() < self.at else local.date() + datetime.timedelta(1)
        return datetime.datetime.combine(day, self.at, tzinfo=zone)

    @property
    def ttl(self):
        """How long a slot's claim is kept: long enough to outlive the slot."""
        if self.every is not None:
            return max(int(self.every.total_seconds()) * 2, 120)
        return 2 * 24 * 3600

    def describe(self):
        if self.every is not None:
            minutes = int(self.every.total_seconds()) // 60
            return f"every {minutes} min" if minutes != 1 else "every minute"
        return f"daily at {self.at:%H:%M}"


MINUTE = datetime.timedelta(minutes=1)

SCHEDULE = (
    Job("flush_scans", "traceability.tasks.flush_scans_task", every=MINUTE),
    Job("expire_orders", "shop.payments.tasks.expire_unpaid_orders", every=5 * MINUTE),
    Job("refresh_rollups", "insight.tasks.refresh_rollups_task", "slow", every=10 * MINUTE),
    Job("sync_registry", "traceability.tasks.sync_registry_task", "slow", every=30 * MINUTE),
    Job("reconcile_payments", "shop.payments.tasks.reconcile_card_payments", every=60 * MINUTE),
    Job("send_alerts", "alerts.tasks.send_alerts_task", at=datetime.time(7, 0)),
    Job("update_index", "jobs.tasks.update_search_index_task", "slow", at=datetime.time(2, 30)),
)
