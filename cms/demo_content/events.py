"""Demo trade fairs and livestreams, dated relative to today so the demo always has a past,
an ongoing and an upcoming fair, and exactly one livestream live now.

Each page has an English translation under the English home page, with the same dates, booths
and products. Running it again moves the dates and updates the pages in both languages in place.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from cms.demo import child_page, publish
from cms.demo_translation import english_home, translate_page
from cms.models import HomePage
from events.models import (
    EventIndexPage,
    LivestreamIndexPage,
    LivestreamPage,
    LivestreamProduct,
    TradeFairPage,
    TradeFairParticipant,
)
from traceability.models import Producer

# (producer name, words in the product title or None, booth)
FAIR_PARTICIPANTS = {
    "hoi-cho-ocop-tinh-dien-bien": [
        ("Công ty TNHH Hương Linh", "Trà xanh Shan tuyết cổ thụ", "A01"),
        ("HTX Lúa gạo Hoa Ban Thanh An", "Gạo Séng Cù", "A02"),
        ("Công ty TNHH Cà phê Đồi Sương Mường Ảng", "Cà phê Arabica", "B05"),
    ],
    "phien-cho-nong-san-tua-chua-tai-ha-noi": [
        ("Tổ hợp tác Chè cổ thụ Tủa Thàng", "Chè Shan tuyết cổ thụ Tủa Thàng", "12"),
        ("HTX Sơn tra Mường Mùn", "Rượu sơn tra", "14"),
        ("Chủ thể rượu Mông pê Tả Chải", None, "15"),
    ],
    "tuan-le-che-shan-tuyet": [
        ("Công ty TNHH Hương Linh", "Bạch trà Shan tuyết", "C1"),
        ("Tổ hợp tác Chè cổ thụ Tủa Thàng", "Chè Shan tuyết cổ thụ Tủa Thàng", "C2"),
        ("HTX Mắc ca Đồi Mây Mường Lạn", "Hạt mắc ca", "C3"),
    ],
}

EVENT_INDEX = {
    "slug": "hoi-cho-su-kien",
    "title": "Hội chợ và sự kiện",
    "intro": "<p>Hội chợ, phiên chợ và sự kiện nơi gặp các chủ thể OCOP và mua sản phẩm.</p>",
    "en": {
        "slug": "events",
        "title": "Trade fairs and events",
        "intro": "<p>Fairs, market days and events where you can meet OCOP producers and buy "
        "their products.</p>",
    },
}
LIVESTREAM_INDEX = {
    "slug": "livestream-ban-hang",
    "title": "Livestream bán hàng",
    "intro": "<p>Các phiên bán hàng trực tiếp, nêu rõ người dẫn và hồ sơ chất lượng sản phẩm.</p>",
    "en": {
        "slug": "livestreams",
        "title": "Sales livestreams",
        "intro": "<p>Live sales sessions, each naming its host and backed by the products' "
        "quality documents.</p>",
    },
}

STREAM_PRODUCTS = {
    "livestream-che-shan-tuyet-tua-thang": ["Chè Shan tuyết cổ thụ Tủa Thàng", "Hạt mắc ca"],
    "livestream-gao-va-ca-phe-dien-bien": ["Gạo Séng Cù", "Cà phê Arabica"],
    "livestream-ruou-son-tra-muong-mun": ["Rượu sơn tra"],
}


def _local(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _product(title_words, producer=None):
    Product = get_model("catalogue", "Product")
    products = Product.objects.filter(title__icontains=title_words)
    if producer is not None:
        products = products.filter(producer=producer)
    return products.first()


def fairs(today):
    past_end = today - datetime.timedelta(days=30)
    upcoming_start = today + datetime.timedelta(days=21)
    return [
        {
            "slug": "hoi-cho-ocop-tinh-dien-bien",
            "title": "Hội chợ OCOP tỉnh Điện Biên",
            "start": _local(past_end - datetime.timedelta(days=3), 8),
            "end": _local(past_end, 21),
            "venue_name": "Quảng trường 7/5",
            "address": "Phường Điện Biên Phủ, tỉnh Điện Biên",
            "latitude": Decimal("21.386000"),
            "longitude": Decimal("103.017000"),
            "organiser": "Sở Nông nghiệp và Môi trường tỉnh Điện Biên (ví dụ)",
            "description": "<p>Hội chợ giới thiệu sản phẩm OCOP của các xã, phường trong tỉnh "
            "(dữ liệu trình diễn).</p>",
            "en": {
                "slug": "dien-bien-province-ocop-fair",
                "title": "Điện Biên Province OCOP Fair",
                "venue_name": "7 May Square",
                "address": "Điện Biên Phủ ward, Điện Biên province",
                "organiser": "Điện Biên Department of Agriculture and Environment (example)",
                "description": "<p>A fair presenting the OCOP products of the province's "
                "communes and wards (demo data).</p>",
            },
        },
        {
            "slug": "phien-cho-nong-san-tua-chua-tai-ha-noi",
            "title": "Phiên chợ nông sản Tủa Chùa tại Hà Nội",
            "start": _local(today - datetime.timedelta(days=1), 8),
            "end": _local(today + datetime.timedelta(days=1), 22),
            "venue_name": "Trung tâm Xúc tiến thương mại nông nghiệp",
            "address": "489 Hoàng Quốc Việt, Hà Nội",
            "latitude": Decimal("21.046000"),
            "longitude": Decimal("105.790000"),
            "organiser": "Hợp tác xã nông sản Tủa Chùa (ví dụ)",
            "description": "<p>Chè Shan tuyết, rượu sơn tra, mắc ca và nông sản vùng cao "
            "đến với người tiêu dùng Thủ đô (dữ liệu trình diễn).</p>",
            "en": {
                "slug": "tua-chua-farm-produce-market-in-hanoi",
                "title": "Tủa Chùa farm produce market in Hà Nội",
                "venue_name": "Agricultural Trade Promotion Centre",
                "address": "489 Hoàng Quốc Việt, Hà Nội",
                "organiser": "Tủa Chùa Farm Produce Cooperative (example)",
                "description": "<p>Shan tuyết tea, hawthorn wine, macadamia nuts and other "
                "highland produce come to shoppers in the capital (demo data).</p>",
            },
        },
        {
            "slug": "tuan-le-che-shan-tuyet",
            "title": "Tuần lễ chè Shan tuyết",
            "start": _local(upcoming_start, 8),
            "end": _local(upcoming_start + datetime.timedelta(days=6), 18),
            "venue_name": "Xã Tủa Chùa",
            "address": "Xã Tủa Chùa, tỉnh Điện Biên",
            "latitude": Decimal("21.857000"),
            "longitude": Decimal("103.348000"),
            "organiser": "UBND xã Tủa Chùa (ví dụ)",
            "description": "<p>Thăm đồi chè cổ thụ, thưởng trà và gặp gỡ người làm chè "
            "(dữ liệu trình diễn).</p>",
            "en": {
                "slug": "shan-tuyet-tea-week",
                "title": "Shan tuyết Tea Week",
                "venue_name": "Tủa Chùa commune",
                "address": "Tủa Chùa commune, Điện Biên province",
                "organiser": "Tủa Chùa Commune People's Committee (example)",
                "description": "<p>Walk the hills of ancient tea trees, taste the teas and "
                "meet the people who make them (demo data).</p>",
            },
        },
    ]


def streams(now):
    hour = datetime.timedelta(hours=1)
    return [
        {
            "slug": "livestream-che-shan-tuyet-tua-thang",
            "title": "Livestream: chè Shan tuyết cổ thụ Tủa Thàng",
            "platform": "tiktok",
            "stream_url": "https://www.tiktok.com/@ocopdienbien.demo/live",
            "start": now - hour,
            "end": now + 2 * hour,
            "replay_url": "",
            "streamer_name": "Giàng Thị Mai (ví dụ)",
            "streamer_identity": "Tổ hợp tác Chè cổ thụ Tủa Thàng – CCCD số 011xxxxxx123 (ví dụ)",
            "streamer_contact": "0900 000 001",
            "description": "<p>Người dẫn pha chè trực tiếp và giới thiệu đồi chè cổ thụ "
            "Tủa Thàng (dữ liệu trình diễn).</p>",
            "en": {
                "slug": "livestream-ancient-shan-tuyet-tea-from-tua-thang",
                "title": "Livestream: ancient Shan tuyết tea from Tủa Thàng",
                "description": "<p>The host brews tea on camera and shows the ancient tea "
                "trees of Tủa Thàng (demo data).</p>",
            },
        },
        {
            "slug": "livestream-gao-va-ca-phe-dien-bien",
            "title": "Livestream: gạo Séng Cù và cà phê Mường Ảng",
            "platform": "facebook",
            "stream_url": "https://www.facebook.com/ocopdienbien.demo/live",
            "start": now + datetime.timedelta(days=3),
            "end": now + datetime.timedelta(days=3) + 2 * hour,
            "replay_url": "",
            "streamer_name": "Lò Văn Hùng (ví dụ)",
            "streamer_identity": "HTX Lúa gạo Hoa Ban Thanh An – MST 5600000001 (ví dụ)",
            "streamer_contact": "ocop@example.vn",
            "description": "<p>Nấu cơm gạo Séng Cù và pha cà phê Arabica Mường Ảng "
            "(dữ liệu trình diễn).</p>",
            "en": {
                "slug": "livestream-seng-cu-rice-and-muong-ang-coffee",
                "title": "Livestream: Séng Cù rice and Mường Ảng coffee",
                "description": "<p>Cooking Séng Cù rice and brewing Mường Ảng Arabica coffee "
                "(demo data).</p>",
            },
        },
        {
            "slug": "livestream-ruou-son-tra-muong-mun",
            "title": "Livestream: rượu sơn tra Mường Mùn",
            "platform": "youtube",
            "stream_url": "https://www.youtube.com/@ocopdienbien.demo/live",
            "start": now - datetime.timedelta(days=7),
            "end": now - datetime.timedelta(days=7) + 2 * hour,
            "replay_url": "https://www.youtube.com/@ocopdienbien.demo/videos",
            "streamer_name": "Quàng Văn Sơn (ví dụ)",
            "streamer_identity": "HTX Sơn tra Mường Mùn – MST 5600000002 (ví dụ)",
            "streamer_contact": "0900 000 002",
            "description": "<p>Rượu sơn tra Mường Mùn: từ quả táo mèo đến chai rượu "
            "(dữ liệu trình diễn).</p>",
            "en": {
                "slug": "livestream-muong-mun-hawthorn-wine",
                "title": "Livestream: Mường Mùn hawthorn wine",
                "description": "<p>Mường Mùn hawthorn wine, from the táo mèo fruit to the "
                "bottle (demo data).</p>",
            },
        },
    ]


def _index(home, model, spec):
    fields = {name: value for name, value in spec.items() if name not in ("slug", "en")}
    return publish(child_page(home, model, spec["slug"], fields))


def _item(parent, model, spec):
    fields = {name: value for name, value in spec.items() if name not in ("slug", "en")}
    return child_page(parent, model, spec["slug"], fields)


@transaction.atomic
def load_events(log=print):
    """Fairs and livestreams in Vietnamese, then their English translations (dates, booths and
    products copied from the Vietnamese pages)."""
    home = HomePage.objects.filter(locale__language_code="vi").first()
    if home is None:
        log("events: no Vietnamese home page, skipped")
        return
    now = timezone.now()
    today = timezone.localdate()

    events_index = _index(home, EventIndexPage, EVENT_INDEX)
    booths = 0
    fair_pages = []
    for spec in fairs(today):
        fair = _item(events_index, TradeFairPage, spec)
        participants = []
        for producer_name, product_words, booth in FAIR_PARTICIPANTS[spec["slug"]]:
            producer = Producer.objects.filter(name=producer_name).first()
            if producer is None:
                continue
            product = _product(product_words, producer) if product_words else None
            participants.append(
                TradeFairParticipant(producer=producer, product=product, booth=booth)
            )
        fair.participants = participants
        booths += len(participants)
        fair_pages.append((publish(fair), spec["en"]))
    log(f"events: {len(FAIR_PARTICIPANTS)} trade fairs, {booths} booths")

    streams_index = _index(home, LivestreamIndexPage, LIVESTREAM_INDEX)
    stream_pages = []
    for spec in streams(now):
        stream = _item(streams_index, LivestreamPage, spec)
        products = [_product(words) for words in STREAM_PRODUCTS[spec["slug"]]]
        stream.featured_products = [LivestreamProduct(product=p) for p in products if p]
        stream_pages.append((publish(stream), spec["en"]))
    log(f"events: {len(STREAM_PRODUCTS)} livestreams")

    if english_home(home) is None:
        log("events: no English home page yet, English pages skipped")
        return
    for index, spec, pages in (
        (events_index, EVENT_INDEX, fair_pages),
        (streams_index, LIVESTREAM_INDEX, stream_pages),
    ):
        translate_page(index, spec["en"])
        for page, english in pages:
            translate_page(page, english)
    log(f"events: {len(fair_pages)} trade fairs and {len(stream_pages)} livestreams in English")
