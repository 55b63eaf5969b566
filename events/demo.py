"""Demo trade fairs and livestreams, dated relative to today so the demo always has a past,
an ongoing and an upcoming fair, and exactly one livestream live now.

Running it again moves the dates and updates the pages in place.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from cms.demo import child_page, publish
from cms.models import HomePage
from traceability.models import Producer

from .models import (
    EventIndexPage,
    LivestreamIndexPage,
    LivestreamPage,
    LivestreamProduct,
    TradeFairPage,
    TradeFairParticipant,
)

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
        },
    ]


@transaction.atomic
def load_events(log=print):
    home = HomePage.objects.filter(locale__language_code="vi").first()
    if home is None:
        log("events: no Vietnamese home page, skipped")
        return
    now = timezone.now()
    today = timezone.localdate()

    events_index = publish(
        child_page(home, EventIndexPage, "hoi-cho-su-kien", {"title": "Hội chợ và sự kiện"})
    )
    booths = 0
    for data in fairs(today):
        data = dict(data)
        slug = data.pop("slug")
        fair = child_page(events_index, TradeFairPage, slug, data)
        participants = []
        for producer_name, product_words, booth in FAIR_PARTICIPANTS[slug]:
            producer = Producer.objects.filter(name=producer_name).first()
            if producer is None:
                continue
            product = _product(product_words, producer) if product_words else None
            participants.append(
                TradeFairParticipant(producer=producer, product=product, booth=booth)
            )
        fair.participants = participants
        booths += len(participants)
        publish(fair)
    log(f"events: {len(FAIR_PARTICIPANTS)} trade fairs, {booths} booths")

    streams_index = publish(
        child_page(
            home, LivestreamIndexPage, "livestream-ban-hang", {"title": "Livestream bán hàng"}
        )
    )
    for data in streams(now):
        data = dict(data)
        slug = data.pop("slug")
        stream = child_page(streams_index, LivestreamPage, slug, data)
        products = [_product(words) for words in STREAM_PRODUCTS[slug]]
        stream.featured_products = [LivestreamProduct(product=p) for p in products if p]
        publish(stream)
    log(f"events: {len(STREAM_PRODUCTS)} livestreams")
