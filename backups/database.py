"""The database half of a backup: a consistent dump, its restore, and the facts a restore is
checked against (rows in the key tables, applied migrations).

PostgreSQL is dumped with `pg_dump --format=custom` inside a snapshot that the counts are read
from too, so the manifest describes exactly the rows in the dump. SQLite is copied through
sqlite3's online backup API, which takes a consistent copy of a database that is in use.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.apps import apps
from django.db import DatabaseError
from django.db.backends.postgresql.client import DatabaseClient
from django.utils.translation import gettext as _
from wagtail.documents import get_document_model_string
from wagtail.images import get_image_model_string

from backups.errors import BackupError

DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


def key_models():
    """What a restore must bring back, by model label: counted in the dump and after restoring."""
    return [
        "order.Order",
        "order.Line",
        "catalogue.Product",
        "catalogue.ProductImage",
        get_image_model_string(),
        get_document_model_string(),
        "traceability.Producer",
        "traceability.Certification",
        "traceability.Lot",
        "wagtailcore.Page",
    ]


def facts(cursor):
    """Row counts of the key tables and the applied migrations, read through a DB-API cursor
    (Django's, psycopg's or sqlite3's: the SQL is the same)."""
    counts = {}
    for label in key_models():
        table = apps.get_model(label)._meta.db_table
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[label] = cursor.fetchone()[0]
    migrations = {}
    cursor.execute("SELECT app, name FROM django_migrations")
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    return {
        "counts": counts,
        "migrations": {app: sorted(names) for app, names in migrations.items()},
    }


def dump(connection, folder):
    """Write the database into `folder`; returns (file name, facts of what was written)."""
    path = Path(folder) / dump_file(connection.vendor)
    if connection.vendor == "postgresql":
        return path.name, _dump_postgresql(connection, path)
    return path.name, _dump_sqlite(connection, path)


def restore(connection, path):
    """Replace the configured database's contents with the dump at `path`."""
    # Our own connection would hold locks pg_restore waits for, and a stale SQLite connection
    # would not see the new file's schema.
    connection.close()
    if connection.vendor == "postgresql":
        _run(
            [
                "pg_restore",
                *_connection_args(connection.settings_dict),
                "--clean",
                "--if-exists",
                "--no-owner",
                # All or nothing: a failed restore leaves the database as it was.
                "--single-transaction",
                "--exit-on-error",
                str(path),
            ],
            _connection_env(connection.settings_dict),
        )
    else:
        _copy_sqlite(path, _sqlite_name(connection))


def is_empty(connection):
    try:
        return not connection.introspection.table_names()
    except DatabaseError as exc:
        raise BackupError(_("Cannot connect to the database: %(error)s") % {"error": exc}) from None


def dump_file(vendor):
    try:
        return DUMP_FILES[vendor]
    except KeyError:
        raise BackupError(
            _("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor}
        ) from None


def _dump_postgresql(connection, path):
    try:
        raw = connection.get_new_connection(connection.get_connection_params())
    except connection.Database.Error as exc:
        raise BackupError(_("Cannot connect to the database: %(error)s") % {"error": exc}) from None
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            found = facts(cursor)
            # pg_dump sees the same snapshot as long as this transaction stays open.
            _run(
                [
                    "pg_dump",
                    *_connection_args(connection.settings_dict),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={path}",
                ],
                _connection_env(connection.settings_dict),
            )
            cursor.execute("ROLLBACK")
    finally:
        raw.close()
    return found


def _dump_sqlite(connection, path):
    _copy_sqlite(_sqlite_name(connection), path)
    copy = sqlite3.connect(path)
    try:
        return facts(copy.cursor())
    finally:
        copy.close()


def _copy_sqlite(source, target):
    """Copy a whole SQLite database through the online backup API: consistent while the source
    is in use, and the target (journal or WAL included) is rewritten by SQLite itself."""
    if not Path(source).is_file():
        raise BackupError(_("The SQLite database %(path)s does not exist.") % {"path": source})
    reader = sqlite3.connect(f"{Path(source).resolve().as_uri()}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()


def _sqlite_name(connection):
    name = str(connection.settings_dict["NAME"])
    if ":memory:" in name or "mode=memory" in name:
        raise BackupError(_("An in-memory SQLite database cannot be backed up or restored."))
    return name


def _connection_args(settings_dict):
    args = ["--no-password"]  # never wait for a prompt under a timer
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args.append(f"{option}={settings_dict[key]}")
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    return args


def _connection_env(settings_dict):
    """The password and TLS options as libpq variables (as Django's dbshell passes them), never
    on a command line that `ps` shows."""
    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    timeout = settings_dict.get("OPTIONS", {}).get("connect_timeout")
    if timeout:
        env["PGCONNECT_TIMEOUT"] = str(timeout)
    return env


def _run(command, env):
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError:
        raise BackupError(
            _("%(program)s is not installed (Debian: apt-get install postgresql-client).")
            % {"program": command[0]}
        ) from None
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed (exit status %(status)s): %(error)s")
            % {
                "program": command[0],
                "status": result.returncode,
                "error": result.stderr.strip()[-2000:],
            }
        )
