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

        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import (
            page_published,
            page_slug_changed,
            page_unpublished,
            post_page_move,
        )

        from .menus import forget_menus

        for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
            signal.connect(forget_menus, dispatch_uid="cms:menus")
        post_delete.connect(forget_menus, sender=Page, dispatch_uid="cms:menus")

        from django.core import checks
        from django.db.models.signals import post_migrate

        from config.origin import check_site_url, sync_sites_after_migrate

        # Wagtail's and Django's Site rows follow SITE_URL after every migrate (and deploy).
        post_migrate.connect(sync_sites_after_migrate, sender=self, dispatch_uid="cms:sites")
        checks.register(check_site_url)

        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_save

        from config.login_throttle import forget_failures_on_new_password

        # A password reset unlocks the account it was for (sign-in throttling, config/).
        pre_save.connect(
            forget_failures_on_new_password,
            sender=get_user_model(),
            dispatch_uid="cms:login-throttle",
        )

        from config.pagecache import connect_signals

        # Any change to what the site shows makes the cached pages and scan answers stale.
        connect_signals()
