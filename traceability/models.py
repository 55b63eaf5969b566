"""Producers (chủ thể), the local mirror of the province's certification registry, its history."""

import datetime
import re

from anyascii import anyascii
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from config.media import private_storage
from config.uploads import validate_document, validate_photo

from .certification import CertificateLinkGuard, certificate_mismatch, held_on
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


def short_code(length):
    """A random code from an alphabet without look-alike characters (no 0/O, 1/I/L)."""
    import secrets

    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# 31 characters: 0, 1, I, L and O are left out so a code read aloud or retyped survives.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOT_CODE_LENGTH = 10  # ≈ 49.5 bits: lots are few and not secret, but not enumerable either
SERIAL_LENGTH = 13  # ≈ 64.4 bits: a serialised label cannot be guessed


def new_lot_short_code():
    return short_code(LOT_CODE_LENGTH)


def new_serial():
    return short_code(SERIAL_LENGTH)


class Lot(CertificateLinkGuard, models.Model):
    """A production batch of one product: what a QR label points at."""

    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        related_name="lots",
        on_delete=models.PROTECT,
    )
    code = models.CharField(
        _("lot code"),
        max_length=20,
        validators=[RegexValidator(r"^[A-Za-z0-9\-._]{1,20}$", _("Letters, digits, - . _ only"))],
        help_text=_("As printed on the pack (GS1 AI 10: up to 20 characters)."),
    )
    short_code = models.CharField(
        _("short code"), max_length=16, unique=True, default=new_lot_short_code, editable=False
    )
    produced_on = models.DateField(_("produced on"))
    best_before = models.DateField(_("best before"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    origin_commune_code = models.PositiveIntegerField(
        _("raw material from (commune)"),
        null=True,
        blank=True,
        validators=[validate_commune_code],
    )
    origin_latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    origin_longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    certification = models.ForeignKey(
        Certification,
        verbose_name=_("certificate on the production date"),
        related_name="lots",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Filled from the product's certificate when left empty."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["-produced_on", "code"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="unique_lot_code_per_product")
        ]

    def __str__(self):
        return f"{self.product} — {self.code}"

    # Only a certificate of the lot's product's producer (and GTIN): the scan page shows it.
    certificate_link_fields = ("product_id", "certification_id")

    def save(self, *args, **kwargs):
        if self.certification_id is None and self.product_id:
            certificate = self.product.certification
            product = self.product
            if held_on(certificate, self.produced_on) and not certificate_mismatch(
                product.producer, product.gtin, certificate
            ):
                self.certification = certificate
        self.check_certificate_link(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self.certificate_link_saved()

    def clean(self):
        super().clean()
        self.check_certificate_link()

    def certificate_link_problem(self):
        if not self.product_id:
            return None
        product = self.product
        return certificate_mismatch(product.producer, product.gtin, self.certification)

    @property
    def origin_commune(self):
        return commune(self.origin_commune_code) if self.origin_commune_code else None


class LotEvent(models.Model):
    """One dated step of a lot's story: harvest, processing, packing, inspection."""

    class Kind(models.TextChoices):
        HARVEST = "harvest", _("Harvest")
        PROCESSING = "processing", _("Processing")
        PACKING = "packing", _("Packing")
        INSPECTION = "inspection", _("Inspection")

    lot = models.ForeignKey(Lot, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("what happened"), max_length=255, blank=True)
    photo = models.ImageField(
        _("photo"), upload_to="lots/photos/%Y/", blank=True, validators=[validate_photo]
    )
    # Private: staff fetch it through the admin (a signed link that expires on S3); the scan
    # page only says a report is on file.
    document = models.FileField(
        _("test report or document"),
        upload_to="lots/documents/%Y/",
        storage=private_storage,
        blank=True,
        validators=[validate_document],
        help_text=_("Kept private: only staff can open it."),
    )

    class Meta:
        verbose_name = _("lot step")
        verbose_name_plural = _("lot steps")
        ordering = ["happened_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.happened_on}"


class Label(models.Model):
    """A serialised label: one printed QR for one unit."""

    lot = models.ForeignKey(Lot, related_name="labels", on_delete=models.CASCADE)
    serial = models.CharField(_("serial"), max_length=20, unique=True, default=new_serial)
    printed_at = models.DateTimeField(_("printed"), default=timezone.now)

    class Meta:
        verbose_name = _("serialised label")
        verbose_name_plural = _("serialised labels")

    def __str__(self):
        return self.serial


class LabelSheet(models.Model):
    """A printed label sheet kept in private storage so staff can download it again.

    Written by traceability.label_sheets.store_sheet: the row exists only once its file is
    stored."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        PNG = "png", "PNG"
        SVG = "svg", "SVG"

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), related_name="label_sheets", on_delete=models.CASCADE
    )
    format = models.CharField(_("format"), max_length=3, choices=Format.choices)
    layout = models.CharField(_("sticker sheet"), max_length=8)
    count = models.PositiveIntegerField(_("labels"))
    serialised = models.BooleanField(_("serialised"), default=False)
    file = models.FileField(
        _("file"), upload_to="labels/%Y/%m/", storage=private_storage, max_length=255
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("printed by"),
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(_("printed"), default=timezone.now)

    class Meta:
        verbose_name = _("label sheet")
        verbose_name_plural = _("label sheets")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.lot.code}: {self.count} × {self.format} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def download_name(self):
        """What the downloaded file is called: the lot's code and the sheet's own suffix."""
        suffix = self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else self.format
        demo = "-demo" if self.is_demo else ""
        return f"labels-{self.lot.code}{demo}.{suffix}"

    @property
    def is_demo(self):
        """A sheet printed marked as a demo (traceability.label_sheets names its file so)."""
        stem = self.file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        # Storage may add "_" and 7 characters to a name already taken.
        return re.search(r"-demo(_[A-Za-z0-9]{7})?$", stem) is not None


class Scan(models.Model):
    """One scan of a label. Personal data kept to the minimum the law allows (91/2025/QH15)."""

    scanned_at = models.DateTimeField(_("scanned"), default=timezone.now, db_index=True)
    lot = models.ForeignKey(
        Lot, null=True, blank=True, related_name="scans", on_delete=models.SET_NULL
    )
    label = models.ForeignKey(
        Label, null=True, blank=True, related_name="scans", on_delete=models.SET_NULL
    )
    product_id_seen = models.PositiveBigIntegerField(_("product"), null=True, blank=True)
    unknown_code = models.CharField(_("unknown code asked for"), max_length=120, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    region = models.CharField(
        _("coarse region (with consent)"),
        max_length=64,
        blank=True,
        help_text=_("Only when the visitor agreed to share it."),
    )
    source_hash = models.CharField(_("salted source hash"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        indexes = [
            models.Index(fields=["lot", "scanned_at"]),
            models.Index(fields=["label"]),
            # The counterfeit signals read only label scans and unknown codes of recent days.
            models.Index(
                fields=["scanned_at", "label", "source_hash"],
                condition=models.Q(label__isnull=False),
                name="scan_label_recent",
            ),
            models.Index(
                fields=["scanned_at", "unknown_code", "source_hash"],
                condition=~models.Q(unknown_code=""),
                name="scan_unknown_recent",
            ),
        ]

    def __str__(self):
        return f"{self.scanned_at:%Y-%m-%d %H:%M} {self.lot or self.unknown_code}"
