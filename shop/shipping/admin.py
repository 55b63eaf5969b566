"""Oscar's data admin for shipping, with pick-up points added (staff normally use Wagtail)."""

from django.contrib import admin
from oscar.apps.shipping.admin import *  # noqa: F403

from .models import PickupPoint


@admin.register(PickupPoint)
class PickupPointAdmin(admin.ModelAdmin):
    list_display = ("name", "address", "opening_hours", "is_active", "sort_order")
    search_fields = ("name", "address")
