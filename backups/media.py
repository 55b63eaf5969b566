"""The media half of a backup: every file of every storage but the static files, copied through
the storage API (a local folder and S3 alike) into one folder per storage alias, and back.

Media files are never overwritten in place (`file_overwrite` is off), so a file already in the
backup with the same size is the same file: a nightly run copies only what is new. A file
deleted and uploaded again under the same name with another size is copied again; older backups
then hold the newer bytes, which their restore reports as a sha256 mismatch.
"""

import hashlib
import os
import posixpath
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import storages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backups.errors import BackupError

CHUNK = 1024 * 1024


def media_aliases():
    return [alias for alias in storages.backends if alias != "staticfiles"]


def walk(storage, path=""):
    """Every file name in a storage, depth first, through `listdir` alone."""
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        if path:
            raise
        return  # a local media folder nothing was uploaded to yet
    for name in sorted(files):
        yield posixpath.join(path, name)
    for directory in sorted(directories):
        yield from walk(storage, posixpath.join(path, directory))


def local_path(root, alias, name):
    """Where a stored file lives in the backup; refuses names that would leave the folder."""
    parts = PurePosixPath(name).parts
    if not parts or PurePosixPath(name).is_absolute() or ".." in parts:
        raise BackupError(_("Unsafe file name in a storage: %(name)s") % {"name": name})
    return Path(root, alias, *parts)


def sha256_of(file):
    digest = hashlib.sha256()
    while chunk := file.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass
class MediaCopy:
    files: dict = field(default_factory=dict)  # alias → [{"name", "size", "sha256"}]
    copied: int = 0
    copied_bytes: int = 0

    @property
    def total(self):
        return sum(len(entries) for entries in self.files.values())


def back_up(root, known):
    """Copy every media file not yet in `root`; `known` maps (alias, name, size) to the sha256
    an earlier manifest recorded, so files already copied are not read again."""
    result = MediaCopy()
    for alias in media_aliases():
        storage = storages[alias]
        entries = result.files[alias] = []
        for name in walk(storage):
            size = storage.size(name)
            target = local_path(root, alias, name)
            if target.is_file() and target.stat().st_size == size:
                digest = known.get((alias, name, size))
                if digest is None:
                    with target.open("rb") as file:
                        digest = sha256_of(file)
            else:
                digest = _copy_in(storage, name, target)
                result.copied += 1
                result.copied_bytes += size
            entries.append({"name": name, "size": size, "sha256": digest})
    return result


def _copy_in(storage, name, target):
    """Stream one stored file into the backup, hashing it on the way; a file appears whole or
    not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=".", suffix=".partial", delete=False
    ) as temporary:
        try:
            with storage.open(name, "rb") as source:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    temporary.write(chunk)
            temporary.flush()
            os.fsync(temporary.fileno())
        except BaseException:
            os.unlink(temporary.name)
            raise
    os.replace(temporary.name, target)
    return digest.hexdigest()


@dataclass
class MediaRestore:
    restored: int = 0
    present: int = 0
    problems: list = field(default_factory=list)
    failed: set = field(default_factory=set)  # (alias, name) of the files named in problems


def restore(files, root):
    """Put every file the manifest lists back into its storage, then read each one back.

    A file already stored with the right bytes is left alone; one with other bytes is replaced;
    a copy in the backup whose bytes differ from the manifest is not written."""
    result = MediaRestore()
    for alias, entries in files.items():
        if alias not in storages.backends:
            result.problems.append(
                ngettext(
                    "Storage %(alias)s is not configured: its %(count)d file was not restored.",
                    "Storage %(alias)s is not configured: its %(count)d files were not restored.",
                    len(entries),
                )
                % {"alias": alias, "count": len(entries)}
            )
            continue
        storage = storages[alias]
        for entry in entries:
            name = entry["name"]
            if storage.exists(name) and _stored_sha256(storage, name) == entry["sha256"]:
                result.present += 1
                continue
            copy = local_path(root, alias, name)
            if not copy.is_file():
                result.failed.add((alias, name))
                result.problems.append(
                    _("%(alias)s/%(name)s is missing from the backup.")
                    % {"alias": alias, "name": name}
                )
                continue
            with copy.open("rb") as file:
                damaged = sha256_of(file) != entry["sha256"]
            if damaged:
                result.failed.add((alias, name))
                result.problems.append(
                    _(
                        "%(alias)s/%(name)s: the copy in the backup is damaged (its sha256 "
                        "differs from the manifest); not restored."
                    )
                    % {"alias": alias, "name": name}
                )
                continue
            if storage.exists(name):
                storage.delete(name)
            with copy.open("rb") as file:
                saved = storage.save(name, File(file, name=name))
            if saved != name:
                result.failed.add((alias, name))
                result.problems.append(
                    _("%(alias)s/%(name)s was stored as %(saved)s.")
                    % {"alias": alias, "name": name, "saved": saved}
                )
                continue
            result.restored += 1
    return result


def verify(files, failed=()):
    """Every file the manifest lists, read back from its storage: problems, if any. Files in
    `failed` (alias, name) were already reported by restore()."""
    problems = []
    for alias, entries in files.items():
        if alias not in storages.backends:
            continue  # already reported by restore()
        storage = storages[alias]
        for entry in entries:
            name = entry["name"]
            if (alias, name) in failed:
                continue
            if not storage.exists(name):
                problems.append(
                    _("%(alias)s/%(name)s is not in the storage.") % {"alias": alias, "name": name}
                )
            elif _stored_sha256(storage, name) != entry["sha256"]:
                problems.append(
                    _("%(alias)s/%(name)s in the storage differs from the backup (sha256).")
                    % {"alias": alias, "name": name}
                )
    return problems


def _stored_sha256(storage, name):
    with storage.open(name, "rb") as file:
        return sha256_of(file)
