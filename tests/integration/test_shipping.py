"""Shipping methods staff configure: charges, regions, free delivery, weight bands, pick-up,
the repository Oscar's checkout asks, the Wagtail admin pages and the checkout's method step."""

import importlib
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from shop.partner.strategy import Selector
from shop.shipping.methods import PickUp
from shop.shipping.models import (
    OrderAndItemCharges,
    PickupPoint,
    WeightBand,
    WeightBased,
)
from tests.factories import certified_product

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductClass = get_model("catalogue", "ProductClass")
Repository = get_class("shipping.repository", "Repository")

DIEN_BIEN, LAI_CHAU, HA_NOI, HO_CHI_MINH = 11, 12, 1, 79
NBSP = "\xa0"


def basket_of(*lines):
    """A basket priced by the shop's own strategy, from (product, quantity) pairs."""
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product, quantity in lines:
        basket.add_product(product, quantity)
    return basket


def address_in(province_code):
    # Stands in for the shipping address: the repository reads only its province code.
    return SimpleNamespace(province_code=province_code)


def codes(methods):
    return [method.code for method in methods]


@pytest.fixture
def no_methods():
    """Start from no configured methods (the default set comes from a data migration)."""
    OrderAndItemCharges.objects.all().delete()
    WeightBased.objects.all().delete()
    PickupPoint.objects.all().delete()


def create_default_methods():
    migration = importlib.import_module("shop.shipping.migrations.0005_default_methods")
    migration.create_defaults(django_apps, None)


@pytest.fixture
def default_methods(no_methods):
    """Exactly the data migration's set, even after a transactional test emptied the tables."""
    create_default_methods()


def flat(name, charge, provinces=(), **kwargs):
    return OrderAndItemCharges.objects.create(
        name=name, price_per_order=Decimal(charge), provinces=list(provinces), **kwargs
    )


def weight_based(name="Theo cân nặng", bands=((1, 30000), (3, 45000), (5, 60000)), **kwargs):
    kwargs.setdefault("price_per_extra_kg", Decimal(8000))
    method = WeightBased.objects.create(name=name, **kwargs)
    for upper_limit, charge in bands:
        WeightBand.objects.create(
            method=method, upper_limit=Decimal(upper_limit), charge=Decimal(charge)
        )
    return method


def weighed_product(weight=None, price=100000):
    """A certified product whose `weight` attribute (a float, in kg) is set when given."""
    product_class, _ = ProductClass.objects.get_or_create(name="Sản phẩm OCOP")
    ProductAttribute.objects.get_or_create(
        product_class=product_class, code="weight", defaults={"name": "weight", "type": "float"}
    )
    attributes = {"weight": weight} if weight is not None else None
    return certified_product(price=price, attributes=attributes)


def assert_vnd(price, amount):
    assert price.currency == "VND"
    assert price.excl_tax == price.incl_tax == Decimal(amount)
    assert price.incl_tax == price.incl_tax.to_integral_value()
    assert price.incl_tax.as_tuple().exponent == 0  # whole đồng, not 25000.00


# --- Charges ---------------------------------------------------------------------------------


def test_flat_rate_charges_per_order_in_whole_dong(no_methods):
    method = flat("Miền Bắc", 35000)
    basket = basket_of((certified_product(price=185000), 2))
    assert_vnd(method.calculate(basket), 35000)


def test_flat_rate_reaches_only_its_provinces(no_methods):
    method = flat("Trong tỉnh Điện Biên", 25000, provinces=[DIEN_BIEN])
    assert method.delivers_to(DIEN_BIEN)
    assert not method.delivers_to(LAI_CHAU)
    assert not method.delivers_to(None)  # an unknown province is not "inside Điện Biên"
    nationwide = flat("Toàn quốc", 45000)
    assert nationwide.delivers_to(HO_CHI_MINH) and nationwide.delivers_to(None)


@pytest.mark.parametrize("price,charge", [(500000, 0), (499999, 25000), (500001, 0)])
def test_free_delivery_from_the_threshold(no_methods, price, charge):
    method = flat("Trong tỉnh", 25000, [DIEN_BIEN], free_shipping_threshold=Decimal(500000))
    basket = basket_of((certified_product(price=price), 1))
    assert_vnd(method.calculate(basket), charge)
    expected_gap = max(500000 - price, 0)
    assert method.amount_to_free_delivery(basket) == expected_gap


