"""Benchmark: the scan page against a trivial Django view, same gunicorn, same run.

Starts gunicorn (2 workers, production-like settings, a local-memory or Redis cache) on
127.0.0.1, loads it with wrk for a few seconds per URL, and prints requests/s side by side,
plus SQL queries per scan cold and warm, and label-sheet throughput.

    .venv/bin/python -m benchmarks.scan_page [--seconds 10] [--connections 16]
"""

import argparse
import datetime
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from oscar.core.loading import get_model

    from traceability.models import Certification, Lot, Producer

    Product = get_model("catalogue", "Product")
    producer, _ = Producer.objects.get_or_create(
        tax_code="5699999999",
        defaults={
            "name": "HTX Chè Shan tuyết (benchmark)",
            "kind": "cooperative",
            "commune_code": 3217,
            "slug": "bench-producer",
        },
    )
    today = datetime.date.today()
    certificate, _ = Certification.objects.get_or_create(
        registry_id="BENCH-1",
        defaults={
            "product_name": "Chè Shan tuyết",
            "producer": producer,
            "product_group": "food",
            "stars": 4,
            "score": 80,
            "issuer": "UBND tỉnh",
            "decision_no": "1/QĐ-UBND",
            "decision_date": today - datetime.timedelta(days=100),
            "valid_until": today + datetime.timedelta(days=900),
            "updated_at": datetime.datetime.now(datetime.UTC),
        },
    )
    from oscar.test.factories import create_product

    product = Product.objects.filter(upc="BENCH-1").first() or create_product(
        upc="BENCH-1",
        title="Chè Shan tuyết Tủa Chùa – hộp 100 g",
        price=185000,
        num_in_stock=100,
        producer=producer,
        certification=certificate,
        gtin="08936045900017",
    )
    lot, _ = Lot.objects.get_or_create(
        product=product,
        code="L2026-BENCH",
        defaults={
            "produced_on": today - datetime.timedelta(days=20),
            "best_before": today + datetime.timedelta(days=500),
        },
    )
    return lot


def queries_per_scan(path):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from config.pagecache import invalidate

    client = Client(HTTP_HOST="127.0.0.1")
    invalidate()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        reads = [q for q in queries.captured_queries if q["sql"].lstrip()[:6].upper() == "SELECT"]
        counts.append((len(reads), len(queries.captured_queries) - len(reads)))
    return counts


def label_rate(lot, count):
    """Labels per second (a timed run), then peak memory (a traced run: tracing slows Python)."""
    from traceability.labels import write_sheet

    out = Path(tempfile.mkdtemp()) / "labels.pdf"
    started = time.perf_counter()
    write_sheet(lot, out, "pdf", count=count, serialised=True)
    rate = count / (time.perf_counter() - started)
    size = out.stat().st_size / 2**20
    tracemalloc.start()
    write_sheet(lot, out, "pdf", count=count, serialised=True)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rate, peak / 2**20, size


def wrk(url, seconds, connections):
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", result.stdout).group(1))
    p99 = re.search(r"99%\s+(\S+)", result.stdout).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    return rate, p99, int(errors.group(1)) if errors else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--labels", type=int, default=10000)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed (Debian package 'wrk'; `make bench` installs it)")
    scratch = tempfile.mkdtemp(prefix="ocop-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    lot = prepare(database_url)
    path = f"/01/08936045900017/10/{lot.code}"
    cold, warm = queries_per_scan(path)

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="benchmarks.settings", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "benchmarks.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/ceiling", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        urllib.request.urlopen(base + path, timeout=5)  # warm each worker's cache a little
        rows = [
            (
                "trivial Django view (ceiling)",
                *wrk(base + "/bench/ceiling", args.seconds, args.connections),
            )
        ]
        rows.append(("scan page, warm cache", *wrk(base + path, args.seconds, args.connections)))
    finally:
        server.terminate()
        server.wait(10)
    rate, peak_mb, size_mb = label_rate(lot, args.labels)

    ceiling = rows[0][1]
    print(
        f"gunicorn 2 workers, wrk {args.connections} connections × {args.seconds} s, "
        f"{os.cpu_count()} cores, database {database_url.split(':')[0]}"
    )
    print(f"{'URL':32} {'req/s':>9} {'of ceiling':>10} {'p99':>9} {'non-2xx':>8}")
    for label, requests_per_s, p99, errors in rows:
        print(
            f"{label:32} {requests_per_s:>9.0f} {requests_per_s / ceiling:>10.0%} {p99:>9} "
            f"{errors:>8}"
        )
    print(
        f"SQL per scan: cold {cold[0]} reads + {cold[1]} writes; warm {warm[0]} reads + "
        f"{warm[1]} writes (the scan record)"
    )
    print(
        f"labels: {args.labels} serialised labels into a PDF at {rate:.0f} labels/s, "
        f"peak Python memory {peak_mb:.1f} MB, file {size_mb:.1f} MB"
    )


if __name__ == "__main__":
    main()
