"""Sending the digest: who gets it, what it says, and that nothing is ever sent twice."""

import datetime
import io
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone, translation

from alerts.kinds import Kind
from alerts.models import AlertSettings, AlertState, SentAlert
from alerts.recipients import parse_addresses
from alerts.sending import send_digest
from alerts.tasks import send_alerts_task
from shop.order import actions
from tests.factories import CertificationFactory, certified_product, placed_order

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


class FailingBackend(BaseEmailBackend):
    """An SMTP server that refuses everything."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


def expiring(days=10, **fields):
    return CertificationFactory(
        decision_date=datetime.date(2024, 1, 5),
        valid_until=timezone.localdate() + days * DAY,
        **fields,
    )


def overdue_order(clock):
    order = placed_order((certified_product(stock=5), 1), method="vietqr")
    clock.shift(datetime.timedelta(hours=49))
    return order


def sent_keys():
    return sorted(SentAlert.objects.values_list("kind", "key"))


def test_the_digest_arrives_grouped_by_kind_with_counts_and_links(clock, officer, shopkeeper):
    first, second = expiring(5), expiring(20)
    order = overdue_order(clock)

    messages = send_digest()

    assert sorted(m.recipients[0] for m in messages) == ["officer@ocop.test", "shop@ocop.test"]
    assert len(mail.outbox) == 2
    registry = next(m for m in mail.outbox if m.to == ["officer@ocop.test"])
    shop = next(m for m in mail.outbox if m.to == ["shop@ocop.test"])
    # Staff read the digest in the site's language, Vietnamese.
    assert registry.subject == "[OCOP] Cảnh báo ngày 01/12/2026: 2 việc cần xử lý"
    assert shop.subject == "[OCOP] Cảnh báo ngày 01/12/2026: 1 việc cần xử lý"
    with translation.override("vi"):
        assert f"== {Kind.EXPIRING.label} (2) ==" in registry.body
    for certificate in (first, second):
        url = f"https://ocop.test/django-admin/traceability/certification/{certificate.pk}/change/"
        assert url in registry.body
        html, mimetype = registry.alternatives[0]
        assert mimetype == "text/html" and f'href="{url}"' in html
    assert f"https://ocop.test/shop/dashboard/orders/{order.number}/" in shop.body
    assert str(order.number) not in registry.body and "certification" not in shop.body
    assert SentAlert.objects.count() == 3
    assert SentAlert.objects.get(kind=Kind.UNPAID).recipients == "shop@ocop.test"


def test_running_it_again_sends_nothing_twice(clock, officer):
    expiring(5)
    assert len(send_digest()) == 1
    clock.shift(datetime.timedelta(hours=12))  # the evening run
    assert send_digest() == []
    clock.shift(datetime.timedelta(hours=12))  # tomorrow morning
    assert send_digest() == []
    assert len(mail.outbox) == 1 and SentAlert.objects.count() == 1

    newcomer = expiring(29)
    clock.shift(datetime.timedelta(hours=1))
    send_digest()
    assert len(mail.outbox) == 2
    assert f"certification/{newcomer.pk}/" in mail.outbox[1].body
    assert mail.outbox[1].body.count("/django-admin/") == 1  # only the new one


def test_nothing_new_sends_no_email_at_all(clock, officer, shopkeeper):
    CertificationFactory()  # valid for years
    assert send_digest() == []
    assert mail.outbox == [] and SentAlert.objects.count() == 0
    assert AlertState.objects.filter(checked_at=timezone.now()).count() == len(Kind)


def test_a_renewed_certificate_alerts_again_when_its_new_end_comes_near(clock, officer):
    certificate = expiring(10)
    send_digest()
    certificate.valid_until += datetime.timedelta(days=3 * 365)  # renewed for 36 months
    certificate.save()
    clock.shift(DAY)
    assert send_digest() == []
    clock.move_to(
        datetime.datetime.combine(certificate.valid_until - 20 * DAY, datetime.time(7), clock_tz())
    )
    send_digest()
    assert len(mail.outbox) == 2
    assert f"certification/{certificate.pk}/" in mail.outbox[1].body
    assert SentAlert.objects.filter(key__startswith=f"cert:{certificate.pk}:").count() == 2


def clock_tz():
    return timezone.get_current_timezone()


def test_a_growing_counterfeit_signal_alerts_again_a_steady_one_does_not(clock, officer, settings):
    from traceability.models import Label, Lot, Scan

    settings.SCAN_ALERT_SOURCES_PER_LABEL = 3
    product = certified_product()
    lot = Lot.objects.create(product=product, code="L1", produced_on=timezone.localdate())
    label = Label.objects.create(lot=lot)

    def scanned_from(first, last):
        Scan.objects.bulk_create(
            Scan(lot=lot, label=label, source_hash=f"s{n}") for n in range(first, last)
        )

    scanned_from(0, 4)
    send_digest()
    scanned_from(4, 6)  # 6 sources: grown, but not past twice the limit
    clock.shift(DAY)
    assert send_digest() == []
    scanned_from(6, 7)  # 7 > 2 × 3
    clock.shift(DAY)
    send_digest()
    assert [m.body.count(label.serial) for m in mail.outbox] == [1, 1]
    assert sent_keys() == [
        ("counterfeit", f"label:{label.pk}:x1"),
        ("counterfeit", f"label:{label.pk}:x2"),
    ]


def test_an_overdue_transfer_is_reported_again_when_it_expires(clock, shopkeeper):
    order = overdue_order(clock)
    send_digest()
    actions.expire_unpaid()
    clock.shift(datetime.timedelta(hours=12))
    send_digest()
    clock.shift(datetime.timedelta(hours=12))
    assert send_digest() == []
    assert sent_keys() == [
        ("unpaid", f"expired:{order.number}"),
        ("unpaid", f"overdue:{order.number}"),
    ]
    assert len(mail.outbox) == 2


# --- Recipients ------------------------------------------------------------------------------


def test_configured_addresses_win_and_kinds_sharing_them_share_one_email(
    clock, officer, shopkeeper
):
    config = AlertSettings.load()
    config.expiring_recipients = "Chung.Nhan@ocop.test\nso.nn@ocop.test"
    config.unpaid_recipients = "so.nn@ocop.test, chung.nhan@ocop.test"
    config.save()
    overdue_order(clock)
    expiring(5)
    CertificationFactory(
        decision_date=datetime.date(2023, 1, 5), valid_until=timezone.localdate() - DAY
    )  # lapsed this morning: no addresses set, so the officers get it

    send_digest()

    by_recipients = {tuple(m.to): m for m in mail.outbox}
    assert sorted(by_recipients) == [
        ("chung.nhan@ocop.test", "so.nn@ocop.test"),
        ("officer@ocop.test",),
    ]
    both = by_recipients[("chung.nhan@ocop.test", "so.nn@ocop.test")]
    assert "/shop/dashboard/orders/" in both.body and "/certification/" in both.body
    assert "/shop/dashboard/orders/" not in by_recipients[("officer@ocop.test",)].body


def test_without_addresses_or_role_members_the_programme_contact_gets_it(
    clock, settings, member, roles
):
    from staff.roles import REGISTRY_OFFICERS

    settings.OCOP_CONTACT_EMAIL = "ocop@dienbien.test"
    gone = member(REGISTRY_OFFICERS, "former@ocop.test")
    gone.is_active = False
    gone.save()
    member(REGISTRY_OFFICERS, "x@ocop.test").groups.clear()  # left the role
    expiring(5)
    send_digest()
    assert [m.to for m in mail.outbox] == [["ocop@dienbien.test"]]


def test_recipient_lists_are_validated():
    assert parse_addresses(" a@x.vn;b@x.vn,\n\nA@x.vn ") == ["a@x.vn", "b@x.vn"]
    config = AlertSettings(counterfeit_recipients="a@x.vn\nkhông phải địa chỉ")
    with pytest.raises(ValidationError) as error:
        config.full_clean()
    assert "counterfeit_recipients" in error.value.message_dict


def test_staff_see_a_clear_message_for_a_bad_address(client, member, roles):
    from staff.roles import SHOP_STAFF

    client.force_login(member(SHOP_STAFF, "shop@ocop.test"))
    setting = AlertSettings.load()
    url = f"/admin/settings/alerts/alertsettings/{setting.pk}/"
    data = {f"{kind}_recipients": "" for kind in Kind}
    data["unpaid_recipients"] = "ke.toan@ocop.test, sai-dia-chi"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "sai-dia-chi" in response.content.decode()
    data["unpaid_recipients"] = "ke.toan@ocop.test"
    assert client.post(url, data).status_code == 302
    assert AlertSettings.load().unpaid_recipients == "ke.toan@ocop.test"


# --- Failures, dry runs, the schedule --------------------------------------------------------


def test_an_smtp_failure_records_nothing_and_the_next_run_sends(clock, officer, settings):
    expiring(5)
    settings.EMAIL_BACKEND = "tests.alerts.test_sending.FailingBackend"
    with pytest.raises(smtplib.SMTPException):
        send_digest()
    assert SentAlert.objects.count() == 0
    assert not AlertState.objects.exclude(checked_at=None).exists()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.shift(datetime.timedelta(hours=12))
    assert len(send_digest()) == 1
    assert len(mail.outbox) == 1 and SentAlert.objects.count() == 1


def test_a_dry_run_prints_what_would_be_sent_and_sends_and_records_nothing(clock, officer):
    certificate = expiring(5, product_name="Rượu Mông pê Tả Chải")
    out = io.StringIO()
    call_command("send_alerts", "--dry-run", stdout=out)
    assert "officer@ocop.test" in out.getvalue() and "Rượu Mông pê Tả Chải" in out.getvalue()
    assert f"certification/{certificate.pk}/change/" in out.getvalue()
    assert mail.outbox == [] and SentAlert.objects.count() == 0
    assert not AlertState.objects.exists()

    call_command("send_alerts", stdout=out)
    assert len(mail.outbox) == 1 and SentAlert.objects.count() == 1
    out = io.StringIO()
    call_command("send_alerts", stdout=out)
    assert len(mail.outbox) == 1
    out = io.StringIO()
    call_command("send_alerts", "--dry-run", stdout=out)
    with translation.override("vi"):
        assert out.getvalue().strip() == str(translation.gettext("Nothing new to send."))


def test_the_scheduled_task_sends_the_digest(clock, officer):
    expiring(5)
    expiring(6)
    result = send_alerts_task.enqueue()
    assert result.return_value == 2
    assert len(mail.outbox) == 1
