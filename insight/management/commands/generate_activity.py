"""manage.py generate_activity --scans N --orders M --days D [--seed S]"""

from django.core.management.base import BaseCommand, CommandError

from insight.activity import generate_activity


class Command(BaseCommand):
    help = "Make up scans and shop orders over the last days (demos, benchmarks), then roll up."

    def add_arguments(self, parser):
        parser.add_argument("--scans", type=int, default=0)
        parser.add_argument("--orders", type=int, default=0)
        parser.add_argument("--days", type=int, default=180)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, scans, orders, days, seed, **options):
        if scans < 0 or orders < 0 or days < 1:
            raise CommandError("--scans and --orders must be 0 or more, --days 1 or more.")
        made = generate_activity(scans, orders, days, seed=seed, stream=self.stderr)
        self.stdout.write(
            f"{made['scans']} scans and {made['orders']} orders over {days} days; "
            f"rollup rows: {made['rollups']}"
        )
