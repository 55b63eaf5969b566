import os
import secrets
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent
# Variables of the developer's shell that would change what production settings read.
_DROPPED = (
    "DATABASE_URL",
    "REDIS_URL",
    "SENTRY_DSN",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "DEBUG",
    # set for the browser tests (sync Playwright); `check --deploy` rightly refuses it
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def production_env_for(folder):
    """The documented variables for config.settings.production, with an SQLite file database
    and static and media folders in `folder`."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED and not k.startswith("SECURE_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,ocop.test",
        CSRF_TRUSTED_ORIGINS="https://ocop.test",
        SITE_URL="https://ocop.test",
        DATABASE_URL=f"sqlite:///{folder / 'production.sqlite3'}",
        STATIC_ROOT=str(folder / "static"),
        MEDIA_ROOT=str(folder / "media"),
        PYTHONUNBUFFERED="1",
    )
    (folder / "static").mkdir(exist_ok=True)
    return env


@pytest.fixture
def production_env(tmp_path):
    return production_env_for(tmp_path)


def database_url(name=None):
    """DATABASE_URL for a process of its own: the test database, or another on the same server
    (a file path for SQLite)."""
    db = connection.settings_dict
    name = name or db["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
