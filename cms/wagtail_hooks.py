"""Wagtail admin: links to the shop dashboard and the Django admin, so staff can move between."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


@hooks.register("register_admin_menu_item")
def shop_dashboard_menu_item():
    return MenuItem(
        _("Shop dashboard"), reverse_lazy("dashboard:index"), icon_name="tag", order=10000
    )


@hooks.register("register_admin_menu_item")
def django_admin_menu_item():
    return MenuItem(_("Data admin"), reverse_lazy("admin:index"), icon_name="cogs", order=10001)
