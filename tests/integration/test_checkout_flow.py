"""The whole checkout through the shop's pages, for each payment method, and what goes wrong."""

import pytest
from django.core import mail
from django.db import OperationalError
from oscar.core.loading import get_class, get_model

from shop.payments.models import PaymentSettings
from tests.checkout import HA_NOI, place, stock, to_preview
from tests.factories import certified_product

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
OrderCreator = get_class("order.utils", "OrderCreator")


def test_cash_on_delivery_end_to_end(client, django_capture_on_commit_callbacks):
    tea = certified_product(price=185000, stock=5, title="Chè Shan tuyết")
    shop = to_preview(client, tea, "cod", quantity=2)
    with django_capture_on_commit_callbacks(execute=True):
        response = place(client, shop)
    assert response.status_code == 302 and response.url.endswith("/checkout/thank-you/")
    order = Order.objects.get()
    assert (order.status, order.payment_method, order.paid_at) == ("cod-unpaid", "cod", None)
    assert order.total_incl_tax == 370000 + 35000  # Miền Bắc delivery
    assert order.shipping_address.state == "Thành phố Hà Nội"
    assert stock(tea) == (5, 2)
    page = client.get(response.url)
    assert "405.000\xa0₫" in page.content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@example.vn"]
    assert str(order.number) in mail.outbox[0].subject
    assert f"/shop/payments/{order.number}/" in mail.outbox[0].body  # the guest's signed link


def test_english_checkout_writes_english_emails(client, django_capture_on_commit_callbacks):
    tea = certified_product(price=185000, stock=5)
    shop = to_preview(client, tea, "vietqr", prefix="/en")
    with django_capture_on_commit_callbacks(execute=True):
        place(client, shop)
    order = Order.objects.get()
    assert order.language == "en" and order.status == "awaiting-transfer"
    assert mail.outbox[0].subject == f"Order {order.number} received"
    assert "Please pay by bank transfer" in mail.outbox[0].body
    assert f"/en/shop/payments/{order.number}/" in mail.outbox[0].body


def test_vietqr_confirmation_shows_the_code(client):
    to_preview(client, certified_product(price=185000), "vietqr")
    response = place(client)
    page = client.get(response.url).content.decode()
    order = Order.objects.get()
    assert f"/shop/payments/{order.number}/{order.verification_hash()}/vietqr.png" in page


def test_card_is_offered_only_when_stripe_is_configured(client, settings):
    settings.STRIPE_SECRET_KEY = ""
    to_page = certified_product()
    client.post(f"/shop/basket/add/{to_page.pk}/", {"quantity": 1})
    client.post("/shop/checkout/", {"username": "a@b.vn", "options": "anonymous"})
    client.post("/shop/checkout/shipping-address/", HA_NOI)
    client.post("/shop/checkout/shipping-method/", {"method_code": "mien-bac"})
    page = client.get("/shop/checkout/payment-method/")
    values = [value for value, _label in page.context["form"].fields["method"].choices]
    assert values == ["vietqr", "cod"]
    response = client.post("/shop/checkout/payment-method/", {"method": "stripe"})
    assert response.status_code == 200 and Order.objects.count() == 0


def test_card_checkout_hands_over_to_stripe(client, stripe_shop):
    to_preview(client, certified_product(price=125000), "stripe")
    response = place(client)
    order = Order.objects.get()
    assert order.status == "awaiting-card"
    page = client.get(response.url).content.decode()
    pay = f"/shop/payments/{order.number}/{order.verification_hash()}/card/"
    assert pay in page
    handover = client.post(pay)
    assert handover.status_code == 303 and handover["Location"].startswith(stripe_shop.url)


def test_staff_switch_a_method_off(client):
    config = PaymentSettings.load()
    config.cod_enabled = False
    config.save()
    tea = certified_product()
    client.post(f"/shop/basket/add/{tea.pk}/", {"quantity": 1})
    client.post("/shop/checkout/", {"username": "a@b.vn", "options": "anonymous"})
    client.post("/shop/checkout/shipping-address/", HA_NOI)
    client.post("/shop/checkout/shipping-method/", {"method_code": "mien-bac"})
    response = client.post("/shop/checkout/payment-method/", {"method": "cod"})
    assert response.status_code == 200 and response.context["form"].errors


