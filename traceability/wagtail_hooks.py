"""The staff's home (Wagtail admin) shows what needs attention in the certification mirror."""

import datetime

from django.utils import timezone
from wagtail import hooks
from wagtail.admin.ui.components import Component

from .analytics import counterfeit_alerts
from .certification import current_filter
from .models import Certification, Scan, SyncRun


class CertificationPanel(Component):
    name = "ocop_certification"
    template_name = "traceability/admin/home_panel.html"
    order = 50

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        expiring = (
            Certification.objects.filter(
                current_filter(today), valid_until__lte=today + datetime.timedelta(days=90)
            )
            .select_related("producer")
            .order_by("valid_until")
        )
        return {
            "alerts": counterfeit_alerts(),
            # A range on the indexed column: `__date` would make the database convert every row.
            "scans_today": Scan.objects.filter(
                scanned_at__gte=timezone.make_aware(
                    datetime.datetime.combine(today, datetime.time())
                )
            ).count(),
            "expiring": expiring[:10],
            "expiring_count": expiring.count(),
            "last_run": SyncRun.objects.exclude(status=SyncRun.Status.RUNNING).first(),
        }


@hooks.register("construct_homepage_panels")
def add_certification_panel(request, panels):
    if request.user.has_perm("traceability.view_certification"):
        panels.append(CertificationPanel())
