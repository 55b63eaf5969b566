"""/healthz and /readyz against the real database, cache and storage."""

import json
import logging

import pytest

DEAD_REDIS = {
    "default": {
        "BACKEND": "config.cache.ResilientRedisCache",  # as in production
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
SECRETS_IN_ERRORS = ("Error", "refused", "127.0.0.1", "redis", "media-volume", "Traceback")


def test_healthz_answers_without_database_access(client):
    # No django_db mark: opening a connection would fail the test outright.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_makes_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200


def test_healthz_is_not_sent_to_a_language_prefix(client):
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_reports_every_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "storage": "ok"},
    }


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_is_down(client, settings, caplog):
    settings.CACHES = DEAD_REDIS
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert json.loads(body) == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "failed", "storage": "ok"},
    }
    assert not any(word.lower() in body.lower() for word in SECRETS_IN_ERRORS)
    # The cause is in the log for the operator.
    failure = next(r for r in caplog.records if r.name == "config.health")
    assert failure.exc_info and "cache" in failure.getMessage()


@pytest.mark.django_db
def test_readyz_is_503_when_storage_fails(client, settings, caplog):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "tests.production.broken_storage.BrokenStorage"},
    }
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.content.decode()
    assert json.loads(body)["checks"] == {"database": "ok", "cache": "ok", "storage": "failed"}
    assert json.loads(body)["status"] == "unavailable"
    assert not any(word.lower() in body.lower() for word in SECRETS_IN_ERRORS)
    assert any("media-volume" in (r.exc_text or str(r.exc_info)) for r in caplog.records)


@pytest.mark.django_db
def test_readyz_leaves_no_key_in_the_cache(client):
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    cache = caches["default"]
    if not isinstance(cache, LocMemCache):
        pytest.skip("lists keys of the in-process cache")
    cache.set("kept", 1)
    assert client.get("/readyz").status_code == 200
    assert list(cache._cache.keys()) == [cache.make_key("kept")]
