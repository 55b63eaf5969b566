"""Basket and postcode rules; the whole checkout is in test_checkout_flow.py."""

import pytest
from oscar.core.loading import get_model

from tests.factories import certified_product

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Country = get_model("address", "Country")


def test_basket_takes_a_certified_product(client):
    product = certified_product(price=185000)
    response = client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 2})
    assert response.status_code == 302
    basket_page = client.get("/shop/basket/")
    basket = basket_page.context["basket"]
    assert basket.num_items == 2
    assert basket.total_incl_tax == 370000
    assert "370.000\xa0₫" in basket_page.content.decode()


@pytest.mark.parametrize(
    "postcode,accepted", [("32000", True), ("", True), ("100000", False), ("3200", False)]
)
def test_vietnamese_postcodes_have_five_digits(client, postcode, accepted):
    Country.objects.update_or_create(
        iso_3166_1_a2="VN",
        defaults={"printable_name": "Việt Nam", "name": "Việt Nam", "is_shipping_country": True},
    )
    product = certified_product(price=185000)
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    client.post("/shop/checkout/", {"username": "khach@example.vn", "options": "anonymous"})
    response = client.post(
        "/shop/checkout/shipping-address/",
        {
            "full_name": "Nguyễn Thị Lan",
            "phone_number": "0912345678",
            "province_code": "11",  # Điện Biên
            "commune_code": "3334",  # Phường Mường Thanh
            "line1": "Tổ 5",
            "postcode": postcode,
        },
    )
    if accepted:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert response.context["form"].errors["postcode"]


def test_every_address_model_uses_the_five_digit_rule():
    from oscar.core.loading import get_model

    for label in (
        "address.UserAddress",
        "order.ShippingAddress",
        "order.BillingAddress",
        "partner.PartnerAddress",
    ):
        model = get_model(*label.split("."))
        assert model.POSTCODES_REGEX["VN"] == r"^[0-9]{5}$", label
