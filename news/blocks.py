"""StreamField blocks of a news article: text, pictures, quotes, videos and product cards."""

import logging

from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.format import embed_to_frontend_html
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText

from cms.embeds import framed_players

from .choosers import product_chooser_viewset

logger = logging.getLogger(__name__)

RICH_TEXT_FEATURES = ["bold", "italic", "link", "h2", "h3", "ol", "ul"]

ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="news.blocks"
)


def clean_rich_text(html, features=RICH_TEXT_FEATURES):
    """Rich text reduced to what the editor allows: unsafe URLs (javascript: …) lose their href.

    The editor already refuses such links, but content also arrives by import, API or the
    shell; the article must never hand them to a visitor.
    """
    # Imported here: the admin's converters load Page, which isn't ready while models import.
    from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

    return EditorHTMLConverter(features=features).to_database_format(html or "")


class SafeRichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def to_python(self, value):
        return RichText(clean_rich_text(value, self.features))

    def get_prep_value(self, value):
        return clean_rich_text(super().get_prep_value(value), self.features)

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "news/blocks/rich_text.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "news/blocks/captioned_image.html"


class GalleryBlock(blocks.StructBlock):
    images = blocks.ListBlock(CaptionedImageBlock(), label=_("Images"), min_num=1)

    class Meta:
        icon = "image"
        label = _("Gallery")
        template = "news/blocks/gallery.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=255)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "news/blocks/quote.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(
        label=_("Video URL"),
        help_text=_("A YouTube, Facebook or TikTok address."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["embed_html"] = self.embed_html(value["video"])
        return context

    @staticmethod
    def embed_html(embed):
        """The provider's player, or "" when the provider can't be asked: the page then shows
        a plain link instead, because a provider being down must never break an article."""
        if not embed or not embed.url:
            return ""
        try:
            return framed_players(
                embed_to_frontend_html(embed.url, embed.max_width, embed.max_height)
            )
        except Exception:  # noqa: BLE001 - any finder failure degrades to a link
            logger.warning("Embed for %s could not be fetched", embed.url, exc_info=True)
            return ""

    class Meta:
        icon = "media"
        label = _("Video")
        template = "news/blocks/video.html"


class ProductCardsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=255)
    products = blocks.ListBlock(ProductChooserBlock(), label=_("Products"), min_num=1)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["cards"] = self.public_products(value["products"])
        return context

    @staticmethod
    def public_products(chosen):
        """The chosen products still on sale in the shop, in the editor's order, in one query."""
        ids = [product.pk for product in chosen if product is not None]
        Product = get_model("catalogue", "Product")
        found = Product.objects.browsable().for_cards().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    class Meta:
        icon = "tag"
        label = _("Product cards")
        template = "news/blocks/product_cards.html"


class ArticleBodyBlock(blocks.StreamBlock):
    text = SafeRichTextBlock()
    image = CaptionedImageBlock()
    gallery = GalleryBlock()
    quote = QuoteBlock()
    video = VideoBlock()
    products = ProductCardsBlock()
