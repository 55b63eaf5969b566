import io
import os
import shutil
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import translation

from tests.s3 import moto_server, s3_media  # noqa: F401  (fixtures for any test module)

DEMO_PASSWORD = "demo-pass"  # every demo login in tests (`_demo_snapshot` loads the demo with it)


# Browser tests (tests/browser, tests/served) share one Chromium per run: Playwright's sync API
# allows one running instance per thread.
def chromium_path():
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are ordinary synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _isolate(settings, tmp_path):
    """Media and private files in a temp dir, a clean cache and the default language for every
    test."""
    from config.cache import ResilientRedisCache
    from traceability import scan_log
    from traceability import views as scan_views

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private-media")
    private = settings.STORAGES["private"]
    if private["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        options = {**private.get("OPTIONS", {}), "location": settings.PRIVATE_MEDIA_ROOT}
        settings.STORAGES = {**settings.STORAGES, "private": {**private, "OPTIONS": options}}
    ResilientRedisCache._down_until = 0.0  # a test that stopped Redis left it paused
    cache.clear()
    scan_views.LOCAL_ENTRIES.clear()
    scan_log._pending.clear()
    with translation.override(settings.LANGUAGE_CODE):
        yield
    ResilientRedisCache._down_until = 0.0


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "staff", "staff@ocop.test", "pw", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return client


def _copy_database(source, target, vendor):
    """Copy a whole test database: PostgreSQL from a template, SQLite as a file."""
    from django.db import connections

    connections.close_all()
    if vendor == "postgresql":
        with connections["default"]._nodb_cursor() as cursor:
            # Connections left open by finished threads of earlier tests would block the copy.
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [source],
            )
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
    else:
        copy_sqlite(source, target)


def copy_sqlite(source, target):
    """Copy a SQLite database file through SQLite's online backup API.

    The databases are in WAL mode (config/database_settings.py): committed pages may still sit
    in `NAME-wal` next to the file, and a connection another thread left open keeps its view in
    `NAME-shm`. A plain file copy would miss the first and corrupt the second; the backup reads
    through the source's WAL and rewrites the target as SQLite itself, under its locks.
    """
    import sqlite3

    reader = sqlite3.connect(source, timeout=20)
    writer = sqlite3.connect(target, timeout=20)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def remove_sqlite(name):
    """Remove a SQLite database file with its WAL and shared-memory files."""
    for path in (name, f"{name}-wal", f"{name}-shm"):
        if os.path.exists(path):
            os.remove(path)


@pytest.fixture(scope="session")
def _db_snapshot(django_db_setup, django_db_blocker):
    """A copy of the test database as the migrations left it, taken once per session."""
    from django.db import connections
    from django.db.backends.base.creation import TEST_DATABASE_PREFIX
    from django.test.utils import setup_databases, teardown_databases

    connection = connections["default"]
    own_setup = None
    with django_db_blocker.unblock():
        settings_dict = connection.settings_dict
        set_up = settings_dict["NAME"] == settings_dict.get("TEST", {}).get("NAME") or str(
            settings_dict["NAME"]
        ).startswith(TEST_DATABASE_PREFIX)
        if not set_up:
            # Only tests with committed data were collected: pytest-django set up no database.
            own_setup = setup_databases(
                verbosity=0, interactive=False, keepdb=True, aliases={"default"}
            )
    name, vendor = connection.settings_dict["NAME"], connection.vendor
    if vendor == "sqlite" and (":memory:" in name or "mode=memory" in name):
        pytest.skip("tests with several connections need a file or server database")
    snapshot = f"{name}_snapshot" if vendor == "postgresql" else f"{name}.snapshot"
    with django_db_blocker.unblock():
        _copy_database(name, snapshot, vendor)
    yield name, snapshot, vendor
    with django_db_blocker.unblock():
        connections.close_all()
        if vendor == "postgresql":
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{snapshot}" WITH (FORCE)')
        else:
            remove_sqlite(snapshot)
        if own_setup:
            teardown_databases(own_setup, verbosity=0, keepdb=True)


