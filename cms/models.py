"""Content pages and site-wide settings edited by programme staff in Wagtail."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from shop.catalogue.selectors import featured_products
from sitesearch.folding import FoldedSearchMixin


@register_setting(icon="site")
class SiteIdentity(BaseGenericSetting):
    """Who runs this storefront: shown in the header and footer of every page."""

    programme_name = models.CharField(
        _("programme name"), max_length=255, default="Chương trình OCOP tỉnh Điện Biên"
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

    panels = [
        FieldPanel("programme_name"),
        FieldPanel("operator"),
        MultiFieldPanel(
            [FieldPanel("hotline"), FieldPanel("email"), FieldPanel("address")],
            heading=_("Contacts"),
        ),
    ]

    class Meta:
        verbose_name = _("site identity")


class HomePage(FoldedSearchMixin, Page):
    """The storefront's front page: a welcome and the certified products of the moment."""

    hero_title = models.CharField(_("headline"), max_length=255, blank=True)
    intro = RichTextField(_("introduction"), blank=True)
    featured_count = models.PositiveSmallIntegerField(_("number of featured products"), default=8)

    content_panels = Page.content_panels + [
        FieldPanel("hero_title"),
        FieldPanel("intro"),
        FieldPanel("featured_count"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("hero_title"),
        index.SearchField("intro"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured_products"] = featured_products(self.featured_count)
        return context
