"""`manage.py ocop_scheduler [--once|--list]`: enqueue the periodic jobs on time."""

import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from jobs.schedule import SCHEDULE
from jobs.scheduler import Scheduler


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs (scan flush, order expiry, rollups, registry sync, payment "
        "reconciliation, alerts, search index) at their intervals. Run one per node; only the "
        "one holding the Redis lock schedules, the others wait to take over."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One pass, then exit.")
        parser.add_argument("--list", action="store_true", help="Show the schedule and exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between passes (default 5)."
        )

    def handle(self, *args, once=False, list=False, interval=5.0, **options):
        if list:
            now = timezone.now()
            for job in SCHEDULE:
                next_run = timezone.localtime(job.next_run(now))
                self.stdout.write(
                    f"{job.name:<20} {job.describe():<20} queue={job.queue:<8} "
                    f"next {next_run:%Y-%m-%d %H:%M}  {job.task_path}"
                )
            return
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds")
        try:
            scheduler = Scheduler()
            if once:
                started = scheduler.tick()
                scheduler.release()
                self.stdout.write(f"enqueued: {', '.join(started) or 'nothing due'}")
                return
            signal.signal(signal.SIGTERM, scheduler.stop)
            signal.signal(signal.SIGINT, scheduler.stop)
            self.stdout.write(f"scheduler {scheduler.name} started")
            scheduler.run(interval=interval)
        except RedisConnectionError as exc:
            raise CommandError(f"Redis is not reachable: {exc}") from None
        self.stdout.write(f"scheduler {scheduler.name} stopped")
