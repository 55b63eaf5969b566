"""VND is whole đồng: formatted 1.250.000 ₫ in Vietnamese, never with decimals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from oscar.templatetags.currency_filters import currency

from shop.catalogue.summary import whole_dong

NBSP = "\xa0"


@pytest.mark.parametrize(
    "amount,expected",
    [(0, "0 ₫"), (5000, "5.000 ₫"), (1250000, "1.250.000 ₫"), (Decimal("1250000"), "1.250.000 ₫")],
)
def test_vietnamese_price_format(amount, expected):
    with translation.override("vi"):
        assert currency(amount, "VND").replace(NBSP, " ") == expected


def test_english_price_format_has_no_decimals():
    with translation.override("en"):
        assert currency(1250000, "VND") == "₫1,250,000"


def test_whole_dong_refuses_fractions():
    assert whole_dong(Decimal("125000")) == 125000
    assert isinstance(whole_dong(Decimal("125000.00")), int)
    assert whole_dong(None) is None
    with pytest.raises(ValueError):
        whole_dong(Decimal("125000.5"))


@pytest.mark.django_db
def test_stock_record_price_must_be_whole_dong():
    from oscar.test.factories import create_product

    product = create_product(price=Decimal("125000"), num_in_stock=1)
    record = product.stockrecords.get()
    record.price = Decimal("125000.5")
    with pytest.raises(ValidationError):
        record.full_clean()
    record.price = Decimal("125000")
    record.full_clean()
    record.save()
    record.refresh_from_db()
    assert record.price == 125000 and record.price.as_tuple().exponent == 0
