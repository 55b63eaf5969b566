"""Orders, their lines and their payments in the Django admin: to read, never to change.

An order's stage and money (status, paid_at, payment method, totals, lines, payment sources and
events) change only through `shop.order.actions`, which take the row lock, move stock and record
who did what in the order's history. Oscar's admins edit those fields directly (an order could be
made "paid" with no payment and no stock step), so every admin of the order and payment apps is
made read-only here, for superusers too; the order pages of the Wagtail admin run the actions.
"""

import oscar.apps.payment.admin  # noqa: F401  registers the payment admins before they are replaced
from django.apps import apps
from django.contrib import admin
from oscar.apps.order.admin import *  # noqa: F403  registers Oscar's order admins

READ_ONLY_APPS = ("order", "payment")


class ReadOnlyAdmin:
    """No add, change or delete, in the admin's forms, inlines, list edits or actions."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def read_only(model_admin_class):
    inlines = [
        type(inline.__name__, (ReadOnlyAdmin, inline), {}) for inline in model_admin_class.inlines
    ]
    return type(
        model_admin_class.__name__,
        (ReadOnlyAdmin, model_admin_class),
        {"inlines": inlines, "actions": []},
    )


for app_label in READ_ONLY_APPS:
    for model in apps.get_app_config(app_label).get_models():
        if admin.site.is_registered(model):
            model_admin = admin.site.get_model_admin(model)
            admin.site.unregister(model)
            admin.site.register(model, read_only(type(model_admin)))
