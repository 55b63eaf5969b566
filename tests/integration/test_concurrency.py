"""Real concurrent transactions on PostgreSQL: many buyers, one last unit."""

import pytest
from django.db import connection
from oscar.core.loading import get_class, get_model

from tests.factories import certified_product, placed_order
from tests.threads import run_at_once

OutOfStock = get_class("order.utils", "OutOfStock")
Order = get_model("order", "Order")

pytestmark = [
    pytest.mark.usefixtures("committed_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locking is what is tested: PostgreSQL"
    ),
]

BUYERS = 20


def test_twenty_buyers_of_the_last_unit_one_gets_it():
    wine = certified_product(price=450000, stock=1)
    results = run_at_once(lambda i: placed_order((wine, 1), guest_email=f"b{i}@x.vn"), BUYERS)
    orders = [r for r in results if isinstance(r, Order)]
    sold_out = [r for r in results if isinstance(r, OutOfStock)]
    print(f"\n{BUYERS} concurrent buyers of 1 unit: {len(orders)} order, {len(sold_out)} sold out")
    assert len(orders) == 1 and len(sold_out) == BUYERS - 1, results
    record = wine.stockrecords.get()
    assert (record.num_in_stock, record.num_allocated) == (1, 1)
    assert Order.objects.count() == 1


def test_the_same_webhook_ten_at_once_makes_one_payment_and_one_email(stripe_shop):
    from django.core import mail
    from django.test import Client

    from shop.payments import card
    from shop.payments.models import StripeEvent

    PaymentEvent = get_model("order", "PaymentEvent")
    order = placed_order((certified_product(price=125000, stock=2), 1), method="stripe")
    session = card.start(
        order, success_url="https://ocop.test/ok", cancel_url="https://ocop.test/x"
    )
    event = stripe_shop.pay(session.id)
    intent = stripe_shop.payment_intent_event(event["data"]["object"]["payment_intent"])
    deliveries = [event] * 10 + [intent] * 5
    mail.outbox.clear()

    def deliver(index):
        body, header = stripe_shop.signed_payload(deliveries[index], "whsec_shop")
        response = Client().post(
            "/shop/payments/stripe/webhook/",
            body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
        return response.status_code

    statuses = run_at_once(deliver, len(deliveries))
    print(f"\n{len(deliveries)} concurrent webhook deliveries, statuses: {sorted(set(statuses))}")
    assert statuses == [200] * len(deliveries)
    order.refresh_from_db()
    assert order.paid_at is not None
    assert PaymentEvent.objects.filter(order=order, event_type__name="Paid").count() == 1
    assert StripeEvent.objects.count() == 2
    assert len(mail.outbox) == 1
    assert stripe_shop.created_refunds == 0


def test_guests_adding_a_new_product_at_once_all_get_through():
    """Oscar's analytics creates a product's counter row on its first basket addition; requests
    creating it at the same moment must all succeed, and all be counted."""
    from django.test import Client

    ProductRecord = get_model("analytics", "ProductRecord")
    tea = certified_product(stock=50)
    clients = [Client(raise_request_exception=False) for _ in range(BUYERS)]

    def add(i):
        return clients[i].post(f"/shop/basket/add/{tea.pk}/", {"quantity": 1}).status_code

    for client in clients:  # each client loads the middleware on its first request: not racing
        client.get(tea.get_absolute_url())
    assert run_at_once(add, BUYERS) == [302] * BUYERS
    assert ProductRecord.objects.get(product=tea).num_basket_additions == BUYERS
