"""Production-like settings for benchmarks: DEBUG off, whitenoise manifest, a ceiling view."""

import os

os.environ.setdefault("SECRET_KEY", "benchmark-only-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
# wrk sends every request from one address; the per-source limits are tested, not measured here
os.environ.setdefault("SCAN_RATE_PER_CODE", str(10**9))
os.environ.setdefault("SCAN_RATE_PER_SOURCE", str(10**9))

from config.settings.production import *  # noqa: E402,F403

ROOT_URLCONF = "benchmarks.urls"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
# wrk speaks plain HTTP to gunicorn, as the proxy does once it has ended TLS
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LOGGING = {"version": 1, "disable_existing_loggers": True}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
