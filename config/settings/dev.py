"""Local development (`make serve`): SQLite, local files, in-process tasks, DEBUG on."""

from .base import *  # noqa: F403

DEBUG = True
SERVE_MEDIA = True
