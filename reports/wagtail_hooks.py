"""Wagtail admin: a "Reports" menu with the programme report and the data exports."""

from django.urls import include, path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from . import exports, views

admin_urls = (
    [
        path("", views.report, name="programme"),
        path("exports/", views.export_page, name="exports"),
    ],
    "reports",
)


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("reports/", include(admin_urls))]


class ExportMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(exports.allowed_exports(request.user))


@hooks.register("register_admin_menu_item")
def reports_menu_item():
    menu = Menu(
        items=[
            MenuItem(
                _("Programme report"), reverse_lazy("reports:programme"), icon_name="doc-full"
            ),
            ExportMenuItem(
                _("Data exports"), reverse_lazy("reports:exports"), icon_name="download"
            ),
        ]
    )
    return SubmenuMenuItem(_("Reports and exports"), menu, icon_name="table", order=260)
