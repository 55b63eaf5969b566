"""Faults injected into the shop's own database connection just before its Nth query.

`FaultBeforeQuery(fault, at=n)` wraps every query run on this thread's connection (Django's
`execute_wrapper`, so requests made with the test client in this thread count too) and calls
`fault(connection)` once, before query number `n` (or before the first query containing
`before_sql`). With neither it only counts, which is how a test learns how many queries a step
makes and so where it can be hurt.
"""

from contextlib import contextmanager, nullcontext

from django.db import connections


class InjectedFault(RuntimeError):
    """The exception a battery throws into the code under test."""


def raise_error(connection):
    raise InjectedFault("fault injected by the battery")


def raise_database_error(connection):
    """A database error the code may catch and handle (as it would a lost connection)."""
    from django.db import OperationalError

    raise OperationalError("fault injected by the battery: server closed the connection")


def terminate_backend(connection):
    """Kill this connection's PostgreSQL backend from another connection, as a crashed server,
    a failover or an administrator would, and wait until it is gone."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    ) as killer:
        killed = killer.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()[0]
    assert killed, f"backend {pid} was not terminated"


class FaultBeforeQuery:
    def __init__(self, fault=None, *, at=None, before_sql=None, using="default"):
        self.fault = fault
        self.at = at
        self.before_sql = before_sql  # or: before the first query containing this text
        self.count = 0
        self.fired = False
        self.counting = True
        self._connection = connections[using]
        self._wrapping = None

    def __call__(self, execute, sql, params, many, context):
        if not self.counting:
            return execute(sql, params, many, context)
        self.count += 1
        if not self.fired and (
            self.count == self.at or (self.before_sql is not None and self.before_sql in sql)
        ):
            self.fired = True
            self.fault(self._connection)
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapping = self._connection.execute_wrapper(self)
        self._wrapping.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapping.__exit__(*exc)

    @contextmanager
    def paused(self):
        """The test's own queries (looking at what a step did) are neither counted nor hurt."""
        self.counting = False
        try:
            yield
        finally:
            self.counting = True


def paused(fault):
    """`fault.paused()`, or nothing to pause when no fault is armed."""
    return fault.paused() if fault is not None else nullcontext()


def points(total, wanted):
    """`wanted` query numbers spread evenly over 1..total (all of them when there are fewer)."""
    if total <= wanted:
        return list(range(1, total + 1))
    return sorted({1 + round(i * (total - 1) / (wanted - 1)) for i in range(wanted)})
