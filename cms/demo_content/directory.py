"""Demo directory pages under the Vietnamese home page: producers, communes, points of sale,
and their English translations under the English home page.

Run after `cms.demo.load_demo` (it creates the producers and products). Running it again
updates the same pages in place.
"""

from decimal import Decimal

from anyascii import anyascii
from django.db import transaction
from django.utils.html import linebreaks
from django.utils.text import slugify
from oscar.core.loading import get_model

from cms.demo import child_page, publish, read_json
from cms.demo_translation import english_home, translate_page
from cms.models import HomePage
from directory.models import (
    CommuneIndexPage,
    CommunePage,
    PointOfSaleIndexPage,
    PointOfSaleKind,
    PointOfSalePage,
    ProducerIndexPage,
    ProducerPage,
    StockedProduct,
)
from traceability.certification import current_filter
from traceability.models import Producer
from traceability.places import commune_name

Product = get_model("catalogue", "Product")

PRODUCER_INDEX = {
    "slug": "chu-the-ocop",
    "title": "Chủ thể OCOP",
    "intro": "<p>Doanh nghiệp, hợp tác xã, tổ hợp tác và hộ kinh doanh làm ra sản phẩm OCOP.</p>",
    "en": {
        "slug": "producers",
        "title": "OCOP producers",
        "intro": "<p>The companies, cooperatives, cooperative groups and household businesses "
        "that make OCOP products.</p>",
    },
}
COMMUNE_INDEX = {
    "slug": "xa-phuong",
    "title": "Xã, phường",
    "intro": "<p>Mỗi xã một sản phẩm: các xã, phường có chủ thể OCOP.</p>",
    "en": {
        "slug": "communes",
        "title": "Communes and wards",
        "intro": "<p>One Commune One Product: the communes and wards that are home to OCOP "
        "producers.</p>",
    },
}
POINT_OF_SALE_INDEX = {
    "slug": "diem-ban",
    "title": "Điểm bán",
    "intro": "<p>Nơi mua trực tiếp sản phẩm OCOP Điện Biên.</p>",
    "en": {
        "slug": "points-of-sale",
        "title": "Points of sale",
        "intro": "<p>Where to buy Điện Biên's OCOP products in person.</p>",
    },
}

