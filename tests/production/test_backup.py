"""Backups and restores, run the way an operator runs them.

The restore is `manage.py restore` in a process of its own (production settings) into an empty
database (a new PostgreSQL database, or a new SQLite file on SQLite) after the media folder was
deleted; what comes back is compared with what was there, row by row and byte by byte.
"""

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from oscar.core.loading import get_model
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from backups import archive
from shop.order.statuses import COD
from tests.factories import certified_product, placed_order
from tests.production.conftest import database_url

ProductImage = get_model("catalogue", "ProductImage")
Order = get_model("order", "Order")


class UnreadableStorage(FileSystemStorage):
    """A storage whose files list but cannot be read (a disk going bad)."""

    def open(self, name, mode="rb"):
        raise OSError("Input/output error while reading the private volume")


def png(colour, size=(48, 32)):
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def file_hashes(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(root).rglob("*"))
        if path.is_file()
    }


def open_database(name):
    """A plain DB-API connection to the test database or to the restored one, the same kind
    for both so their rows compare equal."""
    if connection.vendor == "postgresql":
        return connection.get_new_connection({**connection.get_connection_params(), "dbname": name})
    return sqlite3.connect(name)


def table(label):
    model = get_image_model() if label == "image" else get_model(*label.split("."))
    return model._meta.db_table


def shop_rows(name):
    """Orders with their totals and lines, image rows and renditions, read with plain SQL."""
    queries = {
        "orders": f"SELECT number, total_incl_tax, total_excl_tax, shipping_incl_tax, status,"
        f" payment_method FROM {table('order.Order')} ORDER BY number",
        "lines": f"SELECT o.number, l.title, l.quantity, l.line_price_incl_tax"
        f" FROM {table('order.Line')} l JOIN {table('order.Order')} o ON o.id = l.order_id"
        f" ORDER BY o.number, l.title",
        "product images": f"SELECT product_id, original FROM {table('catalogue.ProductImage')}"
        f" ORDER BY id",
        "images": f"SELECT id, title, file, width, height, file_size FROM {table('image')}"
        f" ORDER BY id",
        "renditions": f"SELECT image_id, filter_spec, file"
        f" FROM {table('wagtailimages.Rendition')} ORDER BY id",
    }
    database = open_database(name)
    try:
        cursor = database.cursor()
        rows = {}
        for key, sql in queries.items():
            cursor.execute(sql)
            rows[key] = [tuple(row) for row in cursor.fetchall()]
        return rows
    finally:
        database.close()


@pytest.fixture
def shop(committed_db):
    """Three real orders of two products with photos, and two Wagtail images with a rendition
    each, committed so that pg_dump and other processes see them."""
    tea = certified_product(price=250000, stock=20, title="Chè Shan tuyết Tủa Chùa")
    honey = certified_product(price=180000, stock=20, title="Mật ong bạc hà")
    for number, product in enumerate([tea, honey]):
        photo = ProductImage(product=product, display_order=0)
        photo.original.save(f"san-pham-{number}.png", ContentFile(png((number * 90, 120, 60))))
    placed_order((tea, 2))
    placed_order((tea, 1), (honey, 3), method=COD)
    placed_order((honey, 1), language="en")
    for number, title in enumerate(["Đồi chè Shan tuyết", "Hội chợ OCOP Điện Biên"]):
        image = get_image_model()(title=title)
        name = f"anh-{number}.png"
        image.file.save(
            name, ImageFile(io.BytesIO(png((30, number * 90, 200))), name=name), save=False
        )
        image.save()
        image.get_rendition("fill-24x24")