def test_free_delivery_counts_the_whole_basket(no_methods):
    method = flat("Trong tỉnh", 25000, [DIEN_BIEN], free_shipping_threshold=Decimal(500000))
    two_lines = basket_of(
        (certified_product(price=200000), 2), (certified_product(price=100000), 1)
    )
    assert two_lines.total_incl_tax == 500000
    assert_vnd(method.calculate(two_lines), 0)


def test_weight_bands_and_above_the_top_band(no_methods):
    method = weight_based()
    light, heavy, even = (weighed_product(weight=w) for w in (0.4, 1.2, 1.5))
    assert_vnd(method.calculate(basket_of((light, 1))), 30000)  # 0.4 kg
    assert_vnd(method.calculate(basket_of((heavy, 2))), 45000)  # 2.4 kg
    assert_vnd(method.calculate(basket_of((even, 2))), 45000)  # 3 kg: a limit is in its band
    assert_vnd(method.calculate(basket_of((light, 5), (heavy, 1))), 60000)  # 3.2 kg
    assert_vnd(method.calculate(basket_of((even, 2), (heavy, 1))), 60000)  # 4.2 kg
    # Above the top band: 60.000 ₫ plus 8.000 ₫ for each started kilogram over 5 kg.
    assert_vnd(method.calculate(basket_of((heavy, 5))), 68000)  # 6 kg
    assert_vnd(method.calculate(basket_of((heavy, 6))), 84000)  # 7.2 kg: 3 started kg over


def test_default_weight_counts_for_products_without_one(no_methods):
    method = weight_based(default_weight=Decimal("2.5"))
    unweighed = weighed_product(weight=None)
    assert_vnd(method.calculate(basket_of((unweighed, 1))), 45000)  # 2.5 kg
    assert_vnd(method.calculate(basket_of((unweighed, 2))), 60000)  # 5 kg
    assert_vnd(method.calculate(basket_of((unweighed, 3))), 84000)  # 7.5 kg: 5 + 3 started kg


def test_float_weights_add_up_exactly(no_methods):
    # Ten products of 1.1 kg weigh 11 kg, not 11.000000000000001 kg and a kilogram more.
    method = weight_based(bands=((11, 50000),), price_per_extra_kg=Decimal(10000))
    basket = basket_of((weighed_product(weight=1.1), 10))
    assert_vnd(method.calculate(basket), 50000)


def test_weight_typed_with_a_decimal_comma(no_methods):
    from shop.shipping.scales import Scale

    product = certified_product(price=100000, attributes={"weight": "1,5"})  # a text attribute
    assert Scale(default_weight=Decimal(0)).weigh_product(product) == Decimal("1.5")


def test_weight_based_free_above_threshold(no_methods):
    method = weight_based(free_shipping_threshold=Decimal(500000))
    heavy = weighed_product(weight=2, price=250000)
    assert_vnd(method.calculate(basket_of((heavy, 1))), 45000)
    assert_vnd(method.calculate(basket_of((heavy, 2))), 0)


def test_pick_up_is_free_and_names_the_place_on_the_order(no_methods):
    point = PickupPoint.objects.create(
        name="Gian hàng Hội chợ OCOP",
        address="Gian số 12,\nsân vận động tỉnh",
        opening_hours="8:00–21:00",
    )
    method = point.as_shipping_method()
    assert_vnd(method.calculate(basket_of((certified_product(price=185000), 1))), 0)
    # Oscar writes `name` and `code` on the order.
    assert method.name == "Gian hàng Hội chợ OCOP — Gian số 12, sân vận động tỉnh"
    assert method.code == point.code
    long_point = PickupPoint(name="Điểm bán", address="x" * 200)
    assert len(PickUp(long_point).name) == 128


# --- Repository ------------------------------------------------------------------------------


@pytest.fixture
def regional_setup(no_methods):
    flat("Trong tỉnh Điện Biên", 25000, [DIEN_BIEN])
    flat("Miền Bắc", 35000, [LAI_CHAU, HA_NOI])
    flat("Toàn quốc", 45000)
    flat("Hỏa tốc Điện Biên", 15000, [DIEN_BIEN], is_active=False)
    PickupPoint.objects.create(name="Nhận tại Tủa Chùa", address="Xã Tủa Chùa", sort_order=20)


