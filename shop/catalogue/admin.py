from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.admin import *  # noqa: F403
from oscar.apps.catalogue.admin import ProductAdmin as CoreProductAdmin
from oscar.core.loading import get_model

from traceability.admin import CertificationAdmin
from traceability.models import Certification, SyncRun

Product = get_model("catalogue", "Product")

# Changes that alter what a product page says about its certificate.
STANDING_FIELDS = ("created", "status", "stars", "decision_date", "valid_until", "status_reason")


class ChangedInLastSyncFilter(admin.SimpleListFilter):
    title = _("certificate changed")
    parameter_name = "certificate_changed"

    def lookups(self, request, model_admin):
        return [("last-sync", _("in the last sync"))]

    def queryset(self, request, queryset):
        if self.value() != "last-sync":
            return queryset
        run = SyncRun.objects.exclude(status=SyncRun.Status.RUNNING).first()
        if run is None:
            return queryset.none()
        return queryset.filter(
            certification__changes__run=run, certification__changes__field__in=STANDING_FIELDS
        ).distinct()


class ProductAdmin(CoreProductAdmin):
    list_display = ("get_title", "upc", "producer", "gtin", "certification", "is_public", "is_demo")
    list_filter = [*CoreProductAdmin.list_filter, ChangedInLastSyncFilter, "is_demo"]
    raw_id_fields = ["parent", "certification"]
    autocomplete_fields = ["producer"]
    search_fields = ["upc", "title", "gtin", "producer__name"]


class LinkedFilter(admin.SimpleListFilter):
    """Registry records no product is sold under: for staff to link, never guessed."""

    title = _("sold in the shop")
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return [("no", _("No product linked")), ("yes", _("Linked to a product"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(products__isnull=True)
        if self.value() == "yes":
            return queryset.filter(~Q(products=None)).distinct()
        return queryset


class ShopCertificationAdmin(CertificationAdmin):
    list_filter = (*CertificationAdmin.list_filter, LinkedFilter)


admin.site.unregister(Product)
admin.site.register(Product, ProductAdmin)
admin.site.unregister(Certification)
admin.site.register(Certification, ShopCertificationAdmin)
