"""Oscar's dashboard, open only to staff who may see sales (`staff.roles`).

Oscar lets any `is_staff` user into its dashboard home and into every view that a dashboard app
does not map to a model permission. Registry officers need `is_staff` for the Django admin, so
here every dashboard view (the sub-apps' too: this config decorates all the URLs it includes)
also asks for the sales permission. Producers' partner logins keep Oscar's own route in.
"""

import oscar.apps.dashboard.apps as apps
from oscar.core.loading import get_class

from staff.roles import SALES_PERMISSION


class DashboardConfig(apps.DashboardConfig):
    name = "shop.dashboard"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        self.default_permissions = (
            ["is_staff", SALES_PERMISSION],
            DashboardPermission.partner_dashboard_access,
        )
        self.permissions_map = {
            **self.permissions_map,
            "index": self.default_permissions,
            "login": None,
            "logout": None,
        }