def test_repository_filters_by_province_and_active_flag(regional_setup):
    basket = basket_of((certified_product(price=185000), 1))
    repository = Repository()
    in_dien_bien = repository.get_shipping_methods(basket, shipping_addr=address_in(DIEN_BIEN))
    assert codes(in_dien_bien) == ["trong-tinh-dien-bien", "toan-quoc", "nhan-tai-tua-chua"]
    in_ha_noi = repository.get_shipping_methods(basket, shipping_addr=address_in(HA_NOI))
    assert codes(in_ha_noi) == ["mien-bac", "toan-quoc", "nhan-tai-tua-chua"]
    in_hcmc = repository.get_shipping_methods(basket, shipping_addr=address_in(HO_CHI_MINH))
    assert codes(in_hcmc) == ["toan-quoc", "nhan-tai-tua-chua"]


def test_unknown_province_gets_nationwide_methods_and_pick_up(regional_setup):
    basket = basket_of((certified_product(price=185000), 1))
    repository = Repository()
    for address in (address_in(None), SimpleNamespace(), None):
        methods = repository.get_shipping_methods(basket, shipping_addr=address)
        assert codes(methods) == ["toan-quoc", "nhan-tai-tua-chua"]


def test_ordering_is_sort_order_then_cheapest(no_methods):
    flat("Đắt", 60000, sort_order=5)
    flat("Rẻ", 20000, sort_order=5)
    flat("Vừa", 30000, sort_order=5)
    flat("Cuối danh sách", 1000, sort_order=50)
    PickupPoint.objects.create(name="Điểm bán đầu", address="Tủa Chùa", sort_order=1)
    weight_based(name="Theo cân", sort_order=5, bands=((10, 25000),))
    basket = basket_of((certified_product(price=185000), 1))
    methods = Repository().get_shipping_methods(basket, shipping_addr=address_in(DIEN_BIEN))
    assert codes(methods) == ["diem-ban-dau", "re", "theo-can", "vua", "dat", "cuoi-danh-sach"]


def test_weight_based_method_without_bands_is_not_offered(no_methods):
    WeightBased.objects.create(name="Chưa có bảng cước")
    flat("Toàn quốc", 45000)
    basket = basket_of((certified_product(price=185000), 1))
    assert codes(Repository().get_shipping_methods(basket)) == ["toan-quoc"]


def test_codes_are_unique_across_kinds(no_methods):
    delivery = flat("Giao nhanh", 30000)
    point = PickupPoint.objects.create(name="Giao nhanh", address="Tủa Chùa")
    weighed = weight_based(name="Giao Nhanh")
    assert len({delivery.code, point.code, weighed.code}) == 3
    assert delivery.code == "giao-nhanh"


def test_nothing_configured_is_no_crash(no_methods, client):
    basket = basket_of((certified_product(price=185000), 1))
    repository = Repository()
    assert repository.get_shipping_methods(basket, shipping_addr=address_in(DIEN_BIEN)) == []
    placeholder = repository.get_default_shipping_method(basket)
    assert_vnd(placeholder.calculate(basket), 0)
    # The basket page still renders.
    product = certified_product(price=185000)
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    assert client.get("/shop/basket/").status_code == 200


# --- Default data ----------------------------------------------------------------------------


def test_default_methods_cover_a_fresh_database(no_methods):
    create_default_methods()
    create_default_methods()  # running twice adds nothing
    assert OrderAndItemCharges.objects.count() == 3 and PickupPoint.objects.count() == 1
    assert not WeightBased.objects.get().is_active  # an example, switched off

    repository = Repository()
    small = basket_of((certified_product(price=185000), 1))
    in_dien_bien = repository.get_shipping_methods(small, shipping_addr=address_in(DIEN_BIEN))
    assert [(m.code, m.calculate(small).incl_tax) for m in in_dien_bien] == [
        ("trong-tinh-dien-bien", 25000),
        ("toan-quoc", 45000),
        ("nhan-tai-diem-ban-ocop-tua-chua", 0),
    ]
    in_ha_noi = repository.get_shipping_methods(small, shipping_addr=address_in(HA_NOI))
    assert [(m.code, m.calculate(small).incl_tax) for m in in_ha_noi] == [
        ("mien-bac", 35000),
        ("toan-quoc", 45000),
        ("nhan-tai-diem-ban-ocop-tua-chua", 0),
    ]
    large = basket_of((certified_product(price=250000), 2))
    in_dien_bien = repository.get_shipping_methods(large, shipping_addr=address_in(DIEN_BIEN))
    assert in_dien_bien[0].code == "trong-tinh-dien-bien"
    assert in_dien_bien[0].calculate(large).incl_tax == 0


# --- Wagtail admin ---------------------------------------------------------------------------


