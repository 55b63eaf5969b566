from django.contrib import admin

from .models import Certification, Producer


@admin.register(Producer)
class ProducerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "commune_name", "tax_code", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "tax_code")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = (
        "registry_id",
        "product_name",
        "producer",
        "stars",
        "decision_no",
        "decision_date",
        "valid_until",
        "status",
        "is_demo",
    )
    list_filter = ("stars", "status", "product_group", "is_demo")
    search_fields = ("registry_id", "product_name", "decision_no", "producer__name")
    date_hierarchy = "decision_date"
    list_select_related = ("producer",)
