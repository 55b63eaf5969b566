"""`manage.py backup --to DIR [--keep N]`: the database and every media file (backups/)."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backups.archive import make_backup
from backups.errors import BackupError


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or a SQLite copy) and every media file into DIR; "
        "media already backed up there is not copied again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="DIR", help="The backup folder.")
        parser.add_argument(
            "--keep", type=int, metavar="N", help="Keep only the newest N backups in DIR."
        )

    def handle(self, *args, to, keep=None, **options):
        try:
            result = make_backup(to, keep=keep)
        except (BackupError, OSError) as exc:
            raise CommandError(_("Backup failed: %(error)s") % {"error": exc}) from None
        self.stdout.write(
            _("Database: %(size)s.") % {"size": filesizeformat(result.database_bytes)}
        )
        self.stdout.write(
            ngettext(
                "Media: %(total)d file, %(copied)d new (%(size)s copied).",
                "Media: %(total)d files, %(copied)d new (%(size)s copied).",
                result.media_files,
            )
            % {
                "total": result.media_files,
                "copied": result.media_copied,
                "size": filesizeformat(result.media_copied_bytes),
            }
        )
        for path in result.pruned:
            self.stdout.write(_("Removed the old backup %(path)s.") % {"path": path})
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s in %(seconds).1f s.")
                % {"path": result.path, "seconds": result.seconds}
            )
        )
