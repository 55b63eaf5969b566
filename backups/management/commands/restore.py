"""`manage.py restore --from DIR/<time> [--yes]`: put a backup back and check it (backups/)."""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backups.archive import restore_backup
from backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Restore the database and the media files of one backup made by `backup`, then check "
        "them against its manifest. Stop the web processes and workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", required=True, dest="source", metavar="DIR", help="One backup: DIR/<time>."
        )
        parser.add_argument(
            "--yes", action="store_true", help="Replace the contents of a database that has any."
        )

    def handle(self, *args, source, yes=False, **options):
        try:
            result = restore_backup(source, confirmed=yes)
        except (BackupError, OSError) as exc:
            raise CommandError(_("Restore failed: %(error)s") % {"error": exc}) from None
        self.stdout.write(_("Database restored (%(vendor)s).") % {"vendor": result.vendor})
        for label, (expected, found) in result.counts.items():
            self.stdout.write(
                _("%(table)s: %(found)s (in the backup: %(expected)s)")
                % {
                    "table": _table_name(label),
                    "found": found,
                    "expected": expected,
                }
            )
        self.stdout.write(
            ngettext(
                "Media: %(restored)d file restored, %(present)d already in place.",
                "Media: %(restored)d files restored, %(present)d already in place.",
                result.media_restored,
            )
            % {"restored": result.media_restored, "present": result.media_present}
        )
        for problem in result.problems:
            self.stderr.write(problem)
        if result.problems:
            raise CommandError(
                ngettext(
                    "The restore does not match the backup: %(count)d problem.",
                    "The restore does not match the backup: %(count)d problems.",
                    len(result.problems),
                )
                % {"count": len(result.problems)}
            )
        self.stdout.write(self.style.SUCCESS(_("Restored and checked against the manifest.")))


def _table_name(label):
    try:
        return capfirst(apps.get_model(label)._meta.verbose_name_plural)
    except LookupError:  # a model this version no longer has
        return label
