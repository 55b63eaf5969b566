"""Item 8: the scan page and a product page under wrk at 64 connections for 60 s each, against
gunicorn with config/gunicorn.py and production settings on the test database: 0 errors, p95
reported. Long, so only `make soak` runs it (wrk from Debian, installed by that target)."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from django.utils import timezone

from tests.browser.serving import collected_static
from tests.factories import certified_product
from tests.production.conftest import ROOT, database_url, production_env_for
from tests.production.test_two_nodes import wait_listening
from tests.s3 import free_port
from traceability.digital_link import lot_uri
from traceability.models import Lot

pytestmark = [pytest.mark.soak, pytest.mark.usefixtures("committed_db")]

CONNECTIONS = 64
SECONDS = int(os.environ.get("LOAD_SECONDS", 60))
REDIS_URL = "redis://127.0.0.1:6379/6"
HEADERS = {"Host": "ocop.test", "X-Forwarded-Proto": "https"}
# wrk prints 50/75/90/99 %; the 95th comes from this script, in microseconds.
PERCENTILES = """
done = function(summary, latency, requests)
  io.write(string.format("p95_us %d\\n", latency:percentile(95)))
end
"""


def wrk(url):
    script = Path(tempfile.mkdtemp()) / "p95.lua"
    script.write_text(PERCENTILES)
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", str(script)]
    command += ["-H", "Host: ocop.test", "-H", "X-Forwarded-Proto: https"]
    command += ["-H", "Accept-Encoding: gzip", url]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors += int(bad.group(1)) if bad else 0
    p95 = int(re.search(r"p95_us (\d+)", out).group(1)) / 1000
    return total, rate, p95, errors, out


def test_scan_and_product_pages_under_load(tmp_path, battery):
    redis.Redis.from_url(REDIS_URL).flushdb()
    if not shutil.which("wrk"):
        pytest.fail("wrk is not installed: `make soak` installs Debian's wrk package")
    product = certified_product(title="Chè Shan tuyết Tủa Chùa – hộp 100 g", stock=1000)
    lot = Lot.objects.create(product=product, code="L-LOAD", produced_on=timezone.localdate())
    port = free_port()
    env = {
        **production_env_for(tmp_path),
        "DATABASE_URL": database_url(),
        "STATIC_ROOT": collected_static(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        # As in production: cache, scan buffer and task queue in Redis, a worker writing scans.
        "REDIS_URL": REDIS_URL,
        # Scans from one address are rate-limited; wrk is one address sending thousands.
        "SCAN_RATE_PER_CODE": "100000000",
        "SCAN_RATE_PER_SOURCE": "100000000",
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "slow"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port, server, log)
        base = f"http://127.0.0.1:{port}"
        pages = {
            "scan page": urlsplit(lot_uri(lot)).path,
            "product page": product.get_absolute_url(),
        }
        figures, failed = [], []
        for name, path in pages.items():
            # Each worker has imported Django and rendered the page once (gunicorn listens
            # before its workers are ready; a first request would wait for them).
            for _ in range(8):
                request = urllib.request.Request(base + path, headers=HEADERS)
                with urllib.request.urlopen(request, timeout=60) as warm:
                    assert warm.status == 200
            total, rate, p95, errors, output = wrk(base + path)
            figures.append(
                f"{name} {total} requests, {rate:.0f}/s, p95 {p95:.0f} ms, {errors} errors"
            )
            if errors:
                failed.append(output)
    finally:
        for process in (server, worker):
            process.terminate()
            process.wait(30)
        redis.Redis.from_url(REDIS_URL).flushdb()
    battery.record(
        8,
        f"Load: {CONNECTIONS} connections for {SECONDS} s each (gunicorn, production settings)",
        "; ".join(figures),
        ok=not failed,
    )
    assert not failed, "\n".join(failed)
