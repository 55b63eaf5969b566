import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Media in a temp dir, a clean cache and the default language for every test."""
    from traceability import scan_log
    from traceability import views as scan_views

    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()
    scan_views.LOCAL_ENTRIES.clear()
    scan_log._pending.clear()
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "staff", "staff@ocop.test", "pw", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return client


@pytest.fixture(scope="session")
def restore_db_at_end(django_db_setup, django_db_blocker):
    """Put the migrated data back after transactional tests have flushed it.

    Tests that use real concurrent transactions can't run inside a rolled-back transaction, so
    pytest-django empties the tables after them. The test database is reused between runs
    (--reuse-db), so the data the migrations created (Wagtail's root page and site, Oscar's
    defaults, shipping methods …) is restored once at the end of the session.
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for conn in connections.all():
            contents = getattr(conn, "_test_serialized_contents", None)
            if contents:
                from django.core.management import call_command

                call_command(
                    "flush",
                    interactive=False,
                    database=conn.alias,
                    inhibit_post_migrate=True,
                    verbosity=0,
                )
                conn.creation.deserialize_db_from_string(contents)


@pytest.fixture
def stripe_shop(settings, monkeypatch):
    """A Stripe-compatible server on 127.0.0.1 with the shop's Stripe settings pointing at it."""
    import stripe

    from tests.stripe_server import FakeStripe

    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)
    with FakeStripe("sk_test_shop") as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = "sk_test_shop"
        settings.STRIPE_WEBHOOK_SECRET = "whsec_shop"
        yield server
