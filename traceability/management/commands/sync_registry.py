"""`manage.py sync_registry [--full] [--file PATH]`: pull the registry feed or import a file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from config.progress import progress, write_line
from traceability.models import SyncRun
from traceability.spreadsheet import SpreadsheetInvalid, import_spreadsheet
from traceability.tasks import sync_from_feed, sync_from_feed_file


class Command(BaseCommand):
    help = (
        "Bring the certification mirror up to date: pull the registry feed (incremental by "
        "default), or import a decision spreadsheet (.csv/.xlsx) or a saved feed page (.json)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", help="A .csv or .xlsx decision, or a .json feed page.")
        parser.add_argument(
            "--full", action="store_true", help="Pull every record, not only recent changes."
        )

    def handle(self, *args, file=None, full=False, **options):
        # The feed does not say how many pages it has: a count on a terminal, a line per page
        # elsewhere.
        with progress(desc="Registry sync", unit="pages", stream=self.stderr) as bar:
            run = self.sync(file, full, bar)
        self.report(run)

    def sync(self, file, full, bar):
        def on_page(run):
            bar.update()
            write_line(
                bar,
                f"  page {run.pages}: {run.processed} records read, {run.created} new, "
                f"{run.updated} changed, {run.skipped} skipped",
                self.stdout,
            )

        if file and Path(file).suffix.lower() in (".csv", ".xlsx"):
            try:
                content = Path(file).read_bytes()
            except OSError as exc:
                raise CommandError(f"cannot read {file}: {exc}") from None
            try:
                run = import_spreadsheet(Path(file).name, content, started_by="sync_registry")
            except SpreadsheetInvalid as exc:
                for problem in exc.problems:
                    self.stderr.write(f"  {problem}")
                raise CommandError(
                    f"{file}: nothing imported ({len(exc.problems)} problems)"
                ) from None
            return run
        if file:
            return sync_from_feed_file(file, started_by="sync_registry", progress=on_page)
        return sync_from_feed(full=full, started_by="sync_registry", progress=on_page)

    def report(self, run):
        summary = (
            f"{run.status}: {run.processed} records read, {run.created} new, "
            f"{run.updated} changed, {run.unchanged} unchanged, {run.skipped} skipped"
        )
        for problem in run.problems:
            self.stderr.write(f"  {problem}")
        if run.status == SyncRun.Status.SUCCEEDED:
            self.stdout.write(self.style.SUCCESS(summary))
        else:
            raise CommandError(summary)
