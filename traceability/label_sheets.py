"""Printed label sheets kept in private storage, so staff can download one again.

All or nothing: a sheet's serial labels, its stored file and its `LabelSheet` row are written
together. When storing fails (the file store is down, the disk is full) no row is left, no
partial file, and no serial label that was never handed to anyone: a printed serial the
database does not know would scan as a suspected fake.
"""

import logging
import zipfile
from pathlib import Path

from django.core.files import File
from django.db import transaction

from config.media import private_storage

from .labels import LAYOUTS, write_sheet
from .models import LabelSheet

logger = logging.getLogger(__name__)
# In the kept file's name (and so its download name) of a sheet marked as a demo.
DEMO_SUFFIX = "-demo"


def bundle(files, folder, name="labels"):
    """The one file to keep and download: the sheet itself, or a zip of its pages."""
    if len(files) == 1:
        return Path(files[0])
    archive_path = Path(folder) / f"{name}.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for file in files:
            archive.write(file, Path(file).name)
    return archive_path


def store_sheet(lot, path, *, fmt, layout, count, serialised, created_by=None, demo=False):
    """Keep the drawn sheet at `path`: the file in private storage, then its row.

    When either fails, neither stays: a file that was stored (or half written) is deleted.
    """
    storage = private_storage()
    sheet = LabelSheet(
        lot=lot,
        format=fmt,
        layout=layout,
        count=count,
        serialised=serialised,
        created_by=created_by,
    )
    name = f"labels-{lot.code}{DEMO_SUFFIX if demo else ''}{Path(path).suffix}"
    wanted = sheet.file.field.generate_filename(sheet, name)
    # Chosen first so a failed save can be cleaned up by name (no file is ever overwritten).
    name = storage.get_available_name(wanted, max_length=sheet.file.field.max_length)
    try:
        with open(path, "rb") as content:
            sheet.file.name = storage.save(name, File(content))
        with transaction.atomic():
            sheet.save()
    except BaseException:
        _discard(storage, sheet.file.name or name)
        raise
    return sheet


def _discard(storage, name):
    try:
        storage.delete(name)
    except Exception:  # the store that just failed may fail again: say what may be left
        logger.warning("Could not remove %s from private storage", name, exc_info=True)


def print_sheet(
    lot,
    out,
    *,
    fmt,
    bundle_dir,
    count=None,
    serialised=False,
    layout="a4-24",
    created_by=None,
    progress=None,
    demo=False,
):
    """Draw a sheet at `out` (see labels.write_sheet) and keep it; all or nothing.

    Returns (files written at `out`, the file kept — the sheet or a zip in `bundle_dir` —,
    the LabelSheet). On failure the files at `out` are removed too. UnprintableOrigin (nothing
    drawn, nothing kept) when SITE_URL may not be printed and the sheet is not a demo.
    """
    count = count or LAYOUTS[layout].per_sheet
    files = []
    try:
        with transaction.atomic():
            files = write_sheet(lot, out, fmt, count, serialised, layout, progress, demo)
            kept = bundle(files, bundle_dir, f"labels-{lot.code}{DEMO_SUFFIX if demo else ''}")
            sheet = store_sheet(
                lot,
                kept,
                fmt=fmt,
                layout=layout,
                count=count,
                serialised=serialised,
                created_by=created_by,
                demo=demo,
            )
    except BaseException:
        for file in files:
            Path(file).unlink(missing_ok=True)
        raise
    return files, kept, sheet
