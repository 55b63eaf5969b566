"""`make demo`: the site as a visitor meets it in production, on the embedded defaults.

SQLite, local files, in-process tasks and the local-memory cache (or whatever DATABASE_URL,
REDIS_URL … say), with production's behaviour everywhere a visitor can see it: DEBUG off (error
pages, no tracebacks), the page cache on, static files from WhiteNoise, pages compressed. Only
what production leaves to a web server in front of the site is done by the site itself: it
serves the uploaded media (`SERVE_MEDIA`). The served test layer (tests/served/) runs the site
with these settings.
"""

from .base import *  # noqa: F403
from .base import MIDDLEWARE

DEBUG = False
SERVE_MEDIA = True
# HTML and JSON leave compressed, as in production (config/settings/production.py).
_whitenoise = MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware")
MIDDLEWARE = [
    *MIDDLEWARE[: _whitenoise + 1],
    "django.middleware.gzip.GZipMiddleware",
    *MIDDLEWARE[_whitenoise + 1 :],
]
