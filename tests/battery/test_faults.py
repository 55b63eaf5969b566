"""Item 13: the S3 store goes away during uploads and label printing, and the registry feed
misbehaves during a sync. The storefront keeps answering, no page says "certified" when the
mirror does not, and nothing is half-written.

The store is cut off the way a network fails: a TCP relay in front of the moto server closes
every connection and refuses new ones, in the middle of a request, then comes back. (Stopping
moto itself would also forget what it held, and the test could not check what was written.)
"""

import itertools
import socket
import threading
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.factories import certified_product
from tests.registry_server import FakeRegistry, feed_record
from tests.s3 import _forget_thumbnail_storage
from traceability.models import Certification, Label, LabelSheet, Lot, SyncRun

pytestmark = pytest.mark.django_db

CERTIFIED_EN = "Certified OCOP"


class Relay:
    """127.0.0.1:<port> relayed to `target`; `cut()` drops every connection and refuses new
    ones (connection refused), `mend()` listens again on the same port."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.port = None
        self.listener = None
        self.connections = set()
        self.lock = threading.Lock()
        self.mend()

    def mend(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port or 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self):
        with self.lock:
            try:
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread in accept()
            except OSError:
                pass
            self.listener.close()
            for conn in self.connections:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                conn.close()
            self.connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for conn in (source, sink):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


@pytest.fixture
def store(moto_server, settings, monkeypatch):
    """STORAGES on the moto server, reached through a relay the test can cut."""
    import environ

    from config.storage_settings import media_storages

    moto_server.start()
    relay = Relay(urlsplit(moto_server.url).port)
    for name, value in moto_server.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", f"http://127.0.0.1:{relay.port}")
    monkeypatch.setenv("AWS_S3_UNAVAILABLE_FOR", "0")
    settings.STORAGES = {
        **settings.STORAGES,
        **media_storages(environ.Env(), private_root=settings.PRIVATE_MEDIA_ROOT),
    }
    _forget_thumbnail_storage()
    yield moto_server, relay
    relay.cut()
    _forget_thumbnail_storage()


def picture_bytes(size):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


def cut_after(relay, seconds):
    timer = threading.Timer(seconds, relay.cut)
    timer.start()
    return timer


# Fast: a handful of moments; soak: many.
FAST_DELAYS = (0.0, 0.03, 0.1, 0.3)
SOAK_DELAYS = tuple(round(0.02 * n, 2) for n in range(40))


def label_printing_with_the_store_cut(store, delays, tmp_path):
    from traceability.label_sheets import print_sheet

    server, relay = store
    product = certified_product(title="Chè Shan tuyết Tủa Chùa")
    lot = Lot.objects.create(product=product, code="L-CUT", produced_on=timezone.localdate())
    failed = 0
    for number, delay in enumerate(delays):
        timer = cut_after(relay, delay)
        try:
            print_sheet(
                lot,
                tmp_path / f"sheet-{number}.pdf",
                fmt="pdf",
                bundle_dir=tmp_path,
                count=48,
                serialised=True,
            )
        except OSError:
            failed += 1
        timer.join()
        relay.mend()
    sheets = list(LabelSheet.objects.all())
    rows_without_file = [s.pk for s in sheets if not s.file.storage.exists(s.file.name)]
    serials_without_sheet = Label.objects.count() - sum(s.count for s in sheets)
    return len(delays), failed, rows_without_file, serials_without_sheet


def uploads_with_the_store_cut(store, delays, staff_client):
    from wagtail.images import get_image_model

    server, relay = store
    staff_client.raise_request_exception = False
    statuses = []
    for number, delay in enumerate(delays):
        timer = cut_after(relay, delay)
        upload = SimpleUploadedFile(f"doi-che-{number}.jpg", picture_bytes((1600, 1200)))
        response = staff_client.post(
            "/admin/images/add/", {"title": f"Đồi chè {number}", "file": upload}
        )
        statuses.append(response.status_code)
        timer.join()
        relay.mend()
    images = get_image_model().objects.all()
    rows_without_file = [i.pk for i in images if not i.file.storage.exists(i.file.name)]
    return statuses, images.count(), rows_without_file


@pytest.mark.parametrize(
    "delays",
    [
        pytest.param(FAST_DELAYS, id="fast"),
        pytest.param(SOAK_DELAYS, id="soak", marks=pytest.mark.soak),
    ],
)
def test_store_cut_during_uploads_and_label_printing(
    store, delays, staff_client, tmp_path, battery
):
    runs, failed, sheet_rows, serials = label_printing_with_the_store_cut(store, delays, tmp_path)
    statuses, images, image_rows = uploads_with_the_store_cut(store, delays, staff_client)

    server, relay = store
    relay.cut()
    visitor = Client(raise_request_exception=False)
    product = LabelSheet.objects.first().lot.product if LabelSheet.objects.exists() else None
    pages = ["/", "/shop/catalogue/"] + ([product.get_absolute_url()] if product else [])
    lot = Lot.objects.get(code="L-CUT")
    pages.append(f"/q/{lot.short_code}")
    page_statuses = [visitor.get(url).status_code for url in pages]
    relay.mend()

    server_errors = sum(status >= 500 and status != 503 for status in statuses)
    half_written = len(sheet_rows) + len(image_rows) + abs(serials)
    battery.record(
        13,
        "S3 store cut during uploads and label printing",
        f"{runs} label runs ({failed} refused), {len(statuses)} uploads "
        f"({images} stored, the rest refused with a message), {server_errors} server errors, "
        f"{half_written} half-written, pages while cut: {page_statuses}",
        ok=server_errors == 0 and half_written == 0 and set(page_statuses) == {200},
    )
    assert (sheet_rows, image_rows, serials) == ([], [], 0)
    assert server_errors == 0, statuses
    assert set(page_statuses) == {200}, dict(zip(pages, page_statuses, strict=True))


# --- The registry misbehaving during a sync ----------------------------------------------------

FAULTS = [
    ("status", 500),
    ("status", 503),
    ("truncate",),
    ("delay", 1.0),
    ("body", b"{"),
    ("repeat",),
]


def shown_certified(client, lot):
    response = client.get(f"/q/{lot.short_code}?lang=en")
    assert response.status_code == 200, response.status_code
    return CERTIFIED_EN in response.content.decode()


def in_force(product):
    from traceability.certification import State

    product = type(product).objects.select_related("certification").get(pk=product.pk)
    return product.standing.state in (State.ACTIVE, State.EXPIRING)


def registry_sync_with_faults(settings, pages):
    """Eight certificates on four pages of two. Each round the registry revokes another pair
    and reinstates the last one, then one page of the sync fails. Counts pages shown certified
    while the mirror is not in force, pages applied in part, and wrong answers after a retry."""
    from traceability.tasks import sync_from_feed

    ids = [f"R-{n}" for n in range(1, 9)]
    feed_pages = [ids[n : n + 2] for n in range(0, len(ids), 2)]
    with FakeRegistry([feed_record(i) for i in ids], page_size=2) as registry:
        settings.REGISTRY_URL, settings.REGISTRY_TOKEN = registry.url, registry.token
        settings.REGISTRY_TIMEOUT = 0.3
        # One visitor reads every scan page many times here: not what the rate limit is for.
        settings.SCAN_RATE_PER_CODE = settings.SCAN_RATE_PER_SOURCE = 100_000
        assert sync_from_feed(full=True).status == SyncRun.Status.SUCCEEDED
        lots = {}
        for registry_id in ids:
            certificate = Certification.objects.get(registry_id=registry_id)
            product = certified_product(certification=certificate, title=certificate.product_name)
            lots[registry_id] = Lot.objects.create(
                product=product, code=f"L-{registry_id}", produced_on=timezone.localdate()
            )
        visitor = Client(raise_request_exception=False)
        runs = wrong = half_applied = 0
        later = timezone.now()
        for fault, page in itertools.product(FAULTS, pages):
            later += timezone.timedelta(minutes=1)
            revoked = set(feed_pages[runs % len(feed_pages)])
            for record in registry.records:
                status = "revoked" if record["id"] in revoked else "active"
                if record["status"] != status:
                    record.update(status=status, updated_at=later.isoformat())
            truth = {r["id"]: r["status"] for r in registry.records}
            for lot in lots.values():  # every answer cached before the sync
                shown_certified(visitor, lot)
            registry.faults = {page: fault}
            sync_from_feed(full=True)
            runs += 1
            mirror = dict(Certification.objects.values_list("registry_id", "status"))
            for lot in lots.values():
                if shown_certified(visitor, lot) and not in_force(lot.product):
                    wrong += 1
            for feed_page in feed_pages:  # applied whole, or not at all
                if len({mirror[i] == truth[i] for i in feed_page}) > 1:
                    half_applied += 1
        registry.faults = {}
        assert sync_from_feed(full=True).status == SyncRun.Status.SUCCEEDED
        truth = {r["id"]: r["status"] == "active" for r in registry.records}
        after_retry = sum(shown_certified(visitor, lots[i]) != truth[i] for i in ids)
    return runs, wrong, half_applied, after_retry


@pytest.mark.parametrize(
    "pages",
    [pytest.param((2,), id="fast"), pytest.param((1, 2, 3, 4), id="soak", marks=pytest.mark.soak)],
)
def test_registry_misbehaving_during_sync(settings, pages, battery):
    runs, wrong, half_applied, after_retry = registry_sync_with_faults(settings, pages)
    battery.record(
        13,
        "Registry feed misbehaving during sync",
        f"{runs} faulty syncs (500/503, truncated, timeout, garbage, loop): {wrong} wrong "
        f"'certified', {half_applied} half-applied pages, {after_retry} wrong after the retry",
        ok=wrong == half_applied == after_retry == 0,
    )
    assert (wrong, half_applied, after_retry) == (0, 0, 0)
