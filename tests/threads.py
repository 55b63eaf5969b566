"""Real threads for tests of concurrent requests: each thread has its own database connection
(Django's are per thread) and closes it when its work is done."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

# The result of a thread still running when `run_at_once` stopped waiting for it.
HANGING = object()


def run_at_once(work, count, *, timeout=60):
    """Run `work(i)` in `count` threads released together; returns their results or exceptions
    (`HANGING` for a thread that had not finished after `timeout` seconds)."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def one(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 — the outcome is what is counted
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return [HANGING if thread.is_alive() else results[i] for i, thread in enumerate(threads)]


def run_in_parallel(work, items, *, workers):
    """Run `work(item)` for every item, `workers` at a time; results or exceptions, in order."""

    def one(item):
        try:
            return work(item)
        except Exception as error:  # noqa: BLE001 — the outcome is what is counted
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, items))
