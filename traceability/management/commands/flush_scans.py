"""`manage.py flush_scans`: write buffered scans to the database (schedule it every minute)."""

from django.core.management.base import BaseCommand

from traceability.scan_log import flush_scans


class Command(BaseCommand):
    help = "Write scans buffered in Redis to the database."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_scans()} scans written")
