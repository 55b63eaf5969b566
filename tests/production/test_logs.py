"""Log lines: one JSON object per record, with request details when there are some."""

import io
import json
import logging
import logging.config

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from config.logs import build_logging


@pytest.fixture
def json_logger():
    """A logger configured from build_logging("json"), writing to a buffer."""
    config = build_logging("json", "INFO")
    formatter = logging.config.DictConfigurator(config).configure_custom(
        dict(config["formatters"]["json"])
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.production.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def _lines(stream):
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_record_is_one_json_object_with_request_details(json_logger):
    logger, stream = json_logger
    request = RequestFactory().get("/shop/basket/?x=1")
    try:
        raise ValueError("giỏ hàng")
    except ValueError:
        logger.error(
            "Failed %s", "basket", exc_info=True, extra={"request": request, "status_code": 500}
        )
    logger.info("Đồng bộ xong", extra={"records": 12})

    first, second = _lines(stream)
    assert set(first) == {
        "time",
        "level",
        "logger",
        "message",
        "method",
        "path",
        "status",
        "exception",
    }
    assert first["level"] == "ERROR"
    assert first["logger"] == "tests.production.json"
    assert first["message"] == "Failed basket"
    assert (first["method"], first["path"], first["status"]) == ("GET", "/shop/basket/", 500)
    assert (
        first["exception"].startswith("Traceback") and "ValueError: giỏ hàng" in first["exception"]
    )
    assert first["time"].endswith("+00:00")
    assert second == {
        "time": second["time"],
        "level": "INFO",
        "logger": "tests.production.json",
        "message": "Đồng bộ xong",
        "records": 12,
    }


def test_gunicorn_access_lines_keep_no_headers(json_logger):
    logger, stream = json_logger
    atoms = {"m": "GET", "U": "/healthz", "s": "200", "M": 3, "B": 2, "h": "10.0.0.5"}
    atoms["{cookie}i"] = "sessionid=secret"
    # What gunicorn's Logger.access() logs: the format string and the atoms as a mapping.
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s %(s)s", (atoms,), None
    )
    logger.handlers[0].handle(record)
    (line,) = _lines(stream)
    assert line["message"] == "GET /healthz 200"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["duration_ms"] == 3 and line["remote_addr"] == "10.0.0.5"
    assert "secret" not in stream.getvalue()


def test_text_format_and_levels():
    config = build_logging("TEXT", "debug")
    assert config["handlers"]["console"]["formatter"] == "text"
    assert config["root"]["level"] == "DEBUG"
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        build_logging("xml", "INFO")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL"):
        build_logging("json", "LOUD")
