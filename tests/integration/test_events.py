"""Trade fairs and livestreams: lists, calendar files, validation, live status, embeds,
certified-only featured products, structured data and the demo loader."""

import datetime
import json
import re
from decimal import Decimal

import pytest
import time_machine
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import ValidationError
from django.urls import include, path
from django.utils import timezone
from wagtail.embeds import embeds
from wagtail.models import Locale, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.demo_content.events import load_events
from cms.models import HomePage
from config import urls as project_urls
from events import ical
from events.models import (
    EventIndexPage,
    LivestreamIndexPage,
    LivestreamPage,
    LivestreamProduct,
    LivestreamStatus,
    TradeFairPage,
    TradeFairParticipant,
    live_and_next,
)
from tests.factories import CertificationFactory, ProducerFactory, certified_product, publish

# The project's URL map with the `.ics` gateway in front of Wagtail's catch-all.
urlpatterns = (
    i18n_patterns(path("", include("events.urls")), prefix_default_language=False)
    + project_urls.urlpatterns
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

NOW = datetime.datetime(2026, 6, 15, 3, 0, tzinfo=datetime.UTC)  # 10:00 in Hà Nội
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def home():
    return HomePage.objects.filter(locale__language_code="vi").first()


def fair(index, title, start, end, **extra):
    fields = {
        "venue_name": "Quảng trường 7/5",
        "address": "Phường Điện Biên Phủ, Điện Biên",
        "latitude": Decimal("21.386"),
        "longitude": Decimal("103.017"),
        "organiser": "Sở Công Thương",
        "description": "<p>Sản phẩm OCOP</p>",
    }
    fields.update(extra)
    return publish(index, TradeFairPage(title=title, start=start, end=end, **fields))


def stream(index, title="Livestream chè", start=NOW + HOUR, end=NOW + 3 * HOUR, **extra):
    fields = {
        "platform": "youtube",
        "stream_url": "https://www.youtube.com/watch?v=abc",
        "streamer_name": "Giàng Thị Mai",
        "streamer_identity": "HTX Chè – MST 5600000001",
        "streamer_contact": "0900000001",
    }
    fields.update(extra)
    return publish(index, LivestreamPage(title=title, start=start, end=end, **fields))


@pytest.fixture
def event_index(home):
    return publish(home, EventIndexPage(title="Hội chợ", slug="hoi-cho"))


@pytest.fixture
def stream_index(home):
    return publish(home, LivestreamIndexPage(title="Livestream", slug="livestream"))


@pytest.fixture
def no_embeds(monkeypatch):
    """Embed providers unreachable: every finder raises."""

    def unreachable(url, max_width=None, max_height=None):
        raise OSError("provider unreachable")

    monkeypatch.setattr(embeds, "get_finder_for_embed", unreachable)


def unfold(text):
    return text.replace("\r\n ", "")


# --- Trade fairs ----------------------------------------------------------------------------


def test_index_lists_ongoing_and_upcoming_apart_from_past(client, clock, event_index):
    fair(event_index, "Hội chợ đã qua", NOW - 40 * DAY, NOW - 30 * DAY)
    fair(event_index, "Phiên chợ đang diễn ra", NOW - DAY, NOW + DAY)
    fair(event_index, "Tuần lễ chè sắp tới", NOW + 21 * DAY, NOW + 24 * DAY)
    response = client.get(event_index.url)
    assert response.status_code == 200
    upcoming = [p.title for p in response.context["upcoming"]]
    past = [p.title for p in response.context["past"]]
    assert upcoming == ["Phiên chợ đang diễn ra", "Tuần lễ chè sắp tới"]
    assert past == ["Hội chợ đã qua"]
    assert "06/07/2026 10:00" in response.content.decode()  # d/m/Y H:i in Hà Nội time


def test_index_paginates(client, clock, event_index):
    for n in range(12):
        fair(event_index, f"Hội chợ {n}", NOW + (n + 1) * DAY, NOW + (n + 2) * DAY)
    first = client.get(event_index.url)
    assert len(first.context["upcoming"]) == 10
    second = client.get(event_index.url + "?page=2")
    assert len(second.context["upcoming"]) == 2


def test_past_fair_stays_online_and_says_it_has_ended(client, clock, event_index):
    page = fair(event_index, "Hội chợ OCOP", NOW - 40 * DAY, NOW - 30 * DAY)
    ended = ("Hội chợ đã kết thúc", "This trade fair has ended.")  # vi once translated
    body = client.get(page.url).content.decode()
    assert any(notice in body for notice in ended)
    with time_machine.travel(NOW - 35 * DAY, tick=False):
        body = client.get(page.url).content.decode()
        assert not any(notice in body for notice in ended)


def test_event_ics_is_a_well_formed_calendar(client, clock, event_index):
    page = fair(
        event_index,
        "Hội chợ OCOP tỉnh Điện Biên, lần thứ nhất; năm 2026 " + "rất dài " * 10,
        datetime.datetime(2026, 7, 1, 8, 0, tzinfo=timezone.get_current_timezone()),
        datetime.datetime(2026, 7, 3, 21, 0, tzinfo=timezone.get_current_timezone()),
        description="<p>Dòng một</p>\n<p>Chè, gạo; mật ong \\ rượu</p>",
    )
    response = client.get(page.url + "event.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    raw = response.content
    text = raw.decode("utf-8")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75  # folded by octets, not characters
    lines = unfold(text).split("\r\n")[:-1]
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert lines.count("BEGIN:VEVENT") == 1 == lines.count("END:VEVENT")
    fields = dict(line.split(":", 1) for line in lines)
    assert fields["VERSION"] == "2.0"
    assert fields["DTSTART"] == "20260701T010000Z"  # 08:00 in Hà Nội is 01:00 UTC
    assert fields["DTEND"] == "20260703T140000Z"
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert fields["UID"].startswith(str(page.translation_key))
    assert fields["SUMMARY"].startswith("Hội chợ OCOP tỉnh Điện Biên\\, lần thứ nhất\\; năm")
    assert "Dòng một\\n" in fields["DESCRIPTION"]
    assert "Chè\\, gạo\\; mật ong \\\\ rượu" in fields["DESCRIPTION"]
    assert fields["LOCATION"] == "Quảng trường 7/5\\, Phường Điện Biên Phủ\\, Điện Biên"
    assert fields["GEO"] == "21.386000;103.017000"
    assert fields["URL"].startswith("http") and fields["URL"].endswith(page.url)


def test_folding_never_splits_a_character():
    line = "SUMMARY:" + "Điện Biên " * 30
    folded = ical.fold(line)
    pieces = folded.encode("utf-8").split(b"\r\n")
    assert all(len(piece) <= 75 for piece in pieces)
    for piece in pieces:
        piece.decode("utf-8")  # would raise on a split character
    assert unfold(folded) == line


def test_calendar_feed_contains_every_fair(client, clock, event_index):
    titles = ["Hội chợ A", "Hội chợ B", "Hội chợ C"]
    for n, title in enumerate(titles):
        fair(event_index, title, NOW + (n - 1) * 20 * DAY, NOW + (n - 1) * 20 * DAY + DAY)
    response = client.get(event_index.url + "calendar.ics")
    assert response.status_code == 200
    text = unfold(response.content.decode())
    assert text.count("BEGIN:VEVENT") == 3
    for title in titles:
        assert f"SUMMARY:{title}\r\n" in text
    assert len(set(re.findall(r"UID:(.+)\r\n", text))) == 3


def test_end_before_start_is_an_error_on_the_end_field(event_index):
    page = TradeFairPage(
        title="Hội chợ",
        slug="hoi-cho-sai",
        start=NOW,
        end=NOW - HOUR,
        venue_name="Sân vận động",
        address="Điện Biên",
        organiser="Sở Công Thương",
    )
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert "end" in error.value.message_dict


@pytest.mark.parametrize(
    "field, value", [("latitude", Decimal("91")), ("longitude", Decimal("-181"))]
)
def test_map_point_out_of_range_is_an_error(field, value):
    fields = {"latitude": Decimal("21.3"), "longitude": Decimal("103.0"), field: value}
    page = TradeFairPage(
        title="Hội chợ",
        slug="hoi-cho",
        start=NOW,
        end=NOW + HOUR,
        venue_name="Sân vận động",
        address="Điện Biên",
        organiser="Sở Công Thương",
        **fields,
    )
    with pytest.raises(ValidationError) as error:
        page.full_clean()
    assert field in error.value.message_dict


def test_fair_shows_booths_and_event_json_ld(client, clock, event_index):
    product = certified_product(title="Chè Shan tuyết Tủa Thàng")
    page = TradeFairPage(
        title="Phiên chợ Tủa Chùa",
        start=NOW - HOUR,
        end=NOW + DAY,
        venue_name="Trung tâm Xúc tiến",
        address="Hà Nội",
        latitude=Decimal("21.046"),
        longitude=Decimal("105.79"),
        organiser="HTX Tủa Chùa",
    )
    page.participants = [
        TradeFairParticipant(producer=product.producer, product=product, booth="B12")
    ]
    publish(event_index, page)
    body = client.get(page.url).content.decode()
    assert "B12" in body and product.producer.name in body
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.+?)</script>', body).group(1)
    )
    assert data["@type"] == "Event"
    assert data["name"] == "Phiên chợ Tủa Chùa"
    assert data["startDate"].startswith("2026-06-15T")
    assert data["location"]["@type"] == "Place"
    assert data["location"]["address"]["streetAddress"] == "Hà Nội"
    assert data["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 21.046,
        "longitude": 105.79,
    }
    assert data["organizer"]["name"] == "HTX Tủa Chùa"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"


