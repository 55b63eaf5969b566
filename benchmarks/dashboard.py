"""Benchmark: every staff dashboard panel with 1,000,000 scans and 100,000 orders on PostgreSQL.

Creates a scratch PostgreSQL database (dropped at the end), migrates it, loads the demo, makes
the activity with the generator (timed), rebuilds the rollups in full and incrementally, then
times each panel's figures + rendering (median and max of several runs, with its query count)
and the admin home and dashboard pages through the test client as a superuser, next to the
300 ms ceiling.

    .venv/bin/python -m benchmarks.dashboard [--scans 1000000] [--orders 100000] [--runs 5]
        [--keep] [--reuse]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ocop_bench_dashboard"
CEILING_MS = 300


def scratch_database(url, create=True):
    """Drop (and create) the database named in a PostgreSQL URL, through the server's own db."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url):
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]


def timed(function, runs):
    """(median ms, max ms, queries of one run) over `runs` runs."""
    from django.db import connection

    statements = 0

    def count(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    function()  # warm: templates compiled, connection open, pages of the tables in memory
    times = []
    for _run in range(runs):
        statements = 0
        started = time.perf_counter()
        with connection.execute_wrapper(count):
            function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times), statements


def panel_functions(user):
    from django.template.loader import render_to_string
    from django.test import RequestFactory
    from django.utils import timezone

    from insight import panels
    from insight.wagtail_hooks import SalesPanel, ScansPanel
    from traceability.wagtail_hooks import CertificationPanel

    request = RequestFactory().get("/admin/")
    request.user = user
    chart = "insight/includes/chart.html"

    def draw(make):
        return lambda: render_to_string(chart, {"chart": make()})

    def since(days):
        return panels.first_day(days, timezone.localdate())

    def expiring():
        return render_to_string(
            "insight/includes/expiring.html",
            {"expiring": [(n, *panels.expiring_certificates(n)) for n in (30, 90)]},
        )

    def orders():
        return render_to_string(
            "insight/includes/orders_awaiting.html", {"orders": panels.orders_awaiting()}
        )

    rows = [
        ("home: sales (month chart, orders)", lambda: SalesPanel().render_html({})),
        ("home: scans of 30 days", lambda: ScansPanel().render_html({})),
        ("home: certificates + fakes", lambda: CertificationPanel().render_html({})),
        ("sales per month (12)", draw(panels.sales_month_chart)),
        ("certificates by stars/state", draw(panels.certificates_chart)),
        ("expiring in 30/90 days", expiring),
        ("orders awaiting", orders),
    ]
    for days in (30, 365):
        rows += [
            (f"sales per day ({days} d)", draw(lambda d=days: panels.sales_day_chart(since(d)))),
            (
                f"sales per method ({days} d)",
                draw(lambda d=days: panels.sales_method_chart(since(d))),
            ),
            (
                f"sales per commune ({days} d)",
                draw(lambda d=days: panels.sales_commune_chart(since(d))),
            ),
            (
                f"sales per group ({days} d)",
                draw(lambda d=days: panels.sales_group_chart(since(d))),
            ),
            (f"scans per day ({days} d)", draw(lambda d=days: panels.scans_day_chart(since(d)))),
            (
                f"scans per product ({days} d)",
                draw(lambda d=days: panels.scans_product_chart(since(d))),
            ),
            (
                f"scans per region ({days} d)",
                draw(lambda d=days: panels.scans_region_chart(since(d))),
            ),
        ]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure a database kept by an earlier --keep run (migrated, no new data)",
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not database_url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL=postgres://…).")
    print(f"database: {database_url.split('@')[-1]}, {os.cpu_count()} cores")
    if not args.reuse:
        scratch_database(database_url)
    try:
        setup_django(database_url)
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            scratch_database(database_url, create=False)


def run(args):

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from cms.demo import load_demo
    from insight.activity import generate_activity
    from insight.panels import prepare_charts
    from insight.rollups import refresh_rollups

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    if not args.reuse:
        started = time.perf_counter()
        load_demo(log=lambda line: None, admin_password="bench")
        print(f"load_demo: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        made = generate_activity(args.scans, args.orders, args.days, seed=1, stream=sys.stderr)
        generated = time.perf_counter() - started
        print(
            f"generate_activity: {made['scans']:,} scans + {made['orders']:,} orders over "
            f"{args.days} days in {generated:.1f} s (rollups rebuilt in full included)"
        )
    # What autovacuum does after a bulk load: statistics, and the visibility map that lets the
    # counterfeit signals read their partial indexes alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    started = time.perf_counter()
    rows = refresh_rollups(full=True)
    print(f"refresh_rollups(full=True): {time.perf_counter() - started:.2f} s, rows {rows}")
    started = time.perf_counter()
    rows = refresh_rollups()
    print(f"refresh_rollups() incremental: {time.perf_counter() - started:.2f} s, rows {rows}")
    started = time.perf_counter()
    prepare_charts()
    print(
        f"prepare_charts() (every period and language, done by the scheduled refresh): "
        f"{time.perf_counter() - started:.2f} s"
    )
    cache.clear()

    user = get_user_model().objects.get(username="admin")
    results = [(label, *timed(function, args.runs)) for label, function in panel_functions(user)]
    client = Client()
    client.force_login(user)
    for label, url in (
        ("page: admin home", "/admin/"),
        ("page: dashboard (30 days)", "/admin/insight/"),
        ("page: dashboard (365 days)", "/admin/insight/?days=365"),
    ):
        assert client.get(url).status_code == 200, url  # warm: sessions, menus, templates

        def fetch(url=url):
            assert client.get(url).status_code == 200

        def fetch_cold(url=url):
            cache.clear()  # as if the scheduled refresh had not drawn the charts yet
            fetch(url)

        results.append((f"{label}, cache empty", *timed(fetch_cold, args.runs)))
        results.append((f"{label}, charts prepared", *timed(fetch, args.runs)))

    print(
        f"\n{'panel (figures + rendering)':52} {'median ms':>10} {'max ms':>8} {'queries':>8} "
        f"{'ceiling':>8}  ok"
    )
    for label, median, worst, queries in results:
        ok = "yes" if worst <= CEILING_MS else "NO"
        print(f"{label:52} {median:>10.1f} {worst:>8.1f} {queries:>8} {CEILING_MS:>8}  {ok}")
    _print_sizes()


def _print_sizes():
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "traceability_scan",
            "order_order",
            "order_line",
            "insight_scanday",
            "insight_salesday",
            "insight_productsalesday",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            print(f"{table}: {cursor.fetchone()[0]:,} rows")


if __name__ == "__main__":
    main()
