"""Orders change only through their actions, from every screen (issue 17, finding 5).

For the superuser and every staff role, a generated set of POSTs to every order-related form of
the Django admin and the Oscar dashboard tries to make an order paid, move its money, give it to
another customer, add payment events or sources, edit its lines or erase its history: nothing
lands. The actions of the Wagtail admin still work and write who, when and why.
"""

import itertools

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order.statuses import AWAITING_TRANSFER, PAID
from staff.roles import ROLES, SHOP_STAFF
from tests.factories import certified_product, placed_order

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Line = get_model("order", "Line")
OrderNote = get_model("order", "OrderNote")
PaymentEventType = get_model("order", "PaymentEventType")
ShippingEventType = get_model("order", "ShippingEventType")
SourceType = get_model("payment", "SourceType")

# Every model whose rows are an order's state or history, and what of them is read back.
WATCHED = {
    ("order", "Order"): (
        "status",
        "paid_at",
        "payment_method",
        "payment_due",
        "user_id",
        "total_incl_tax",
        "total_excl_tax",
        "shipping_incl_tax",
        "shipping_excl_tax",
        "currency",
        "number",
        "guest_email",
        "basket_id",
    ),
    ("order", "Line"): (
        "order_id",
        "quantity",
        "line_price_incl_tax",
        "unit_price_incl_tax",
        "status",
    ),
    ("order", "LinePrice"): ("line_id", "price_incl_tax", "quantity"),
    ("order", "PaymentEvent"): ("order_id", "amount", "event_type_id"),
    ("order", "PaymentEventQuantity"): ("event_id", "line_id", "quantity"),
    ("order", "ShippingEvent"): ("order_id", "event_type_id"),
    ("order", "OrderStatusChange"): ("order_id", "old_status", "new_status"),
    ("order", "OrderNote"): ("order_id", "note_type", "message", "user_id"),
    ("order", "OrderDiscount"): ("order_id", "amount"),
    ("order", "Surcharge"): ("order_id", "incl_tax"),
    ("payment", "Source"): ("order_id", "amount_allocated", "amount_debited", "amount_refunded"),
    ("payment", "Transaction"): ("source_id", "amount", "txn_type"),
}


def snapshot():
    return {
        key: sorted(get_model(*key).objects.values_list("pk", *fields))
        for key, fields in WATCHED.items()
    }


@pytest.fixture
def world(django_user_model):
    customer = django_user_model.objects.create_user("lan", "lan@example.vn", "pw")
    other = django_user_model.objects.create_user("minh", "minh@example.vn", "pw")
    order = placed_order((certified_product(price=185000), 2), user=customer)
    note = OrderNote.objects.create(order=order, note_type="System", message="Placed online.")
    paid_type = PaymentEventType.objects.create(name="Paid")
    shipped_type = ShippingEventType.objects.create(name="Shipped")
    source_type = SourceType.objects.create(name="VietQR")
    return {
        "order": order,
        "line": order.lines.get(),
        "note": note,
        "other": other,
        "paid_type": paid_type,
        "shipped_type": shipped_type,
        "source_type": source_type,
    }


