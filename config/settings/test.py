"""Test settings: SQLite by default, PostgreSQL when DATABASE_URL points at one."""

import tempfile

from config.storage_settings import media_storages

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES, STORAGES, env

DEBUG = False
SECRET_KEY = "test-only-secret"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="ocop-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="ocop-test-private-")
# Local folders; tests of S3 point STORAGES at a moto server themselves (tests/s3.py).
STORAGES = {**STORAGES, **media_storages(env, private_root=PRIVATE_MEDIA_ROOT)}
SITE_URL = "https://ocop.test"
# The site serves its uploaded files as the demo does, through the whole middleware stack (the
# page cache included): a test that fetches a photo meets what a demo visitor meets.
SERVE_MEDIA = True
# The page cache is on, as in production (PAGE_CACHE_SECONDS from base). A test that measures
# what rendering costs, or changes data behind the site's back, says so where it does.
# What base derives from SITE_URL, for this one (tests that change SITE_URL re-sync the Site
# rows with config.origin.sync_sites).
WAGTAILADMIN_BASE_URL = SITE_URL
OSCAR_URL_SCHEMA = "https"
CSRF_TRUSTED_ORIGINS = [SITE_URL]
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "ocop.test"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, so --reuse-db keeps the migrated schema between runs.
    DATABASES["default"]["TEST"] = {
        "NAME": env("TEST_DB_NAME", default=str(BASE_DIR / ".pytest-db.sqlite3"))
    }

# Tasks run in-process in tests even when REDIS_URL is set; the tests of the real worker start
# it with TASKS_BACKEND=rq and override TASKS themselves.
if env("TASKS_BACKEND", default="") != "rq":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "slow"],
        }
    }
