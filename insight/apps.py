from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "insight"
    verbose_name = _("Staff insight")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save
        from oscar.core.loading import get_model

        from . import rollups

        post_save.connect(rollups.order_saved, sender=get_model("order", "Order"))
