"""The staff dashboard page in the Wagtail admin."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from . import panels


def dashboard(request):
    if not panels.sees_anything(request.user):
        raise PermissionDenied
    days = panels.period_from(request.GET.get("days"))
    return TemplateResponse(
        request, "insight/admin/dashboard.html", panels.dashboard(request.user, days)
    )
