"""No secret is stored where people can read it: emails that carry a password-reset or alert
link are sent but not kept, and the stored emails are for superusers only (issue 17, finding 1).
"""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from oscar.core.loading import get_class, get_model

from staff.roles import ROLES
from tests.factories import certified_product, placed_order

pytestmark = pytest.mark.django_db

Email = get_model("communication", "Email")
CustomerDispatcher = get_class("customer.utils", "CustomerDispatcher")
get_password_reset_url = get_class("customer.utils", "get_password_reset_url")
RESET_PATH = "/password-reset/confirm/"


def stored_texts():
    return [f"{e.subject}\n{e.body_text}\n{e.body_html or ''}" for e in Email.objects.all()]


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user("lan", "lan@example.vn", "old-password-1")


def test_a_password_reset_is_mailed_but_its_link_is_not_stored(client, customer):
    response = client.post("/shop/password-reset/", {"email": customer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and RESET_PATH in mail.outbox[0].body
    assert not any(RESET_PATH in text for text in stored_texts())
    assert not Email.objects.filter(user=customer).exists()


@pytest.mark.parametrize(
    "send",
    ["send_password_reset_email_for_user", "send_password_changed_email_for_user"],
)
def test_every_customer_email_with_a_reset_link_is_left_unstored(customer, send):
    context = {"user": customer, "reset_url": get_password_reset_url(customer)}
    getattr(CustomerDispatcher(), send)(customer, context)
    assert len(mail.outbox) == 1 and RESET_PATH in mail.outbox[0].body
    assert not Email.objects.exists()


def test_the_email_changed_notice_is_left_unstored(customer):
    context = {
        "user": customer,
        "reset_url": get_password_reset_url(customer),
        "new_email": "new@example.vn",
    }
    CustomerDispatcher().send_email_changed_email_for_user(customer, context)
    assert len(mail.outbox) == 1 and RESET_PATH in mail.outbox[0].body
    assert not Email.objects.exists()


def test_emails_without_secrets_are_still_kept_for_the_customer(customer):
    from shop.order import emails

    order = placed_order((certified_product(), 1), user=customer)
    emails.notify(order, emails.ORDER_PLACED)
    assert len(mail.outbox) == 1
    assert Email.objects.filter(user=customer).count() == 1


def test_the_migration_deletes_stored_emails_that_carry_links(customer):
    forget = importlib.import_module(
        "shop.communication.migrations.0005_forget_stored_secrets"
    ).forget_stored_secrets
    reset = Email.objects.create(
        user=customer,
        email=customer.email,
        subject="Resetting your password",
        body_text=f"Go to https://ocop.example{get_password_reset_url(customer)}",
    )
    changed = Email.objects.create(
        user=customer,
        email=customer.email,
        subject="Your password changed",
        body_text="See the HTML part",
        body_html=f'<a href="https://ocop.example{get_password_reset_url(customer)}">reset</a>',
    )
    alert = Email.objects.create(
        user=customer,
        email=customer.email,
        subject="Confirm your alert",
        body_text="https://ocop.example/shop/accounts/alerts/confirm/abc123/",
    )
    order = Email.objects.create(
        user=customer, email=customer.email, subject="Order 100001", body_text="Thank you."
    )
    forget(apps, None)
    assert list(Email.objects.values_list("pk", flat=True)) == [order.pk]
    assert not {reset.pk, changed.pk, alert.pk} & set(Email.objects.values_list("pk", flat=True))


def email_urls(email):
    return [
        "/django-admin/communication/email/",
        f"/django-admin/communication/email/{email.pk}/change/",
        "/django-admin/communication/notification/",
        f"/shop/dashboard/users/{email.user_id}/",
    ]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.name)
def test_no_staff_role_reads_stored_emails(client, make_member, customer, role):
    email = Email.objects.create(
        user=customer, email=customer.email, subject="Order 100001", body_text="private words"
    )
    client.force_login(make_member(role))
    for url in email_urls(email):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"private words" not in response.content


def test_superusers_still_read_them(client, django_user_model, customer):
    email = Email.objects.create(
        user=customer, email=customer.email, subject="Order 100001", body_text="private words"
    )
    client.force_login(django_user_model.objects.create_superuser("root", "root@x.vn", "pw"))
    assert client.get(f"/django-admin/communication/email/{email.pk}/change/").status_code == 200
