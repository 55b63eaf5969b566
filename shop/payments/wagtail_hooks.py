from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

admin_urls = (
    [
        path("", admin_views.orders_to_act_on, name="orders"),
        path("<str:number>/action/", admin_views.order_action, name="order-action"),
        path("statement/", admin_views.import_statement, name="statement"),
    ],
    "payments_admin",
)


@hooks.register("register_admin_urls")
def register_payment_urls():
    return [path("orders/", include(admin_urls))]


class OrderStaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_views.PERMISSION)


@hooks.register("register_admin_menu_item")
def orders_menu_item():
    return OrderStaffMenuItem(
        _("Orders and payments"), reverse("payments_admin:orders"), icon_name="list-ul", order=250
    )


@hooks.register("register_admin_menu_item")
def statement_menu_item():
    return OrderStaffMenuItem(
        _("Bank statement"), reverse("payments_admin:statement"), icon_name="upload", order=251
    )
