from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Trade fairs and livestreams")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from config.pagecache import register_clock

        from .models import next_change

        # "Live now", "on now" and "upcoming" change with the clock: no cached page outlives that.
        register_clock(next_change)