def test_switching_a_method_off_after_choosing_it_sends_the_customer_back(client):
    to_preview(client, certified_product(), "cod")
    config = PaymentSettings.load()
    config.cod_enabled = False
    config.save()
    response = place(client)
    assert response.status_code == 302 and response.url.endswith("/checkout/payment-method/")
    assert Order.objects.count() == 0


def test_double_submit_places_one_order(client):
    tea = certified_product(stock=5)
    to_preview(client, tea, "cod")
    first = place(client)
    second = place(client)
    assert first.status_code == 302 and second.status_code == 302
    assert Order.objects.count() == 1 and stock(tea) == (5, 1)


def test_certificate_lapsed_since_the_basket_means_a_clear_message_and_no_order(client):
    tea = certified_product(stock=5)
    to_preview(client, tea, "cod")
    tea.certification.status = "revoked"
    tea.certification.save()
    response = place(client, "/shop")
    assert response.status_code == 302
    follow = client.get(response.url)
    text = " ".join(str(m) for m in follow.context["messages"]) if follow.context else ""
    assert Order.objects.count() == 0 and stock(tea) == (5, 0)
    assert text, "the customer is told why"


def test_sold_out_while_on_the_preview_page(client):
    tea = certified_product(stock=1)
    to_preview(client, tea, "cod")
    record = tea.stockrecords.get()
    record.num_allocated = 1  # someone else bought the last one meanwhile
    record.save()
    response = place(client)
    assert Order.objects.count() == 0
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["error"]


def test_a_dropped_database_connection_mid_order_writes_nothing_and_the_retry_works(
    client, monkeypatch
):
    tea = certified_product(stock=3)
    to_preview(client, tea, "cod", quantity=2)
    original = OrderCreator.create_line_models
    calls = {"n": 0}

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(OrderCreator, "create_line_models", flaky)
    response = place(client)
    assert response.status_code == 200 and response.context["error"]
    assert Order.objects.count() == 0 and ShippingAddress.objects.count() == 0
    assert stock(tea) == (3, 0)
    response = place(client)  # the customer presses the button again
    assert response.status_code == 302
    assert Order.objects.count() == 1 and stock(tea) == (3, 2)


@pytest.mark.parametrize("quantity", ["0", "-1", "1000000000", "abc", ""])
def test_bad_quantities_are_refused_politely(client, quantity):
    tea = certified_product(stock=5)
    response = client.post(f"/shop/basket/add/{tea.pk}/", {"quantity": quantity})
    assert response.status_code in (200, 302)
    basket = client.get("/shop/basket/").context["basket"]
    assert basket.num_items == 0


def test_prices_sent_in_forms_are_ignored(client):
    tea = certified_product(price=185000, stock=5)
    client.post(f"/shop/basket/add/{tea.pk}/", {"quantity": 1, "price": "1", "price_incl_tax": "1"})
    client.post("/shop/checkout/", {"username": "a@b.vn", "options": "anonymous"})
    client.post("/shop/checkout/shipping-address/", HA_NOI)
    client.post("/shop/checkout/shipping-method/", {"method_code": "mien-bac", "charge": "0"})
    client.post("/shop/checkout/payment-method/", {"method": "cod"})
    client.post(
        "/shop/checkout/preview/",
        {"action": "place_order", "order_total": "1", "total_incl_tax": "1"},
    )
    assert Order.objects.get().total_incl_tax == 185000 + 35000


def test_another_customers_order_is_not_shown(client, django_user_model):
    owner = django_user_model.objects.create_user("a", "a@x.vn", "pw")
    other = django_user_model.objects.create_user("b", "b@x.vn", "pw")
    client.force_login(owner)
    to_preview_logged_in = certified_product()
    client.post(f"/shop/basket/add/{to_preview_logged_in.pk}/", {"quantity": 1})
    client.post("/shop/checkout/shipping-address/", HA_NOI)
    client.post("/shop/checkout/shipping-method/", {"method_code": "mien-bac"})
    client.post("/shop/checkout/payment-method/", {"method": "cod"})
    place(client)
    order = Order.objects.get()
    assert order.user == owner
    assert [a.line4 for a in owner.addresses.all()] == ["Phường Hai Bà Trưng"]  # kept for next time
    assert client.get(f"/shop/accounts/orders/{order.number}/").status_code == 200
    client.force_login(other)
    response = client.get(f"/shop/accounts/orders/{order.number}/")
    assert response.status_code == 404
    assert "12 Phố Huế" not in response.content.decode()
