"""Real concurrent transactions on PostgreSQL: many buyers, one last unit."""

import threading

import pytest
from django.db import connection, connections
from oscar.core.loading import get_class, get_model

from tests.factories import certified_product, placed_order

OutOfStock = get_class("order.utils", "OutOfStock")
Order = get_model("order", "Order")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("restore_db_at_end"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locking is what is tested: PostgreSQL"
    ),
]

BUYERS = 20


def run_at_once(work, count):
    """Run `work(i)` in `count` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def one(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 — the outcome is what is counted
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


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
