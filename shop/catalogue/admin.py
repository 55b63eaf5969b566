from django.contrib import admin
from oscar.apps.catalogue.admin import *  # noqa: F403
from oscar.apps.catalogue.admin import ProductAdmin as CoreProductAdmin
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


class ProductAdmin(CoreProductAdmin):
    list_display = ("get_title", "upc", "producer", "gtin", "certification", "is_public", "is_demo")
    list_filter = [*CoreProductAdmin.list_filter, "is_demo"]
    raw_id_fields = ["parent", "certification"]
    autocomplete_fields = ["producer"]
    search_fields = ["upc", "title", "gtin", "producer__name"]


admin.site.unregister(Product)
admin.site.register(Product, ProductAdmin)
