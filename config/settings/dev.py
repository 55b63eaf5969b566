"""Local development and `make demo`: SQLite, local files, in-process tasks."""

from .base import *  # noqa: F403

DEBUG = True
