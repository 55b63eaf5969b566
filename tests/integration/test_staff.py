"""Staff find the three back offices and can move between them."""

import pytest

pytestmark = pytest.mark.django_db


def test_wagtail_admin_links_to_shop_dashboard_and_django_admin(staff_client):
    page = staff_client.get("/admin/").content.decode()
    assert "/shop/dashboard/" in page and "/django-admin/" in page


def test_oscar_dashboard_links_to_wagtail_and_django_admin(staff_client):
    response = staff_client.get("/shop/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/admin/"' in page and 'href="/django-admin/"' in page


def test_django_admin_links_to_wagtail_and_shop_dashboard(staff_client):
    response = staff_client.get("/django-admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/admin/"' in page and "/shop/dashboard/" in page


def test_back_offices_are_closed_to_visitors(client):
    assert client.get("/admin/").status_code == 302
    assert client.get("/shop/dashboard/").status_code == 302
    assert client.get("/django-admin/").status_code == 302


def test_staff_can_open_the_home_page_and_site_identity_in_wagtail(staff_client):
    from cms.models import HomePage

    home = HomePage.objects.get(locale__language_code="vi")
    assert staff_client.get(f"/admin/pages/{home.pk}/edit/").status_code == 200
    assert staff_client.get("/admin/settings/cms/siteidentity/", follow=True).status_code == 200


def test_wagtail_home_lists_certificates_expiring_within_90_days(staff_client):
    import datetime

    from django.utils import timezone

    from tests.factories import CertificationFactory

    today = timezone.localdate()
    CertificationFactory(
        product_name="Mật ong bạc hà",
        decision_date=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=40),
    )
    CertificationFactory(product_name="Gạo tám", decision_date=today - datetime.timedelta(days=10))
    page = staff_client.get("/admin/").content.decode()
    assert "Mật ong bạc hà" in page and "Gạo tám" not in page
    assert "?expires_within=90" in page
