from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Models whose changes alter what a scan page says.
SCAN_SOURCES = (
    "traceability.Lot",
    "traceability.LotEvent",
    "traceability.Label",
    "traceability.Certification",
    "traceability.Producer",
    "catalogue.Product",
    "catalogue.ProductImage",
)


class TraceabilityConfig(AppConfig):
    name = "traceability"
    verbose_name = _("Certification and traceability")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .scan_cache import invalidate_scan_pages

        for label in SCAN_SOURCES:
            model = self.apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(invalidate_scan_pages, sender=model, dispatch_uid=f"scan:{label}")