def test_admin_lists_and_creates_a_flat_rate(staff_client, no_methods):
    index = staff_client.get(reverse("shipping_flat_rates:index"))
    assert index.status_code == 200
    add_url = reverse("shipping_flat_rates:add")
    form = staff_client.get(add_url)
    assert form.status_code == 200
    assert 'name="provinces"' in form.content.decode()
    response = staff_client.post(
        add_url,
        {
            "name": "Tây Bắc",
            "description": "Giao trong 2–3 ngày.",
            "price_per_order": "30000",
            "free_shipping_threshold": "400000",
            "provinces": [str(LAI_CHAU), str(DIEN_BIEN)],
            "is_active": "on",
            "sort_order": "10",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    method = OrderAndItemCharges.objects.get(name="Tây Bắc")
    assert method.provinces == [DIEN_BIEN, LAI_CHAU]
    assert method.price_per_order == 30000 and method.free_shipping_threshold == 400000
    assert method.code == "tay-bac"
    listing = staff_client.get(reverse("shipping_flat_rates:index")).content.decode()
    assert "Tây Bắc" in listing and "Điện Biên, Lai Châu" in listing


def test_admin_edits_a_flat_rate_and_refuses_fractions(staff_client, no_methods):
    method = flat("Toàn quốc", 45000)
    edit_url = reverse("shipping_flat_rates:edit", args=[method.pk])
    assert staff_client.get(edit_url).status_code == 200
    data = {"name": "Toàn quốc", "price_per_order": "40000.5", "is_active": "on", "sort_order": "5"}
    assert staff_client.post(edit_url, data).status_code == 200  # form shown again with errors
    method.refresh_from_db()
    assert method.price_per_order == 45000
    data["price_per_order"] = "40000"
    assert staff_client.post(edit_url, data).status_code == 302
    method.refresh_from_db()
    assert method.price_per_order == 40000 and method.sort_order == 5 and method.provinces == []


def test_admin_creates_a_weight_based_method_with_bands(staff_client, no_methods):
    add_url = reverse("shipping_weight_based:add")
    assert staff_client.get(add_url).status_code == 200
    response = staff_client.post(
        add_url,
        {
            "name": "Chuyển phát theo cân nặng",
            "description": "",
            "provinces": [str(HA_NOI)],
            "bands-TOTAL_FORMS": "2",
            "bands-INITIAL_FORMS": "0",
            "bands-MIN_NUM_FORMS": "1",
            "bands-MAX_NUM_FORMS": "1000",
            "bands-0-upper_limit": "1",
            "bands-0-charge": "30000",
            "bands-1-upper_limit": "5",
            "bands-1-charge": "60000",
            "price_per_extra_kg": "8000",
            "default_weight": "0.5",
            "free_shipping_threshold": "",
            "is_active": "on",
            "sort_order": "10",
        },
    )
    assert response.status_code == 302
    method = WeightBased.objects.get()
    assert [(b.upper_limit, b.charge) for b in method.bands.order_by("upper_limit")] == [
        (1, 30000),
        (5, 60000),
    ]
    assert method.provinces == [HA_NOI] and method.get_charge(Decimal("6.5")) == 76000
    edit_url = reverse("shipping_weight_based:edit", args=[method.pk])
    assert staff_client.get(edit_url).status_code == 200


def test_admin_creates_and_edits_a_pick_up_point(staff_client, no_methods):
    add_url = reverse("shipping_pickup_points:add")
    assert staff_client.get(add_url).status_code == 200
    data = {
        "name": "Nhận tại điểm bán OCOP Tủa Chùa",
        "description": "",
        "address": "Cửa hàng OCOP, xã Tủa Chùa",
        "opening_hours": "7:30–17:00",
        "is_active": "on",
        "sort_order": "20",
    }
    assert staff_client.post(add_url, data).status_code == 302
    point = PickupPoint.objects.get()
    edit_url = reverse("shipping_pickup_points:edit", args=[point.pk])
    assert staff_client.get(edit_url).status_code == 200
    data["opening_hours"] = "8:00–18:00"
    assert staff_client.post(edit_url, data).status_code == 302
    point.refresh_from_db()
    assert point.opening_hours == "8:00–18:00"
    assert staff_client.get(reverse("shipping_pickup_points:index")).status_code == 200


def test_shipping_menu_in_the_wagtail_admin(staff_client):
    home = staff_client.get("/admin/").content.decode()
    for name in ("shipping_flat_rates", "shipping_weight_based", "shipping_pickup_points"):
        assert reverse(f"{name}:index") in home


# --- Checkout --------------------------------------------------------------------------------


def start_checkout(client, price=185000, quantity=1, province_code=None):
    """A basket and a guest checkout with a shipping address, written to the session directly
    (the address form itself is tested elsewhere); without a province code unless given."""
    Country.objects.update_or_create(
        iso_3166_1_a2="VN",
        defaults={"printable_name": "Việt Nam", "name": "Việt Nam", "is_shipping_country": True},
    )
    product = certified_product(price=price)
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": quantity})
    session = client.session
    session["checkout_data"] = {
        "guest": {"email": "khach@example.vn"},
        "shipping": {
            "new_address_fields": {
                "first_name": "Lan",
                "last_name": "Nguyễn",
                "line1": "Tổ 5, phường Mường Thanh",
                "line4": "Điện Biên",
                "country_id": "VN",
                "phone_number": "+84912345678",
            }
        },
    }
    if province_code is not None:
        session["checkout_data"]["shipping"]["new_address_fields"]["province_code"] = province_code
    session.save()


ADDRESSES_HAVE_PROVINCES = "province_code" in {
    field.name for field in get_model("order", "ShippingAddress")._meta.get_fields()
}


@pytest.mark.skipif(not ADDRESSES_HAVE_PROVINCES, reason="shipping addresses have no province")
def test_checkout_in_dien_bien_offers_the_province_rate(client, default_methods):
    start_checkout(client, price=250000, quantity=2, province_code=DIEN_BIEN)
    page = client.get("/en/shop/checkout/shipping-method/")
    assert codes(page.context["methods"]) == [
        "trong-tinh-dien-bien",
        "toan-quoc",
        "nhan-tai-diem-ban-ocop-tua-chua",
    ]
    html = page.content.decode()
    assert "Your basket qualifies for free delivery." in html  # 500.000 ₫ reached
    response = client.post(
        "/shop/checkout/shipping-method/", {"method_code": "trong-tinh-dien-bien"}
    )
    assert response.status_code == 302
    assert client.session["checkout_data"]["shipping"]["method_code"] == "trong-tinh-dien-bien"


def test_checkout_lists_the_methods_for_the_address(client, default_methods):
    start_checkout(client, price=185000)
    page = client.get("/en/shop/checkout/shipping-method/")
    assert page.status_code == 200
    assert codes(page.context["methods"]) == ["toan-quoc", "nhan-tai-diem-ban-ocop-tua-chua"]
    html = page.content.decode()
    assert html.count('type="radio" name="method_code"') == 2
    assert 'value="toan-quoc"' in html and "Toàn quốc" in html
    assert "₫45,000" in html
    prices = re.findall(r'class="shipping-option__price">\s*(.*?)\s*</span>', html)
    assert prices == ["₫45,000", "Free"]
    assert "Nhận tại điểm bán OCOP Tủa Chùa" in html
    assert "7:30–17:00, thứ Hai đến thứ Bảy" in html  # opening hours
    assert "xã Tủa Chùa, tỉnh Điện Biên" in html  # the point's address
    vietnamese = client.get("/shop/checkout/shipping-method/").content.decode()
    assert f"45.000{NBSP}₫" in vietnamese


def test_checkout_says_how_much_more_for_free_delivery(client, default_methods):
    OrderAndItemCharges.objects.filter(code="toan-quoc").update(
        free_shipping_threshold=Decimal(500000)
    )
    start_checkout(client, price=185000, quantity=2)
    html = client.get("/en/shop/checkout/shipping-method/").content.decode()
    assert "Buy ₫130,000 more and this delivery is free." in html


def test_checkout_stores_the_chosen_method(client, default_methods):
    start_checkout(client)
    response = client.post(
        "/shop/checkout/shipping-method/", {"method_code": "nhan-tai-diem-ban-ocop-tua-chua"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/shop/checkout/payment-method/")
    stored = client.session["checkout_data"]["shipping"]["method_code"]
    assert stored == "nhan-tai-diem-ban-ocop-tua-chua"


def test_checkout_refuses_a_method_that_does_not_reach_the_address(client, default_methods):
    start_checkout(client)  # no province known: the Điện Biên rate does not apply
    response = client.post(
        "/shop/checkout/shipping-method/", {"method_code": "trong-tinh-dien-bien"}
    )
    assert response.status_code == 200
    assert "method_code" not in client.session["checkout_data"]["shipping"]


def test_checkout_without_any_method_sends_the_customer_back_with_a_message(client, no_methods):
    start_checkout(client)
    response = client.get("/en/shop/checkout/shipping-method/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].endswith("/shop/checkout/shipping-address/")
    messages = [str(m) for m in response.context["messages"]]
    assert any("Shipping is unavailable" in m for m in messages)
