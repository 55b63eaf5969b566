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
