"""Django admin views that come with packages and let in every staff user, limited here to the
users the roles mean them for.

Shop staff and registry officers are staff only to use their own models in the Django admin
(`staff.roles`), so a view that asks for nothing but staff status is open to both:

- django-rq's job queues show each job's arguments (order numbers, e-mail addresses) and can
  empty a queue or requeue a job: superusers only;
- taggit's "merge tags" rewrote tags for anyone, and a POST without a selection was a 500: it
  asks for the permission to change tags, and needs a selection.

Both packages' admin modules are imported first so that their registrations can be replaced
whatever the order of INSTALLED_APPS.
"""

from functools import wraps

import django_rq.admin  # noqa: F401  registers django-rq's admin before it is replaced
import taggit.admin
from django.contrib import admin
from django.contrib import messages as admin_messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_rq.models import Dashboard
from taggit.models import Tag

from staff.permissions import SuperusersOnlyAdmin


def superusers_only(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (request.user.is_active and request.user.is_superuser):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class SuperuserQueueAdmin(SuperusersOnlyAdmin, django_rq.admin.QueueAdmin):
    pass

    def get_urls(self):
        urls = super().get_urls()
        for url in urls:
            url.callback = superusers_only(url.callback)
        return urls


class TagAdmin(taggit.admin.TagAdmin):
    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if not request.session.get("selected_tag_ids"):
            self.message_user(request, _("Choose the tags to merge first."), admin_messages.ERROR)
            return redirect("admin:taggit_tag_changelist")
        return super().merge_tags_view(request)


for model, model_admin in ((Dashboard, SuperuserQueueAdmin), (Tag, TagAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
