"""Demo directory pages under the Vietnamese home page: producers, communes, points of sale.

Run after `cms.demo.load_demo` (it creates the producers and products). Running it again
updates the same pages in place.
"""

from decimal import Decimal

from anyascii import anyascii
from django.db import transaction
from django.utils.text import slugify
from oscar.core.loading import get_model

from cms.demo import child_page, publish, read_json
from cms.models import HomePage
from traceability.certification import current_filter
from traceability.models import Producer
from traceability.places import commune_name

from .models import (
    CommuneIndexPage,
    CommunePage,
    PointOfSaleIndexPage,
    PointOfSaleKind,
    PointOfSalePage,
    ProducerIndexPage,
    ProducerPage,
    StockedProduct,
)

Product = get_model("catalogue", "Product")

PRODUCER_INDEX = {
    "slug": "chu-the-ocop",
    "title": "Chủ thể OCOP",
    "intro": "<p>Doanh nghiệp, hợp tác xã, tổ hợp tác và hộ kinh doanh làm ra sản phẩm OCOP.</p>",
}
COMMUNE_INDEX = {
    "slug": "xa-phuong",
    "title": "Xã, phường",
    "intro": "<p>Mỗi xã một sản phẩm: các xã, phường có chủ thể OCOP.</p>",
}
POINT_OF_SALE_INDEX = {
    "slug": "diem-ban",
    "title": "Điểm bán",
    "intro": "<p>Nơi mua trực tiếp sản phẩm OCOP Điện Biên.</p>",
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


def _child(parent, model, slug, **fields):
    return publish(child_page(parent, model, slug, fields))


def load_producer_pages(index, producers):
    for producer in producers:
        page = ProducerPage.objects.filter(producer=producer, locale=index.locale).first()
        fields = {"title": producer.name, "producer": producer, "phone": producer.phone}
        if page is None:
            page = ProducerPage(slug=slugify(producer.slug)[:255], **fields)
            index.add_child(instance=page)
        else:
            for name, value in fields.items():
                setattr(page, name, value)
        publish(page)


def load_commune_pages(index, producers):
    for code in sorted({producer.commune_code for producer in producers}):
        page = CommunePage.objects.child_of(index).filter(commune_code=code).first()
        if page is None:
            # The title comes from the commune's code when the page is saved.
            page = CommunePage(commune_code=code, slug=slugify(anyascii(commune_name(code))))
            index.add_child(instance=page)
        point = COMMUNE_POINTS.get(code)
        page.latitude, page.longitude = (Decimal(v) for v in point) if point else (None, None)
        publish(page)


def load_points_of_sale(index):
    products = list(
        Product.objects.filter(is_demo=True, is_public=True, parent__isnull=True)
        .filter(current_filter(prefix="certification__"))
        .order_by("pk")
    )
    for number, row in enumerate(POINTS_OF_SALE):
        fields = dict(row)
        slug = fields.pop("slug")
        page = _child(index, PointOfSalePage, slug, **fields)
        if not page.stocked_products.exists() and products:
            start = number * PRODUCTS_PER_POINT % len(products)
            chosen = (products[start:] + products[:start])[:PRODUCTS_PER_POINT]
            page.stocked_products = [StockedProduct(product=product) for product in chosen]
            publish(page)


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
    load_producer_pages(producer_index, producers)
    commune_index = _child(home, CommuneIndexPage, **COMMUNE_INDEX)
    load_commune_pages(commune_index, producers)
    point_index = _child(home, PointOfSaleIndexPage, **POINT_OF_SALE_INDEX)
    load_points_of_sale(point_index)
    log(
        f"directory: {ProducerPage.objects.child_of(producer_index).count()} producer pages, "
        f"{CommunePage.objects.child_of(commune_index).count()} commune pages, "
        f"{PointOfSalePage.objects.child_of(point_index).count()} points of sale"
    )
    return producer_index, commune_index, point_index
