"""Directory pages: producers (chủ thể) with their products and certificates, communes with
their producers ("one commune, one product"), and points of sale with their position.

Pages read traceability and the shop; neither of them knows these pages exist.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Count, Q
from django.utils.functional import cached_property
from django.utils.html import linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from oscar.core.loading import get_model
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.privacy import public_live
from sitesearch.folding import FoldedSearchMixin
from traceability.certification import current_filter, state_of
from traceability.places import commune
from traceability.validators import validate_commune_code

from .geo import LATITUDE_VALIDATORS, LONGITUDE_VALIDATORS, haversine_km, parse_position

PER_PAGE = 24


def paginate(request, items, per_page=None):
    """One page of `items` by the `?page=` parameter; a bad number gives the nearest page."""
    return Paginator(items, per_page or PER_PAGE).get_page(request.GET.get("page"))


def public_products(producers):
    """Public products of these producers as the catalogue lists them (with what a card needs).

    When staff hide products that cannot be sold, the directory hides them too.
    """
    from shop.catalogue.models import CatalogueDisplay

    Product = get_model("catalogue", "Product")
    products = (
        Product.objects.browsable()
        .for_cards()
        .filter(producer__in=producers)
        .order_by("-certification__stars", "title")
    )
    if CatalogueDisplay.load().hide_uncertified:
        products = products.filter(current_filter(prefix="certification__"))
    return products


def pages_in_locale(queryset, locale_id):
    """Live public pages (no view restriction), those in `locale_id` first so a translation
    links to its own language."""
    pages = list(public_live(queryset).specific())
    pages.sort(key=lambda page: page.locale_id != locale_id)
    return pages


# --- Producers -----------------------------------------------------------------------------


class ProducerPhoto(Orderable):
    page = ParentalKey("directory.ProducerPage", related_name="photos", on_delete=models.CASCADE)
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("photo")
        verbose_name_plural = _("photos")


class ProducerPage(FoldedSearchMixin, Page):
    """One producer's page: story, photos, contacts, products for sale and certificates."""

    producer = models.ForeignKey(
        "traceability.Producer",
        verbose_name=_("producer"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The producer as the certification registry knows it."),
    )
    story = RichTextField(
        _("story"), blank=True, help_text=_("Left empty, the producer's story is used.")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("producer"),
        FieldPanel("story"),
        InlinePanel("photos", label=_("Photos")),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("address"),
                FieldPanel("website"),
            ],
            heading=_("Contacts"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("story"),
        index.SearchField("address"),
        index.RelatedFields("producer", [index.SearchField("name")]),
    ]
    parent_page_types = ["directory.ProducerIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("producer page")
        verbose_name_plural = _("producer pages")

    def full_clean(self, *args, **kwargs):
        if not self.story and self.producer_id and self.producer.story:
            self.story = linebreaks(self.producer.story)
        super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        # One page per producer and language; a translation of this page shares the producer,
        # which is why this is checked here rather than by a unique key on the column.
        if self.producer_id:
            others = ProducerPage.objects.filter(producer_id=self.producer_id).exclude(pk=self.pk)
            if self.locale_id:
                others = others.filter(locale_id=self.locale_id)
            if others.exists():
                raise ValidationError({"producer": gettext("This producer already has a page.")})

    @cached_property
    def commune(self):
        return commune(self.producer.commune_code)

    @cached_property
    def commune_page(self):
        pages = pages_in_locale(
            CommunePage.objects.filter(commune_code=self.producer.commune_code), self.locale_id
        )
        return pages[0] if pages else None

    def share_image(self):
        first = self.photos.select_related("image").first()
        return first.image if first else None

    def certificates(self):
        """The producer's certificates, newest first, each with its state today."""
        return [
            {"certificate": certificate, "state": state_of(certificate)}
            for certificate in self.producer.certifications.all()
        ]

    def get_context(self, request, *args, **kwargs):
        from .jsonld import producer_jsonld

        context = super().get_context(request, *args, **kwargs)
        context["products"] = public_products([self.producer])
        context["certificates"] = self.certificates()
        context["jsonld"] = producer_jsonld(self, request)
        return context


class DirectoryIndexPage(Page):
    """What the directory's index pages share: an introduction, under the home page."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]

    class Meta:
        abstract = True


class ProducerIndexPage(DirectoryIndexPage):
    """All producers with a page."""

    subpage_types = ["directory.ProducerPage"]

    class Meta:
        verbose_name = _("producer index page")

    def producer_pages(self):
        return (
            ProducerPage.objects.child_of(self)
            .live()
            .public()
            .select_related("producer")
            .order_by("producer__name")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["producer_pages"] = paginate(request, self.producer_pages())
        return context


# --- Communes ------------------------------------------------------------------------------


class CommunePage(FoldedSearchMixin, Page):
    """A commune or ward (post-2025 code) with its producers and their products."""

    commune_code = models.PositiveIntegerField(
        _("commune code"),
        validators=[validate_commune_code],
        help_text=_("Post-2025 commune or ward code; the name comes from it."),
    )
    intro = RichTextField(_("introduction"), blank=True)
    latitude = models.DecimalField(
        _("map point latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LATITUDE_VALIDATORS,
        help_text=_("Where the commune is drawn on the home page map, e.g. its centre."),
    )
    longitude = models.DecimalField(
        _("map point longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=LONGITUDE_VALIDATORS,
    )

    content_panels = Page.content_panels + [
        FieldPanel("commune_code"),
        FieldPanel("intro"),
        MultiFieldPanel([FieldPanel("latitude"), FieldPanel("longitude")], heading=_("Map point")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.FilterField("commune_code"),
    ]
    parent_page_types = ["directory.CommuneIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("commune page")
        verbose_name_plural = _("commune pages")

    def full_clean(self, *args, **kwargs):
        if not self.title and self.commune:
            self.title = self.commune.name
        super().full_clean(*args, **kwargs)

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            raise ValidationError(
                {missing: gettext("Give both latitude and longitude, or neither.")}
            )

    @property
    def commune(self):
        return commune(self.commune_code) if self.commune_code else None

    @property
    def commune_name(self):
        found = self.commune
        return found.name if found else ""

    @property
    def has_point(self):
        return self.latitude is not None and self.longitude is not None

    def producers(self):
        """Producers of this commune, each with their page (if any) and products."""
        from traceability.models import Producer

        producers = list(Producer.objects.filter(commune_code=self.commune_code))
        pages = {}
        for page in pages_in_locale(
            ProducerPage.objects.filter(producer__in=producers), self.locale_id
        ):
            pages.setdefault(page.producer_id, page)
        products = {}
        for product in public_products(producers):
            products.setdefault(product.producer_id, []).append(product)
        return [
            {"producer": p, "page": pages.get(p.pk), "products": products.get(p.pk, [])}
            for p in producers
        ]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["producers"] = self.producers()
        return context


class CommuneIndexPage(DirectoryIndexPage):
    """Communes with a page, with how many producers and products each has."""

    subpage_types = ["directory.CommunePage"]

    class Meta:
        verbose_name = _("commune index page")

    def communes(self):
        return commune_rows(public_live(CommunePage.objects.child_of(self)))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["communes"] = self.communes()
        return context


def commune_rows(pages):
    """Commune pages sorted by name, each with its producer and public product counts.

    Two queries however many communes there are: the pages, then one count per commune code.
    """
    from traceability.models import Producer

    pages = list(pages)
    counts = {
        row["commune_code"]: row
        for row in Producer.objects.filter(commune_code__in=[p.commune_code for p in pages])
        .values("commune_code")
        .annotate(
            producer_count=Count("pk", distinct=True),
            product_count=Count(
                "products",
                filter=Q(products__is_public=True, products__parent__isnull=True),
                distinct=True,
            ),
        )
    }
    rows = [
        {
            "page": page,
            "producer_count": counts.get(page.commune_code, {}).get("producer_count", 0),
            "product_count": counts.get(page.commune_code, {}).get("product_count", 0),
        }
        for page in pages
    ]
    rows.sort(key=lambda row: (row["page"].commune_name, row["page"].title))
    return rows


# --- Points of sale ------------------------------------------------------------------------


class PointOfSaleKind(models.TextChoices):
    SHOWROOM = "showroom", _("OCOP showroom")
    FAIR_BOOTH = "fair_booth", _("Fair booth")
    HOTEL = "hotel", _("Hotel")
    AIRPORT = "airport", _("Airport")
    STATION = "station", _("Station")
    TOURIST_SITE = "tourist_site", _("Tourist site")
    SHOP = "shop", _("Shop")


class StockedProduct(Orderable):
    page = ParentalKey(
        "directory.PointOfSalePage", related_name="stocked_products", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="stocked_at",
    )

    panels = [FieldPanel("product")]

    class Meta(Orderable.Meta):
        verbose_name = _("product stocked")
        verbose_name_plural = _("products stocked")


class PointOfSalePage(FoldedSearchMixin, Page):
    """A place where OCOP products can be bought in person."""

    kind = models.CharField(_("kind"), max_length=16, choices=PointOfSaleKind.choices)
    address = models.CharField(_("address"), max_length=255)
    commune_code = models.PositiveIntegerField(
        _("commune code"),
        validators=[validate_commune_code],
        help_text=_("Post-2025 commune or ward code."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, validators=LATITUDE_VALIDATORS
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, validators=LONGITUDE_VALIDATORS
    )
    opening_hours = models.TextField(
        _("opening hours"), blank=True, help_text=_("As people say it, e.g. “Daily 7:30–21:00”.")
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("commune_code"),
                FieldPanel("latitude"),
                FieldPanel("longitude"),
            ],
            heading=_("Where"),
        ),
        FieldPanel("opening_hours"),
        FieldPanel("phone"),
        InlinePanel("stocked_products", label=_("Products stocked")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("address"),
        index.FilterField("kind"),
        index.FilterField("commune_code"),
    ]
    parent_page_types = ["directory.PointOfSaleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("point of sale")
        verbose_name_plural = _("points of sale")

    @property
    def commune(self):
        return commune(self.commune_code) if self.commune_code else None

    @property
    def commune_name(self):
        found = self.commune
        return found.name if found else ""

    def products(self):
        Product = get_model("catalogue", "Product")
        ids = [item.product_id for item in self.stocked_products.all()]
        return (
            Product.objects.browsable()
            .for_cards()
            .filter(pk__in=ids)
            .order_by("-certification__stars", "title")
        )

    def get_context(self, request, *args, **kwargs):
        from .jsonld import point_of_sale_jsonld

        context = super().get_context(request, *args, **kwargs)
        context["products"] = self.products()
        context["jsonld"] = point_of_sale_jsonld(self, request)
        return context


class PointOfSaleIndexPage(DirectoryIndexPage):
    """Points of sale by commune, or nearest first when the visitor shares their position."""

    subpage_types = ["directory.PointOfSalePage"]

    class Meta:
        verbose_name = _("point of sale index page")

    def points_of_sale(self, position=None):
        """(page, distance in km or None) pairs: nearest first from `position`, else by commune."""
        pages = list(public_live(PointOfSalePage.objects.child_of(self)))
        if position is None:
            pages.sort(key=lambda page: (page.commune_name, page.title))
            return [(page, None) for page in pages]
        lat, lng = position
        rows = [(page, haversine_km(lat, lng, page.latitude, page.longitude)) for page in pages]
        rows.sort(key=lambda row: (row[1], row[0].title))
        return rows

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        try:
            position = parse_position(request.GET)
        except ValueError:
            position = None
            context["position_error"] = True
        context["position"] = position
        context["points_of_sale"] = self.points_of_sale(position)
        return context
