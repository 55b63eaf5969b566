"""Producers (chủ thể) and the local mirror of the province's certification registry."""

from anyascii import anyascii
from django.db import models
from django.urls import reverse
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
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("OCOP certification")
        verbose_name_plural = _("OCOP certifications")
        ordering = ["-decision_date", "registry_id"]

    def __str__(self):
        return f"{self.product_name} ({self.stars}★, {self.decision_no})"

    def get_admin_url(self):
        return reverse("admin:traceability_certification_change", args=[self.pk])
