"""Two digests at once (cron twice, a worker retrying) send each item once: PostgreSQL row locks."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from alerts.models import SentAlert
from alerts.sending import send_digest
from tests.factories import CertificationFactory

pytestmark = [
    pytest.mark.usefixtures("committed_db"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locking is what is tested: PostgreSQL"
    ),
]

RUNS = 5


def test_digests_started_together_send_once():
    for days in (3, 9):
        CertificationFactory(
            decision_date=datetime.date(2024, 1, 5),
            valid_until=timezone.localdate() + datetime.timedelta(days=days),
        )
    mail.outbox = []
    barrier = threading.Barrier(RUNS)
    results = [None] * RUNS

    def run(index):
        try:
            barrier.wait()
            results[index] = send_digest()
        except Exception as error:  # noqa: BLE001 — the outcome is what is counted
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r) for r in results) == [0] * (RUNS - 1) + [1]
    assert len(mail.outbox) == 1 and mail.outbox[0].body.count("/certification/") == 2
    assert SentAlert.objects.count() == 2
