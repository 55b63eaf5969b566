"""Production: everything from the environment; refuses to start without the essentials."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import BASE_DIR, env

for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not env(required, default=""):
        raise ImproperlyConfigured(f"Set the {required} environment variable.")

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
OSCAR_URL_SCHEMA = "https"

# Fingerprinted names and gzip copies made by collectstatic; WhiteNoise serves the fingerprinted
# files with "Cache-Control: max-age=315360000, public, immutable" (its immutable-file test).
# A new dict: base's stays as it is for any code that imports both modules (the tests do).
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTML and JSON leave gzipped (a page is 4-6 times smaller), so the app keeps its page-weight
# budgets behind any proxy. BREACH: Django masks the CSRF token differently in every response and
# this middleware pads each gzip header with random bytes. It goes after WhiteNoise, whose
# responses (already compressed files, images) never pass through it.
_whitenoise = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware")  # noqa: F405
MIDDLEWARE = [
    *MIDDLEWARE[: _whitenoise + 1],  # noqa: F405
    "django.middleware.gzip.GZipMiddleware",
    *MIDDLEWARE[_whitenoise + 1 :],  # noqa: F405
]

# Media on S3 or any S3-compatible store when a bucket is configured.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": False,
        },
    }
