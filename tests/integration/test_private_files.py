"""Private files on local disk (the demo's default): lot documents and stored label sheets.

They live under PRIVATE_MEDIA_ROOT, which no URL serves; staff who may see lots download them
through the Django admin. A label sheet is kept all or nothing. The same on S3 is in
tests/production/test_s3.py.
"""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from staff.roles import REGISTRY_OFFICERS, SHOP_STAFF
from tests.factories import certified_product
from traceability.models import Label, LabelSheet, Lot, LotEvent

pytestmark = pytest.mark.django_db

LABELS = {"count": 3, "serialised": "on", "format": "pdf", "layout": "a4-24"}


class WritesHalfThenFails(FileSystemStorage):
    """A disk (or a connection) that gives out in the middle of a file."""

    def _save(self, name, content):
        Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
        Path(self.path(name)).write_bytes(content.read(100))
        raise OSError("No space left on device")


@pytest.fixture
def lot():
    today = timezone.localdate()
    return Lot.objects.create(
        product=certified_product(), code="L-PRIV", produced_on=today - datetime.timedelta(days=5)
    )


@pytest.fixture
def report(lot):
    event = LotEvent(lot=lot, kind="inspection", happened_on=lot.produced_on)
    event.document.save("kiem-nghiem.pdf", ContentFile(b"%PDF-1.4 report"), save=True)
    return event


@pytest.fixture
def broken_private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": f"{__name__}.WritesHalfThenFails",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "private"


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in Path(folder).rglob("*") if p.is_file())


def test_lot_documents_are_kept_outside_public_media(report, settings):
    assert (
        Path(settings.PRIVATE_MEDIA_ROOT, report.document.name).read_bytes() == b"%PDF-1.4 report"
    )
    assert not Path(settings.MEDIA_ROOT, report.document.name).exists()


def test_only_staff_who_may_see_lots_download_a_document(client, make_member, report):
    url = f"/django-admin/traceability/lot/{report.lot_id}/documents/{report.pk}/"
    assert client.get(url)["Location"].startswith("/django-admin/login/")
    client.force_login(make_member(SHOP_STAFF))
    assert client.get(url).status_code == 403
    client.force_login(make_member(REGISTRY_OFFICERS))
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert 'attachment; filename="kiem-nghiem.pdf"' == response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 report"
    assert (
        client.get(f"/django-admin/traceability/lot/{report.lot_id}/documents/999/").status_code
        == 404
    )


def test_the_lot_form_links_the_document_to_the_staff_view(staff_client, report):
    page = staff_client.get(
        f"/django-admin/traceability/lot/{report.lot_id}/change/"
    ).content.decode()
    assert f'href="/django-admin/traceability/lot/{report.lot_id}/documents/{report.pk}/"' in page
    assert "/private-media/" not in page and "/media/lots/" not in page


def test_the_scan_page_says_a_document_is_on_file_without_linking_it(report):
    page = Client().get(f"/q/{report.lot.short_code}?lang=en").content.decode()
    assert "document kept on file" in page
    assert "kiem-nghiem" not in page


def test_a_printed_sheet_is_kept_and_can_be_downloaded_again(client, make_member, lot, settings):
    officer = make_member(REGISTRY_OFFICERS)
    client.force_login(officer)
    response = client.post(f"/django-admin/traceability/lot/{lot.pk}/labels/", LABELS)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="labels-L-PRIV.pdf"'
    printed = b"".join(response.streaming_content)
    sheet = LabelSheet.objects.get()
    assert (sheet.lot, sheet.count, sheet.serialised, sheet.created_by) == (lot, 3, True, officer)
    assert Path(settings.PRIVATE_MEDIA_ROOT, sheet.file.name).read_bytes() == printed
    assert Label.objects.filter(lot=lot).count() == 3
    again = client.get(f"/django-admin/traceability/labelsheet/{sheet.pk}/download/")
    assert b"".join(again.streaming_content) == printed
    listing = client.get(f"/django-admin/traceability/lot/{lot.pk}/labels/").content.decode()
    assert f"/django-admin/traceability/labelsheet/{sheet.pk}/download/" in listing
    assert client.get("/django-admin/traceability/labelsheet/").status_code == 200
    client.force_login(make_member(SHOP_STAFF))
    assert (
        client.get(f"/django-admin/traceability/labelsheet/{sheet.pk}/download/").status_code == 403
    )


def test_pages_of_png_labels_are_kept_as_one_zip(staff_client, lot):
    form = {**LABELS, "count": 30, "format": "png", "serialised": ""}
    response = staff_client.post(f"/django-admin/traceability/lot/{lot.pk}/labels/", form)
    assert response["Content-Disposition"] == 'attachment; filename="labels-L-PRIV.zip"'
    assert LabelSheet.objects.get().file.name.endswith(".zip")


def test_when_the_sheet_cannot_be_kept_nothing_is_made(staff_client, lot, broken_private_storage):
    response = staff_client.post(f"/django-admin/traceability/lot/{lot.pk}/labels/", LABELS)
    assert response.status_code == 200
    assert "Không lưu được tờ tem nhãn nên chưa tạo tem nào" in response.content.decode()
    assert not LabelSheet.objects.exists()
    assert not Label.objects.exists()  # no serial that was never handed out
    assert files_under(broken_private_storage) == []  # the half-written file is gone


def test_make_labels_stores_the_sheet_on_request(lot, tmp_path, settings):
    out = tmp_path / "labels.pdf"
    stdout = io.StringIO()
    call_command("make_labels", lot="L-PRIV", out=str(out), store=True, stdout=stdout)
    sheet = LabelSheet.objects.get()
    assert Path(settings.PRIVATE_MEDIA_ROOT, sheet.file.name).read_bytes() == out.read_bytes()
    assert sheet.count == 24 and sheet.created_by is None
    assert f"label sheet {sheet.pk}" in stdout.getvalue()
    call_command("make_labels", lot="L-PRIV", store=True, stdout=io.StringIO())  # no --out
    assert LabelSheet.objects.count() == 2
    with pytest.raises(CommandError, match="--out FILE, --store"):
        call_command("make_labels", lot="L-PRIV", stdout=io.StringIO())


def test_make_labels_leaves_nothing_when_the_sheet_cannot_be_stored(
    lot, tmp_path, broken_private_storage
):
    out = tmp_path / "labels.pdf"
    with pytest.raises(CommandError, match="no labels were made"):
        call_command(
            "make_labels",
            lot="L-PRIV",
            serialised=True,
            out=str(out),
            store=True,
            stdout=io.StringIO(),
        )
    assert not out.exists() and not Label.objects.exists() and not LabelSheet.objects.exists()
