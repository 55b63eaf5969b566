"""What staff switch on, and the records that make payments happen once.

`PaymentSettings` is a Wagtail site setting: which methods a customer may choose and how long an
unpaid order holds its stock. `StripeEvent` remembers every webhook event by Stripe's id so a
replayed event does nothing twice. `BankTransfer` is one credited line of an imported bank
statement, kept with what it was matched to.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="credit-card")
class PaymentSettings(BaseGenericSetting):
    vietqr_enabled = models.BooleanField(_("bank transfer (VietQR)"), default=True)
    cod_enabled = models.BooleanField(_("cash on delivery"), default=True)
    stripe_enabled = models.BooleanField(
        _("card (Stripe)"),
        default=True,
        help_text=_("Offered only when the Stripe keys are configured on the server."),
    )
    transfer_hours = models.PositiveIntegerField(
        _("hours to pay by transfer"),
        default=48,
        help_text=_("An order not paid by transfer within this time is cancelled."),
    )
    card_minutes = models.PositiveIntegerField(
        _("minutes to pay by card"),
        default=60,
        help_text=_("An order whose card payment was not completed within this time is cancelled."),
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("vietqr_enabled"), FieldPanel("cod_enabled"), FieldPanel("stripe_enabled")],
            heading=_("Payment methods offered"),
        ),
        MultiFieldPanel(
            [FieldPanel("transfer_hours"), FieldPanel("card_minutes")],
            heading=_("Unpaid orders"),
        ),
    ]

    class Meta:
        verbose_name = _("payment methods")


class StripeEvent(models.Model):
    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)
    order_number = models.CharField(max_length=128, blank=True, db_index=True)
    outcome = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_id} {self.type}"


class BankTransfer(models.Model):
    class Outcome(models.TextChoices):
        MATCHED = "matched", _("Matched: order marked paid")
        ALREADY_PAID = "already-paid", _("Order was already paid")
        PARTIAL = "partial", _("Amount below the order total")
        OVERPAID = "overpaid", _("Amount above the order total")
        NOT_AWAITING = "not-awaiting", _("Order is not awaiting a transfer")
        UNMATCHED = "unmatched", _("No order number in the note")

    fingerprint = models.CharField(max_length=64, unique=True)
    booked_on = models.DateField(_("date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0)
    note = models.CharField(_("transfer note"), max_length=500, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    order = models.ForeignKey(
        "order.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bank transfer")
        verbose_name_plural = _("bank transfers")
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.booked_on} {self.amount} {self.note}"
