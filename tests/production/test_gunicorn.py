"""The site under gunicorn with config/gunicorn.py and production settings, over real HTTP."""

import http.client
import json
import socket
import subprocess
import sys
import time

import pytest

from tests.conftest import copy_sqlite
from tests.s3 import free_port

from .conftest import ROOT


class Server:
    def __init__(self, env, log_path):
        self.port = free_port()
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "1"}
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_until_listening(self, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited: {self.log_path.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn did not listen in {seconds}s: {self.log_path.read_text()}")

    def get(self, path, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stop(self):
        """SIGTERM (graceful), then SIGKILL if it lingers; returns the exit code."""
        self.process.terminate()
        try:
            code = self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait(timeout=5)
        self._log.close()
        return code

    def log_lines(self):
        return [json.loads(line) for line in self.log_path.read_text().splitlines() if line]


@pytest.fixture
def start_server(tmp_path):
    servers = []

    def start(env):
        server = Server(env, tmp_path / f"gunicorn-{len(servers)}.log")
        servers.append(server)
        server.wait_until_listening()
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture
def migrated_env(production_env, tmp_path, django_db_setup, django_db_blocker):
    """Production variables pointing at a copy of the migrated test database (SQLite)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        copy = tmp_path / "production.sqlite3"
        with django_db_blocker.unblock():
            connection.close()
        copy_sqlite(connection.settings_dict["TEST"]["NAME"], copy)
        production_env["DATABASE_URL"] = f"sqlite:///{copy}"
    return production_env


def test_gunicorn_serves_health_and_security_headers(migrated_env, start_server):
    server = start_server(migrated_env)

    status, headers, body = server.get("/healthz")
    assert (status, body) == (200, b"ok")
    assert "no-store" in headers["Cache-Control"]

    status, headers, body = server.get("/readyz")
    assert status == 200, body
    assert json.loads(body)["status"] == "ok"

    # Plain HTTP elsewhere is sent to HTTPS; the probes above were not.
    status, headers, _ = server.get("/", {"Host": "ocop.test"})
    assert status == 301 and headers["Location"] == "https://ocop.test/"

    # Behind the TLS proxy: HSTS, nosniff, referrer and opener policies, no framing.
    https = {"Host": "ocop.test", "X-Forwarded-Proto": "https"}
    status, headers, _ = server.get("/readyz", https)
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    # Not over plain HTTP: HSTS only means something on HTTPS.
    assert "Strict-Transport-Security" not in server.get("/healthz")[1]

    # A host the site does not serve is refused, probes included.
    status, _, _ = server.get("/healthz", {"Host": "10.1.2.3"})
    assert status == 400

    assert server.stop() == 0
    lines = server.log_lines()  # every line is JSON, or json.loads fails
    access = [line for line in lines if line["logger"] == "gunicorn.access"]
    assert {"method": "GET", "path": "/healthz", "status": 200}.items() <= access[0].items()
    assert any(line["path"] == "/readyz" for line in access)
    assert any(line["logger"] == "gunicorn.error" for line in lines)


def test_readyz_fails_and_healthz_lives_when_the_database_is_gone(production_env, start_server):
    production_env["DATABASE_URL"] = "sqlite:////nonexistent-directory/ocop.sqlite3"
    server = start_server(production_env)

    status, _, body = server.get("/healthz")
    assert (status, body) == (200, b"ok")

    status, headers, body = server.get("/readyz")
    assert status == 503
    assert "no-store" in headers["Cache-Control"]
    assert json.loads(body) == {
        "status": "unavailable",
        "checks": {"database": "failed", "cache": "ok", "storage": "ok"},
    }
    assert server.stop() == 0
    failures = [line for line in server.log_lines() if line["logger"] == "config.health"]
    assert failures and "unable to open database file" in failures[0]["exception"]
