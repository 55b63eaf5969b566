"""Two digests at once (cron twice, a worker retrying) send each item once: PostgreSQL row locks."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from alerts.models import SentAlert
from alerts.sending import send_digest
from tests.factories import CertificationFactory
from tests.threads import run_at_once

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
    results = run_at_once(lambda i: send_digest(), RUNS)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(len(r) for r in results) == [0] * (RUNS - 1) + [1]
    assert len(mail.outbox) == 1 and mail.outbox[0].body.count("/certification/") == 2
    assert SentAlert.objects.count() == 2