@pytest.fixture
def empty_database(tmp_path):
    """Where the restore goes: a new, empty database beside the test database."""
    if connection.vendor != "postgresql":
        yield str(tmp_path / "restored.sqlite3")
        return
    name = f"{connection.settings_dict['NAME']}_restore"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    yield name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_restore(backup, database, media_root, env, *options):
    """`manage.py restore` in its own process, pointed at `database` and `media_root`."""
    return subprocess.run(
        [sys.executable, "manage.py", "restore", "--from", str(backup), *options],
        cwd=django_settings.BASE_DIR,
        env={**env, "DATABASE_URL": database_url(database), "MEDIA_ROOT": str(media_root)},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_a_restore_brings_back_every_order_image_and_file(
    shop, empty_database, production_env, settings, tmp_path
):
    media_root = Path(settings.MEDIA_ROOT)
    source = connection.settings_dict["NAME"]
    before = shop_rows(source)
    files = file_hashes(media_root)
    assert len(before["orders"]) == 3 and len(before["lines"]) == 4
    assert len(before["images"]) == 2 and len(before["renditions"]) == 2
    assert len(before["product images"]) == 2 and len(files) == 6

    backups = tmp_path / "backups"
    out = io.StringIO()
    call_command("backup", "--to", str(backups), stdout=out)
    first = archive.complete_backups(backups)
    assert len(first) == 1, out.getvalue()
    # A second run finds every file already there: nothing copied, and --keep 1 drops the first.
    second = archive.make_backup(backups, keep=1)
    assert (second.media_files, second.media_copied, second.media_copied_bytes) == (6, 0, 0)
    assert second.pruned == first
    assert archive.complete_backups(backups) == [second.path]
    assert not list(backups.glob("*.partial"))

    manifest = json.loads((second.path / "manifest.json").read_text())
    assert manifest["vendor"] == connection.vendor
    assert manifest["counts"]["order.Order"] == 3 and manifest["counts"]["order.Line"] == 4
    assert manifest["counts"]["catalogue.ProductImage"] == 2
    assert manifest["migrations"]["order"]
    listed = {entry["name"]: entry["sha256"] for entry in manifest["media"]["default"]}
    assert listed == files
    assert file_hashes(backups / "media" / "default") == files

    # The live database has data: the restore refuses without --yes and touches nothing.
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", "--from", str(second.path))
    assert Order.objects.count() == 3
    # The folder of all backups is not one backup: the newest is named instead.
    with pytest.raises(CommandError, match=second.path.name):
        call_command("restore", "--from", str(backups), "--yes")

    shutil.rmtree(media_root)
    restored = run_restore(second.path, empty_database, media_root, production_env)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert shop_rows(empty_database) == before
    assert file_hashes(media_root) == files

    # Restored again (over the restored database, with --yes) after a photo was damaged in the
    # backup and lost from the media folder, and another was altered in the media folder: the
    # altered one is put right, the damaged one is named and the exit status says so.
    damaged = next(name for name in files if "san-pham-0" in name)
    altered = next(name for name in files if name.startswith("original_images/anh-1"))
    copy = backups / "media" / "default" / damaged
    copy.write_bytes(bytes(byte ^ 0xFF for byte in copy.read_bytes()))
    (media_root / damaged).unlink()
    (media_root / altered).write_bytes(b"not the picture that was uploaded")
    again = run_restore(second.path, empty_database, media_root, production_env, "--yes")
    assert again.returncode != 0
    assert damaged in again.stderr and "sha256" in again.stderr
    assert altered not in again.stderr
    assert file_hashes(media_root) == {k: v for k, v in files.items() if k != damaged}
    assert shop_rows(empty_database) == before


@pytest.mark.django_db
def test_a_failed_backup_leaves_nothing_that_looks_complete(settings, tmp_path):
    # Every storage but the static files is backed up, however many there are.
    private = tmp_path / "private"
    (private / "reports").mkdir(parents=True)
    (private / "reports" / "lot-7.pdf").write_bytes(b"%PDF-1.7 test report")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": f"{__name__}.UnreadableStorage",
            "OPTIONS": {"location": str(private)},
        },
    }
    backups = tmp_path / "backups"
    with pytest.raises(CommandError, match="Input/output error"):
        call_command("backup", "--to", str(backups))
    assert archive.complete_backups(backups) == []
    assert not list(backups.glob("*.partial"))
    assert not list(backups.rglob("lot-7.pdf"))


def write_backup(root, name, media_names):
    folder = root / name
    folder.mkdir(parents=True)
    entries = [{"name": media_name, "size": 1, "sha256": "0" * 64} for media_name in media_names]
    manifest = {"format": archive.FORMAT, "media": {"default": entries}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    for media_name in media_names:
        path = root / "media" / "default" / media_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    return folder


def test_keep_removes_old_backups_and_the_media_only_they_listed(tmp_path):
    oldest = write_backup(tmp_path, "20261127T020000Z", ["images/old.jpg", "images/kept.jpg"])
    write_backup(tmp_path, "20261128T020000Z", ["images/kept.jpg"])
    write_backup(tmp_path, "20261128T020000Z-2", ["original_images/new.jpg"])
    (tmp_path / "media" / "default" / "images" / ".upload.partial").write_bytes(b"half")
    (tmp_path / "20261129T020000Z.partial").mkdir()  # unfinished: never counted or restored

    assert archive.prune(tmp_path, 2) == [oldest]

    assert [path.name for path in archive.complete_backups(tmp_path)] == [
        "20261128T020000Z",
        "20261128T020000Z-2",
    ]
    assert sorted(file_hashes(tmp_path / "media")) == [
        "default/images/kept.jpg",
        "default/original_images/new.jpg",
    ]


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_whole_backup(tmp_path):
    with pytest.raises(CommandError, match="missing-backup"):
        call_command("restore", "--from", str(tmp_path / "missing-backup"))
    unfinished = tmp_path / "20261129T020000Z.partial"
    unfinished.mkdir()
    with pytest.raises(CommandError, match=r"20261129T020000Z\.partial"):
        call_command("restore", "--from", str(unfinished))


@pytest.mark.django_db
def test_a_damaged_dump_is_refused_before_anything_is_written(tmp_path):
    backup = tmp_path / "20261129T020000Z"
    backup.mkdir()
    (backup / "database.dump").write_bytes(b"not a dump")
    manifest = {
        "format": archive.FORMAT,
        "vendor": connection.vendor,
        "database": {"file": "database.dump", "size": 10, "sha256": "0" * 64},
        "counts": {},
        "migrations": {},
        "media": {},
    }
    (backup / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="database.dump"):
        call_command("restore", "--from", str(backup), "--yes")
    assert "order_order" in connection.introspection.table_names()


def test_the_nightly_units_pass_systemd_analyze(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze (Debian package systemd) is not installed")
    # systemd checks that the program exists: point the units at this checkout instead of
    # /srv/ocop.
    units = Path(django_settings.BASE_DIR) / "deploy" / "systemd"
    for name in ("ocop-backup.service", "ocop-backup.timer"):
        text = (units / name).read_text().replace("/srv/ocop", str(django_settings.BASE_DIR))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unit=ocop-backup.service" in (tmp_path / "ocop-backup.timer").read_text()
