"""SQLite set up for several people at once: the embedded default of `make demo`, dev and tests.

SQLite allows one writer at a time. Out of the box a request that finds the database busy fails
at once or after 5 s with "database is locked", and a transaction that began by reading and then
wants to write cannot wait at all (SQLite refuses the upgrade to avoid a deadlock) — which is
what every sign-in, article save or basket addition inside ATOMIC_REQUESTS does. So:

- WAL journal: readers never block the writer and the writer never blocks readers;
- `transaction_mode` IMMEDIATE: every transaction takes the write lock when it begins, so it
  waits its turn there instead of failing half-way;
- a busy timeout (SQLITE_BUSY_TIMEOUT seconds, 20 by default) for that wait;
- `synchronous=NORMAL`: with WAL, durable across an application crash and fast enough (a power
  cut may lose the last transactions, never corrupt the file).

PostgreSQL (production) is left as it is.
"""

SQLITE_ENGINE = "django.db.backends.sqlite3"
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def for_concurrent_use(database, *, busy_timeout=20):
    """`database` (one entry of DATABASES) with SQLite's options for concurrent use; any other
    engine unchanged. Options already set win."""
    if database.get("ENGINE") != SQLITE_ENGINE:
        return database
    options = {
        "timeout": busy_timeout,
        "transaction_mode": "IMMEDIATE",
        "init_command": ";".join(SQLITE_PRAGMAS),
        **database.get("OPTIONS", {}),
    }
    return {**database, "OPTIONS": options}
