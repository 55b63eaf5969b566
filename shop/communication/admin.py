"""Oscar's communication admin, with customers' emails and notifications for superusers only.

A stored email is a customer's correspondence (personal data), and before 0005 some held
password-reset links; no staff role reads them, whatever permissions a group is given.
"""

from django.contrib import admin
from oscar.apps.communication.admin import *  # noqa: F403  registers Oscar's admins first
from oscar.apps.communication.admin import EmailAdmin
from oscar.core.loading import get_model

Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")


class SuperusersOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)


class CustomerEmailAdmin(SuperusersOnly, EmailAdmin):
    pass


class NotificationAdmin(SuperusersOnly, admin.ModelAdmin):
    pass


for model, model_admin in ((Email, CustomerEmailAdmin), (Notification, NotificationAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