# Sample points of sale (positions approximate, for the demo only).
POINTS_OF_SALE = [
    {
        "slug": "showroom-ocop-tua-chua",
        "title": "Showroom OCOP Tủa Chùa",
        "kind": PointOfSaleKind.SHOWROOM,
        "address": "Trung tâm xã Tủa Chùa",
        "commune_code": 3217,
        "latitude": Decimal("21.858600"),
        "longitude": Decimal("103.348700"),
        "opening_hours": "Thứ Hai – Chủ nhật, 7:30–17:30",
        "phone": "0215 3845 000",
        "en": {
            "slug": "tua-chua-ocop-showroom",
            "title": "Tủa Chùa OCOP showroom",
            "opening_hours": "Monday to Sunday, 7:30 am – 5:30 pm",
        },
    },
    {
        "slug": "gian-hang-cho-muong-thanh",
        "title": "Gian hàng OCOP tại chợ Mường Thanh",
        "kind": PointOfSaleKind.FAIR_BOOTH,
        "address": "Chợ Mường Thanh, phường Mường Thanh",
        "commune_code": 3334,
        "latitude": Decimal("21.386400"),
        "longitude": Decimal("103.016400"),
        "opening_hours": "Hằng ngày, 6:00–18:00",
        "phone": "",
        "en": {
            "slug": "ocop-stall-muong-thanh-market",
            "title": "OCOP stall at Mường Thanh market",
            "opening_hours": "Daily, 6 am – 6 pm",
        },
    },
    {
        "slug": "quay-ocop-khach-san-dien-bien-phu",
        "title": "Quầy OCOP tại khách sạn trung tâm TP Điện Biên Phủ",
        "kind": PointOfSaleKind.HOTEL,
        "address": "Sảnh khách sạn, phường Điện Biên Phủ",
        "commune_code": 3127,
        "latitude": Decimal("21.390300"),
        "longitude": Decimal("103.020500"),
        "opening_hours": "Hằng ngày, 7:00–22:00",
        "phone": "",
        "en": {
            "slug": "ocop-counter-hotel-dien-bien-phu",
            "title": "OCOP counter at a hotel in central Điện Biên Phủ",
            "opening_hours": "Daily, 7 am – 10 pm",
        },
    },
    {
        "slug": "cang-hang-khong-dien-bien",
        "title": "Quầy OCOP Cảng hàng không Điện Biên",
        "kind": PointOfSaleKind.AIRPORT,
        "address": "Nhà ga hành khách, Cảng hàng không Điện Biên",
        "commune_code": 3127,
        "latitude": Decimal("21.397500"),
        "longitude": Decimal("103.007800"),
        "opening_hours": "Theo giờ các chuyến bay",
        "phone": "",
        "en": {
            "slug": "ocop-counter-dien-bien-airport",
            "title": "OCOP counter at Điện Biên Airport",
            "opening_hours": "Open around flight times",
        },
    },
    {
        "slug": "diem-du-lich-pu-vap",
        "title": "Điểm bán OCOP tại điểm du lịch Pú Vạp",
        "kind": PointOfSaleKind.TOURIST_SITE,
        "address": "Điểm du lịch Pú Vạp, xã Mường Phăng",
        "commune_code": 3325,
        "latitude": Decimal("21.453500"),
        "longitude": Decimal("103.151900"),
        "opening_hours": "Hằng ngày, 8:00–18:00",
        "phone": "",
        "en": {
            "slug": "ocop-shop-pu-vap-tourist-site",
            "title": "OCOP shop at the Pú Vạp tourist site",
            "opening_hours": "Daily, 8 am – 6 pm",
        },
    },
]
PRODUCTS_PER_POINT = 6

# Approximate centres of the demo communes, enough to place them on the home page map.
COMMUNE_POINTS = {
    3127: ("21.390", "103.020"),  # Phường Điện Biên Phủ
    3164: ("22.050", "102.380"),  # Xã Quảng Lâm
    3172: ("21.760", "103.050"),  # Xã Na Sang
    3217: ("21.858", "103.348"),  # Xã Tủa Chùa
    3220: ("21.780", "103.390"),  # Xã Tủa Thàng
    3226: ("21.950", "103.300"),  # Xã Sín Chải
    3244: ("21.810", "103.450"),  # Xã Sáng Nhè
    3256: ("21.530", "103.220"),  # Xã Mường Ảng
    3268: ("21.690", "103.280"),  # Xã Mường Mùn
    3295: ("21.580", "103.400"),  # Xã Quài Tở
    3313: ("21.460", "103.270"),  # Xã Mường Lạn
    3325: ("21.450", "103.150"),  # Xã Mường Phăng
    3328: ("21.430", "102.990"),  # Xã Thanh Nưa
    3334: ("21.386", "103.016"),  # Phường Mường Thanh
    3349: ("21.340", "103.010"),  # Xã Thanh Yên
    3352: ("21.300", "103.060"),  # Xã Thanh An
    3368: ("21.150", "103.050"),  # Xã Mường Nhà
    3370: ("21.250", "103.310"),  # Xã Pu Nhi
    3385: ("21.200", "103.420"),  # Xã Tìa Dình
}


def _child(parent, model, slug, en=None, **fields):
    return publish(child_page(parent, model, slug, fields))


def load_producer_pages(index, producers):
    pages = []
    for producer in producers:
        page = ProducerPage.objects.filter(producer=producer, locale=index.locale).first()
        fields = {"title": producer.name, "producer": producer, "phone": producer.phone}
        if page is None:
            page = ProducerPage(slug=slugify(producer.slug)[:255], **fields)
            index.add_child(instance=page)
        else:
            for name, value in fields.items():
                setattr(page, name, value)
        pages.append(publish(page))
    return pages


