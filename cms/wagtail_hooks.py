"""Wagtail admin: links to the shop dashboard and the Django admin, for staff who may use them;
moves of pages only for those who may make them."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from staff.roles import can_use_data_admin, can_use_shop_dashboard


class RoleMenuItem(MenuItem):
    def __init__(self, *args, shown_to, **kwargs):
        super().__init__(*args, **kwargs)
        self.shown_to = shown_to

    def is_shown(self, request):
        return self.shown_to(request.user)


@hooks.register("register_admin_menu_item")
def shop_dashboard_menu_item():
    return RoleMenuItem(
        _("Shop dashboard"),
        reverse_lazy("dashboard:index"),
        icon_name="tag",
        order=10000,
        shown_to=can_use_shop_dashboard,
    )


@hooks.register("register_admin_menu_item")
def django_admin_menu_item():
    return RoleMenuItem(
        _("Data admin"),
        reverse_lazy("admin:index"),
        icon_name="cogs",
        order=10001,
        shown_to=can_use_data_admin,
    )


@hooks.register("before_move_page")
def refuse_moves_the_user_may_not_make(request, page, destination):
    """Wagtail checks the move when it is made, but shows its confirmation page (the page's
    and the destination's titles) to anyone with admin access: refuse that too."""
    if not page.permissions_for_user(request.user).can_move_to(destination):
        raise PermissionDenied
