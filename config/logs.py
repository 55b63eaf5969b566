"""Log configuration: one JSON object per line in production, plain text in development.

`build_logging()` gives the LOGGING dict for Django and gunicorn alike (config/gunicorn.py), so
application, request and access lines share one shape:
{"time", "level", "logger", "message", "method", "path", "status", "exception", ...}.
"""

from collections.abc import Mapping
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

LOG_FORMATS = ("json", "text")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Objects Django attaches to records (request, socket) are summarised, not dumped.
_SKIPPED = (*RESERVED_ATTRS, "request", "server_time", "status_code", "exc_info", "exc_text")


class JsonFormatter(BaseJsonFormatter):
    """Renders a record as one JSON object; request details as method, path and status."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("reserved_attrs", _SKIPPED)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        log_data["time"] = datetime.fromtimestamp(record.created, tz=UTC).isoformat(
            timespec="milliseconds"
        )
        log_data["level"] = record.levelname
        log_data["logger"] = record.name
        log_data["message"] = record.message
        request = getattr(record, "request", None)
        if hasattr(request, "method") and hasattr(request, "path"):
            log_data["method"] = request.method
            log_data["path"] = request.path
        if getattr(record, "status_code", None) is not None:
            log_data["status"] = record.status_code
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            log_data.update(_access_fields(record.args))
        exception = message_dict.pop("exc_info", None)
        if exception:
            log_data["exception"] = exception
        super().add_fields(log_data, record, message_dict)


def _access_fields(atoms):
    """The parts of gunicorn's access atoms worth keeping (no headers, no cookies)."""
    status = atoms.get("s")
    return {
        "method": atoms.get("m"),
        "path": atoms.get("U"),
        "status": int(status) if str(status).isdigit() else status,
        "duration_ms": atoms.get("M"),
        "bytes": atoms.get("B"),
        "remote_addr": atoms.get("h"),
    }


def build_logging(log_format="text", level="WARNING", extra_loggers=()):
    """A dictConfig for stdout in the given format; `extra_loggers` get their own entry."""
    log_format = (log_format or "text").lower()
    level = (level or "WARNING").upper()
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")
    if level not in LOG_LEVELS:
        raise ImproperlyConfigured(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")
    handler = {
        "class": "logging.StreamHandler",
        "formatter": log_format,
        "stream": "ext://sys.stdout",
    }
    loggers = {
        # Django's own console and mail handlers are replaced: everything goes through the root.
        "django": {"level": level, "handlers": [], "propagate": True},
    }
    for name, logger_level in extra_loggers:
        loggers[name] = {"level": logger_level, "handlers": ["console"], "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "config.logs.JsonFormatter"},
            "text": {"format": TEXT_FORMAT},
        },
        "handlers": {"console": handler},
        "loggers": loggers,
        "root": {"handlers": ["console"], "level": level},
    }