@pytest.fixture
def committed_db(_db_snapshot, django_db_blocker):
    """A database whose writes really commit, for tests with several connections at once
    (threads racing for a row, a live server answering a browser).

    Afterwards the database is put back from a copy taken before, so the test database stays
    reusable (--reuse-db) and the next test finds Wagtail's pages, Việt Nam, the default
    shipping methods … exactly as the migrations made them.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.sites.models import Site as DjangoSite

    name, snapshot, vendor = _db_snapshot
    with django_db_blocker.unblock():
        yield
        _copy_database(snapshot, name, vendor)
    ContentType.objects.clear_cache()
    DjangoSite.objects.clear_cache()  # a test may have pointed the Site at another origin
    cache.clear()


@pytest.fixture(scope="session")
def _demo_snapshot(_db_snapshot, django_db_blocker, tmp_path_factory):
    """The demo data, loaded once per session (`load_demo` costs close to a minute) and kept
    as a copy of the database with its media folder and what the command printed; the test
    database itself is put back as the migrations left it."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    name, migrated, vendor = _db_snapshot
    database = f"{name}_demo" if vendor == "postgresql" else f"{name}.demo"
    media = tmp_path_factory.mktemp("demo-media")
    out, err = io.StringIO(), io.StringIO()
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media)),
        translation.override(settings.LANGUAGE_CODE),
    ):
        call_command("load_demo", admin_password=DEMO_PASSWORD, stdout=out, stderr=err)
        _copy_database(name, database, vendor)
        _copy_database(migrated, name, vendor)
    cache.clear()
    yield SimpleNamespace(database=database, media=media, out=out.getvalue(), err=err.getvalue())
    with django_db_blocker.unblock():
        from django.db import connections

        connections.close_all()
        if vendor == "postgresql":
            with connections["default"]._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        else:
            remove_sqlite(database)


@pytest.fixture
def demo_db(_demo_snapshot, _db_snapshot, django_db_blocker, settings, tmp_path):
    """The demo data (`load_demo` with the admin password "demo-pass"), for one test: writes
    commit, and the database is put back as the migrations left it afterwards. The test gets
    its own copy of the demo's media folder. Tests using it take no `django_db` mark.
    Returns what `load_demo` printed (`.out`, `.err`)."""
    from django.contrib.contenttypes.models import ContentType

    name, migrated, vendor = _db_snapshot
    settings.MEDIA_ROOT = str(shutil.copytree(_demo_snapshot.media, tmp_path / "demo-media"))
    with django_db_blocker.unblock():
        _copy_database(_demo_snapshot.database, name, vendor)
        ContentType.objects.clear_cache()
        cache.clear()
        yield _demo_snapshot
        _copy_database(migrated, name, vendor)
    ContentType.objects.clear_cache()
    cache.clear()


@pytest.fixture
def stripe_shop(settings, monkeypatch):
    """A Stripe-compatible server on 127.0.0.1 with the shop's Stripe settings pointing at it."""
    import stripe

    from shop.payments.stripe_devserver import FakeStripe

    monkeypatch.setattr(stripe.HTTPClient, "INITIAL_DELAY", 0.01)
    monkeypatch.setattr(stripe.HTTPClient, "MAX_DELAY", 0.02)
    with FakeStripe("sk_test_shop") as server:
        settings.STRIPE_API_BASE = server.url
        settings.STRIPE_SECRET_KEY = "sk_test_shop"
        settings.STRIPE_WEBHOOK_SECRET = "whsec_shop"
        yield server


@pytest.fixture
def roles():
    """The staff roles as groups, by name (post_migrate makes them; this makes sure)."""
    from staff.provisioning import ensure_roles

    return ensure_roles()


@pytest.fixture
def make_member(django_user_model, roles):
    def make(role, username=None):
        user = django_user_model.objects.create_user(
            username or role.name.lower().replace(" ", "-"), password="pw"
        )
        user.groups.add(roles[role.name])
        return django_user_model.objects.get(pk=user.pk)

    return make
