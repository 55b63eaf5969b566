"""Benchmark: a full registry sync of N records and an incremental one where 1% changed.

Runs against a real HTTP feed on 127.0.0.1 (the test suite's FakeRegistry) and a scratch
SQLite database (or DATABASE_URL). Prints wall time, records/s next to a ceiling (the same feed
fetched and parsed with no database work), SQL queries per record and peak memory.

    .venv/bin/python -m benchmarks.registry_sync [--records 20000] [--page-size 500]
"""

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(database_url):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_records(count, seed=20261129):
    from traceability.places import province_communes
    from traceability.rules import ProducerKind, ProductGroup, stars_for_score, validity_end
    from traceability.validators import gtin_check_digit

    rng = random.Random(seed)
    communes = [c.code for c in province_communes()]
    producers = [
        {
            "name": f"Chủ thể mẫu số {n}",
            "kind": rng.choice(ProducerKind.values),
            "tax_code": f"57{n:08d}",
            "commune_code": rng.choice(communes),
        }
        for n in range(max(1, count // 10))
    ]
    start = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    records = []
    for n in range(count):
        score = rng.randint(50, 100)
        decided = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 1300))
        body = f"893{n:09d}"[:12]
        records.append(
            {
                "id": f"BM-{n:06d}",
                "product_name": f"Sản phẩm OCOP mẫu {n}",
                "producer": producers[n % len(producers)],
                "product_group": ProductGroup.values[n % 6],
                "stars": stars_for_score(score),
                "score": score,
                "issuer": "UBND tỉnh Điện Biên",
                "decision_no": f"{n % 500}/QĐ-UBND",
                "decision_date": decided.isoformat(),
                "valid_until": validity_end(decided).isoformat(),
                "status": "active",
                "status_reason": "",
                "gtins": [body + gtin_check_digit(body)] if n % 3 else [],
                "updated_at": (start + datetime.timedelta(seconds=n)).isoformat(),
            }
        )
    return records


def measure(function):
    """Run once; return (result, seconds, SQL statements, peak Python memory in bytes)."""
    from django.db import connection

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        result = function()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, statements, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--changed", type=float, default=0.01, help="share changed (incremental)")
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="ocop-bench-")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{scratch}/bench.sqlite3"
    print(f"database: {database_url.split('@')[-1]}")
    setup_django(database_url)

    from django.conf import settings

    from tests.registry_server import FakeRegistry
    from traceability.feed import feed_pages
    from traceability.models import Certification, CertificationChange, Producer, SyncRun
    from traceability.tasks import sync_from_feed

    for model in (CertificationChange, SyncRun, Certification, Producer):
        model.objects.all().delete()
    records = make_records(args.records)
    rows = []
    with FakeRegistry(records, page_size=args.page_size, token="bench") as registry:
        settings.REGISTRY_URL, settings.REGISTRY_TOKEN = registry.url, "bench"
        settings.REGISTRY_TIMEOUT = 60
        settings.DEBUG = False  # as in production: Django keeps no log of every query

        def ceiling():
            return sum(len(page) for page in feed_pages())

        count, elapsed, _, peak = measure(ceiling)
        rows.append(("fetch + parse only (ceiling)", count, elapsed, None, peak))

        run, elapsed, queries, peak = measure(lambda: sync_from_feed(full=True))
        assert run.status == "succeeded" and run.created == args.records, run.problems
        rows.append(("full sync", run.processed, elapsed, queries, peak))

        changed = random.Random(1).sample(records, int(args.records * args.changed))
        later = datetime.datetime(2026, 11, 29, tzinfo=datetime.UTC).isoformat()
        for record in changed:
            record["stars"] = 5 if record["stars"] < 5 else 4
            record["score"] = 95 if record["stars"] == 5 else 80
            record["updated_at"] = later
        registry.records = records
        run, elapsed, queries, peak = measure(sync_from_feed)
        assert run.updated == len(changed), (run.updated, run.problems)
        rows.append(
            (f"incremental ({args.changed:.0%} changed)", run.processed, elapsed, queries, peak)
        )

    print(f"{args.records} records, pages of {args.page_size}, {os.cpu_count()} cores")
    print(
        f"{'step':34} {'records':>8} {'seconds':>8} {'rec/s':>8} "
        f"{'queries':>8} {'q/rec':>6} {'peak MB':>8}"
    )
    for label, count, elapsed, queries, peak in rows:
        per = f"{queries / count:.3f}" if queries is not None and count else "-"
        print(
            f"{label:34} {count:>8} {elapsed:>8.2f} {count / elapsed:>8.0f} "
            f"{queries if queries is not None else '-':>8} {per:>6} {peak / 2**20:>8.1f}"
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"max RSS of this process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
