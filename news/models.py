"""News pages: categories (a snippet), the article page and the news index with its feeds."""

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Locale, Orderable, Page, TranslatableMixin
from wagtail.search import index

from config.origin import absolute_url
from seo.images import share_rendition
from shop.catalogue.selectors import certified_products
from sitesearch.folding import FoldedSearchMixin

from .blocks import ArticleBodyBlock
from .choosers import ProductChooserWidget

ARTICLES_PER_PAGE = 12
FEED_LENGTH = 20

# Characters that could end a <script> element or open a comment inside it, escaped the way
# Django's json_script escapes them.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


class NewsCategory(TranslatableMixin, models.Model):
    """A section of the news: trade fairs, certification, training …

    Translatable like pages: each language has its own categories (linked by translation key)
    and an article is filed under categories of its own language. Slugs are unique per language.
    """

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, allow_unicode=False)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        unique_together = [("translation_key", "locale"), ("slug", "locale")]
        verbose_name = _("news category")
        verbose_name_plural = _("news categories")

    def __str__(self):
        return self.name

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        if exclude and "slug" in exclude:
            return
        # The admin form has no locale field, so Django skips the (slug, locale) check there.
        locale_id = self.locale_id or Locale.get_default().pk
        taken = NewsCategory.objects.filter(slug=self.slug, locale_id=locale_id).exclude(pk=self.pk)
        if self.slug and taken.exists():
            raise ValidationError(
                {"slug": _("Another category in this language already has this slug.")},
                code="duplicate_slug",
            )


class NewsArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "news.NewsArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class NewsArticleForm(WagtailAdminPageForm):
    """The article editor offers only categories of the article's own language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("categories")
        if field is not None and self.instance.locale_id:
            field.queryset = field.queryset.filter(locale_id=self.instance.locale_id)


class NewsArticlePage(FoldedSearchMixin, Page):
    """One news article: a lead, a body of blocks, and the products it talks about."""

    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.CharField(_("author"), max_length=255, blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("lead image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("One or two sentences shown in lists.")
    )
    body = StreamField(ArticleBodyBlock(), verbose_name=_("body"), blank=True)
    categories = ParentalManyToManyField(
        NewsCategory, verbose_name=_("categories"), blank=True, related_name="articles"
    )
    tags = ClusterTaggableManager(through=NewsArticleTag, verbose_name=_("tags"), blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("author")],
            heading=_("Publication"),
        ),
        FieldPanel("lead_image"),
        FieldPanel("intro"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("categories", widget=forms.CheckboxSelectMultiple), FieldPanel("tags")],
            heading=_("Categories and tags"),
        ),
        InlinePanel("related_products", label=_("Related products")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.SearchField("author"),
        index.FilterField("date"),
    ]
    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []
    og_type = "article"
    base_form_class = NewsArticleForm

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def certified_related_products(self):
        """Related products whose certificate holds today and which the shop shows publicly."""
        ids = [link.product_id for link in self.related_products.all()]
        found = certified_products().in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]

    def share_image(self):
        return self.lead_image

    def json_ld(self, request=None):
        """schema.org NewsArticle data, escaped for a <script type="application/ld+json">."""
        url = absolute_url(self.get_url(request))
        publisher = {
            "@type": "Organization",
            "name": settings.OCOP_SITE_NAME,
            "url": absolute_url(),
        }
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": self.title,
            "datePublished": self.date.isoformat(),
            "url": url,
            "mainEntityOfPage": url,
            "inLanguage": self.locale.language_code,
            # Without a named author the article is the publisher's own.
            "author": {"@type": "Person", "name": self.author} if self.author else publisher,
            "publisher": publisher,
        }
        if self.last_published_at:
            data["dateModified"] = self.last_published_at.isoformat()
        rendition = share_rendition(self.lead_image)
        if rendition is not None:
            image_url = rendition.url
            data["image"] = [absolute_url(image_url)]
        if self.intro:
            data["description"] = self.intro
        text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
        return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 - escaped above

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["related"] = self.certified_related_products()
        context["json_ld"] = self.json_ld(request)
        return context


class NewsArticleRelatedProduct(Orderable):
    article = ParentalKey(
        NewsArticlePage, related_name="related_products", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalogue.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("product", widget=ProductChooserWidget)]

    class Meta(Orderable.Meta):
        verbose_name = _("related product")
        verbose_name_plural = _("related products")


class NewsIndexPage(RoutablePageMixin, Page):
    """The news section: articles newest first, filtered by category or tag, and its feeds."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["news.NewsArticlePage"]

    class Meta:
        verbose_name = _("news index")

    def articles(self):
        return (
            NewsArticlePage.objects.child_of(self)
            .live()
            .public()
            .select_related("lead_image")
            .prefetch_related("categories", "tags")
            .order_by("-date", "-first_published_at", "-pk")
        )

    def filtered_articles(self, request):
        """Articles narrowed by `?category=<slug>` and `?tag=<name>`, with what was applied."""
        articles = self.articles()
        category = tag = None
        slug = request.GET.get("category", "").strip()
        if slug:
            category = NewsCategory.objects.filter(slug=slug, locale_id=self.locale_id).first()
            articles = articles.filter(categories=category) if category else articles.none()
        name = request.GET.get("tag", "").strip()
        if name:
            tag = name
            articles = articles.filter(tags__name=name)
        return articles.distinct(), category, tag

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles, category, tag = self.filtered_articles(request)
        # get_page turns garbage into page 1 and a number past the end into the last page.
        page = Paginator(articles, ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
        context.update(
            articles=page,
            active_category=category,
            active_tag=tag,
            categories=NewsCategory.objects.filter(articles__in=self.articles()).distinct(),
            rss_url=self.feed_url("rss", request),
            atom_url=self.feed_url("atom", request),
        )
        return context

    def feed_url(self, name, request=None):
        return self.get_url(request) + self.reverse_subpage(name)

    @path("rss/", name="rss")
    def rss_feed(self, request):
        from .feeds import LatestNewsFeed

        return LatestNewsFeed(self)(request)

    @path("atom/", name="atom")
    def atom_feed(self, request):
        from .feeds import LatestNewsAtomFeed

        return LatestNewsAtomFeed(self)(request)
