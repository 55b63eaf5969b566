"""What each kind of alert reports: the right items, and no others."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from alerts.digest import collect, doubling_level
from alerts.kinds import OWNER_ROLE, Kind
from shop.order import actions
from tests.factories import CertificationFactory, certified_product, placed_order
from tests.registry_server import feed_record
from traceability.models import Certification, Label, Lot, Scan, Source
from traceability.sync import run_sync

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def keys(items):
    return sorted(item.key for item in items)


def sync(*records):
    stamp = timezone.now().isoformat()
    pages = [[{**record, "updated_at": stamp} for record in records]]
    return run_sync(pages, source=Source.FEED, location="test-feed", started_by="test")


def certificate(**fields):
    return CertificationFactory(decision_date=datetime.date(2024, 1, 5), **fields)


# --- Certificates entering the 30-day window -------------------------------------------------


def test_expiring_lists_certificates_in_force_that_end_within_30_days(clock):
    today = timezone.localdate()
    soon = certificate(valid_until=today + 10 * DAY, product_name="Mật ong bạc hà")
    last_day = certificate(valid_until=today + 29 * DAY)
    certificate(valid_until=today + 60 * DAY)  # two months out: not yet
    certificate(valid_until=today + 10 * DAY, status="revoked")  # not in force
    certificate(valid_until=today - DAY)  # already lapsed: the other kind
    certificate(valid_until=today + 10 * DAY, stars=2)  # never certified

    items = collect(Kind.EXPIRING, now=timezone.now(), since=timezone.now() - DAY)

    assert keys(items) == sorted(
        [f"cert:{c.pk}:{c.valid_until.isoformat()}" for c in (soon, last_day)]
    )
    first = next(item for item in items if str(soon.pk) in item.key)
    assert "Mật ong bạc hà" in first.text and soon.decision_no in first.text
    assert soon.valid_until.strftime("%d/%m/%Y") in first.text
    path = f"/django-admin/traceability/certification/{soon.pk}/change/"
    assert first.url == settings.SITE_URL + path


# --- Certificates lapsed, suspended or revoked -------------------------------------------------


def test_lapsed_lists_the_last_sync_losses_and_date_lapses_since_last_time(clock):
    sync(*(feed_record(f"R-{n}") for n in range(1, 5)))
    clock.shift(DAY)
    sync(feed_record("R-4", status="revoked", status_reason="Vi phạm an toàn thực phẩm"))
    clock.shift(3 * DAY)  # the digest ran in between: R-4 is old news
    last = sync(
        feed_record("R-1", status="revoked", status_reason="Vi phạm chất lượng"),
        feed_record("R-2", status="suspended"),
        feed_record("R-3", stars=5),  # re-rated up: nothing to fix
    )
    today = timezone.localdate()
    yesterday_end = certificate(valid_until=today - DAY)  # lapsed this morning
    certificate(valid_until=today - 10 * DAY)  # lapsed long ago
    certificate(valid_until=today)  # last valid day: still in force

    items = collect(Kind.LAPSED, now=timezone.now(), since=timezone.now() - DAY)

    by_registry = {}
    for item in items:
        if item.key.startswith("change:"):
            change = last.changes.get(pk=int(item.key.split(":")[1]))
            by_registry[change.certification.registry_id] = item
    assert sorted(by_registry) == ["R-1", "R-2"]
    assert "Vi phạm chất lượng" in by_registry["R-1"].text
    date_keys = [item.key for item in items if item.key.startswith("expired:")]
    assert date_keys == [f"expired:{yesterday_end.pk}:{yesterday_end.valid_until.isoformat()}"]
    assert len(items) == 3


def test_a_certificate_reinstated_since_is_not_reported(clock):
    sync(feed_record("R-1"))
    clock.shift(DAY)
    sync(feed_record("R-1", status="suspended"))
    Certification.objects.filter(registry_id="R-1").update(status="active")
    assert collect(Kind.LAPSED, now=timezone.now(), since=timezone.now() - DAY) == []


def test_an_end_date_moved_into_the_past_by_the_sync_is_reported_once(clock):
    sync(feed_record("R-1"))
    clock.shift(DAY)
    past = (timezone.localdate() - 40 * DAY).isoformat()
    run = sync(feed_record("R-1", valid_until=past))
    items = collect(Kind.LAPSED, now=timezone.now(), since=timezone.now() - DAY)
    change = run.changes.get(field="valid_until")
    assert keys(items) == [f"change:{change.pk}"]


# --- Counterfeit-scan signals -----------------------------------------------------------------


@pytest.fixture
def lot(clock):
    product = certified_product(title="Chè Shan tuyết – hộp 100 g")
    return Lot.objects.create(
        product=product, code="L2026-11", produced_on=timezone.localdate() - 20 * DAY
    )


def scans_of(label, sources):
    Scan.objects.bulk_create(
        Scan(lot=label.lot, label=label, source_hash=f"src{n:04d}") for n in range(sources)
    )


def asked_for(code, times):
    Scan.objects.bulk_create(Scan(unknown_code=code, source_hash=f"u{n % 2}") for n in range(times))


def test_counterfeit_signals_list_overused_labels_and_repeated_unknown_codes(lot, settings):
    settings.SCAN_ALERT_SOURCES_PER_LABEL = 3
    settings.SCAN_ALERT_UNKNOWN_REPEATS = 3
    copied, genuine = Label.objects.create(lot=lot), Label.objects.create(lot=lot)
    scans_of(copied, 4)
    scans_of(genuine, 3)  # at the limit, not past it
    asked_for("FAKE-893", 3)
    asked_for("TYPO-1", 2)

    items = collect(Kind.COUNTERFEIT, now=timezone.now(), since=timezone.now() - DAY)

    assert keys(items) == sorted([f"label:{copied.pk}:x1", "code:FAKE-893:x1"])
    label_item = next(item for item in items if item.key.startswith("label:"))
    assert copied.serial in label_item.text and "L2026-11" in label_item.text
    assert label_item.url.endswith(f"/django-admin/traceability/scan/?label={copied.pk}")
    code_item = next(item for item in items if item.key.startswith("code:"))
    assert code_item.url.endswith("/django-admin/traceability/scan/?unknown_code=FAKE-893")


def test_old_scans_fall_out_of_the_signal(lot, settings, clock):
    settings.SCAN_ALERT_SOURCES_PER_LABEL = 3
    label = Label.objects.create(lot=lot)
    scans_of(label, 5)
    clock.shift(91 * DAY)
    assert collect(Kind.COUNTERFEIT, now=timezone.now(), since=timezone.now() - DAY) == []


@pytest.mark.parametrize(
    "value,strict,level",
    [(11, True, 1), (20, True, 1), (21, True, 2), (40, True, 2), (41, True, 4), (81, True, 8)],
)
def test_a_label_signal_levels_up_each_time_it_doubles(value, strict, level):
    assert doubling_level(value, 10, strict=strict) == level


@pytest.mark.parametrize("value,level", [(5, 1), (9, 1), (10, 2), (19, 2), (20, 4)])
def test_an_unknown_code_signal_levels_up_each_time_it_doubles(value, level):
    assert doubling_level(value, 5, strict=False) == level


# --- VietQR orders unpaid past their deadline ---------------------------------------------------


def test_unpaid_lists_overdue_transfers_only(clock):
    tea = certified_product(stock=20)
    overdue = placed_order((tea, 1), method="vietqr")
    paid = placed_order((tea, 1), method="vietqr")
    actions.record_payment(paid, amount=paid.total_incl_tax, reference="FT1")
    cod = placed_order((tea, 1), method="cod")
    clock.shift(datetime.timedelta(hours=47))
    recent = placed_order((tea, 1), method="vietqr")  # due tomorrow
    clock.shift(datetime.timedelta(hours=2))  # the first orders' 48 hours are over

    items = collect(Kind.UNPAID, now=timezone.now(), since=timezone.now() - DAY)

    assert keys(items) == [f"overdue:{overdue.number}"]
    assert str(overdue.number) in items[0].text and "₫" in items[0].text
    assert items[0].url == f"{settings.SITE_URL}/shop/dashboard/orders/{overdue.number}/"
    assert {str(o.number) for o in (cod, recent, paid)}.isdisjoint(items[0].key.split(":"))


def test_unpaid_lists_transfers_that_expired_since_last_time(clock):
    tea = certified_product(stock=20)
    old = placed_order((tea, 1), method="vietqr")
    clock.shift(datetime.timedelta(hours=49))
    assert actions.expire_unpaid() == 1
    clock.shift(3 * DAY)
    fresh = placed_order((tea, 1), method="vietqr")
    late = placed_order((tea, 1), method="vietqr")
    clock.shift(datetime.timedelta(hours=49))
    assert actions.expire_unpaid() == 2
    actions.record_payment(late, amount=late.total_incl_tax, reference="FT-late")  # it came

    items = collect(Kind.UNPAID, now=timezone.now(), since=timezone.now() - DAY)

    assert keys(items) == [f"expired:{fresh.number}"]
    assert str(old.number) not in items[0].key


# --- Every link opens for the role that owns it --------------------------------------------------


def test_every_link_opens_for_a_member_of_the_owning_role(
    client, lot, settings, clock, member, roles
):
    settings.SCAN_ALERT_SOURCES_PER_LABEL = 1
    settings.SCAN_ALERT_UNKNOWN_REPEATS = 1
    today = timezone.localdate()
    certificate(valid_until=today + 5 * DAY)
    certificate(valid_until=today - DAY)
    sync(feed_record("R-1"))
    clock.shift(datetime.timedelta(hours=1))
    sync(feed_record("R-1", status="revoked"))
    scans_of(Label.objects.create(lot=lot), 2)
    asked_for("FAKE/CODE 1", 1)  # a code that needs escaping in the link
    order = placed_order((lot.product, 1), method="vietqr")
    clock.shift(datetime.timedelta(hours=49))
    placed_order((lot.product, 1), method="vietqr")
    clock.shift(datetime.timedelta(hours=49))
    actions.expire_unpaid()

    now = timezone.now()
    users = {}
    for kind in Kind:
        items = collect(kind, now=now, since=now - 3 * DAY)
        role = OWNER_ROLE[kind]
        if role.name not in users:
            users[role.name] = member(role, f"{role.name.replace(' ', '')}@ocop.test")
        client.force_login(users[role.name])
        assert items, kind
        for item in items:
            assert item.url.startswith(settings.SITE_URL + "/")
            response = client.get(item.url.removeprefix(settings.SITE_URL))
            assert response.status_code == 200, (kind, item.url, response.status_code)
    unpaid = collect(Kind.UNPAID, now=now, since=now - 3 * DAY)
    assert f"expired:{order.number}" in keys(unpaid)  # expired unpaid, within the window
