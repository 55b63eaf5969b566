"""Production: everything from the environment; refuses to start without the essentials."""

from django.core.exceptions import ImproperlyConfigured

from config.database_settings import for_concurrent_use
from config.logs import build_logging
from config.origin import parse_origin, with_site_host, with_site_origin
from config.sentry import init_sentry

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env

for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL"):
    if not env(required, default=""):
        raise ImproperlyConfigured(f"Set the {required} environment variable.")
# Printed QR codes, e-mails and payment returns carry it: a deployment names its public https
# origin (config/origin.py).
_origin = parse_origin(env("SITE_URL"))
if _origin.scheme != "https":
    raise ImproperlyConfigured(
        f"SITE_URL must be the site's public https origin, not {_origin.url!r}."
    )
SITE_URL = _origin.url
# Names the site answers to, each spelt out: a wildcard lets any Host through to whatever builds
# an address from the request (Django's host check is the defence against Host-header attacks).
_wildcards = [host for host in env.list("ALLOWED_HOSTS") if "*" in host]
if _wildcards:
    raise ImproperlyConfigured(
        f"ALLOWED_HOSTS must name the site's hosts, not a wildcard ({', '.join(_wildcards)})."
    )
# What base derives from it, from this value (a process may have imported base before).
CSRF_TRUSTED_ORIGINS = with_site_origin(env.list("CSRF_TRUSTED_ORIGINS", default=[]), _origin)
WAGTAILADMIN_BASE_URL = SITE_URL
OSCAR_URL_SCHEMA = "https"

DEBUG = False
# A deployment never prints labels marked as demos: a bad SITE_URL is refused (config/origin.py).
LABEL_DEMO_SHEETS = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = with_site_host(env.list("ALLOWED_HOSTS"), _origin)
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = False
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Persistent connections, checked before reuse so a restarted database costs no failed request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A single-machine install on SQLite gets the demo's settings for concurrent use.
DATABASES["default"] = for_concurrent_use(
    DATABASES["default"], busy_timeout=env.float("SQLITE_BUSY_TIMEOUT", default=20)
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)

# A cache that stops answering fails fast (and /readyz says so) instead of hanging workers.
if REDIS_URL:
    _cache_timeout = env.float("CACHE_SOCKET_TIMEOUT", default=2.0)
    CACHES = {  # a new dict, like STORAGES below
        "default": {
            **CACHES["default"],  # noqa: F405
            "OPTIONS": {"socket_connect_timeout": _cache_timeout, "socket_timeout": _cache_timeout},
        }
    }

# The visitor's address from the proxy's X-Forwarded-For (config/proxy.py, TRUSTED_PROXIES).
MIDDLEWARE = ["config.proxy.ProxyAddressMiddleware", *MIDDLEWARE]  # noqa: F405

# --- HTTPS and browser security headers (`manage.py check --deploy` reports nothing) ---
# TLS ends at the proxy, which must set X-Forwarded-Proto and strip any sent by the client.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# ...to SITE_URL's host, not to whatever Host the plain-HTTP request named.
SECURE_SSL_HOST = _origin.netloc
# Load balancer probes speak plain HTTP to the node.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a promise to browser vendors that is slow to undo: the operator opts in.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Every cookie the site sets travels over HTTPS only.
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
OSCAR_BASKET_COOKIE_SECURE = SECURE_COOKIES
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail's preview views allow their own same-origin frame; nothing else is framed.
X_FRAME_OPTIONS = "DENY"

# --- Logs and errors -------------------------------------------------------------------
LOGGING = build_logging(env("LOG_FORMAT", default="json"), env("LOG_LEVEL", default="INFO"))
init_sentry(
    env("SENTRY_DSN", default=""),
    environment=env("SENTRY_ENVIRONMENT", default="production"),
    release=env("SENTRY_RELEASE", default=""),
    traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
)

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
