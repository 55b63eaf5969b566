"""manage.py refresh_rollups [--full]"""

from django.core.management.base import BaseCommand

from insight.services import refresh_and_prepare


class Command(BaseCommand):
    help = "Rebuild the daily rollups of scans and sales (the days since the last run)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild every day")

    def handle(self, *args, full, **options):
        rows = refresh_and_prepare(full=full)
        self.stdout.write(", ".join(f"{name}: {n} rows" for name, n in rows.items()))