def attempts(w):
    """(URL, data) pairs, each trying to change an order's state or history off the actions."""
    order, line, note = w["order"], w["line"], w["note"]
    now = timezone.localtime()
    money = {
        "status": PAID,
        "paid_at_0": now.strftime("%Y-%m-%d"),
        "paid_at_1": now.strftime("%H:%M:%S"),
        "payment_method": "cod",
        "user": w["other"].pk,
        "total_incl_tax": "1",
        "total_excl_tax": "1",
        "shipping_incl_tax": "0",
        "shipping_excl_tax": "0",
        "basket_total_incl_tax": "1",
        "basket_total_excl_tax": "1",
        "number": order.number,
        "currency": order.currency,
        "site": order.site_id,
        "date_placed_0": now.strftime("%Y-%m-%d"),
        "date_placed_1": now.strftime("%H:%M:%S"),
        "guest_email": "",
        "language": "vi",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk,
        "lines-0-order": order.pk,
        "lines-0-quantity": "99",
        "lines-0-line_price_incl_tax": "1",
        "lines-0-DELETE": "on",
    }
    line_fields = {
        "order": order.pk,
        "quantity": "99",
        "line_price_incl_tax": "1",
        "line_price_excl_tax": "1",
        "line_price_before_discounts_incl_tax": "1",
        "line_price_before_discounts_excl_tax": "1",
        "title": line.title,
        "status": PAID,
    }
    admin = "/django-admin"
    yield f"{admin}/order/order/{order.pk}/change/", money
    yield f"{admin}/order/order/add/", money
    yield (
        f"{admin}/order/order/",
        {"action": "delete_selected", "_selected_action": order.pk, "post": "yes"},
    )
    yield f"{admin}/order/order/{order.pk}/delete/", {"post": "yes"}
    yield f"{admin}/order/line/{line.pk}/change/", line_fields
    yield f"{admin}/order/line/add/", line_fields
    yield f"{admin}/order/line/{line.pk}/delete/", {"post": "yes"}
    yield (
        f"{admin}/order/lineprice/add/",
        {"order": order.pk, "line": line.pk, "quantity": 1, "price_incl_tax": 1},
    )
    payment_event = {
        "order": order.pk,
        "amount": order.total_incl_tax,
        "event_type": w["paid_type"].pk,
        "reference": "forged",
        "line_quantities-TOTAL_FORMS": "0",
        "line_quantities-INITIAL_FORMS": "0",
    }
    yield f"{admin}/order/paymentevent/add/", payment_event
    yield (
        f"{admin}/order/shippingevent/add/",
        {"order": order.pk, "event_type": w["shipped_type"].pk},
    )
    yield (
        f"{admin}/order/orderstatuschange/add/",
        {"order": order.pk, "old_status": AWAITING_TRANSFER, "new_status": PAID},
    )
    yield (
        f"{admin}/order/ordernote/{note.pk}/change/",
        {"order": order.pk, "note_type": "System", "message": "rewritten"},
    )
    yield f"{admin}/order/ordernote/{note.pk}/delete/", {"post": "yes"}
    yield (
        f"{admin}/order/surcharge/add/",
        {"order": order.pk, "name": "x", "code": "x", "incl_tax": "-100000", "excl_tax": "-100000"},
    )
    source = {
        "order": order.pk,
        "source_type": w["source_type"].pk,
        "currency": "VND",
        "amount_allocated": order.total_incl_tax,
        "amount_debited": order.total_incl_tax,
        "amount_refunded": "0",
        "reference": "forged",
    }
    yield f"{admin}/payment/source/add/", source
    yield f"{admin}/payment/transaction/add/", {"txn_type": "Debit", "amount": "1", "status": "ok"}

    dashboard = f"/shop/dashboard/orders/{order.number}/"
    yield dashboard, {"order_action": "change_order_status", "new_status": PAID}
    yield (
        dashboard,
        {
            "order_action": "create_order_payment_event",
            "amount": str(order.total_incl_tax),
            "payment_event_type": w["paid_type"].code,
        },
    )
    selected = {"selected_line": line.pk, f"selected_line_qty_{line.pk}": line.quantity}
    yield (
        dashboard,
        {
            "line_action": "create_payment_event",
            "payment_event_type": w["paid_type"].code,
            **selected,
        },
    )
    yield (
        dashboard,
        {
            "line_action": "create_shipping_event",
            "shipping_event_type": w["shipped_type"].code,
            **selected,
        },
    )
    yield dashboard, {"line_action": "change_line_statuses", "new_status": PAID, **selected}
    yield dashboard, {"order_action": "delete_note", "note_id": note.pk}
    yield (
        "/shop/dashboard/orders/",
        {"action": "change_order_statuses", "selected_order": order.pk, "new_status": PAID},
    )


def personas(django_user_model, make_member):
    yield "superuser", django_user_model.objects.create_superuser("root", "root@ocop.test", "pw")
    for role in ROLES:
        yield role.name, make_member(role)


def test_no_screen_changes_an_order_off_its_actions(client, django_user_model, make_member, world):
    before = snapshot()
    tried, landed = 0, []
    for (who, user), (url, data) in itertools.product(
        list(personas(django_user_model, make_member)), list(attempts(world))
    ):
        client.force_login(user)
        response = client.post(url, data)
        tried += 1
        assert response.status_code < 500, (who, url, data)
        if snapshot() != before:
            landed.append((who, url, data))
            break  # the rest would start from a changed order
    assert landed == []
    assert tried >= 5 * 20


def test_the_dashboard_still_takes_staffs_own_notes(client, make_member, world):
    order = world["order"]
    clerk = make_member(SHOP_STAFF)
    client.force_login(clerk)
    url = f"/shop/dashboard/orders/{order.number}/"
    client.post(url, {"order_action": "save_note", "message": "Customer asked for gift wrap."})
    note = order.notes.get(message="Customer asked for gift wrap.")
    assert note.user == clerk
    client.post(url, {"order_action": "delete_note", "note_id": note.pk})
    assert not order.notes.filter(pk=note.pk).exists()
    assert order.notes.filter(pk=world["note"].pk).exists()


def test_the_actions_still_change_the_order_and_say_who_when_and_why(client, make_member, world):
    order = world["order"]
    clerk = make_member(SHOP_STAFF)
    client.force_login(clerk)
    started = timezone.now()
    response = client.post(f"/admin/orders/{order.number}/action/", {"action": "confirm-transfer"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == PAID and order.paid_at is not None
    assert order.payment_events.filter(
        event_type__name="Paid", amount=order.total_incl_tax
    ).exists()
    assert order.sources.get().amount_debited == order.total_incl_tax
    note = order.notes.exclude(pk=world["note"].pk).get()
    assert note.user == clerk
    assert note.date_created >= started
    assert note.message
    assert order.status_changes.filter(old_status=AWAITING_TRANSFER, new_status=PAID).exists()


def test_staff_say_why_they_cancel(client, make_member, world):
    order = world["order"]
    clerk = make_member(SHOP_STAFF)
    client.force_login(clerk)
    page = client.get("/admin/orders/")
    assert b'name="reason"' in page.content
    client.post(
        f"/admin/orders/{order.number}/action/",
        {"action": "cancel", "reason": "Customer ordered twice"},
    )
    order.refresh_from_db()
    assert order.status == "cancelled"
    note = order.notes.exclude(pk=world["note"].pk).get()
    assert note.user == clerk and "Customer ordered twice" in note.message