def load_commune_pages(index, producers):
    pages = []
    for code in sorted({producer.commune_code for producer in producers}):
        page = CommunePage.objects.child_of(index).filter(commune_code=code).first()
        if page is None:
            # The title comes from the commune's code when the page is saved.
            page = CommunePage(commune_code=code, slug=slugify(anyascii(commune_name(code))))
            index.add_child(instance=page)
        point = COMMUNE_POINTS.get(code)
        page.latitude, page.longitude = (Decimal(v) for v in point) if point else (None, None)
        pages.append(publish(page))
    return pages


def load_points_of_sale(index):
    products = list(
        Product.objects.filter(is_demo=True, is_public=True, parent__isnull=True)
        .filter(current_filter(prefix="certification__"))
        .order_by("pk")
    )
    pages = []
    for number, row in enumerate(POINTS_OF_SALE):
        page = _child(index, PointOfSalePage, **row)
        if not page.stocked_products.exists() and products:
            start = number * PRODUCTS_PER_POINT % len(products)
            chosen = (products[start:] + products[:start])[:PRODUCTS_PER_POINT]
            page.stocked_products = [
                StockedProduct(product=product, sort_order=order)
                for order, product in enumerate(chosen)
            ]
            publish(page)
        pages.append((page, row["en"]))
    return pages


def translate_directory(indexes, producer_pages, commune_pages, points_of_sale):
    """English pages: index texts and points of sale in English; producer and commune pages
    keep their (proper-noun) titles and slugs, producers get their English story."""
    for index, spec in indexes:
        translate_page(index, spec["en"])
    stories = {
        row["tax_code"]: row.get("story_en", "") for row in read_json("catalogue.json")["producers"]
    }
    for page in producer_pages:
        story = stories.get(page.producer.tax_code, "")
        translate_page(page, {"title": page.title, "story": linebreaks(story) if story else ""})
    for page in commune_pages:
        translate_page(page, {"title": page.title})
    for page, english in points_of_sale:
        translate_page(page, english)


@transaction.atomic
def load_directory(log=print):
    home = HomePage.objects.filter(locale__language_code="vi").first()
    if home is None:
        raise RuntimeError("The home page is missing: run `manage.py migrate` first")
    tax_codes = [row["tax_code"] for row in read_json("catalogue.json")["producers"]]
    producers = list(Producer.objects.filter(tax_code__in=tax_codes).order_by("name"))
    if not producers:
        log("directory: no demo producers yet; run `manage.py load_demo` first")

    producer_index = _child(home, ProducerIndexPage, **PRODUCER_INDEX)
    producer_pages = load_producer_pages(producer_index, producers)
    commune_index = _child(home, CommuneIndexPage, **COMMUNE_INDEX)
    commune_pages = load_commune_pages(commune_index, producers)
    point_index = _child(home, PointOfSaleIndexPage, **POINT_OF_SALE_INDEX)
    points_of_sale = load_points_of_sale(point_index)
    log(
        f"directory: {ProducerPage.objects.child_of(producer_index).count()} producer pages, "
        f"{CommunePage.objects.child_of(commune_index).count()} commune pages, "
        f"{PointOfSalePage.objects.child_of(point_index).count()} points of sale"
    )
    if english_home(home) is None:
        log("directory: no English home page yet, English pages skipped")
    else:
        indexes = [
            (producer_index, PRODUCER_INDEX),
            (commune_index, COMMUNE_INDEX),
            (point_index, POINT_OF_SALE_INDEX),
        ]
        translate_directory(indexes, producer_pages, commune_pages, points_of_sale)
        log(
            f"directory: {len(producer_pages)} producer pages, {len(commune_pages)} commune "
            f"pages, {len(points_of_sale)} points of sale in English"
        )
    return producer_index, commune_index, point_index
