"""Blocks editors compose the home page from: a hero, products, fairs, livestreams, news,
the communes map, text and call-to-action banners.

Blocks showing live data ask `cms.home` for it each time the page is shown, so a page
published yesterday still shows today's fairs and livestreams.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from news.blocks import ProductChooserBlock, SafeRichTextBlock

HERO_TEXT_FEATURES = ["bold", "italic", "link"]
MAX_ITEMS = 24


HOW_MANY = _("How many")
STANDARD_HEADING = _("Left empty, a standard heading in the visitor's language is shown.")


def _count(default, label=HOW_MANY):
    return blocks.IntegerBlock(label=label, default=default, min_value=1, max_value=MAX_ITEMS)


def _heading():
    return blocks.CharBlock(
        label=_("Heading"), required=False, max_length=255, help_text=STANDARD_HEADING
    )


class LinkValue(blocks.StructValue):
    @cached_property
    def href(self):
        """The chosen page in the visitor's language when translated, else the web address."""
        page = self.get("page")
        if page is not None:
            return page.localized.url
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    """A button: its text and either a page of this site or a web address."""

    text = blocks.CharBlock(label=_("Button text"), required=False, max_length=80)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("or web address"), required=False)

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        has_target = value.get("page") is not None or bool(value.get("url"))
        if value.get("page") is not None and value.get("url"):
            errors["url"] = ValidationError(_("Choose a page or give an address, not both."))
        elif value.get("text") and not has_target:
            errors["page"] = ValidationError(_("Choose the page the button leads to."))
        elif has_target and not value.get("text"):
            errors["text"] = ValidationError(_("Give the button a text."))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    class Meta:
        icon = "link"
        label = _("Button")
        value_class = LinkValue
        form_classname = "struct-block link-block"


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=255)
    text = SafeRichTextBlock(label=_("Text"), required=False, features=HERO_TEXT_FEATURES)
    image = ImageChooserBlock(
        label=_("Image"),
        required=False,
        help_text=_("A wide photo; it is cropped to 3:2 and shown beside the text."),
    )
    link = LinkBlock(label=_("Button"), required=False)
    shop_button = blocks.BooleanBlock(
        label=_("Show a “Browse all products” button"), required=False, default=True
    )

    class Meta:
        icon = "title"
        label = _("Hero")
        template = "cms/blocks/hero.html"
        preview_value = {
            "heading": "Sản phẩm OCOP Điện Biên",
            "text": "<p>Mua trực tiếp sản phẩm của các chủ thể OCOP trong tỉnh.</p>",
            "shop_button": True,
        }
        description = _("The big welcome at the top of the page.")


class FeaturedProductsBlock(blocks.StructBlock):
    AUTOMATIC = "automatic"
    CHOSEN = "chosen"

    heading = _heading()
    source = blocks.ChoiceBlock(
        label=_("Which products"),
        choices=[
            (AUTOMATIC, _("Automatic: the best-rated certified products")),
            (CHOSEN, _("The products chosen below")),
        ],
        default=AUTOMATIC,
        widget=forms.RadioSelect,
    )
    count = _count(8, label=_("How many (automatic)"))
    products = blocks.ListBlock(
        ProductChooserBlock(),
        label=_("Chosen products"),
        required=False,
        min_num=0,
        help_text=_("Products without a valid OCOP certificate today are not shown."),
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("source") == self.CHOSEN and not [p for p in value["products"] if p]:
            raise StructBlockValidationError(
                block_errors={"products": ValidationError(_("Choose at least one product."))}
            )
        return value

    def get_context(self, value, parent_context=None):
        from cms import home

        context = super().get_context(value, parent_context)
        if value.get("source") == self.CHOSEN:
            context["products"] = home.chosen_products(value["products"])
        else:
            context["products"] = home.automatic_products(value["count"])
        return context

    class Meta:
        icon = "tag"
        label = _("Featured products")
        template = "cms/blocks/featured_products.html"
        preview_value = {"source": "automatic", "count": 4}
        description = _("Certified products: the best-rated ones, or those you choose.")


class UpcomingFairsBlock(blocks.StructBlock):
    heading = _heading()
    count = _count(3)

    def get_context(self, value, parent_context=None):
        from cms import home

        context = super().get_context(value, parent_context)
        context["fairs"] = home.upcoming_fairs(value["count"])
        return context

    class Meta:
        icon = "date"
        label = _("Upcoming trade fairs")
        template = "cms/blocks/upcoming_fairs.html"
        preview_value = {"count": 3}
        description = _("Trade fairs on now or coming, soonest first; hidden when there are none.")


class LivestreamsBlock(blocks.StructBlock):
    heading = _heading()

    def get_context(self, value, parent_context=None):
        from cms import home

        context = super().get_context(value, parent_context)
        context["live"], context["upcoming"] = home.livestreams()
        return context

    class Meta:
        icon = "media"
        label = _("Live now and next livestream")
        template = "cms/blocks/livestreams.html"
        preview_value = {}
        description = _("Sales livestreams live now and the next one; hidden when there are none.")


class LatestNewsBlock(blocks.StructBlock):
    heading = _heading()
    count = _count(3)
    category = SnippetChooserBlock(
        "news.NewsCategory",
        label=_("Only this category"),
        required=False,
        help_text=_("Left empty, the newest articles of every category."),
    )

    def get_context(self, value, parent_context=None):
        from cms import home

        context = super().get_context(value, parent_context)
        context["articles"] = home.latest_news(value["count"], value.get("category"))
        return context

    class Meta:
        icon = "doc-full"
        label = _("Latest news")
        template = "cms/blocks/latest_news.html"
        preview_value = {"count": 3}
        description = _("The newest news articles; hidden when there are none.")


class CommunesMapBlock(blocks.StructBlock):
    heading = _heading()
    text = blocks.TextBlock(label=_("Text"), required=False)

    def get_context(self, value, parent_context=None):
        from cms import home

        context = super().get_context(value, parent_context)
        context["map"] = home.commune_map()
        return context

    class Meta:
        icon = "site"
        label = _("Communes map")
        template = "cms/blocks/communes_map.html"
        preview_value = {}
        description = _(
            "The communes with a page, on a simple map of the province and as a list, with "
            "their producers and products."
        )


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), max_length=255)
    text = blocks.TextBlock(label=_("Text"), required=False)
    link = LinkBlock(label=_("Button"))

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "cms/blocks/call_to_action.html"
        preview_value = {
            "heading": "Mua tận nơi",
            "text": "Ghé các điểm bán OCOP trong tỉnh.",
            "link": {"text": "Xem điểm bán", "url": "https://example.com/"},
        }
        description = _("A banner with a heading, a line of text and a button.")


class HomeBodyBlock(blocks.StreamBlock):
    hero = HeroBlock()
    featured_products = FeaturedProductsBlock()
    upcoming_fairs = UpcomingFairsBlock()
    livestreams = LivestreamsBlock()
    latest_news = LatestNewsBlock()
    communes_map = CommunesMapBlock()
    text = SafeRichTextBlock()
    call_to_action = CallToActionBlock()


def default_body(title):
    """The composition a home page shows until an editor gives it blocks of its own."""
    return [
        {"type": "hero", "value": {"heading": title, "shop_button": True}},
        {"type": "livestreams", "value": {}},
        {"type": "featured_products", "value": {"source": "automatic", "count": 8}},
        {"type": "upcoming_fairs", "value": {"count": 3}},
        {"type": "latest_news", "value": {"count": 3}},
        {"type": "communes_map", "value": {}},
    ]
