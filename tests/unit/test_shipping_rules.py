"""Delivery regions, weights as staff type them, and charges in whole đồng (no database)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from oscar.core import prices

from shop.shipping.fields import ProvinceCodesFormField
from shop.shipping.methods import in_whole_dong, vnd_price
from shop.shipping.regions import (
    province_choices,
    province_code,
    region_covers,
    region_label,
    validate_province_codes,
)
from shop.shipping.scales import parse_weight


def test_regions_choose_from_the_34_provinces_of_2025():
    choices = dict(province_choices())
    assert len(choices) == 34
    assert choices[11] == "Điện Biên"
    assert choices[1] == "Thành phố Hà Nội"
    assert 2 not in choices  # Hà Giang merged into Tuyên Quang on 1 July 2025


def test_an_empty_region_is_every_province():
    assert region_covers([], 79)
    assert region_covers([], None)
    assert region_covers([11, 12], 12)
    assert not region_covers([11, 12], 1)
    assert not region_covers([11], None)


def test_region_labels_for_staff():
    with translation.override("en"):
        assert region_label([]) == "All provinces"
    assert region_label([12, 11]) == "Điện Biên, Lai Châu"


@pytest.mark.parametrize(
    "value,expected", [(11, 11), ("11", 11), (None, None), ("", None), ("Điện Biên", None)]
)
def test_an_address_province_code_is_read_leniently(value, expected):
    assert province_code(value) == expected


def test_only_current_province_codes_are_stored():
    validate_province_codes([1, 11, 96])
    with pytest.raises(ValidationError):
        validate_province_codes([2])  # a pre-2025 province
    with pytest.raises(ValidationError):
        validate_province_codes("11")


def test_province_form_field_keeps_sorted_unique_ints():
    field = ProvinceCodesFormField(required=False)
    assert field.clean(["12", "11", "12"]) == [11, 12]
    assert field.clean([]) == []
    with pytest.raises(ValidationError):
        field.clean(["2"])


@pytest.mark.parametrize(
    "value,expected",
    [
        (1.1, Decimal("1.1")),  # as written, not 1.100000000000000088…
        ("1,5", Decimal("1.5")),  # a Vietnamese decimal comma
        (" 2 ", Decimal("2")),
        (0, Decimal("0")),
        (None, None),
        ("", None),
        ("nửa cân", None),
        (-1, None),
        ("NaN", None),
    ],
)
def test_weights_are_read_as_written(value, expected):
    assert parse_weight(value) == expected


def test_charges_are_whole_dong_with_tax_included():
    price = vnd_price(Decimal("25000.00"))
    assert (price.currency, price.excl_tax, price.incl_tax) == ("VND", 25000, 25000)
    assert price.incl_tax.as_tuple().exponent == 0
    oscar_price = prices.Price(currency=None, excl_tax=Decimal("0.00"), incl_tax=Decimal("0.00"))
    restated = in_whole_dong(oscar_price)
    assert restated.currency == "VND" and restated.incl_tax.as_tuple().exponent == 0
