"""`manage.py send_alerts [--dry-run]`: e-mail staff the alerts that are new since last time."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alerts.sending import send_digest


class Command(BaseCommand):
    help = "E-mail staff what needs their attention today; nothing already sent is sent again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be sent; send and record nothing.",
        )

    def handle(self, *args, dry_run=False, **options):
        messages = send_digest(dry_run=dry_run)
        if not messages:
            self.stdout.write(_("Nothing new to send."))
            return
        for message in messages:
            if dry_run:
                self.stdout.write(_("Would send to %s:") % ", ".join(message.recipients))
                self.stdout.write(message.email.body)
            else:
                self.stdout.write(
                    ngettext(
                        "Sent %(count)s item to %(recipients)s",
                        "Sent %(count)s items to %(recipients)s",
                        message.count,
                    )
                    % {"count": message.count, "recipients": ", ".join(message.recipients)}
                )
