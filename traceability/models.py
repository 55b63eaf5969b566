"""Producers (chủ thể), the local mirror of the province's certification registry, its history."""

import datetime

from anyascii import anyascii
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .places import commune
from .rules import ProducerKind, ProductGroup
from .validators import validate_commune_code


class Producer(models.Model):
    """A producer taking part in the OCOP programme: company, cooperative, group or household."""

    name = models.CharField(_("name"), max_length=255)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, allow_unicode=False)
    kind = models.CharField(_("kind"), max_length=32, choices=ProducerKind.choices)
    tax_code = models.CharField(
        _("tax code"), max_length=20, blank=True, help_text=_("Registry key when known.")
    )
    commune_code = models.PositiveIntegerField(
        _("commune code"),
        validators=[validate_commune_code],
        help_text=_("Post-2025 commune or ward code."),
    )
    former_district = models.CharField(
        _("former district"),
        max_length=100,
        blank=True,
        help_text=_("Label only: districts were abolished on 1 July 2025."),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    story = models.TextField(_("story"), blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Sample data loaded for demonstration.")
    )

    class Meta:
        verbose_name = _("producer")
        verbose_name_plural = _("producers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=~models.Q(tax_code=""),
                name="unique_producer_tax_code",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(anyascii(f"{self.name}-{self.commune_code}"))[:255]
        super().save(*args, **kwargs)

    @property
    def commune(self):
        return commune(self.commune_code)

    @property
    def commune_name(self):
        found = self.commune
        return found.name if found else ""


class Source(models.TextChoices):
    FEED = "feed", _("Registry feed")
    FILE = "file", _("Decision spreadsheet")


class Certification(models.Model):
    """One OCOP certificate as the registry states it (keyed by the registry's id)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")

    registry_id = models.CharField(_("registry id"), max_length=64, unique=True)
    product_name = models.CharField(_("product name"), max_length=255)
    producer = models.ForeignKey(
        Producer,
        verbose_name=_("producer"),
        related_name="certifications",
        on_delete=models.PROTECT,
    )
    product_group = models.CharField(
        _("product group"), max_length=32, choices=ProductGroup.choices
    )
    stars = models.PositiveSmallIntegerField(_("stars"))
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=255)
    decision_no = models.CharField(_("decision number"), max_length=64)
    decision_date = models.DateField(_("decision date"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("registry status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    gtins = models.JSONField(_("GTINs"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated in registry"))
    last_confirmed_at = models.DateTimeField(
        _("last confirmed by the registry"), null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.FEED
    )
    raw = models.JSONField(
        _("record as received"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("OCOP certification")
        verbose_name_plural = _("OCOP certifications")
        ordering = ["-decision_date", "registry_id"]

    def __str__(self):
        return f"{self.product_name} ({self.stars}★, {self.decision_no})"

    def get_admin_url(self):
        return reverse("admin:traceability_certification_change", args=[self.pk])

    @property
    def confirmation_is_stale(self):
        """True when the registry has not confirmed this record for longer than allowed."""
        if self.last_confirmed_at is None:
            return True
        limit = datetime.timedelta(days=settings.REGISTRY_STALE_AFTER_DAYS)
        return timezone.now() - self.last_confirmed_at > limit


class SyncRun(models.Model):
    """One pull of the feed or import of a spreadsheet, with what it did."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Finished with skipped records")
        FAILED = "failed", _("Failed")

    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    location = models.CharField(_("feed URL or file"), max_length=500, blank=True)
    updated_since = models.DateTimeField(_("asked for changes since"), null=True, blank=True)
    high_water_mark = models.DateTimeField(_("newest registry update seen"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    started_by = models.CharField(_("started by"), max_length=150, blank=True)
    pages = models.PositiveIntegerField(_("pages read"), default=0)
    processed = models.PositiveIntegerField(_("records read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)

    class Meta:
        verbose_name = _("registry sync")
        verbose_name_plural = _("registry syncs")
        ordering = ["-started_at"]
        get_latest_by = "started_at"

    def __str__(self):
        return f"{self.get_source_display()} {self.started_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def succeeded(self):
        return self.status == self.Status.SUCCEEDED


class CertificationChange(models.Model):
    """One field of one certificate changed by a sync or an import: old → new."""

    certification = models.ForeignKey(
        Certification, related_name="changes", on_delete=models.CASCADE
    )
    run = models.ForeignKey(
        SyncRun, related_name="changes", null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.CharField(_("changed by"), max_length=150, blank=True)
    field = models.CharField(_("field"), max_length=32)
    old_value = models.JSONField(_("old value"), null=True, encoder=DjangoJSONEncoder)
    new_value = models.JSONField(_("new value"), null=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = _("certification change")
        verbose_name_plural = _("certification changes")
        ordering = ["-changed_at", "pk"]
        indexes = [models.Index(fields=["field", "changed_at"])]

    def __str__(self):
        return f"{self.certification.registry_id}: {self.field} {self.old_value} → {self.new_value}"
