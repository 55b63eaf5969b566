"""Content pages and site-wide settings edited by programme staff in Wagtail."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from sitesearch.folding import FoldedSearchMixin

from .blocks import HomeBodyBlock, default_body
from .contacts import normalise_social_url, normalise_zalo


@register_setting(icon="site")
class SiteIdentity(BaseGenericSetting):
    """Who runs this storefront: shown in the header and footer of every page."""

    programme_name = models.CharField(
        _("programme name"), max_length=255, default="Chương trình OCOP tỉnh Điện Biên"
    )
    short_name = models.CharField(
        _("short name"),
        max_length=60,
        blank=True,
        help_text=_("Shown beside the logo in the header, e.g. “OCOP Điện Biên”."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A square mark, shown 40 pixels high in the header. Left empty, a ★ is shown."),
    )
    operator = models.CharField(
        _("operated by"),
        max_length=255,
        blank=True,
        help_text=_("The office responsible for the programme and this site."),
    )
    hotline = models.CharField(_("hotline"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    zalo = models.CharField(
        "Zalo",
        max_length=255,
        blank=True,
        help_text=_("A Vietnamese mobile number or a https://zalo.me/… link."),
    )
    facebook = models.CharField(
        "Facebook", max_length=255, blank=True, help_text=_("The page's https:// address.")
    )
    tiktok = models.CharField(
        "TikTok", max_length=255, blank=True, help_text=_("The account's https:// address.")
    )
    youtube = models.CharField(
        "YouTube", max_length=255, blank=True, help_text=_("The channel's https:// address.")
    )

    select_related = ["logo"]

    panels = [
        MultiFieldPanel(
            [FieldPanel("programme_name"), FieldPanel("short_name"), FieldPanel("logo")],
            heading=_("Branding"),
        ),
        FieldPanel("operator"),
        MultiFieldPanel(
            [FieldPanel("hotline"), FieldPanel("email"), FieldPanel("address")],
            heading=_("Contacts"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("zalo"),
                FieldPanel("facebook"),
                FieldPanel("tiktok"),
                FieldPanel("youtube"),
            ],
            heading=_("Social media"),
        ),
    ]

    class Meta:
        verbose_name = _("site identity")

    def clean(self):
        super().clean()
        errors = {}
        try:
            self.zalo = normalise_zalo(self.zalo)
        except ValidationError as error:
            errors["zalo"] = error
        for platform in ("facebook", "tiktok", "youtube"):
            try:
                setattr(self, platform, normalise_social_url(getattr(self, platform), platform))
            except ValidationError as error:
                errors[platform] = error
        if errors:
            raise ValidationError(errors)

    def social_links(self):
        """(name, address) of each social account set, in the footer's order."""
        return [
            (name, url)
            for name, url in (
                ("Zalo", self.zalo),
                ("Facebook", self.facebook),
                ("TikTok", self.tiktok),
                ("YouTube", self.youtube),
            )
            if url
        ]


class HomePage(FoldedSearchMixin, Page):
    """The storefront's front page, composed by editors from blocks."""

    body = StreamField(
        HomeBodyBlock(),
        verbose_name=_("body"),
        blank=True,
        help_text=_(
            "Left empty, the page shows a welcome, livestreams, featured products, fairs, "
            "news and the communes map."
        ),
    )

    content_panels = Page.content_panels + [FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def composition(self):
        """The page's blocks, or the default composition while it has none."""
        if self.body:
            return self.body
        return self.body.stream_block.to_python(default_body(self.title))
