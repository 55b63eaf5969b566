"""Oscar's communication admin, with customers' emails and notifications for superusers only.

A stored email is a customer's correspondence (personal data), and before 0005 some held
password-reset links; no staff role reads them, whatever permissions a group is given.
"""

from django.contrib import admin
from oscar.apps.communication.admin import *  # noqa: F403  registers Oscar's admins first
from oscar.apps.communication.admin import EmailAdmin
from oscar.core.loading import get_model

from staff.permissions import SuperusersOnlyAdmin

Email = get_model("communication", "Email")
Notification = get_model("communication", "Notification")


class CustomerEmailAdmin(SuperusersOnlyAdmin, EmailAdmin):
    pass


class NotificationAdmin(SuperusersOnlyAdmin, admin.ModelAdmin):
    pass


for model, model_admin in ((Email, CustomerEmailAdmin), (Notification, NotificationAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
