"""Vietnamese addresses and guest contact at checkout, through the test client.

Province → commune/ward (two tiers since 1 July 2025), Vietnamese phone numbers, five-digit
postcodes, the no-JavaScript commune step, the commune list endpoint, guests known only by
phone, and the customer's address book.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from oscar.core.loading import get_class, get_model

from tests.checkout import HA_NOI
from tests.factories import certified_product

pytestmark = pytest.mark.django_db

Country = get_model("address", "Country")
UserAddress = get_model("address", "UserAddress")
ShippingAddress = get_model("order", "ShippingAddress")
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")

GATEWAY = "/shop/checkout/"
SHIPPING_ADDRESS = "/shop/checkout/shipping-address/"
SHIPPING_METHOD = "/shop/checkout/shipping-method/"
ADD_ADDRESS = "/shop/accounts/addresses/add/"

DIEN_BIEN = {
    "full_name": "Lò Văn Pâng",
    "phone_number": "+84 912 345 678",
    "province_code": "11",  # Điện Biên
    "commune_code": "3217",  # Xã Tủa Chùa
    "line1": "Bản Tả Phìn",
    "postcode": "32000",
    "notes": "Gọi trước khi giao",
}


def error_codes(response, field):
    return [error.code for error in response.context["form"].errors.as_data().get(field, [])]


def session_address(client):
    return client.session["checkout_data"]["shipping"]["new_address_fields"]


@pytest.fixture
def guest(client):
    """A client with a basket, past the gateway as a guest by email."""
    product = certified_product(price=185000)
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    response = client.post(GATEWAY, {"username": "khach@example.vn", "options": "anonymous"})
    assert response.status_code == 302
    assert response.url == SHIPPING_ADDRESS
    return client


@pytest.fixture
def customer(client, django_user_model):
    user = django_user_model.objects.create_user("lan", "lan@example.vn", "pw")
    client.force_login(user)
    return user


# Country


def test_migrations_make_viet_nam_the_shipping_country():
    country = Country.objects.get(iso_3166_1_a2="VN")
    assert country.is_shipping_country
    assert country.printable_name == "Việt Nam"


# The shipping address form


def test_new_form_lists_every_province_and_no_commune_yet(guest):
    response = guest.get(SHIPPING_ADDRESS)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields)[:4] == ["full_name", "phone_number", "province_code", "commune_code"]
    province_options = form.fields["province_code"].widget.choices
    assert province_options[0][0] == ""  # a placeholder, not the shop's own province
    assert len(province_options) == 1 + 34
    assert form.fields["commune_code"].widget.choices == [("", "Chọn tỉnh trước")]
    page = response.content.decode()
    assert "Xã Tủa Chùa" not in page  # communes come with a province, not all 3,321 up front
    assert 'autocomplete="name"' in page and 'autocomplete="tel"' in page
    assert 'inputmode="tel"' in page and 'autocomplete="street-address"' in page
    assert 'autocomplete="postal-code"' in page
    assert 'data-communes-url="/shop/checkout/communes/"' in page
    assert "ocop/js/communes.js" in page
    assert 'name="choose_province"' in page  # the step for shoppers without JavaScript
    assert 'selected value=""' in page or '<option value="" selected>' in page


def test_hanoi_address_is_stored_with_codes_and_names(guest):
    response = guest.post(SHIPPING_ADDRESS, HA_NOI)
    assert response.status_code == 302
    assert response.url == SHIPPING_METHOD
    fields = session_address(guest)
    address = ShippingAddress(**fields)
    assert (address.province_code, address.commune_code) == (1, 256)
    assert address.state == "Thành phố Hà Nội"
    assert address.line4 == "Phường Hai Bà Trưng"
    assert address.line1 == "12 Phố Huế"
    assert address.country_id == "VN"
    assert (address.first_name, address.last_name) == ("Nguyễn Thị Lan", "")
    assert address.name == "Nguyễn Thị Lan"
    assert address.phone_number.as_e164 == "+84912345678"
    assert address.summary == (
        "Nguyễn Thị Lan, 12 Phố Huế, Phường Hai Bà Trưng, Thành phố Hà Nội, Việt Nam"
    )


def test_form_comes_back_filled_from_the_session(guest):
    guest.post(SHIPPING_ADDRESS, DIEN_BIEN)
    response = guest.get(SHIPPING_ADDRESS)
    form = response.context["form"]
    assert form["full_name"].value() == "Lò Văn Pâng"
    assert form["province_code"].value() == 11
    assert form["commune_code"].value() == 3217
    assert (3217, "Xã Tủa Chùa") in form.fields["commune_code"].widget.choices
    assert 'value="0912 345 678"' in response.content.decode()


@pytest.mark.parametrize(
    "typed", ["0912 345 678", "+84 912 345 678", "0912345678", "0084912345678", "024 3825 3536"]
)
def test_vietnamese_phone_numbers_are_accepted_and_stored_e164(guest, typed):
    response = guest.post(SHIPPING_ADDRESS, {**HA_NOI, "phone_number": typed})
    assert response.status_code == 302
    expected = "+842438253536" if typed.startswith("024") else "+84912345678"
    assert ShippingAddress(**session_address(guest)).phone_number.as_e164 == expected


@pytest.mark.parametrize(
    "typed,code",
    [
        ("091234567", "invalid"),  # a digit short
        ("+1 202 555 0142", "invalid"),  # valid, but not Vietnamese
        ("không có", "invalid"),
        ("", "required"),
    ],
)
def test_other_phone_numbers_are_refused(guest, typed, code):
    response = guest.post(SHIPPING_ADDRESS, {**HA_NOI, "phone_number": typed})
    assert response.status_code == 200
    assert error_codes(response, "phone_number") == [code]
    assert "new_address_fields" not in guest.session["checkout_data"].get("shipping", {})


def test_commune_of_another_province_is_refused_with_both_names(guest):
    response = guest.post(SHIPPING_ADDRESS, {**HA_NOI, "commune_code": "3217"})
    assert response.status_code == 200
    assert error_codes(response, "commune_code") == ["wrong_province"]
    message = response.context["form"].errors["commune_code"][0]
    assert "Xã Tủa Chùa" in message and "Thành phố Hà Nội" in message
    # The list offered again is Hà Nội's.
    choices = dict(response.context["form"].fields["commune_code"].widget.choices)
    assert 256 in choices and 3217 not in choices


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"province_code": "99"}, "province_code"),
        ({"province_code": "Hà Nội"}, "province_code"),
        ({"commune_code": "999999"}, "commune_code"),
        ({"commune_code": "Hoàn Kiếm"}, "commune_code"),
        ({"commune_code": "-5"}, "commune_code"),
    ],
)
def test_invalid_codes_get_a_message_not_an_error_page(guest, changes, field):
    response = guest.post(SHIPPING_ADDRESS, {**HA_NOI, **changes})
    assert response.status_code == 200
    assert error_codes(response, field) == ["invalid"]


@pytest.mark.parametrize(
    "postcode,accepted", [("32000", True), ("", True), ("320000", False), ("3200", False)]
)
def test_postcodes_have_five_digits_or_none(guest, postcode, accepted):
    response = guest.post(SHIPPING_ADDRESS, {**DIEN_BIEN, "postcode": postcode})
    assert response.status_code == (302 if accepted else 200)
    if not accepted:
        assert response.context["form"].errors["postcode"]


# Choosing the commune without JavaScript


def test_without_javascript_province_first_then_commune(guest):
    # Step 1: only the province is chosen, with the "show communes" button.
    step = guest.post(SHIPPING_ADDRESS, {"province_code": "11", "choose_province": "1"})
    assert step.status_code == 200
    form = step.context["form"]
    assert dict(form.errors) == {"commune_code": ["Chọn xã hoặc phường của bạn."]}
    assert error_codes(step, "commune_code") == ["required"]
    communes = form.fields["commune_code"].widget.choices
    assert len(communes) == 1 + 45  # Điện Biên's communes and wards, after a placeholder
    assert (3217, "Xã Tủa Chùa") in communes
    assert "Xã Tủa Chùa" in step.content.decode()
    assert "Phường Hoàn Kiếm" not in step.content.decode()
    assert 'value="11" selected' in step.content.decode()
    # Step 2: the commune, with everything else.
    done = guest.post(SHIPPING_ADDRESS, DIEN_BIEN)
    assert done.status_code == 302
    assert ShippingAddress(**session_address(guest)).line4 == "Xã Tủa Chùa"


def test_continue_with_a_province_but_no_commune_is_the_same_step(guest):
    data = {**DIEN_BIEN, "commune_code": "", "full_name": ""}
    response = guest.post(SHIPPING_ADDRESS, data)
    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {
        "commune_code": ["Chọn xã hoặc phường của bạn."]
    }


def test_the_commune_step_still_points_out_a_mistyped_phone(guest):
    response = guest.post(SHIPPING_ADDRESS, {"province_code": "11", "phone_number": "12"})
    assert set(response.context["form"].errors) == {"commune_code", "phone_number"}


def test_changing_province_without_javascript_offers_the_new_communes(guest):
    data = {**HA_NOI, "province_code": "11", "choose_province": "1"}  # Hà Nội's commune left
    response = guest.post(SHIPPING_ADDRESS, data)
    assert response.status_code == 200
    assert dict(response.context["form"].errors) == {
        "commune_code": ["Chọn xã hoặc phường của bạn."]
    }
    assert 3217 in dict(response.context["form"].fields["commune_code"].widget.choices)


def test_no_province_is_a_plain_required_error(guest):
    response = guest.post(SHIPPING_ADDRESS, {**HA_NOI, "province_code": "", "commune_code": ""})
    assert response.status_code == 200
    assert error_codes(response, "province_code") == ["required"]


# The commune list for the script


def test_commune_list_of_a_province(client):
    response = client.get("/shop/checkout/communes/11/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    rows = json.loads(response.content)
    assert len(rows) == 45
    assert [3217, "Xã Tủa Chùa"] in rows
    assert all(isinstance(code, int) and isinstance(name, str) for code, name in rows)
    assert "Xã Tủa Chùa".encode() in response.content  # readable UTF-8, not \u escapes


@pytest.mark.parametrize("code", ["2", "0", "99", "123456"])
def test_commune_list_of_an_unknown_province_is_404(client, code):
    assert client.get(f"/shop/checkout/communes/{code}/").status_code == 404


def test_commune_list_is_read_only(client):
    assert client.post("/shop/checkout/communes/11/").status_code == 405


# Guests by email or phone


def basket(client):
    product = certified_product(price=185000)
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 1})


def test_guest_by_phone_only_reaches_the_shipping_method_step(client):
    basket(client)
    response = client.post(GATEWAY, {"phone": "0912 345 678", "options": "anonymous"})
    assert response.status_code == 302
    assert response.url == SHIPPING_ADDRESS
    assert client.session["checkout_data"]["guest"] == {"email": "", "phone": "+84912345678"}

    page = client.get(SHIPPING_ADDRESS)
    assert page.status_code == 200
    assert page.context["form"]["phone_number"].value() == "0912 345 678"  # prefilled

    response = client.post(SHIPPING_ADDRESS, {**DIEN_BIEN, "phone_number": "0912 345 678"})
    assert response.status_code == 302
    assert response.url == SHIPPING_METHOD
    # Not sent back to the gateway or the address: the guest chooses a delivery method (or,
    # with only one method on offer, has it chosen and moves on to paying).
    response = client.get(SHIPPING_METHOD)
    if response.status_code == 302:
        assert response.url == "/shop/checkout/payment-method/"
    else:
        assert response.status_code == 200
        assert "oscar/checkout/shipping_methods.html" in [t.name for t in response.templates]


def choose_first_shipping_method(client):
    response = client.get(SHIPPING_METHOD)
    if response.status_code == 200:  # more than one method on offer
        code = response.context["form"].fields["method_code"].choices[0][0]
        response = client.post(SHIPPING_METHOD, {"method_code": code})
    assert response.status_code == 302
    assert response.url == "/shop/checkout/payment-method/"


def test_guest_by_phone_only_builds_an_order_without_email(client):
    basket(client)
    client.post(GATEWAY, {"phone": "0912345678", "options": "anonymous"})
    client.post(SHIPPING_ADDRESS, DIEN_BIEN)
    choose_first_shipping_method(client)
    response = client.get("/shop/checkout/payment-method/")
    assert response.status_code == 200
    assert response.context["order_kwargs"]["guest_email"] == ""
    assert response.context["shipping_address"].phone_number.as_e164 == "+84912345678"


def test_guest_by_email_only_still_works(client):
    basket(client)
    response = client.post(GATEWAY, {"username": "Khach@Example.VN", "options": "anonymous"})
    assert response.status_code == 302
    assert client.session["checkout_data"]["guest"] == {"email": "Khach@example.vn", "phone": ""}
    assert client.get(SHIPPING_ADDRESS).status_code == 200


def test_guest_gives_neither_email_nor_phone(client):
    basket(client)
    response = client.post(GATEWAY, {"options": "anonymous"})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == ["no_contact"]


@pytest.mark.parametrize(
    "data,field",
    [
        ({"phone": "12345", "options": "anonymous"}, "phone"),
        ({"phone": "+1 202 555 0142", "options": "anonymous"}, "phone"),
        ({"username": "not-an-email", "options": "anonymous"}, "username"),
        ({"phone": "0912345678", "options": "new"}, "username"),  # an account needs email
        ({"phone": "0912345678", "options": "existing", "password": "x"}, "username"),
    ],
)
def test_gateway_refuses(client, data, field):
    basket(client)
    response = client.post(GATEWAY, data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "guest" not in client.session.get("checkout_data", {}) or not any(
        client.session["checkout_data"]["guest"].values()
    )


def test_gateway_page_offers_email_and_phone(client):
    basket(client)
    page = client.get(GATEWAY).content.decode()
    assert 'autocomplete="email"' in page
    assert 'name="phone"' in page and 'inputmode="tel"' in page and 'type="tel"' in page


def test_returning_customer_still_signs_in(client, django_user_model):
    django_user_model.objects.create_user("lan", "lan@example.vn", "pw")
    basket(client)
    response = client.post(
        GATEWAY, {"username": "lan@example.vn", "password": "pw", "options": "existing"}
    )
    assert response.status_code == 302
    assert client.get(SHIPPING_ADDRESS).context["user"].is_authenticated


def test_guest_with_an_accounts_email_is_asked_to_sign_in(client, django_user_model, settings):
    settings.OSCAR_ALLOW_GUEST_CHECKOUT_WITH_ACCOUNT = False
    django_user_model.objects.create_user("lan", "lan@example.vn", "pw")
    basket(client)
    response = client.post(GATEWAY, {"username": "lan@example.vn", "options": "anonymous"})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]


def test_phone_only_guest_is_not_mistaken_for_an_account_without_email(client):
    get_user_model().objects.create_user("no-email", "", "pw")
    basket(client)
    response = client.post(GATEWAY, {"phone": "0912345678", "options": "anonymous"})
    assert response.status_code == 302


def test_shipping_step_needs_a_way_to_reach_a_guest(client):
    basket(client)
    response = client.get(SHIPPING_ADDRESS)
    assert response.status_code == 302
    assert response.url == GATEWAY


# The address book of a signed-in customer


def test_address_book_form_has_the_same_fields(client, customer):
    response = client.get(ADD_ADDRESS)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == [
        "full_name",
        "phone_number",
        "province_code",
        "commune_code",
        "line1",
        "postcode",
        "notes",
    ]
    assert 'name="choose_province"' in response.content.decode()


def test_address_book_saves_a_hanoi_address(client, customer):
    response = client.post(ADD_ADDRESS, HA_NOI)
    assert response.status_code == 302
    address = UserAddress.objects.get(user=customer)
    assert (address.province_code, address.commune_code) == (1, 256)
    assert (address.state, address.line4) == ("Thành phố Hà Nội", "Phường Hai Bà Trưng")
    assert (address.first_name, address.last_name) == ("Nguyễn Thị Lan", "")
    assert address.country_id == "VN"
    assert UserAddress.objects.filter(phone_number="+84912345678").count() == 1  # E.164 stored
    assert address.hash == str(address.generate_hash())
    # The same address again is recognised, not stored twice.
    again = client.post(ADD_ADDRESS, HA_NOI)
    assert again.status_code == 200
    assert again.context["form"].non_field_errors()
    assert UserAddress.objects.filter(user=customer).count() == 1


def test_address_book_without_javascript_and_wrong_commune(client, customer):
    step = client.post(ADD_ADDRESS, {"province_code": "1", "choose_province": "1"})
    assert step.status_code == 200
    assert dict(step.context["form"].errors) == {"commune_code": ["Chọn xã hoặc phường của bạn."]}
    assert "Phường Hai Bà Trưng" in step.content.decode()
    wrong = client.post(ADD_ADDRESS, {**HA_NOI, "commune_code": "3217"})
    assert error_codes(wrong, "commune_code") == ["wrong_province"]
    assert not UserAddress.objects.exists()


def test_address_book_edit_shows_the_saved_place(client, customer):
    client.post(ADD_ADDRESS, DIEN_BIEN)
    address = UserAddress.objects.get(user=customer)
    response = client.get(f"/shop/accounts/addresses/{address.pk}/")
    assert response.status_code == 200
    form = response.context["form"]
    assert form["full_name"].value() == "Lò Văn Pâng"
    assert form["commune_code"].value() == 3217
    page = response.content.decode()
    assert 'value="3217" selected' in page
    assert 'value="0912 345 678"' in page


def test_signed_in_checkout_offers_the_address_book(client, customer):
    client.post(ADD_ADDRESS, HA_NOI)
    basket(client)
    response = client.get(SHIPPING_ADDRESS)
    assert response.status_code == 200
    assert "Phường Hai Bà Trưng" in response.content.decode()
    address = UserAddress.objects.get(user=customer)
    chosen = client.post(SHIPPING_ADDRESS, {"action": "ship_to", "address_id": address.pk})
    assert chosen.status_code == 302
    assert chosen.url == SHIPPING_METHOD