# --- Livestreams ----------------------------------------------------------------------------


def test_livestream_status_follows_the_clock(client, stream_index, no_embeds):
    with time_machine.travel(NOW, tick=False):
        page = stream(stream_index, replay_url="https://www.youtube.com/watch?v=replay")
    expectations = [
        (NOW, LivestreamStatus.UPCOMING, "https://www.youtube.com/watch?v=abc"),
        (NOW + 2 * HOUR, LivestreamStatus.LIVE, "https://www.youtube.com/watch?v=abc"),
        (NOW + 4 * HOUR, LivestreamStatus.ENDED, "https://www.youtube.com/watch?v=replay"),
    ]
    for moment, status, link in expectations:
        with time_machine.travel(moment, tick=False):
            response = client.get(page.url)
            assert response.context["status"] == status
            assert response.context["watch_url"] == link
            assert link in response.content.decode()


def test_ended_livestream_without_replay_says_so(client, clock, stream_index, no_embeds):
    page = stream(stream_index, start=NOW - 3 * HOUR, end=NOW - HOUR)
    response = client.get(page.url)
    assert response.context["watch_url"] == ""
    assert "stream-link" not in response.content.decode()


def test_unreachable_embed_provider_gives_a_plain_link(client, clock, stream_index, no_embeds):
    page = stream(stream_index, start=NOW - HOUR, end=NOW + HOUR)
    response = client.get(page.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<iframe" not in body
    assert 'href="https://www.youtube.com/watch?v=abc"' in body


def test_reachable_embed_provider_shows_the_player(client, clock, stream_index, monkeypatch):
    def finder(url, max_width=None, max_height=None):
        return {
            "title": "Live",
            "type": "video",
            "html": '<iframe src="https://www.youtube.com/embed/abc"></iframe>',
            "width": 640,
            "height": 360,
        }

    monkeypatch.setattr(embeds, "get_finder_for_embed", finder)
    page = stream(stream_index, start=NOW - HOUR, end=NOW + HOUR)
    body = client.get(page.url).content.decode()
    assert '<iframe src="https://www.youtube.com/embed/abc">' in body


def test_uncertified_featured_products_are_hidden_from_visitors(
    client, clock, stream_index, no_embeds
):
    certified = certified_product(title="Chè Shan tuyết hữu cơ")
    lapsed = certified_product(
        title="Rượu Mông pê hết hạn",
        certification=CertificationFactory(
            decision_date=datetime.date(2019, 1, 1), valid_until=datetime.date(2022, 1, 1)
        ),
    )
    page = LivestreamPage(
        title="Livestream chè",
        platform="tiktok",
        stream_url="https://www.tiktok.com/@ocop/live",
        start=NOW - HOUR,
        end=NOW + HOUR,
        streamer_name="Mai",
        streamer_identity="CCCD 011",
        streamer_contact="0900",
    )
    page.featured_products = [
        LivestreamProduct(product=certified),
        LivestreamProduct(product=lapsed),
    ]
    publish(stream_index, page)
    response = client.get(page.url)
    assert response.context["products"] == [certified]
    body = response.content.decode()
    assert "Chè Shan tuyết hữu cơ" in body
    assert "Rượu Mông pê hết hạn" not in body
    assert page.uncertified_featured_products() == [lapsed]


def livestream_form(products=(), **overrides):
    data = {
        "title": "Livestream gạo",
        "slug": "livestream-gao",
        "platform": "facebook",
        "stream_url": "https://www.facebook.com/ocop/live",
        "start": "2026-06-20 19:00",
        "end": "2026-06-20 21:00",
        "replay_url": "",
        "streamer_name": "Lò Văn Hùng",
        "streamer_identity": "HTX Thanh An – MST 5600000001",
        "streamer_contact": "0900000002",
        "description": rich_text(""),
        "featured_products": inline_formset([{"product": p.pk} for p in products]),
    }
    data.update(overrides)
    # Publishing validates everything; a draft may be saved with required fields missing.
    return {**nested_form_data(data), "action-publish": "action-publish"}


def test_editor_is_warned_about_uncertified_featured_products(staff_client, stream_index):
    lapsed = certified_product(
        title="Rượu Mông pê hết hạn",
        certification=CertificationFactory(
            decision_date=datetime.date(2019, 1, 1), valid_until=datetime.date(2022, 1, 1)
        ),
    )
    url = f"/admin/pages/add/events/livestreampage/{stream_index.pk}/"
    response = staff_client.post(url, livestream_form([lapsed]), follow=True)
    assert response.status_code == 200
    created = LivestreamPage.objects.get(slug="livestream-gao")
    assert created.live and created.featured_products.count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any("Rượu Mông pê hết hạn" in m and "giấy chứng nhận" in m for m in messages)


def test_livestream_without_link_or_streamer_is_a_form_error(staff_client, stream_index):
    url = f"/admin/pages/add/events/livestreampage/{stream_index.pk}/"
    response = staff_client.post(url, livestream_form(stream_url="", streamer_identity=""))
    errors = response.context["form"].errors
    assert "stream_url" in errors and "streamer_identity" in errors
    assert not LivestreamPage.objects.filter(slug="livestream-gao").exists()


def test_livestream_ending_before_it_starts_is_a_form_error(staff_client, stream_index):
    url = f"/admin/pages/add/events/livestreampage/{stream_index.pk}/"
    response = staff_client.post(url, livestream_form(end="2026-06-20 18:00"))
    assert "end" in response.context["form"].errors


def test_livestream_broadcast_event_json_ld(client, clock, stream_index, no_embeds):
    page = stream(stream_index, platform="tiktok", stream_url="https://www.tiktok.com/@ocop/live")
    body = client.get(page.url).content.decode()
    data = json.loads(
        re.search(r'<script type="application/ld\+json">(.+?)</script>', body).group(1)
    )
    assert data["@type"] == "BroadcastEvent"
    assert data["isLiveBroadcast"] is True
    assert data["url"] == "https://www.tiktok.com/@ocop/live"
    assert data["publishedOn"] == {
        "@type": "BroadcastService",
        "name": "TikTok",
        "url": "https://www.tiktok.com/@ocop/live",
    }
    assert data["startDate"] and data["endDate"]


def test_livestream_index_groups_by_status(client, clock, stream_index, no_embeds):
    stream(stream_index, "Đang phát", NOW - HOUR, NOW + HOUR)
    stream(stream_index, "Sắp phát", NOW + DAY, NOW + DAY + HOUR)
    stream(stream_index, "Đã phát", NOW - DAY, NOW - DAY + HOUR)
    response = client.get(stream_index.url)
    assert [s.title for s in response.context["live"]] == ["Đang phát"]
    assert [s.title for s in response.context["upcoming"]] == ["Sắp phát"]
    assert [s.title for s in response.context["ended"]] == ["Đã phát"]


def test_live_now_strip_uses_one_query_and_renders(clock, stream_index, django_assert_num_queries):
    from django.template import Context, Template

    stream(stream_index, "Đang phát", NOW - HOUR, NOW + HOUR)
    stream(stream_index, "Sắp phát", NOW + DAY, NOW + DAY + HOUR)
    stream(stream_index, "Sau nữa", NOW + 2 * DAY, NOW + 2 * DAY + HOUR)
    stream(stream_index, "Đã phát", NOW - DAY, NOW - DAY + HOUR)
    with django_assert_num_queries(1):
        live, upcoming = live_and_next()
    assert [s.title for s in live] == ["Đang phát"]
    assert upcoming.title == "Sắp phát"
    html = Template("{% load events_tags %}{% live_now_strip %}").render(Context({}))
    assert "Đang phát" in html and "Sắp phát" in html and "Sau nữa" not in html


def test_live_now_strip_is_empty_without_streams(clock):
    from django.template import Context, Template

    html = Template("{% load events_tags %}{% live_now_strip %}").render(Context({}))
    assert html.strip() == ""


# --- Demo -----------------------------------------------------------------------------------


def test_demo_loader_is_idempotent(client, no_embeds):
    producer = ProducerFactory(name="HTX Sơn tra Mường Mùn")
    product = certified_product(
        title="Rượu sơn tra Mường Mùn – chai 500 ml",
        certification=CertificationFactory(producer=producer),
    )
    load_events(log=lambda *args: None)
    load_events(log=lambda *args: None)
    assert EventIndexPage.objects.count() == 1
    assert LivestreamIndexPage.objects.count() == 1
    fairs = TradeFairPage.objects.live()
    assert fairs.count() == 3
    now = timezone.now()
    assert sum(f.has_ended(now) for f in fairs) == 1
    assert sum(f.is_ongoing(now) for f in fairs) == 1
    assert sum(f.start > now for f in fairs) == 1
    booths = TradeFairParticipant.objects.filter(producer=producer)
    assert booths.count() == 1 and booths.get().product == product
    streams = LivestreamPage.objects.live()
    assert streams.count() == 3
    statuses = sorted(s.status_at(now) for s in streams)
    assert statuses == sorted(LivestreamStatus.values)  # exactly one live now
    ended = next(s for s in streams if s.status_at(now) == LivestreamStatus.ENDED)
    assert ended.replay_url
    assert Page.objects.filter(title="Hội chợ và sự kiện").count() == 1
    index = EventIndexPage.objects.get()
    assert client.get(index.url).status_code == 200
    assert client.get(index.url + "calendar.ics").content.decode().count("BEGIN:VEVENT") == 3


def in_language(model, language_code):
    return model.objects.filter(locale__language_code=language_code)


@pytest.fixture
def english_home():
    """The demo's Vietnamese and English home pages, as `load_demo` leaves them."""
    from cms.demo import load_pages

    load_pages(log=lambda *args: None)
    return HomePage.objects.get(locale__language_code="en")


def test_demo_events_in_english_follow_the_vietnamese_dates(client, english_home, no_embeds):
    producer = ProducerFactory(name="HTX Sơn tra Mường Mùn")
    certified_product(
        title="Rượu sơn tra Mường Mùn – chai 500 ml",
        certification=CertificationFactory(producer=producer),
    )
    with time_machine.travel(NOW, tick=False):
        load_events(log=lambda *args: None)
    first_starts = {fair.translation_key: fair.start for fair in TradeFairPage.objects.all()}
    later = NOW + 5 * DAY
    with time_machine.travel(later, tick=False):
        load_events(log=lambda *args: None)
        for model, count in ((EventIndexPage, 1), (TradeFairPage, 3), (LivestreamPage, 3)):
            assert in_language(model, "vi").count() == in_language(model, "en").count() == count

        vi = Locale.objects.get(language_code="vi")
        for english in in_language(TradeFairPage, "en"):
            vietnamese = english.get_translation(vi)
            assert vietnamese.start == first_starts[english.translation_key] + 5 * DAY
            assert (english.start, english.end) == (vietnamese.start, vietnamese.end)
            assert (english.latitude, english.longitude) == (
                vietnamese.latitude,
                vietnamese.longitude,
            )
            assert [(p.producer_id, p.product_id, p.booth) for p in english.participants.all()] == [
                (p.producer_id, p.product_id, p.booth) for p in vietnamese.participants.all()
            ]
            assert english.title != vietnamese.title and english.url.startswith("/en/events/")

        for language in ("vi", "en"):
            streams = in_language(LivestreamPage, language).live()
            statuses = sorted(stream.status_at(later) for stream in streams)
            assert statuses == sorted(LivestreamStatus.values)  # exactly one live, in each
            live, upcoming = live_and_next(language=language)
            assert len(live) == 1 and live[0].locale.language_code == language
            assert upcoming.locale.language_code == language
        live_vi, _ = live_and_next(language="vi")
        live_en, _ = live_and_next(language="en")
        assert live_en[0].get_translation(live_vi[0].locale) == live_vi[0]
        assert live_en[0].title == "Livestream: ancient Shan tuyết tea from Tủa Thàng"
        hawthorn = in_language(LivestreamPage, "en").get(slug="livestream-muong-mun-hawthorn-wine")
        assert [item.product.title for item in hawthorn.featured_products.all()] == [
            "Rượu sơn tra Mường Mùn – chai 500 ml"
        ]

        english_index = in_language(EventIndexPage, "en").get()
        assert english_index.slug == "events" and english_index.title == "Trade fairs and events"
        response = client.get(english_index.url)
        listed = [*response.context["upcoming"], *response.context["past"]]
        assert len(listed) == 3 and {fair.locale_id for fair in listed} == {english_home.locale_id}
        assert "Tủa Chùa farm produce market in Hà Nội" in response.content.decode()
        assert "Phiên chợ nông sản" not in response.content.decode()
        strip = client.get("/en/").content.decode()
        assert "ancient Shan tuyết tea from Tủa Thàng" in strip
        assert "Livestream: chè Shan tuyết" not in strip
