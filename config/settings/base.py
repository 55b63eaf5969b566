"""Settings shared by every environment. Values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403

from config.database_settings import for_concurrent_use
from config.logs import build_logging
from config.origin import parse_origin, with_site_host, with_site_origin
from config.storage_settings import media_storages
from config.themes import theme_static_dirs, theme_template_dirs

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-only-not-secret-ocop-storefront")
DEBUG = env.bool("DEBUG", default=False)

# The site's one origin (config/origin.py): every absolute URL the project makes starts with it,
# printed QR labels included. `make demo` sets it to the address it serves on.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_origin = parse_origin(SITE_URL)
SITE_URL = _origin.url  # normalised: no default port, lower-case host
# The configured origin always works, whatever else is allowed.
ALLOWED_HOSTS = with_site_host(
    env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"]), _origin
)
CSRF_TRUSTED_ORIGINS = with_site_origin(env.list("CSRF_TRUSTED_ORIGINS", default=[]), _origin)
# When SITE_URL is no origin a printed QR code may carry (loopback, localhost, private, http),
# the admin's "Print labels" makes sheets marked as demos (here) or refuses (production).
LABEL_DEMO_SHEETS = True

# --- The programme this installation serves -----------------------------------------------
# Another province runs the same code by changing these (and content and theme).
OCOP_PROVINCE_CODE = env.int("OCOP_PROVINCE_CODE", default=11)  # 11 = Điện Biên
# The province's bounding box for the home page's commune map: south, west, north, east.
OCOP_PROVINCE_BOUNDS = tuple(
    env.list("OCOP_PROVINCE_BOUNDS", cast=float, default=[20.85, 102.1, 22.6, 103.65])
)
OCOP_SITE_NAME = env("OCOP_SITE_NAME", default="OCOP Điện Biên")
OCOP_THEME = env("OCOP_THEME", default="default")
THEME_DIR = BASE_DIR / "themes" / OCOP_THEME

INSTALLED_APPS = [
    # Project apps first so their templates, translations and commands win.
    "cms",
    "directory",
    "events",
    "news",
    "traceability",
    "seo",
    "staff",
    "insight",
    "alerts",
    "reports",
    "backups",
    "sitesearch",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Oscar, with our forks under shop/
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "shop.address.apps.AddressConfig",
    "shop.shipping.apps.ShippingConfig",
    "shop.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "shop.communication.apps.CommunicationConfig",
    "shop.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "shop.payments.apps.PaymentsConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "shop.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    "django_tasks",
    "ninja",  # serves the API docs from local static files, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Whole pages for anonymous visitors (config/pagecache.py): inside the session, language and
    # CSRF layers, outside everything that would tell one visitor from another.
    "config.pagecache.PageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees a view's exception first: a file store that is down becomes a message.
    "config.media.StorageUnavailableMiddleware",
]

# Proxies whose X-Forwarded-For names the visitor (config/proxy.py, production only); the same
# variable tells gunicorn whose X-Forwarded-Proto to believe.
TRUSTED_PROXIES = env.list("FORWARDED_ALLOW_IPS", default=["127.0.0.1", "::1"])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The active theme's templates override every app's (Oscar's and ours).
        "DIRS": theme_template_dirs(OCOP_THEME),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "cms.context_processors.site_chrome",
                # After Django's own csrf processor, so a page that may be cached holds a
                # placeholder where each visitor's CSRF token goes.
                "config.pagecache.csrf_placeholder",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# SQLite (the demo's and the tests' default): WAL, a busy timeout, IMMEDIATE transactions.
DATABASES["default"] = for_concurrent_use(
    DATABASES["default"], busy_timeout=env.float("SQLITE_BUSY_TIMEOUT", default=20)
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ocop"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous visitors' pages are kept this many seconds at most (0: never), invalidated on any
# change of what they show and at local midnight (config/pagecache.py). Requests with other query
# parameters than these are answered fresh, so made-up URLs cannot fill the cache. Search answers
# (`q`) are kept a shorter time: popular queries repeat, the rest expire soon.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
PAGE_CACHE_SEARCH_SECONDS = env.int("PAGE_CACHE_SEARCH_SECONDS", default=60)
PAGE_CACHE_QUERY_PARAMS = frozenset(
    env.list(
        "PAGE_CACHE_QUERY_PARAMS",
        default=["page", "past_page", "page_size", "sort_by", "category", "tag", "q"],
    )
)

# --- Background tasks (Django Tasks API, also used by Wagtail 8) ----------------------------
# With Redis configured (REDIS_URL, or TASKS_BACKEND=rq) tasks are queued in Redis through RQ
# and run by separate worker processes (`manage.py rqworker default slow --with-scheduler`);
# otherwise they run in-process as they are enqueued. See docs/tasks.md.
INSTALLED_APPS += ["django_rq", "django_tasks_rq", "jobs"]
TASKS_BACKEND = env("TASKS_BACKEND", default="rq" if REDIS_URL else "immediate")
TASKS_REDIS_URL = env("TASKS_REDIS_URL", default=REDIS_URL or "redis://127.0.0.1:6379/0")
# "default": short jobs (scan flushes, expiry, alerts, Wagtail's own); "slow": registry sync,
# rollups, search index, exports, so a long job never holds up a short one.
TASK_QUEUES = ["default", "slow"]
RQ_QUEUES = {
    name: {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": env.int("TASKS_TIMEOUT", default=1800)}
    for name in TASK_QUEUES
}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
if TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": TASK_QUEUES,
        }
    }
# Periodic jobs (`manage.py ocop_scheduler`): how long one scheduler's Redis lock lasts
# unless renewed; another node's scheduler takes over after that.
SCHEDULER_LOCK_SECONDS = env.int("SCHEDULER_LOCK_SECONDS", default=90)

AUTHENTICATION_BACKENDS = (
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
# Where `login_required` sends an anonymous visitor: the shop's sign-in page, reversed per request
# so a visitor under /en/ stays in English.
LOGIN_URL = reverse_lazy("customer:login")

# --- Sign-in throttling (django-axes; config/login_throttle.py) ------------------------------
# Every sign-in form (shop, checkout, Wagtail admin, Django admin, Oscar dashboard, private
# pages) authenticates through these backends: after LOGIN_FAILURE_LIMIT failures for one
# account, or from one address, further attempts are refused (429, a translated page) for
# LOGIN_LOCKOUT_MINUTES; each refused attempt starts the wait again. The address is REMOTE_ADDR
# as config.proxy sets it behind the proxy.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = ("config.login_throttle.LoginThrottleBackend", *AUTHENTICATION_BACKENDS)
AXES_ENABLED = env.bool("LOGIN_THROTTLE", default=True)
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
# A success does not wipe the failures: with an account of their own an attacker could otherwise
# reset the counter of the address they are guessing from.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_CALLABLE = "config.login_throttle.login_name"
# Never kept in the failure log: a guest's phone or email typed to find an order
# (shop.order.customer_views.OrderLookupView counts its wrong pairs as failed sign-ins).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "contact"]
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.client_address"
AXES_LOCKOUT_CALLABLE = "config.login_throttle.locked_out"
AXES_VERBOSE = False  # no start-up line in every command's output; lockouts are still logged

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = env("STATIC_ROOT", default=None)
WHITENOISE_USE_FINDERS = True  # dev and tests serve static files without collectstatic
STATICFILES_DIRS = theme_static_dirs(OCOP_THEME)
MEDIA_URL = "/media/"
MEDIA_ROOT = env("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# The site serves MEDIA_ROOT itself at MEDIA_URL (dev and the demo); production leaves it to the
# web server or the S3 host in front of it.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
# Files only staff may fetch (lot test reports, stored label sheets): outside MEDIA_ROOT and
# served by no URL; staff download them through permission-checked views.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media"))
# "default" (public media) and "private": local folders, or S3 when AWS_STORAGE_BUCKET_NAME is
# set (config/storage_settings.py lists the AWS_* variables).
STORAGES = {
    **media_storages(env, private_root=PRIVATE_MEDIA_ROOT),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SITE_ID = 1

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = OCOP_SITE_NAME
WAGTAILADMIN_BASE_URL = SITE_URL
# The admin stays on this origin: no staff e-mail hashes sent to Gravatar (personal data, law
# 91/2025/QH15) and no release check against wagtail.org from every staff member's browser.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Oscar's e-mails (password reset, stock alerts) put this scheme before django.contrib.sites'
# domain, which config.origin.sync_sites keeps equal to SITE_URL's host and port.
OSCAR_URL_SCHEMA = _origin.scheme
# One search for pages and products (sitesearch/, docs/search.md): PostgreSQL full-text search in
# production, SQLite FTS5 in development. "simple": Vietnamese has no stemmer, and English stop
# words would drop real Vietnamese words ("to", "an") from folded text.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("UPLOAD_MAX_DOCUMENT_BYTES", default=20 * 1024 * 1024)
# Uploaded pictures (Wagtail images and Oscar product photos share these limits). A phone photo is
# 2–8 MB and under 50 megapixels; bigger files are refused with a message before they are decoded.
# No SVG: it can carry scripts and is served from our own origin.
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("UPLOAD_MAX_IMAGE_BYTES", default=10 * 1024 * 1024)
WAGTAILIMAGES_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=50_000_000)
# Every upload form also refuses HTML, SVG or script hidden in a file (config/uploads.py).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.upload_forms.ImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.upload_forms.DocumentForm"
# A certification decision is a few hundred rows: a bigger spreadsheet is refused unread.
UPLOAD_MAX_SPREADSHEET_BYTES = env.int("UPLOAD_MAX_SPREADSHEET_BYTES", default=5 * 1024 * 1024)

# --- Oscar ----------------------------------------------------------------------------------
OSCAR_SHOP_NAME = OCOP_SITE_NAME
OSCAR_SHOP_TAGLINE = _("Certified OCOP products")
OSCAR_DEFAULT_CURRENCY = "VND"
OSCAR_HOMEPAGE = reverse_lazy("wagtail_serve", args=[""])
OSCAR_HIDDEN_FEATURES = ["reviews"]  # customer review stars would be confused with OCOP stars
OSCAR_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="shop@ocop.example")
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
# Vietnamese postcodes are optional (and have five digits since 2018).
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "country")
OSCAR_SLUG_FUNCTION = "shop.utils.ascii_slugify"
OSCAR_SEARCH_FACETS["queries"]["price_range"]["queries"] = [  # noqa: F405
    (_("Under 100.000 ₫"), "[0 TO 100000]"),
    (_("100.000 – 300.000 ₫"), "[100000 TO 300000]"),
    (_("300.000 – 1.000.000 ₫"), "[300000 TO 1000000]"),
    (_("Over 1.000.000 ₫"), "[1000000 TO *]"),
]
OSCAR_DASHBOARD_NAVIGATION = OSCAR_DASHBOARD_NAVIGATION + [  # noqa: F405
    {
        "label": _("Content (Wagtail)"),
        "icon": "fas fa-newspaper",
        "url_name": "wagtailadmin_home",
        "access_fn": lambda user, *args: user.has_perm("wagtailadmin.access_admin"),
    },
    {
        "label": _("Data admin (Django)"),
        "icon": "fas fa-database",
        "url_name": "admin:index",
        "access_fn": lambda user, *args: user.is_staff,
    },
]

HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = (
    "haystack.signals.BaseSignalProcessor"  # the simple backend keeps no index
)

THUMBNAIL_PRESERVE_FORMAT = True

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = OSCAR_FROM_EMAIL

# --- Logging --------------------------------------------------------------------------------
# One line per record on stdout; LOG_FORMAT=json for one JSON object per line (config/logs.py).
LOGGING = build_logging(env("LOG_FORMAT", default="text"), env("LOG_LEVEL", default="WARNING"))

# --- Certification registry (see traceability/) ----------------------------------------------
REGISTRY_URL = env("REGISTRY_URL", default="").rstrip("/")
REGISTRY_TOKEN = env("REGISTRY_TOKEN", default="")
REGISTRY_TIMEOUT = env.float("REGISTRY_TIMEOUT", default=20.0)  # seconds per request
REGISTRY_MAX_PAGES = env.int("REGISTRY_MAX_PAGES", default=10000)  # guards against endless feeds
# Pages say "last confirmed on …" when the registry has not confirmed a record for this long.
REGISTRY_STALE_AFTER_DAYS = env.int("REGISTRY_STALE_AFTER_DAYS", default=7)

# --- Traceability: scan pages and labels ------------------------------------------------------
# Interface languages of the scan page (tourists): chosen from Accept-Language, with a switch.
SCAN_LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English"), ("fr", "Français")]
SCAN_RATE_PER_CODE = env.int("SCAN_RATE_PER_CODE", default=30)  # same code, one source, a minute
SCAN_RATE_PER_SOURCE = env.int("SCAN_RATE_PER_SOURCE", default=600)  # any codes, one source
OCOP_CONTACT_EMAIL = env("OCOP_CONTACT_EMAIL", default="ocop@example.vn")
# A serialised label scanned from more sources than this in 90 days is flagged to staff.
SCAN_ALERT_SOURCES_PER_LABEL = env.int("SCAN_ALERT_SOURCES_PER_LABEL", default=10)
# An unknown code asked for this often in 30 days is flagged to staff.
SCAN_ALERT_UNKNOWN_REPEATS = env.int("SCAN_ALERT_UNKNOWN_REPEATS", default=5)
# Where a scanner may say they come from (coarse, only when they choose to share it).
SCAN_REGIONS = ["VN", "CN", "FR", "US", "KR", "JP", "TH", "LA", "GB", "DE", "AU", "other"]
# With Redis, scans are buffered and written in batches of about this many.
SCAN_BUFFER_FLUSH_AT = env.int("SCAN_BUFFER_FLUSH_AT", default=200)
SCAN_PUSH_BATCH = env.int("SCAN_PUSH_BATCH", default=20)
SCAN_PUSH_SECONDS = env.float("SCAN_PUSH_SECONDS", default=2.0)

# Order stages change only through shop.order.actions (stock, payment records and emails go with
# them), so Oscar's dashboard offers no free status changes.
OSCAR_ORDER_STATUS_PIPELINE = {
    code: []
    for code in (
        "awaiting-transfer",
        "awaiting-card",
        "cod-unpaid",
        "paid",
        "shipped",
        "delivered",
        "expired",
        "cancelled",
        "refunded",
    )
}
OSCAR_LINE_STATUS_PIPELINE = {}

# Payments. VietQR transfers go to this account (bank BIN from NAPAS's list, e.g. 970436
# Vietcombank); card payments are offered only when the Stripe keys are set.
VIETQR_BANK_BIN = env("VIETQR_BANK_BIN", default="970436")
VIETQR_BANK_NAME = env("VIETQR_BANK_NAME", default="Vietcombank")
VIETQR_ACCOUNT = env("VIETQR_ACCOUNT", default="0011004455667")
VIETQR_ACCOUNT_NAME = env("VIETQR_ACCOUNT_NAME", default="HTX NONG SAN TUA CHUA")
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="https://api.stripe.com")
# Where a Checkout Session's hosted page lives when that is not STRIPE_API_BASE's own origin (a
# Stripe-compatible server that serves it elsewhere); Stripe's is known (config/csp.py).
STRIPE_CHECKOUT_ORIGIN = env("STRIPE_CHECKOUT_ORIGIN", default="")
# The payment pages say that no real money is taken (and which test card to use). Unset: said
# when the card server is not Stripe's API or the key is a test-mode one
# (shop/payments/stripe_api.py: shows_test_notice).
STRIPE_DEMO_NOTICE = env.bool("STRIPE_DEMO_NOTICE", default=None)

# --- Content Security Policy (django-csp; see config/csp.py and the README) -------------------
# Every page of the site runs under a strict policy: scripts and stylesheets from this origin only
# (no inline script, style attribute or event handler; the scan and error pages' inlined
# stylesheets are allowed by hash), pictures from here or the media host, players from the video
# hosts below. JSON-LD blocks are data, which the policy does not govern.
from csp.constants import NONE, SELF  # noqa: E402

from config.csp import inline_style_hashes, media_origins, payment_directives  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE += ["csp.middleware.CSPMiddleware"]
# Turns a sign-in that axes refused into its lockout page (config/login_throttle.py); last, so
# that page passes through every other middleware on the way out.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
# Players that news videos and livestream pages may frame (scheme://host, space or comma list).
CSP_FRAME_HOSTS = env.list(
    "CSP_FRAME_HOSTS",
    default=[
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://www.tiktok.com",
        "https://www.facebook.com",
    ],
)
CSP_IMAGE_HOSTS = [
    *media_origins(
        MEDIA_URL,
        custom_domain=env("AWS_S3_CUSTOM_DOMAIN", default=""),
        endpoint_url=env("AWS_S3_ENDPOINT_URL", default=""),
        bucket=env("AWS_STORAGE_BUCKET_NAME", default=""),
        region=env("AWS_S3_REGION_NAME", default=""),
    ),
    *env.list("CSP_IMAGE_HOSTS", default=[]),
]
CONTENT_SECURITY_POLICY = {
    # The staff UIs are other projects' pages built on inline scripts and styles (Wagtail's
    # admin and its page previews, Oscar's dashboard, Django's admin, the API docs): they get no
    # policy. Only signed-in staff reach them; X-Frame-Options still keeps them out of frames.
    "EXCLUDE_URL_PREFIXES": (
        "/admin/",
        "/django-admin/",
        "/shop/dashboard/",
        "/en/shop/dashboard/",
        "/api/v1/docs",
    ),
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, *inline_style_hashes(STATICFILES_DIRS)],
        "img-src": [SELF, "data:", *CSP_IMAGE_HOSTS],
        "font-src": [SELF],
        "media-src": [SELF, *CSP_IMAGE_HOSTS],
        "frame-src": CSP_FRAME_HOSTS or [NONE],
        # connect-src and form-action: 'self' and, with card payments, the hosted checkout
        # page's origin (Stripe's, or the Stripe-compatible server's): our "Pay" form answers
        # with a redirect there, and browsers apply form-action to where a submission goes.
        **payment_directives(
            STRIPE_API_BASE,
            card_configured=bool(STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET),
            checkout_origin=STRIPE_CHECKOUT_ORIGIN,
        ),
        # Wagtail's previews are under /admin/, so no public page needs to be framed.
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}
