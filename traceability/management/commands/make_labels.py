"""`manage.py make_labels --lot CODE [--count N] [--serialised] --format pdf|png|svg
[--out FILE] [--store] [--demo]`: a sheet written to FILE, kept in private storage, or both.

A printed QR code cannot be recalled: for a SITE_URL that is not a public https origin
(loopback, localhost, a private address, plain http) nothing is printed unless `--demo` asks for
a sheet whose every label says it is a demo sample."""

import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from config.origin import label_origin_problem
from config.progress import progress
from traceability.label_sheets import print_sheet
from traceability.labels import LAYOUTS, printing_refusal, write_sheet
from traceability.models import Lot


class Command(BaseCommand):
    help = "Print-ready A4 sheet(s) of QR labels for a lot (one sheet by default)."

    def add_arguments(self, parser):
        parser.add_argument("--lot", required=True, help="Lot code (or the lot's short code).")
        parser.add_argument(
            "--product", type=int, help="Product id, when two products share a lot code."
        )
        parser.add_argument("--count", type=int, help="Number of labels (default: one sheet).")
        parser.add_argument("--serialised", action="store_true", help="A unique serial per label.")
        parser.add_argument("--format", choices=["pdf", "png", "svg"], default="pdf")
        parser.add_argument("--layout", choices=sorted(LAYOUTS), default="a4-24")
        parser.add_argument("--out", help="File to write (PNG/SVG: one per page).")
        parser.add_argument(
            "--store",
            action="store_true",
            help="Also keep the sheet in private storage (Django admin → Label sheets).",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="A sample sheet marked 'DEMO SAMPLE – not for products' on every label; the "
            "only way to print for a loopback, localhost, private or plain-http SITE_URL.",
        )

    def handle(self, *args, lot, product=None, count=None, serialised=False, **options):
        out, store, demo = options["out"], options["store"], options["demo"]
        if not out and not store:
            raise CommandError("give --out FILE, --store, or both")
        problem = label_origin_problem()
        if problem and not demo:
            hint = _("Set SITE_URL, or give --demo for a sheet marked as a demo on every label.")
            raise CommandError(f"{printing_refusal(problem)} {hint}")
        lots = Lot.objects.select_related("product__producer", "product__certification")
        found = lots.filter(code=lot) | lots.filter(short_code=lot.upper())
        if product:
            found = found.filter(product_id=product)
        found = list(found[:2])
        if not found:
            raise CommandError(f"no lot {lot!r}")
        if len(found) > 1:
            raise CommandError(f"several products have a lot {lot!r}: add --product ID")
        if count is not None and count < 1:
            raise CommandError("--count must be at least 1")
        total = count or LAYOUTS[options["layout"]].per_sheet
        sheet_options = {"fmt": options["format"], "layout": options["layout"]}
        with (
            progress(total=total, desc="Labels", unit="labels", stream=self.stderr) as bar,
            tempfile.TemporaryDirectory() as folder,
        ):
            if not store:
                files = write_sheet(
                    found[0],
                    out,
                    options["format"],
                    count,
                    serialised,
                    options["layout"],
                    progress=bar.update,
                    demo=demo,
                )
            else:
                try:
                    files, _kept, sheet = print_sheet(
                        found[0],
                        out or Path(folder) / f"labels.{options['format']}",
                        bundle_dir=folder,
                        count=count,
                        serialised=serialised,
                        progress=bar.update,
                        demo=demo,
                        **sheet_options,
                    )
                except OSError as exc:
                    raise CommandError(
                        f"the sheet could not be stored, so no labels were made: {exc}"
                    ) from exc
                if not out:
                    files = []
                self.stdout.write(f"stored as {sheet.file.name} (label sheet {sheet.pk})")
        for path in files:
            self.stdout.write(str(path))
        if demo:
            self.stdout.write(self.style.WARNING("A DEMO sheet: every label says it is a sample."))
        self.stdout.write(self.style.SUCCESS(f"{total} labels for lot {found[0].code}"))
