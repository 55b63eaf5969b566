from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = _("Staff roles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_migrate

        from . import provisioning

        post_migrate.connect(provisioning.roles_after_migrate, sender=self)
        m2m_changed.connect(
            provisioning.staff_status_follows_roles, sender=get_user_model().groups.through
        )
