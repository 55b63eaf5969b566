"""A customer's steps through the shop's pages, shared by the checkout, payment and battery
tests: walk to the preview, place the order, start a card payment, post a signed webhook."""

from django.conf import settings
from oscar.core.loading import get_model

WEBHOOK = "/shop/payments/stripe/webhook/"

HA_NOI = {
    "full_name": "Nguyễn Thị Lan",
    "phone_number": "0912 345 678",
    "province_code": "1",  # Thành phố Hà Nội
    "commune_code": "256",  # Phường Hai Bà Trưng
    "line1": "12 Phố Huế",
    "postcode": "",
    "notes": "",
}


def to_preview(
    client,
    product,
    method,
    *,
    quantity=1,
    prefix="",
    email="lan@example.vn",
    voucher=None,
    phone=None,
    address=HA_NOI,
):
    """Put `quantity` of `product` in the basket (with a voucher code) and go as a guest up to
    the preview page. `email=""` with a `phone`: a guest who gives only a phone number (the
    shipping address then carries `address`'s phone, as the guest may retype it there)."""
    shop = f"{prefix}/shop"
    assert (
        client.post(f"{shop}/basket/add/{product.pk}/", {"quantity": quantity}).status_code == 302
    )
    if voucher:
        client.post(f"{shop}/basket/vouchers/add/", {"code": voucher})
        assert basket_of(client).contains_voucher(voucher)
    gateway = {"options": "anonymous"}
    if email:
        gateway["username"] = email
    if phone:
        gateway["phone"] = phone
    response = client.post(f"{shop}/checkout/", gateway)
    assert response.status_code == 302, response.content
    response = client.post(f"{shop}/checkout/shipping-address/", address)
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(f"{shop}/checkout/shipping-method/", {"method_code": "mien-bac"})
    assert response.status_code == 302
    response = client.post(f"{shop}/checkout/payment-method/", {"method": method})
    assert response.status_code == 302 and response.url.endswith("/checkout/preview/")
    return shop


def basket_of(client):
    """A guest's open basket, found by its cookie (the same in any thread)."""
    Basket = get_model("basket", "Basket")
    cookie = client.cookies[settings.OSCAR_BASKET_COOKIE_OPEN].value
    return Basket.objects.get(pk=cookie.split(":")[0])


def place(client, shop="/shop"):
    """Press "Place order" on the preview page."""
    return client.post(f"{shop}/checkout/preview/", {"action": "place_order"})


def stock(product):
    """(in stock, allocated) of the product's stock record."""
    record = product.stockrecords.get()
    return record.num_in_stock, record.num_allocated or 0


def pay_link(order):
    return f"/shop/payments/{order.number}/{order.verification_hash()}/card/"


def start_payment(client, order):
    """Press "Pay by card"; returns the Checkout Session's id from the redirect to Stripe."""
    response = client.post(pay_link(order))
    assert response.status_code == 303, response.content
    return response["Location"].rsplit("/", 1)[-1]


def post_event(client, server, event, *, secret="whsec_shop", timestamp=None):
    """Post a Stripe event to the webhook, signed as Stripe signs it."""
    body, header = server.signed_payload(event, secret, timestamp)
    return client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def paid_events(order):
    PaymentEvent = get_model("order", "PaymentEvent")
    return PaymentEvent.objects.filter(order=order, event_type__name="Paid").count()
