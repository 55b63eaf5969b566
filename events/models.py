"""Pages for trade fairs and sales livestreams, and the index pages that list them.

Whether a fair is over or a stream is live is computed from the clock on every request and
never stored, so no scheduled job is needed for a page to change its state.
"""

import html
import json
import logging

from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Min, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.embeds import embeds
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.embeds import framed_players
from cms.privacy import public_live
from config.origin import absolute_url, site_origin
from seo.images import share_rendition
from sitesearch.folding import FoldedSearchMixin

from . import ical

logger = logging.getLogger(__name__)

PER_PAGE = 10
ICAL_CONTENT_TYPE = "text/calendar; charset=utf-8"


def paginate(request, items, param="page", per_page=PER_PAGE):
    """One page of `items` from the `param` query parameter, falling back to the first/last."""
    paginator = Paginator(items, per_page)
    try:
        return paginator.page(request.GET.get(param, 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


def json_ld(data):
    """JSON for a <script type="application/ld+json"> block, safe against `</script>` in text."""
    text = json.dumps(data, ensure_ascii=False, default=str)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(text)  # noqa: S308 - the characters that could end the script are escaped


def absolute_page_url(page, request=None):
    """The page's address on the site's origin (as in its canonical link)."""
    url = page.get_url(request)
    return absolute_url(url) if url else ""


def plain_text(rich_text):
    """Rich text as plain text for calendar descriptions."""
    return html.unescape(strip_tags(rich_text or "")).strip()


def validate_period(start, end, errors, field="end"):
    if start and end and end <= start:
        errors[field] = ValidationError(
            _("The end must be after the start."), code="end_before_start"
        )


# --- Trade fairs ---------------------------------------------------------------------------


class TradeFairParticipant(Orderable):
    """A producer at a fair, with the product shown and the booth where to find them."""

    page = ParentalKey(
        "events.TradeFairPage", related_name="participants", on_delete=models.CASCADE
    )
    producer = models.ForeignKey(
        "traceability.Producer",
        verbose_name=_("producer"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    booth = models.CharField(_("booth number"), max_length=20)

    panels = [FieldPanel("producer"), FieldPanel("product"), FieldPanel("booth")]

    class Meta(Orderable.Meta):
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def clean(self):
        super().clean()
        if (
            self.product_id
            and self.producer_id
            and self.product.producer_id
            not in (
                None,
                self.producer_id,
            )
        ):
            raise ValidationError(
                {"product": _("This product belongs to another producer.")}, code="wrong_producer"
            )


class TradeFairGalleryImage(Orderable):
    """A photo from the fair, shown once it is over."""

    page = ParentalKey(
        "events.TradeFairPage", related_name="gallery_images", on_delete=models.CASCADE
    )
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("image"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("caption"), max_length=255, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]


class TradeFairPage(FoldedSearchMixin, RoutablePageMixin, Page):
    """A trade fair or market day where OCOP producers show and sell their products."""

    start = models.DateTimeField(_("starts at"))
    end = models.DateTimeField(_("ends at"))
    venue_name = models.CharField(_("venue"), max_length=255)
    address = models.CharField(_("address"), max_length=255)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    organiser = models.CharField(_("organiser"), max_length=255)
    description = RichTextField(_("description"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading=_("When")),
        MultiFieldPanel(
            [
                FieldPanel("venue_name"),
                FieldPanel("address"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Where"),
        ),
        FieldPanel("organiser"),
        FieldPanel("description"),
        InlinePanel("participants", label=_("Producers and booths")),
        InlinePanel("gallery_images", label=_("Photos (shown after the fair)")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("venue_name"),
        index.SearchField("address"),
        index.SearchField("organiser"),
        index.SearchField("description"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]
    api_fields = [
        APIField("start"),
        APIField("end"),
        APIField("venue_name"),
        APIField("address"),
        APIField("latitude"),
        APIField("longitude"),
        APIField("organiser"),
        APIField("description"),
    ]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("trade fair")
        verbose_name_plural = _("trade fairs")

    def clean(self):
        super().clean()
        errors = {}
        validate_period(self.start, self.end, errors)
        if (self.latitude is None) != (self.longitude is None):
            missing = "longitude" if self.longitude is None else "latitude"
            errors[missing] = ValidationError(
                _("Give both latitude and longitude, or neither."), code="incomplete_point"
            )
        for field, bound in (("latitude", 90), ("longitude", 180)):
            value = getattr(self, field)
            if value is not None and not -bound <= value <= bound and field not in errors:
                errors[field] = ValidationError(
                    _("Must be between -%(bound)s and %(bound)s.") % {"bound": bound},
                    code="out_of_range",
                )
        if errors:
            raise ValidationError(errors)

    # State, from the clock.
    def has_ended(self, now=None):
        return self.end < (now or timezone.now())

    def is_ongoing(self, now=None):
        now = now or timezone.now()
        return self.start <= now <= self.end

    @property
    def ended(self):
        return self.has_ended()

    @property
    def ongoing(self):
        return self.is_ongoing()

    @property
    def has_point(self):
        return self.latitude is not None and self.longitude is not None

    def location_text(self):
        return ", ".join(part for part in (self.venue_name, self.address) if part)

    # Calendar.
    def ical_event(self, request=None):
        url = self.get_full_url(request) or ""
        return ical.vevent(
            uid=f"{self.translation_key}@{site_origin().netloc}",
            start=self.start,
            end=self.end,
            summary=self.title,
            description=plain_text(self.description),
            location=self.location_text(),
            latitude=self.latitude,
            longitude=self.longitude,
            url=url,
            stamp=self.last_published_at or timezone.now(),
        )

    @path("event.ics/", name="ics")
    def ics(self, request):
        response = HttpResponse(
            ical.calendar([self.ical_event(request)], name=self.title),
            content_type=ICAL_CONTENT_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="{self.slug}.ics"'
        return response

    def ics_url(self):
        # Served without the trailing slash Wagtail would add (see events/urls.py).
        return self.url + self.reverse_subpage("ics").rstrip("/")

    # Sharing and structured data.
    def share_image(self):
        first = self.gallery_images.select_related("image").first()
        return first.image if first else None

    def structured_data(self, request=None):
        location = {
            "@type": "Place",
            "name": self.venue_name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": self.address,
                "addressCountry": "VN",
            },
        }
        if self.has_point:
            location["geo"] = {
                "@type": "GeoCoordinates",
                "latitude": float(self.latitude),
                "longitude": float(self.longitude),
            }
        data = {
            "@context": "https://schema.org",
            "@type": "Event",
            "name": self.title,
            "startDate": self.start.isoformat(),
            "endDate": self.end.isoformat(),
            # Stays "scheduled" after the fair: schema.org has no "completed" status.
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": location,
            "organizer": {"@type": "Organization", "name": self.organiser},
            "description": plain_text(self.description),
            "url": absolute_page_url(self, request),
        }
        rendition = share_rendition(self.share_image())
        if rendition is not None:
            url = rendition.url
            data["image"] = [absolute_url(url)]
        return data

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["participants"] = self.participants.select_related("producer", "product")
        context["json_ld"] = json_ld(self.structured_data(request))
        context["ics_url"] = self.ics_url()
        return context


class EventIndexPage(RoutablePageMixin, Page):
    """Lists trade fairs: what is on or coming, then what is over; with a calendar feed."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["events.TradeFairPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("trade fair index")

    def events(self):
        return TradeFairPage.objects.live().public().child_of(self)

    def current_and_upcoming(self, now=None):
        return self.events().filter(end__gte=now or timezone.now()).order_by("start")

    def past(self, now=None):
        return self.events().filter(end__lt=now or timezone.now()).order_by("-start")

    @path("calendar.ics/", name="calendar")
    def calendar_feed(self, request):
        events = [event.ical_event(request) for event in self.events().order_by("start")]
        return HttpResponse(ical.calendar(events, name=self.title), content_type=ICAL_CONTENT_TYPE)

    def calendar_url(self):
        return self.url + self.reverse_subpage("calendar").rstrip("/")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        context["upcoming"] = paginate(request, self.current_and_upcoming(now), "page")
        context["past"] = paginate(request, self.past(now), "past_page")
        context["calendar_url"] = self.calendar_url()
        return context


# --- Livestreams ---------------------------------------------------------------------------


class Platform(models.TextChoices):
    TIKTOK = "tiktok", "TikTok"
    FACEBOOK = "facebook", "Facebook"
    YOUTUBE = "youtube", "YouTube"
    SHOPEE = "shopee", "Shopee"
    ZALO = "zalo", "Zalo"
    OTHER = "other", _("Other")


# Platforms whose players Wagtail's oEmbed finders can fetch.
EMBEDDABLE_PLATFORMS = frozenset({Platform.TIKTOK, Platform.YOUTUBE})


class LivestreamStatus(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    LIVE = "live", _("Live now")
    ENDED = "ended", _("Ended")


class LivestreamProduct(Orderable):
    """A product presented in a livestream."""

    page = ParentalKey(
        "events.LivestreamPage", related_name="featured_products", on_delete=models.CASCADE
    )
    product = models.ForeignKey(
        "catalogue.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("product")]

    class Meta(Orderable.Meta):
        verbose_name = _("featured product")
        verbose_name_plural = _("featured products")


class LivestreamPage(FoldedSearchMixin, Page):
    """A sales livestream on a social or shopping platform, naming its streamer as the law asks."""

    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices)
    stream_url = models.URLField(_("livestream link"), max_length=500)
    start = models.DateTimeField(_("starts at"))
    end = models.DateTimeField(_("ends at"))
    replay_url = models.URLField(_("replay link"), max_length=500, blank=True)
    streamer_name = models.CharField(_("streamer"), max_length=255)
    streamer_identity = models.CharField(
        _("streamer identity"),
        max_length=255,
        help_text=_("Organisation and tax code, or a personal ID reference (E-commerce Law)."),
    )
    streamer_contact = models.CharField(
        _("streamer contact"), max_length=255, help_text=_("Phone number or email address.")
    )
    description = RichTextField(_("description"), blank=True)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("platform"), FieldPanel("stream_url")]),
        FieldRowPanel([FieldPanel("start"), FieldPanel("end")], heading=_("When")),
        FieldPanel("replay_url"),
        MultiFieldPanel(
            [
                FieldPanel("streamer_name"),
                FieldPanel("streamer_identity"),
                FieldPanel("streamer_contact"),
            ],
            heading=_("Streamer"),
        ),
        FieldPanel("description"),
        InlinePanel(
            "featured_products",
            label=_("Featured products"),
            help_text=_("Only products holding a current OCOP certificate are shown to visitors."),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("streamer_name"),
        index.SearchField("description"),
        index.FilterField("platform"),
        index.FilterField("start"),
        index.FilterField("end"),
    ]
    api_fields = [
        APIField("platform"),
        APIField("stream_url"),
        APIField("start"),
        APIField("end"),
        APIField("replay_url"),
        APIField("streamer_name"),
        APIField("streamer_identity"),
    ]
    parent_page_types = ["events.LivestreamIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("livestream")
        verbose_name_plural = _("livestreams")

    def clean(self):
        super().clean()
        errors = {}
        validate_period(self.start, self.end, errors)
        if errors:
            raise ValidationError(errors)

    def status_at(self, now=None):
        now = now or timezone.now()
        if now < self.start:
            return LivestreamStatus.UPCOMING
        if now < self.end:
            return LivestreamStatus.LIVE
        return LivestreamStatus.ENDED

    @property
    def status(self):
        return self.status_at()

    @property
    def is_live(self):
        return self.status == LivestreamStatus.LIVE

    def watch_url(self, status=None):
        """The stream while it is on; the replay (if any) once it has ended."""
        status = status or self.status
        if status == LivestreamStatus.ENDED:
            return self.replay_url
        return self.stream_url

    def embed(self, url):
        """Wagtail's embed for a TikTok or YouTube link, or None when there is none to show.

        The provider is a remote service: when it is unreachable or refuses the link the page
        shows a plain link instead of failing.
        """
        if not url or self.platform not in EMBEDDABLE_PLATFORMS:
            return None
        try:
            found = embeds.get_embed(url)
        except Exception:  # any finder failure (network, provider, parsing) degrades to a link
            logger.warning("No embed for livestream %s (%s)", self.pk, url, exc_info=True)
            return None
        return found if found.html else None

    def _featured(self):
        return [item.product for item in self.featured_products.all() if item.product_id]

    def certified_featured_products(self):
        """Featured products a visitor may see: public and holding a certificate today."""
        return [p for p in self._featured() if p.is_public and p.standing.sellable]

    def uncertified_featured_products(self):
        return [p for p in self._featured() if not p.standing.sellable]

    def structured_data(self, request=None):
        return {
            "@context": "https://schema.org",
            "@type": "BroadcastEvent",
            "name": self.title,
            "mainEntityOfPage": absolute_page_url(self, request),
            "startDate": self.start.isoformat(),
            "endDate": self.end.isoformat(),
            "isLiveBroadcast": True,
            "url": self.stream_url,
            "publishedOn": {
                "@type": "BroadcastService",
                "name": self.get_platform_display(),
                "url": self.stream_url,
            },
            "description": plain_text(self.description),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        status = self.status
        url = self.watch_url(status)
        embed = self.embed(url)
        context.update(
            status=status,
            watch_url=url,
            embed=embed,
            embed_html=framed_players(embed.html) if embed else "",
            products=self.certified_featured_products(),
            json_ld=json_ld(self.structured_data(request)),
        )
        return context


class LivestreamIndexPage(Page):
    """Lists sales livestreams: live now first, then upcoming, then ended ones with replays."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["events.LivestreamPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("livestream index")

    def streams(self):
        return LivestreamPage.objects.live().public().child_of(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        now = timezone.now()
        current = self.streams().filter(end__gt=now).order_by("start")
        context["live"] = [s for s in current if s.start <= now]
        context["upcoming"] = [s for s in current if s.start > now]
        context["ended"] = paginate(request, self.streams().filter(end__lte=now).order_by("-start"))
        return context


def live_and_next(now=None, language=None, limit=12):
    """Livestreams live now and the next upcoming one, in one query (for the home page strip)."""
    now = now or timezone.now()
    language = language or get_language()
    streams = list(
        public_live(LivestreamPage.objects)
        .filter(end__gt=now, locale__language_code=language)
        .order_by("start")[:limit]
    )
    live = [s for s in streams if s.start <= now]
    upcoming = next((s for s in streams if s.start > now), None)
    return live, upcoming


def next_change(now):
    """The next start or end of a live fair or livestream after `now`: pages that say what is on,
    live or upcoming change then (the page cache keeps nothing past it)."""
    moments = []
    for model in (TradeFairPage, LivestreamPage):
        found = (
            model.objects.live()
            .filter(end__gt=now)
            .aggregate(start=Min("start", filter=Q(start__gt=now)), end=Min("end"))
        )
        moments += [moment for moment in found.values() if moment]
    return min(moments, default=None)
