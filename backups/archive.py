"""Making a backup, keeping the last few, and restoring one.

A backup folder holds one folder per backup and the media they share:

    DIR/20261129T020000Z/manifest.json   time, database, key table counts, migrations, media
    DIR/20261129T020000Z/database.dump   (PostgreSQL, pg_dump custom format) or database.sqlite3
    DIR/media/<storage alias>/...        every media file, copied once

A backup is written to `DIR/<time>.partial` and renamed when complete, so a folder with a
manifest and without `.partial` is a whole backup.
"""

import datetime
import fcntl
import json
import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from backups import database, media
from backups.errors import BackupError

MANIFEST = "manifest.json"
FORMAT = 1
BACKUP_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")
PARTIAL = ".partial"


@dataclass
class BackupResult:
    path: Path
    database_bytes: int
    media_files: int
    media_copied: int
    media_copied_bytes: int
    seconds: float
    pruned: list


def make_backup(root, keep=None, using="default"):
    """Back up the database and every media file into `root`; keep the newest `keep` backups."""
    if keep is not None and keep < 1:
        raise BackupError(_("--keep must be at least 1."))
    started = time.monotonic()
    root = Path(root)
    with _locked(root):
        for leftover in root.glob(f"*{PARTIAL}"):
            shutil.rmtree(leftover)  # a run that was killed; never a whole backup
        created = timezone.now().astimezone(datetime.UTC)
        final = _free_name(root, created.strftime("%Y%m%dT%H%M%SZ"))
        partial = final.with_name(final.name + PARTIAL)
        partial.mkdir()
        try:
            connection = connections[using]
            dump_name, found = database.dump(connection, partial)
            dump_path = partial / dump_name
            copied = media.back_up(root / "media", _known_media(root))
            manifest = {
                "format": FORMAT,
                "created_at": created.isoformat(),
                "vendor": connection.vendor,
                "database": {
                    "file": dump_name,
                    "size": dump_path.stat().st_size,
                    "sha256": _file_sha256(dump_path),
                },
                **found,
                "media": copied.files,
            }
            _write_json(partial / MANIFEST, manifest)
            # On disk before the name says "complete", even if the power goes a moment later.
            for path in (dump_path, partial / MANIFEST, partial):
                _fsync(path)
            partial.rename(final)
            _fsync(root)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        pruned = prune(root, keep) if keep else []
    return BackupResult(
        path=final,
        database_bytes=manifest["database"]["size"],
        media_files=copied.total,
        media_copied=copied.copied,
        media_copied_bytes=copied.copied_bytes,
        seconds=time.monotonic() - started,
        pruned=pruned,
    )


