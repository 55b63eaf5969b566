"""`manage.py export {orders,products,scans} --format csv|xlsx --out FILE [--since D --until D]`."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.progress import progress
from reports import exports


def _day(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Export orders, products with certification or scans per day as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=sorted(exports.EXPORTS))
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", required=True, help="File to write.")
        parser.add_argument("--since", help="First day (YYYY-MM-DD), inclusive.")
        parser.add_argument("--until", help="Last day (YYYY-MM-DD), inclusive.")

    def handle(self, *args, dataset, out, **options):
        export = exports.EXPORTS[dataset]
        since = _day(options["since"]) if options["since"] else None
        until = _day(options["until"]) if options["until"] else None
        if since and until and until < since:
            raise CommandError("--until is before --since")
        path = Path(out)
        total = export.count(since, until)
        try:
            with progress(
                total=total, desc=f"Exporting {dataset}", unit="rows", stream=self.stderr
            ) as bar:
                if options["format"] == "csv":
                    with path.open("wb") as file:
                        for chunk in exports.csv_chunks(export, since, until, progress=bar):
                            file.write(chunk)
                else:
                    exports.write_xlsx(export, path, since, until, progress=bar)
        except OSError as exc:
            raise CommandError(f"cannot write {out}: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{total} rows written to {path}"))
