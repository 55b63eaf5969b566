"""The site as users meet it: started the way `make demo` starts it, in its own process.

One served site for the whole package (`served`): the demo data (loaded once per session by
tests/conftest.py) copied into the test database, `manage.py migrate` and the server run with the
demo's settings (config/settings/demo.py: DEBUG off, page cache on, WhiteNoise, gzip, media
served by the site) and SITE_URL set to the address it listens on, exactly as `make demo` does.
Nothing in this process's settings reaches it: what it answers is what a visitor gets. The
tests' own ORM reads the same committed database.

Every test checks the server's log afterwards: a traceback or a server error there fails it.
The figures (pages crawled, resources fetched, non-2xx, foreign origins, console errors) are
printed at the end of the run.
"""

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from django.conf import global_settings
from django.conf import settings as django_settings
from django.test import override_settings

from tests.conftest import DEMO_PASSWORD
from tests.s3 import free_port

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_HASHERS = global_settings.PASSWORD_HASHERS
LOG_PROBLEMS = ("Traceback (most recent call last)", "Internal Server Error", "database is locked")


@dataclass
class Figures:
    pages: set = field(default_factory=set)
    resources: set = field(default_factory=set)
    failures: list = field(default_factory=list)  # "status url (from page)"
    foreign: list = field(default_factory=list)  # "url (in what)"
    console_errors: list = field(default_factory=list)
    labels_decoded: int = 0
    concurrent: str = ""

    def lines(self):
        lines = [
            f"pages crawled: {len(self.pages)}",
            f"resources fetched: {len(self.resources)}",
            f"non-2xx answers: {len(self.failures)}",
            f"absolute URLs naming another origin: {len(self.foreign)}",
            f"browser console errors and failed requests: {len(self.console_errors)}",
            f"QR codes decoded from a printed sheet and opened: {self.labels_decoded}",
        ]
        if self.concurrent:
            lines.append(f"concurrent users: {self.concurrent}")
        return lines


FIGURES = Figures()


def pytest_terminal_summary(terminalreporter):
    if FIGURES.pages or FIGURES.resources or FIGURES.labels_decoded or FIGURES.concurrent:
        terminalreporter.section("the site as served")
        for line in FIGURES.lines():
            terminalreporter.write_line(line)


def database_url(name, vendor):
    """DATABASE_URL for another process to open the test database `name`."""
    if vendor == "sqlite":
        return f"sqlite:///{Path(name).resolve()}"
    db = django_settings.DATABASES["default"]
    credentials = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        credentials += f":{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


@dataclass
class ServedSite:
    url: str
    env: dict
    log_path: Path
    media: Path
    process: subprocess.Popen | None = None

    def manage(self, *args, check=True, timeout=300):
        """`manage.py ARGS` run as the served site's operator would (same settings and data)."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def log(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def get(self, path, **kwargs):
        """A first visitor's request: no cookies, nothing remembered from earlier requests."""
        kwargs.setdefault("timeout", 60)
        url = path if path.startswith("http") else self.url + path
        return requests.get(url, **kwargs)


def server_environment(url, database, media, private):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PAGE_CACHE_SECONDS", "DEBUG", "TASKS_BACKEND", "ALLOWED_HOSTS")
        and not key.startswith("STRIPE_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.demo",
        DATABASE_URL=database,
        SITE_URL=url,
        MEDIA_ROOT=str(media),
        PRIVATE_MEDIA_ROOT=str(private),
        # The demo's defaults: tasks in the process (no worker runs beside this server), the
        # cache in Redis when the run has one (under its own prefix), else in memory.
        TASKS_BACKEND="immediate",
        CACHE_KEY_PREFIX=f"ocop-served-{os.getpid()}",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def wait_until_up(site, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if site.process.poll() is not None:
            pytest.fail(f"the served site stopped at start:\n{site.log()[-3000:]}")
        try:
            if requests.get(site.url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    pytest.fail(f"the served site did not answer within {seconds} s:\n{site.log()[-3000:]}")


def rehash_demo_passwords():
    from django.contrib.auth import get_user_model

    for user in get_user_model().objects.filter(password__startswith="md5$"):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])


@pytest.fixture(scope="package")
def served(_demo_snapshot, _db_snapshot, django_db_blocker, tmp_path_factory):
    """The demo site served on a free port of 127.0.0.1 as `make demo` serves it."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from tests.conftest import _copy_database

    name, migrated, vendor = _db_snapshot
    folder = tmp_path_factory.mktemp("served")
    media = shutil.copytree(_demo_snapshot.media, folder / "media")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    site = ServedSite(
        url=url,
        env=server_environment(url, database_url(name, vendor), media, folder / "private"),
        log_path=folder / "server.log",
        media=Path(media),
    )
    with django_db_blocker.unblock():
        _copy_database(_demo_snapshot.database, name, vendor)
        ContentType.objects.clear_cache()
        cache.clear()
        # The demo's passwords as `make demo` stores them (the snapshot was made with the tests'
        # quick hasher, which the served site does not know), and so are any the tests set.
        production_hashers = override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
        production_hashers.enable()
        rehash_demo_passwords()
        # What a deploy does before serving: migrate (and with it, the site's origin).
        migrated_out = site.manage("migrate", "--noinput", check=False)
        assert migrated_out.returncode == 0, migrated_out.stderr
        with open(site.log_path, "w") as log:
            site.process = subprocess.Popen(
                # As `make demo` serves it: the site, and the demo card server beside it.
                [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}", "--noreload"],
                cwd=ROOT,
                env=site.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(site)
            with override_settings(SITE_URL=url, MEDIA_ROOT=str(media)):
                yield site
        finally:
            site.process.terminate()  # serve_demo stops the site and the card server
            try:
                site.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                site.process.kill()
            production_hashers.disable()
            _copy_database(migrated, name, vendor)
            ContentType.objects.clear_cache()
            cache.clear()


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fails a test of this package when the served site logged a server error meanwhile."""
    if "served" not in request.fixturenames:
        yield
        return
    site = request.getfixturevalue("served")
    start = len(site.log())
    yield
    new = site.log()[start:]
    found = [problem for problem in LOG_PROBLEMS if problem in new]
    assert not found, f"the served site logged {found}:\n{new[-4000:]}"
