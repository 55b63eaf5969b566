"""Battery items 4–6: the checkout under a dying database connection, a crowd and impatience.

4. The checkout's own PostgreSQL connection killed (`pg_terminate_backend`) before one of its
   queries, at 20 points spread over placing a card order, pressing "Pay" and Stripe's webhook;
   then the customer retries, Stripe redelivers, reconcile runs: no order half written, no stock
   held without an order, no paid order lost.
5. 20 buyers of the last unit pressing "Place order" at once; a single-use voucher in 20
   baskets placed at once: exactly one wins each time, and nothing is left waiting on a lock.
6. "Place order" pressed twice at once (VietQR, card) and "Pay" pressed twice at once: one
   order, one Checkout Session, one PaymentIntent.
"""

import copy
import io
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from shop.order.statuses import PAID
from tests.battery.faults import FaultBeforeQuery, paused, points, terminate_backend
from tests.battery.ledger import order_problems, payment_problems
from tests.checkout import (
    basket_of,
    paid_events,
    pay_link,
    place,
    post_event,
    stock,
    to_preview,
)
from tests.factories import certified_product
from tests.threads import HANGING, run_at_once, run_in_parallel

Order = get_model("order", "Order")

pytestmark = [
    pytest.mark.usefixtures("committed_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="killed backends, row locks and parallel connections are PostgreSQL's",
    ),
]


def plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# -- 4. The database connection killed in the middle of the checkout ---------------------------


class Checkout:
    """One guest's checkout after the preview page, step by step, each step safe to repeat
    the way the customer (or Stripe) would repeat it."""

    def __init__(self, server, method="stripe"):
        self.server = server
        self.method = method
        self.client = Client(raise_request_exception=False)
        self.stripe = Client(raise_request_exception=False)  # webhooks come without cookies
        self.product = certified_product(price=125000, stock=2)
        to_preview(self.client, self.product, method)
        self.basket = basket_of(self.client)
        self.session_id = None
        self.event = None
        self.statuses = []  # (step, HTTP status)
        self.fault = None  # the armed FaultBeforeQuery, paused while the test looks around

    @property
    def order(self):
        with paused(self.fault):
            return Order.objects.filter(basket=self.basket).first()

    def request(self, send):
        """One request, ended as a WSGI server ends it: Django's test client leaves out the
        `close_old_connections` that drops a broken connection after the response."""
        try:
            return send()
        finally:
            close_old_connections()

    def place(self):
        if self.order is None:  # pressed again only while there is no order
            self.statuses.append(("place", self.request(lambda: place(self.client)).status_code))

    def pay(self):
        order = self.order
        if self.method != "stripe" or order is None or self.session_id:
            return
        response = self.request(lambda: self.client.post(pay_link(order)))
        self.statuses.append(("pay", response.status_code))
        if response.status_code == 303:
            self.session_id = response["Location"].rsplit("/", 1)[-1]

    def webhook(self):
        if self.session_id is None:
            return
        if self.event is None:  # the buyer pays on Stripe's page once
            self.event = self.server.pay(self.session_id)
        response = self.request(lambda: post_event(self.stripe, self.server, self.event))
        self.statuses.append(("webhook", response.status_code))

    def run(self):
        self.place()
        self.pay()
        self.webhook()

    def recover(self):
        """The customer presses again, Stripe redelivers its webhook, reconcile runs."""
        self.run()
        self.webhook()
        call_command("reconcile_payments", stdout=io.StringIO())

    def lost(self):
        """What the customer lost after retrying: the order, or the payment on it."""
        order = self.order
        if order is None:
            return [f"basket {self.basket.pk}: no order after the retry"]
        if self.method == "stripe" and order.status != PAID:
            return [f"order {order.number}: {order.status} after paying and the webhook"]
        return []


