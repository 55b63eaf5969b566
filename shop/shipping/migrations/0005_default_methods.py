"""A starting set of shipping methods, so a fresh database can check out at once.

Staff change or replace them in the Wagtail admin. Names and descriptions are content (entered in
Vietnamese, as staff would), not interface strings.
"""

from decimal import Decimal

from django.db import migrations

# Điện Biên, the first province to run the storefront (settings.OCOP_PROVINCE_CODE there).
# Settings are not read here: a migration must do the same thing wherever it runs.
DIEN_BIEN = 11
# The other northern provinces and cities after 1 July 2025 (Bắc Bộ, from Hà Nội to Ninh Bình).
OTHER_NORTHERN = [1, 4, 8, 12, 14, 15, 19, 20, 22, 24, 25, 31, 33, 37]

FLAT_RATES = [
    {
        "code": "trong-tinh-dien-bien",
        "name": "Trong tỉnh Điện Biên",
        "description": "Giao tận nơi trong tỉnh Điện Biên, thường trong 1–3 ngày.",
        "price_per_order": Decimal(25000),
        "free_shipping_threshold": Decimal(500000),
        "provinces": [DIEN_BIEN],
        "sort_order": 10,
    },
    {
        "code": "mien-bac",
        "name": "Miền Bắc",
        "description": "Giao tận nơi các tỉnh, thành phía Bắc, thường trong 2–4 ngày.",
        "price_per_order": Decimal(35000),
        "free_shipping_threshold": None,
        "provinces": OTHER_NORTHERN,
        "sort_order": 10,
    },
    {
        "code": "toan-quoc",
        "name": "Toàn quốc",
        "description": "Giao tận nơi mọi tỉnh, thành, thường trong 3–6 ngày.",
        "price_per_order": Decimal(45000),
        "free_shipping_threshold": None,
        "provinces": [],
        "sort_order": 10,
    },
]

PICKUP = {
    "code": "nhan-tai-diem-ban-ocop-tua-chua",
    "name": "Nhận tại điểm bán OCOP Tủa Chùa",
    "description": "Không mất phí giao hàng. Chúng tôi gọi điện khi đơn hàng sẵn sàng để nhận.",
    "address": "Cửa hàng trưng bày, giới thiệu và bán sản phẩm OCOP, xã Tủa Chùa, tỉnh Điện Biên",
    "opening_hours": "7:30–17:00, thứ Hai đến thứ Bảy",
    "sort_order": 20,
}

# Switched off: an example of weight bands for staff to adjust once products carry weights.
WEIGHT_BASED = {
    "code": "chuyen-phat-theo-can-nang",
    "name": "Chuyển phát theo cân nặng",
    "description": "Giao tận nơi mọi tỉnh, thành; cước theo cân nặng đơn hàng.",
    "default_weight": Decimal("0.5"),
    "price_per_extra_kg": Decimal(8000),
    "provinces": [],
    "sort_order": 10,
    "is_active": False,
}
WEIGHT_BANDS = [
    (Decimal(1), Decimal(30000)),
    (Decimal(3), Decimal(45000)),
    (Decimal(5), Decimal(60000)),
]


def create_defaults(apps, schema_editor):
    OrderAndItemCharges = apps.get_model("shipping", "OrderAndItemCharges")
    WeightBased = apps.get_model("shipping", "WeightBased")
    WeightBand = apps.get_model("shipping", "WeightBand")
    PickupPoint = apps.get_model("shipping", "PickupPoint")

    # A database that already has methods of the same name keeps them as they are.
    for values in FLAT_RATES:
        if not OrderAndItemCharges.objects.filter(name=values["name"]).exists():
            OrderAndItemCharges.objects.create(**values)
    if not PickupPoint.objects.filter(name=PICKUP["name"]).exists():
        PickupPoint.objects.create(**PICKUP)
    if not WeightBased.objects.filter(name=WEIGHT_BASED["name"]).exists():
        method = WeightBased.objects.create(**WEIGHT_BASED)
        for upper_limit, charge in WEIGHT_BANDS:
            WeightBand.objects.create(method=method, upper_limit=upper_limit, charge=charge)


def remove_defaults(apps, schema_editor):
    apps.get_model("shipping", "OrderAndItemCharges").objects.filter(
        code__in=[values["code"] for values in FLAT_RATES]
    ).delete()
    apps.get_model("shipping", "PickupPoint").objects.filter(code=PICKUP["code"]).delete()
    apps.get_model("shipping", "WeightBased").objects.filter(code=WEIGHT_BASED["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shipping", "0004_staff_configured_methods"),
    ]

    operations = [migrations.RunPython(create_defaults, remove_defaults)]
