"""Catalogue products carry who made them, where, and which certificate they sell under."""

import os
import uuid

from django.contrib.staticfiles.finders import find
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import (
    AbstractProduct,
    AbstractProductImage,
    MissingProductImage,
)
from oscar.utils.models import get_image_upload_path
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.search import index

from sitesearch.folding import FoldedSearchMixin
from traceability.certification import CertificateLinkGuard, certificate_mismatch, standing
from traceability.validators import normalise_gtin, validate_gtin

from .validators import validate_photo_upload


@register_setting(icon="list-ul")
class CatalogueDisplay(BaseGenericSetting):
    """Staff's choices for how the catalogue lists products."""

    hide_uncertified = models.BooleanField(
        _("hide products that cannot be sold"),
        default=False,
        help_text=_(
            "When a certificate lapses, is suspended or revoked, hide the product from "
            "listings. When off, it stays listed and is clearly marked as not for sale."
        ),
    )

    class Meta:
        verbose_name = _("catalogue display")


class Product(CertificateLinkGuard, FoldedSearchMixin, index.Indexed, AbstractProduct):
    producer = models.ForeignKey(
        "traceability.Producer",
        verbose_name=_("producer"),
        related_name="products",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    certification = models.ForeignKey(
        "traceability.Certification",
        verbose_name=_("OCOP certification"),
        related_name="products",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("The registry record this product is sold under."),
    )
    gtin = models.CharField(
        _("GTIN"),
        max_length=14,
        blank=True,
        db_index=True,
        validators=[validate_gtin],
        help_text=_("Barcode number (GTIN-8/12/13/14), if the product has one."),
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Sample product loaded for demonstration.")
    )

    # Site search (sitesearch/): every product is indexed; visitors see only the sellable ones,
    # filtered by `id` at query time because certificates lapse without a save.
    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("description"),
        index.SearchField("upc"),
        index.SearchField("gtin"),
        index.SearchField("commune_name"),
        index.RelatedFields(
            "producer", [index.SearchField("name"), index.SearchField("former_district")]
        ),
        index.RelatedFields("product_class", [index.SearchField("name")]),
        index.FilterField("id"),
    ]

    # A certificate belongs to its product: see traceability.certification.certificate_mismatch.
    certificate_link_fields = ("producer_id", "certification_id", "gtin")

    def clean(self):
        super().clean()
        self.check_certificate_link()

    def save(self, *args, **kwargs):
        # Stored as GTIN-14 so that it matches the registry's GTINs and the QR URIs.
        if self.gtin:
            try:
                self.gtin = normalise_gtin(self.gtin)
            except ValueError:
                pass  # left as typed; the field's validator explains the problem in forms
        self.check_certificate_link(kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        self.certificate_link_saved()

    def certificate_link_problem(self):
        return certificate_mismatch(self.producer, self.gtin, self.certification)

    @cached_property
    def standing(self):
        """Certification standing today (state, stars while certified)."""
        return standing(self.certification)

    @property
    def commune_name(self):
        return self.producer.commune_name if self.producer_id else ""

    def get_missing_image(self):
        return MissingImage()


class MissingImage(MissingProductImage):
    """Oscar's stand-in for a product without a photo. Oscar links its file into MEDIA_ROOT the
    first time one is needed, removing any link already there first; requests doing that at the
    same moment removed each other's links and failed with a server error. Here the link is
    made under a name of its own and renamed into place, which is atomic: whoever comes last
    wins, and the file is there for everyone at every moment."""

    def symlink_missing_image(self, media_file_path):
        static_file_path = find(f"oscar/img/{self.name}")
        if static_file_path is None:
            return
        os.makedirs(os.path.dirname(media_file_path), exist_ok=True)
        temporary = f"{media_file_path}.{uuid.uuid4().hex}"
        os.symlink(static_file_path, temporary)
        os.replace(temporary, media_file_path)


class ProductImage(AbstractProductImage):
    original = models.ImageField(
        _("Original"),
        upload_to=get_image_upload_path,
        max_length=255,
        validators=[validate_photo_upload],
    )


from oscar.apps.catalogue.models import *  # noqa: E402,F403