def kill_during_checkout(server, wanted, method="stripe"):
    """Kill the connection before query N of the checkout, for `wanted` values of N spread over
    its queries (all of them with `wanted=None`), then let the customer, Stripe and reconcile
    retry. Returns (kills, queries, server errors by step, partial orders, lost orders)."""
    for _first_and_steady in range(2):  # the first checkout also creates shared rows
        clean = Checkout(server, method)
        with FaultBeforeQuery() as clean.fault:
            clean.run()
    queries = clean.fault.count
    kills = 0
    errors = Counter()
    lost = []
    for at in points(queries, wanted or queries):
        checkout = Checkout(server, method)
        with FaultBeforeQuery(terminate_backend, at=at) as checkout.fault:
            checkout.run()
        kills += checkout.fault.fired
        checkout.fault = None
        errors.update(step for step, status in checkout.statuses if status >= 500)
        checkout.recover()
        lost += [f"killed before query {at}: {p}" for p in checkout.lost()]
    return kills, queries, errors, order_problems(), lost + payment_problems(server)


def check_kills(battery, server, wanted, methods=("stripe",)):
    kills = queries = expected = 0
    errors = Counter()
    partial, lost = [], []
    for method in methods:
        more = kill_during_checkout(server, wanted, method)
        kills, queries = kills + more[0], queries + more[1]
        expected += min(wanted or more[1], more[1])
        errors.update(more[2])
        partial, lost = more[3], lost + more[4]  # partial orders are counted over all orders
    battery.record(
        4,
        "Connection killed in checkout",
        f"{kills} backends killed over {queries} checkout queries ({', '.join(methods)}), "
        f"then retry/webhook/reconcile → {Order.objects.count()} orders, {len(partial)} "
        f"partial, {len(lost)} lost paid (error pages on the way: "
        f"{', '.join(f'{step} {n}' for step, n in errors.items()) or 'none'})",
        ok=kills >= expected and not partial and not lost,
    )
    assert not partial and not lost, partial + lost
    assert kills >= expected


def test_connection_killed_in_checkout(battery, stripe_shop):
    check_kills(battery, stripe_shop, 20)


@pytest.mark.soak
def test_connection_killed_in_checkout_soak(battery, stripe_shop):
    check_kills(battery, stripe_shop, None, methods=("stripe", "vietqr", "cod"))


def test_a_connection_lost_while_the_order_is_written_shows_a_message_and_the_retry_works():
    client = Client(raise_request_exception=False)
    tea = certified_product(stock=3)
    to_preview(client, tea, "cod", quantity=2)
    with FaultBeforeQuery(terminate_backend, before_sql='INSERT INTO "order_order"') as fault:
        response = place(client)
    close_old_connections()
    assert fault.fired and response.status_code == 200 and response.context["error"]
    assert Order.objects.count() == 0 and stock(tea) == (3, 0)
    assert place(client).status_code == 302
    assert Order.objects.count() == 1 and stock(tea) == (3, 2)


# -- 5. The last unit and a single-use voucher, 20 buyers at once -------------------------------

BUYERS = 20


def buyers_at_preview(product, count, **kwargs):
    """`count` guests, each with their own basket, waiting on the preview page."""

    def walk(index):
        client = Client(raise_request_exception=False)
        to_preview(client, product, "cod", email=f"buyer{index}@example.vn", **kwargs)
        return client

    clients = run_in_parallel(walk, range(count), workers=4)
    assert not [c for c in clients if isinstance(c, Exception)], clients
    return clients


def outcome(result):
    if result is HANGING:
        return "hanging"
    if isinstance(result, Exception) or result.status_code >= 500:
        return "server error"
    if result.status_code == 302 and result["Location"].endswith("/checkout/thank-you/"):
        return "order"
    if result.status_code == 200 and b"alert-danger" in result.content:
        return "refused"  # the preview again, saying why (sold out, voucher already used)
    if result.status_code == 302 and result["Location"].endswith("/basket/"):
        return "refused"  # back to the basket, which says what is no longer available
    return f"status {result.status_code} {result.get('Location', '')}"


def place_at_once(clients):
    """Everyone presses "Place order" at the same moment; outcomes counted."""
    results = run_at_once(lambda i: place(clients[i]), len(clients))
    return Counter(outcome(result) for result in results)