def complete_backups(root):
    """Whole backups in `root`, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(
        (
            path
            for path in root.iterdir()
            if BACKUP_NAME.match(path.name) and (path / MANIFEST).is_file()
        ),
        key=_backup_order,
    )


def prune(root, keep):
    """Delete all but the newest `keep` backups, then the media files none of those lists."""
    backups = complete_backups(root)
    removed = backups[:-keep] if keep < len(backups) else []
    for path in removed:
        shutil.rmtree(path)
    listed = set()
    for path in backups[len(removed) :]:
        for alias, entries in load_manifest(path)["media"].items():
            listed.update(media.local_path("", alias, entry["name"]) for entry in entries)
    media_root = Path(root) / "media"
    for file in sorted(media_root.rglob("*")) if media_root.is_dir() else []:
        if file.is_file() and file.relative_to(media_root) not in listed:
            file.unlink()
    for folder in sorted(media_root.rglob("*"), reverse=True) if media_root.is_dir() else []:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return removed


def load_manifest(path):
    path = Path(path)
    if not path.is_dir():
        raise BackupError(_("%(path)s does not exist.") % {"path": path})
    if path.name.endswith(PARTIAL):
        raise BackupError(
            _("%(path)s is an unfinished backup and cannot be restored.") % {"path": path}
        )
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        backups = complete_backups(path)
        if backups:
            raise BackupError(
                _("%(path)s holds backups: give one of them, e.g. %(newest)s.")
                % {"path": path, "newest": backups[-1]}
            ) from None
        raise BackupError(
            _("%(path)s is not a backup: it has no %(file)s.") % {"path": path, "file": MANIFEST}
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(
            _("The manifest of %(path)s cannot be read: %(error)s") % {"path": path, "error": exc}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(
            _("%(path)s was written in a backup format this version does not read.")
            % {"path": path}
        )
    return manifest


@dataclass
class RestoreResult:
    vendor: str
    counts: dict  # label → (in the backup, after restoring)
    media_restored: int
    media_present: int
    problems: list


def restore_backup(path, confirmed=False, using="default"):
    """Restore the database and the media of one backup, then check them against its manifest.

    Everything that can be checked before writing is checked first (the manifest, the database
    vendor, the dump's sha256, an empty database or `confirmed`)."""
    path = Path(path).resolve()  # its parent holds the media, even for `--from .`
    manifest = load_manifest(path)
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            _("This backup is of a %(backup)s database; the configured database is %(target)s.")
            % {"backup": manifest["vendor"], "target": connection.vendor}
        )
    dump_path = path / manifest["database"]["file"]
    if not dump_path.is_file() or _file_sha256(dump_path) != manifest["database"]["sha256"]:
        raise BackupError(
            _("The database dump %(path)s is missing or damaged (sha256); nothing was restored.")
            % {"path": dump_path}
        )
    if not confirmed and not database.is_empty(connection):
        raise BackupError(
            _(
                "The database %(name)s is not empty: restoring replaces its contents. "
                "Run again with --yes to do that."
            )
            % {"name": connection.settings_dict["NAME"]}
        )
    database.restore(connection, dump_path)
    restored = media.restore(manifest["media"], path.parent / "media")
    problems = restored.problems + media.verify(manifest["media"], restored.failed)
    with connection.cursor() as cursor:
        found = database.facts(cursor)
    counts = {}
    for label, expected in manifest["counts"].items():
        counts[label] = (expected, found["counts"].get(label))
        if counts[label][1] != expected:
            problems.append(
                _("%(table)s: %(found)s rows after restoring, %(expected)s in the backup.")
                % {"table": label, "found": counts[label][1], "expected": expected}
            )
    if found["migrations"] != manifest["migrations"]:
        problems.append(_("The applied migrations differ from the backup's."))
    return RestoreResult(
        vendor=manifest["vendor"],
        counts=counts,
        media_restored=restored.restored,
        media_present=restored.present,
        problems=problems,
    )


@contextmanager
def _locked(root):
    """One backup at a time into a folder (a nightly timer and a hand-started run, say)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = (root / ".lock").open("w")
    except OSError as exc:
        raise BackupError(
            _("Cannot write to %(path)s: %(error)s") % {"path": root, "error": exc}
        ) from None
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                _("Another backup into %(path)s is running.") % {"path": root}
            ) from None
        yield


def _free_name(root, stamp):
    candidate, number = root / stamp, 1
    while candidate.exists() or candidate.with_name(candidate.name + PARTIAL).exists():
        number += 1
        candidate = root / f"{stamp}-{number}"
    return candidate


def _backup_order(path):
    stamp, _dash, number = path.name.partition("-")
    return stamp, int(number or 1)


def _known_media(root):
    """(alias, name, size) → sha256 from the newest whole backup, if any."""
    backups = complete_backups(root)
    if not backups:
        return {}
    try:
        files = load_manifest(backups[-1])["media"]
    except BackupError:
        return {}  # an unreadable manifest only costs hashing the files again
    return {
        (alias, entry["name"], entry["size"]): entry["sha256"]
        for alias, entries in files.items()
        for entry in entries
    }


def _file_sha256(path):
    with open(path, "rb") as file:
        return media.sha256_of(file)


def _fsync(path):
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_json(path, data):
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
