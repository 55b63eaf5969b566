from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Content")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from PIL import Image

        # Pillow refuses to decode more than twice this (renditions, thumbnails, label photos), so
        # a picture that slipped past the upload checks still can't exhaust memory.
        Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