def waiting_backends():
    """Other connections to this database still in a transaction or waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
            " AND (state LIKE 'idle in transaction%%' OR wait_event_type = 'Lock')"
        )
        return cursor.fetchone()[0]


def deadlocks_detected():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def single_use_voucher(code):
    """A voucher for 10% off anything, good for one order (its range and offer named after it)."""
    Range = get_model("offer", "Range")
    Benefit = get_model("offer", "Benefit")
    Condition = get_model("offer", "Condition")
    ConditionalOffer = get_model("offer", "ConditionalOffer")
    Voucher = get_model("voucher", "Voucher")
    everything = Range.objects.create(name=f"Mọi sản phẩm {code}", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        name=f"Giảm 10% một lần {code}",
        offer_type=ConditionalOffer.VOUCHER,
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
    )
    now = timezone.now()
    voucher = Voucher.objects.create(
        name=f"Một lần {code}",
        code=code,
        usage=Voucher.SINGLE_USE,
        start_datetime=now - timedelta(days=1),
        end_datetime=now + timedelta(days=10),
    )
    voucher.offers.add(offer)
    return voucher


def crowd(round_number):
    """One round: 20 buyers of the last unit, then a single-use voucher in 20 baskets."""
    wine = certified_product(price=450000, stock=1, title="Rượu Mông pê Tả Chải")
    last_unit = place_at_once(buyers_at_preview(wine, BUYERS))
    voucher = single_use_voucher(f"OCOP-1LAN-{round_number}")
    tea = certified_product(price=185000, stock=100)
    with_voucher = place_at_once(buyers_at_preview(tea, BUYERS, voucher=voucher.code))
    voucher.refresh_from_db()
    return {
        "orders": last_unit["order"],
        "sold out": last_unit["refused"],
        "wine orders": Order.objects.filter(lines__product=wine).count(),
        "used": Order.objects.filter(discounts__voucher_id=voucher.pk).distinct().count(),
        "voucher orders": with_voucher["order"],
        "voucher refused": with_voucher["refused"],
        "voucher count": voucher.num_orders,
        "server errors": last_unit["server error"] + with_voucher["server error"],
        "hanging": last_unit["hanging"] + with_voucher["hanging"] + waiting_backends(),
    }


def check_crowd(battery, rounds):
    deadlocks_before = deadlocks_detected()
    results = [crowd(number) for number in range(rounds)]
    deadlocks = deadlocks_detected() - deadlocks_before
    total = Counter()
    for result in results:
        total.update(result)
    problems = order_problems()
    one_each = all(
        r["orders"]
        == r["wine orders"]
        == r["used"]
        == r["voucher orders"]
        == r["voucher count"]
        == 1
        and r["sold out"] == r["voucher refused"] == BUYERS - 1
        for r in results
    )
    ok = one_each and total["server errors"] == total["hanging"] == deadlocks == 0
    ok = ok and not problems
    battery.record(
        5,
        "Last unit and single-use voucher",
        f"{rounds} × ({BUYERS} buyers of 1 unit at once, a single-use voucher in {BUYERS} "
        f"orders at once) → {plural(total['orders'], 'order')} of the last unit, "
        f"{total['sold out']} told it sold out; voucher used {plural(total['used'], 'time')}, "
        f"{total['voucher refused']} refused; {plural(total['server errors'], 'server error')}, "
        f"{plural(deadlocks, 'deadlock')}, {total['hanging']} left hanging",
        ok=ok,
    )
    assert not problems, problems
    assert ok, (results, deadlocks)


def test_last_unit_and_single_use_voucher_at_once(battery):
    check_crowd(battery, rounds=1)


@pytest.mark.soak
def test_last_unit_and_single_use_voucher_at_once_soak(battery):
    check_crowd(battery, rounds=10)


# -- 6. Double submit --------------------------------------------------------------------------


def second_tab(client):
    """Another tab of the same browser: the same cookies, so the same session and basket."""
    tab = Client(raise_request_exception=False)
    tab.cookies = copy.deepcopy(client.cookies)
    return tab


def emails_about(order):
    return sum(str(order.number) in message.subject for message in mail.outbox)


def place_twice_at_once(method):
    """ "Place order" pressed in two tabs at the same moment; returns (orders, statuses, emails)."""
    client = Client(raise_request_exception=False)
    to_preview(client, certified_product(price=125000, stock=5), method)
    basket = basket_of(client)
    tabs = [client, second_tab(client)]
    mail.outbox.clear()
    results = run_at_once(lambda i: place(tabs[i]), 2)
    orders = list(Order.objects.filter(basket=basket))
    statuses = [r.status_code if hasattr(r, "status_code") else repr(r) for r in results]
    return orders, statuses, sum(emails_about(order) for order in orders), tabs


def double_submit(server):
    """One round of impatience, with VietQR and with a card; returns what came of it."""
    from shop.payments import transfer

    sessions, intents = server.created_sessions, server.created_payment_intents
    # VietQR: the order placed twice at once, its QR fetched twice at once, the money sent twice.
    qr_orders, qr_statuses, qr_emails, tabs = place_twice_at_once("vietqr")
    order = qr_orders[0]
    image = f"/shop/payments/{order.number}/{order.verification_hash()}/vietqr.png"
    images = run_at_once(lambda i: tabs[i].get(image).content, 2)
    statement = "Ngày giao dịch;Số tham chiếu;Ghi có;Nội dung\n" + "".join(
        f"02/12/2026;FT{order.number}{i};{int(order.total_incl_tax)};{order.number} chuyen tien\n"
        for i in (1, 2)
    )
    transfers = [t.outcome for t, _new in transfer.import_statement(statement.encode())]

    # Card: the order placed twice at once, "Pay" pressed twice at once, then again in English.
    card_orders, card_statuses, card_emails, tabs = place_twice_at_once("stripe")
    card_order = card_orders[0]
    pressed = run_at_once(lambda i: tabs[i].post(pay_link(card_order)), 2)
    pressed.append(tabs[0].post("/en" + pay_link(card_order)))
    redirects = {response.status_code: response.get("Location") for response in pressed}
    session_id = redirects.get(303, "").rsplit("/", 1)[-1]
    post_event(Client(), server, server.pay(session_id))
    card_order.refresh_from_db()
    statuses = qr_statuses + card_statuses + [response.status_code for response in pressed]
    return {
        "orders": len(qr_orders) + len(card_orders),
        "emails": qr_emails + card_emails,
        "same QR": images[0] == images[1],
        "transfers": sorted(transfers) == ["already-paid", "matched"],
        "payments": paid_events(order) + paid_events(card_order),
        "one redirect": list(redirects) == [303],
        "sessions": server.created_sessions - sessions,
        "intents": server.created_payment_intents - intents,
        "server errors": sum(not isinstance(s, int) or s >= 500 for s in statuses),
    }


def check_double_submit(battery, server, rounds):
    results = [double_submit(server) for _ in range(rounds)]
    total = Counter()
    for result in results:
        total.update(result)
    ok = all(
        r["orders"] == r["emails"] == r["payments"] == 2
        and r["same QR"]
        and r["transfers"]
        and r["one redirect"]
        and r["sessions"] == r["intents"] == 1
        and r["server errors"] == 0
        for r in results
    )
    problems = order_problems()
    battery.record(
        6,
        "Double submit",
        f"{rounds} × (VietQR: place ×2 at once, QR ×2, money sent twice; card: place ×2 at "
        f"once, pay ×2 at once + once on the English page) → {plural(total['orders'], 'order')}, "
        f"{plural(total['emails'], 'order email')}, {plural(total['payments'], 'payment')} "
        f"recorded, {plural(total['sessions'], 'Checkout Session')}, "
        f"{plural(total['intents'], 'PaymentIntent')}; "
        f"{plural(total['server errors'], 'server error')}",
        ok=ok and not problems,
    )
    assert not problems, problems
    assert ok, results


def test_double_submit(battery, stripe_shop):
    check_double_submit(battery, stripe_shop, rounds=1)


@pytest.mark.soak
def test_double_submit_soak(battery, stripe_shop):
    check_double_submit(battery, stripe_shop, rounds=20)
