"""Vietnamese places, phone numbers and the address model mixin, without the web layer."""

import pytest
from oscar.apps.address.abstract_models import AbstractShippingAddress
from oscar.core.loading import get_class, get_model

from shop.address.vietnam import (
    commune_choices,
    format_phone,
    is_commune_of,
    parse_phone,
    province_choices,
    vietnamese_sort_key,
)

UserAddress = get_model("address", "UserAddress")
ShippingAddress = get_model("order", "ShippingAddress")
BillingAddress = get_model("order", "BillingAddress")


def test_34_provinces_in_vietnamese_order_of_their_own_names():
    names = [name for _code, name in province_choices()]
    assert len(names) == 34
    assert names[0] == "An Giang"
    # "Thành phố" does not count: Hà Nội sits among the H, Đ after D, before G.
    assert names.index("Gia Lai") < names.index("Thành phố Hà Nội") < names.index("Hà Tĩnh")
    assert names.index("Cao Bằng") < names.index("Thành phố Đà Nẵng") < names.index("Gia Lai")
    assert names[-1] == "Vĩnh Long"


def test_vietnamese_letters_and_tones_sort_as_in_a_dictionary():
    words = ["b", "â", "ă", "ạ", "á", "ã", "ả", "à", "a", "đ", "d", "ơ", "ô", "o"]
    assert sorted(words, key=vietnamese_sort_key) == [
        "a", "à", "ả", "ã", "á", "ạ", "ă", "â", "b", "d", "đ", "o", "ô", "ơ",
    ]  # fmt: skip


def test_communes_of_a_province():
    dien_bien = dict(commune_choices(11))
    assert len(dien_bien) == 45  # Điện Biên kept its borders, with 45 communes and wards
    assert dien_bien[3217] == "Xã Tủa Chùa"
    assert len(commune_choices(1)) == 126
    assert commune_choices(2) == ()
    assert commune_choices("not a code") == ()


@pytest.mark.parametrize(
    "commune,province,expected",
    [(3217, 11, True), ("3217", "11", True), (3217, 1, False), (256, 1, True), (999999, 1, False)],
)
def test_is_commune_of(commune, province, expected):
    assert is_commune_of(commune, province) is expected


@pytest.mark.parametrize(
    "typed,e164",
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("(+84) 912-345-678", "+84912345678"),
        ("0215 382 5050", "+842153825050"),  # a landline in Điện Biên
    ],
)
def test_vietnamese_numbers_parse_to_e164(typed, e164):
    assert parse_phone(typed).as_e164 == e164


@pytest.mark.parametrize("typed", ["", "091234567", "+1 202 555 0142", "+33 1 42 68 53 00", "số"])
def test_other_numbers_do_not_parse(typed):
    with pytest.raises(ValueError):
        parse_phone(typed)


def test_numbers_are_shown_as_written_here():
    assert format_phone("+84912345678") == "0912 345 678"
    assert format_phone(parse_phone("+84 24 3825 3536")) == "024 3825 3536"


def test_every_order_and_customer_address_carries_codes_and_keeps_oscars_options():
    for model in (UserAddress, ShippingAddress, BillingAddress):
        names = {field.name for field in model._meta.fields}
        assert {"province_code", "commune_code"} <= names, model
        assert model.POSTCODES_REGEX["VN"] == r"^[0-9]{5}$"
    # Oscar's own Meta survives the mixin: one address per hash and user, busiest first.
    assert ("user", "hash") in UserAddress._meta.unique_together
    assert UserAddress._meta.ordering == ["-num_orders_as_shipping_address"]
    assert ShippingAddress._meta.verbose_name is AbstractShippingAddress.Meta.verbose_name


def test_set_commune_fills_codes_and_names():
    address = ShippingAddress(line1="12 Phố Huế")
    address.set_commune(256)
    assert (address.province_code, address.commune_code) == (1, 256)
    assert (address.state, address.line4, address.country_id) == (
        "Thành phố Hà Nội",
        "Phường Hai Bà Trưng",
        "VN",
    )
    with pytest.raises(ValueError):
        address.set_commune(999999)


@pytest.mark.django_db
def test_same_place_same_hash_so_the_address_book_dedupes():
    first, second = UserAddress(line1="Bản Tả Phìn"), UserAddress(line1="Bản Tả Phìn")
    first.set_commune(3217)
    second.set_commune(3217)
    assert first.generate_hash() == second.generate_hash()
    second.set_commune(3127)
    assert first.generate_hash() != second.generate_hash()


def test_oscar_loads_the_forked_forms():
    assert get_class("checkout.forms", "ShippingAddressForm").__module__ == "shop.checkout.forms"
    assert get_class("checkout.forms", "GatewayForm").__module__ == "shop.checkout.forms"
    assert get_class("address.forms", "UserAddressForm").__module__ == "shop.address.forms"
    session_data = get_class("checkout.utils", "CheckoutSessionData")
    assert hasattr(session_data, "get_guest_phone")
