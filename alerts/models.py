"""Who gets the daily alert digest, and what it has already said."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .kinds import Kind
from .recipients import validate_addresses

RECIPIENTS_HELP = _(
    "One address per line or separated by commas. Left empty, the alerts go to the active "
    "members of the role that owns this data."
)


def recipients_field(verbose_name):
    return models.TextField(
        verbose_name, blank=True, validators=[validate_addresses], help_text=RECIPIENTS_HELP
    )


@register_setting(icon="warning")
class AlertSettings(BaseGenericSetting):
    """Recipients of the daily digest, one list per kind of alert."""

    expiring_recipients = recipients_field(_("certificates expiring soon"))
    lapsed_recipients = recipients_field(_("certificates lapsed or revoked"))
    counterfeit_recipients = recipients_field(_("counterfeit-scan signals"))
    unpaid_recipients = recipients_field(_("unpaid bank transfers"))

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("expiring_recipients"),
                FieldPanel("lapsed_recipients"),
                FieldPanel("counterfeit_recipients"),
            ],
            heading=_("Certification registry"),
        ),
        MultiFieldPanel([FieldPanel("unpaid_recipients")], heading=_("Orders and payments")),
    ]

    class Meta:
        verbose_name = _("alert recipients")

    def configured(self, kind):
        return getattr(self, f"{kind}_recipients")


class AlertState(models.Model):
    """One row per kind: locked while a digest is built, and when that kind was last checked."""

    kind = models.CharField(_("alert kind"), max_length=16, choices=Kind.choices, unique=True)
    checked_at = models.DateTimeField(_("last checked"), null=True, blank=True)

    class Meta:
        verbose_name = _("alert state")
        verbose_name_plural = _("alert states")

    def __str__(self):
        return f"{self.kind} {self.checked_at}"


class SentAlert(models.Model):
    """One item that went out in a digest; an item is never sent twice."""

    kind = models.CharField(_("alert kind"), max_length=16, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=255)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)
    recipients = models.TextField(_("recipients"))

    class Meta:
        verbose_name = _("sent alert")
        verbose_name_plural = _("sent alerts")
        ordering = ["-sent_at", "kind", "key"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="unique_sent_alert_per_kind")
        ]

    def __str__(self):
        return f"{self.kind}: {self.key}"
