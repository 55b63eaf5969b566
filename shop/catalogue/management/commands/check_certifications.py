"""`manage.py check_certifications`: list products and lots carrying another's certificate.

A certificate belongs to its own producer's products (and GTINs, where the registry lists them):
every form, the import and the sync refuse anything else. Links made before that rule held are
listed here, one a line; the command exits with status 1 when there is any, 0 when none.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shop.catalogue.linking import mismatches


class Command(BaseCommand):
    help = "List products and lots whose OCOP certificate is not their own producer's."

    def handle(self, *args, **options):
        found = 0
        for row in mismatches():
            found += 1
            kind = _("product") if row.kind == "product" else _("lot")
            self.stdout.write(
                _(
                    "%(kind)s %(id)s “%(name)s” of %(producer)s carries %(certificate)s "
                    "[%(registry_id)s] of %(owner)s: %(reason)s"
                )
                % {
                    "kind": kind,
                    "id": row.carrier.pk,
                    "name": row.carrier,
                    "producer": row.producer or _("no producer"),
                    "certificate": row.certificate,
                    "registry_id": row.certificate.registry_id,
                    "owner": row.certificate.producer,
                    "reason": row.reason,
                }
            )
        if found:
            raise CommandError(
                _("%(count)s certificate links break the rule.") % {"count": found}, returncode=1
            )
        self.stdout.write(_("Every certificate is carried by its own producer's products."))
