"""Item 12: hostile uploads to every upload form, against the site under gunicorn.

Forms: Wagtail images (one at a time and the multiple uploader), Wagtail documents, Oscar's
product photos (the dashboard's product form), a lot step's photo and document (Django admin),
and the certification spreadsheet import. Files: a decompression bomb (a PNG of 144 megapixels
in a few hundred kilobytes), a pixel flood (a header claiming 65,535 × 65,535 pixels), an SVG
with a script (as .svg and renamed .png), a polyglot (a real picture or PDF with a web page in
it), an XLSX that unpacks to more than it may, and a file of 100 MB (30 MB in the fast suite).

Each must be refused (nothing kept) with no server error, within 2 s of being sent, while the
gunicorn worker's peak memory (VmHWM) stays under 512 MB. A normal file through each form is
the control: it is kept.
"""

import http.client
import io
import os
import re
import struct
import time
import uuid
import zipfile
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from oscar.test import factories as oscar_factories
from PIL import Image

from tests.factories import certified_product
from tests.integration.test_spreadsheet import ROWS, as_csv
from tests.production.conftest import database_url
from tests.production.test_gunicorn import Server
from traceability.models import Lot, LotEvent

SECONDS = 2.0
PEAK_MEMORY_MB = 512


# --- Hostile files, written to disk without holding them in memory -------------------------------


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def write_bomb_png(path, side=12_000):
    """A real, decodable greyscale PNG of side × side pixels: zeros compress ~1000 to 1."""
    compressor = zlib.compressobj(9)
    row = b"\0" * (side + 1)  # filter byte + pixels
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)))
        data = bytearray()
        for _ in range(side):
            data += compressor.compress(row)
        data += compressor.flush()
        out.write(_png_chunk(b"IDAT", bytes(data)))
        out.write(_png_chunk(b"IEND", b""))


def write_flood_png(path):
    """A header that claims 65,535 × 65,535 RGBA pixels, with a few bytes of data."""
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(_png_chunk(b"IHDR", struct.pack(">IIBBBBB", 65535, 65535, 8, 6, 0, 0, 0)))
        out.write(_png_chunk(b"IDAT", zlib.compress(b"\0" * 1024)))
        out.write(_png_chunk(b"IEND", b""))


def small_png():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script></svg>"
)
PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def write_big(path, megabytes, head=b""):
    block = b"\0" * (1024 * 1024)
    with open(path, "wb") as out:
        out.write(head)
        for _ in range(megabytes):
            out.write(block)


def write_xlsx_bomb(path, unpacked_mb=100):
    """A workbook whose sheet unpacks to `unpacked_mb` MB of XML, zipped to a few hundred KB."""
    row = b"<row><c t='inlineStr'><is><t>" + b"A" * 1000 + b"</t></is></c></row>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(unpacked_mb * 1024 * 1024 // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")


def hostile_files(folder, big_mb):
    """name → (path, file name sent) for every kind of hostile file."""
    folder.mkdir(exist_ok=True)
    files = {}

    def add(key, filename, content=None, writer=None):
        path = folder / key
        if writer:
            writer(path)
        else:
            path.write_bytes(content)
        files[key] = (path, filename)

    add("decompression bomb", "bomb.png", writer=write_bomb_png)
    add("pixel flood", "flood.png", writer=write_flood_png)
    add("SVG with script", "logo.svg", SVG)
    add("SVG renamed .png", "logo.png", SVG)
    add("polyglot picture", "photo.png", small_png() + PAGE)
    add("polyglot PDF", "report.pdf", PDF + PAGE)
    add("XLSX bomb", "decision.xlsx", writer=write_xlsx_bomb)
    add(f"{big_mb} MB file", "big.pdf", writer=lambda p: write_big(p, big_mb, PDF))
    return files


# --- The server, a signed-in superuser, and streamed multipart posts ---------------------------


class Browser:
    """One signed-in superuser's requests to the server, with the CSRF token and session."""

    def __init__(self, port, session_key):
        self.port = port
        self.cookies = {settings.SESSION_COOKIE_NAME: session_key}

    def _headers(self, extra=None):
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "Host": "127.0.0.1", **(extra or {})}

    def _remember(self, response):
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]

    def get(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", path, headers=self._headers())
        response = connection.getresponse()
        body = response.read()
        self._remember(response)
        connection.close()
        if response.status in (301, 302):
            body = response.getheader("Location", "")
        return response.status, body.decode("utf-8", "replace") if isinstance(body, bytes) else body

    def post(self, path, fields, files):
        """A multipart POST streamed from disk: `files` is {field: (path, filename)}.
        Returns (status, body, seconds from the first byte sent to the answer read)."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        file_parts = []
        for name, (file_path, filename) in files.items():
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode()
            file_parts.append((head, Path(file_path)))
        closing = f"--{boundary}--\r\n".encode()
        length = sum(map(len, parts)) + len(closing)
        length += sum(len(head) + file.stat().st_size + 2 for head, file in file_parts)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = self._headers(
            {
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(length),
                "X-CSRFToken": self.cookies.get(settings.CSRF_COOKIE_NAME, ""),
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            }
        )
        started = time.perf_counter()
        connection.putrequest("POST", path, skip_host=True, skip_accept_encoding=True)
        for header, value in headers.items():
            connection.putheader(header, value)
        connection.endheaders()
        for part in parts:
            connection.send(part)
        for head, file_path in file_parts:
            connection.send(head)
            with open(file_path, "rb") as source:
                while chunk := source.read(1024 * 1024):
                    try:
                        connection.send(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        break  # the server answered early (refused without reading it all)
            connection.send(b"\r\n")
        try:
            connection.send(closing)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        self._remember(response)
        connection.close()
        return response.status, body.decode("utf-8", "replace"), seconds


def form_fields(page, form_selector="form"):
    """The (name, value) pairs a browser would send for the page's main form, files left out."""
    soup = BeautifulSoup(page, "html.parser")
    forms = [
        form
        for form in soup.select(form_selector)
        if form.find("input", {"type": "file"}) or form.get("enctype") == "multipart/form-data"
    ]
    form = forms[0]
    fields = []
    for element in form.find_all(["input", "select", "textarea"]):
        name = element.get("name")
        kind = (element.get("type") or "").lower()
        if not name or kind in ("file", "submit", "button", "image", "reset"):
            continue
        if kind in ("checkbox", "radio"):
            if element.has_attr("checked"):
                fields.append((name, element.get("value", "on")))
        elif element.name == "select":
            chosen = element.find_all("option", selected=True) or element.find_all("option")[:1]
            if element.has_attr("multiple"):
                chosen = element.find_all("option", selected=True)
            fields.extend((name, option.get("value", option.text)) for option in chosen)
        elif element.name == "textarea":
            fields.append((name, element.text))
        else:
            fields.append((name, element.get("value", "")))
    return fields


def worker_peak_mb(master_pid):
    """The highest resident memory of the gunicorn worker(s), from /proc (VmHWM)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks)


# --- The upload forms ----------------------------------------------------------------------------


def count(model_label):
    return apps.get_model(model_label).objects.count()


def lot_event_files():
    return (
        LotEvent.objects.exclude(photo="").count() + LotEvent.objects.exclude(document="").count()
    )


def upload_forms(world):
    """name → (page to open, file field, extra fields, what counts as kept, which files)."""
    product, lot = world["product"], world["lot"]
    pictures = [
        "decompression bomb",
        "pixel flood",
        "SVG with script",
        "SVG renamed .png",
        "polyglot picture",
        "big",
    ]
    documents = ["SVG with script", "polyglot PDF", "big"]
    lot_url = f"/django-admin/traceability/lot/{lot.pk}/change/"
    today = timezone.localdate().isoformat()
    return {
        "Wagtail image": (
            "/admin/images/add/",
            "file",
            [("title", "x")],
            "wagtailimages.Image",
            pictures,
        ),
        "Wagtail images (multiple)": (
            "/admin/images/multiple/add/",
            "files[]",
            [],
            "wagtailimages.Image",
            pictures,
        ),
        "Wagtail document": (
            "/admin/documents/add/",
            "file",
            [("title", "x")],
            "wagtaildocs.Document",
            documents,
        ),
        "Oscar product photo": (
            f"/shop/dashboard/catalogue/products/{product.pk}/",
            "images-0-original",
            [("images-0-caption", "x")],
            "catalogue.ProductImage",
            pictures,
        ),
        "lot step photo": (
            lot_url,
            "events-0-photo",
            [("events-0-kind", "harvest"), ("events-0-happened_on", today), ("_save", "1")],
            lot_event_files,
            pictures,
        ),
        "lot step document": (
            lot_url,
            "events-0-document",
            [("events-0-kind", "inspection"), ("events-0-happened_on", today), ("_save", "1")],
            lot_event_files,
            documents,
        ),
        "certification import": (
            "/django-admin/traceability/certification/import/",
            "file",
            [],
            "traceability.SyncRun",
            ["polyglot picture", "polyglot PDF", "SVG with script", "XLSX bomb", "big"],
        ),
    }


CONTROLS = {
    "Wagtail image": ("che.png", small_png()),
    "Wagtail images (multiple)": ("che.png", small_png()),
    "Wagtail document": ("ket-qua.pdf", PDF),
    "Oscar product photo": ("che.png", small_png()),
    "lot step photo": ("buoc.png", small_png()),
    "lot step document": ("ket-qua.pdf", PDF),
    "certification import": ("quyet-dinh.csv", as_csv(ROWS)),
}


def kept(measure):
    return measure() if callable(measure) else count(measure)


def send(browser, page, file_field, extra, path_and_name):
    status, body = browser.get(page)
    assert status == 200, (page, status, body[:300], browser.cookies)
    fields = [(n, v) for n, v in form_fields(body) if n not in dict(extra)] + list(extra)
    return browser.post(page, fields, {file_field: path_and_name})


@pytest.fixture
def world(committed_db):
    # Not pytest-django's django_user_model: it opens the test transaction, and the server
    # in its own process must see these rows.
    boss = get_user_model().objects.create_superuser("boss", "boss@ocop.test", "pw")
    product = certified_product(title="Chè Shan tuyết")
    # The dashboard's product form asks for a category before it saves anything.
    oscar_factories.ProductCategoryFactory(
        product=product, category=oscar_factories.CategoryFactory(name="Chè")
    )
    lot = Lot.objects.create(product=product, code="L1", produced_on=timezone.localdate())
    session = SessionStore()
    session[SESSION_KEY] = str(boss.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = boss.get_session_auth_hash()
    session.save()
    return {"session": session.session_key, "product": product, "lot": lot}


@pytest.fixture
def server(world, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(),
        GUNICORN_THREADS="1",
        GUNICORN_TIMEOUT="120",
        LOG_FORMAT="text",
        LOG_LEVEL="ERROR",
    )
    server = Server(env, tmp_path / "gunicorn.log")
    server.wait_until_listening(60)
    yield server
    server.stop()


def run_uploads(world, server, tmp_path, battery, big_mb):
    files = hostile_files(tmp_path / "hostile", big_mb)
    files["big"] = files.pop(f"{big_mb} MB file")
    browser = Browser(server.port, world["session"])
    results, problems = [], []
    for form, (page, field, extra, measure, kinds) in upload_forms(world).items():
        for kind in kinds:
            path, filename = files[kind]
            if kind == "big" and form != "Wagtail document" and "document" not in form:
                filename = "big.png" if form != "certification import" else "big.csv"
            before = kept(measure)
            status, body, seconds = send(browser, page, field, extra, (path, filename))
            refused = kept(measure) == before and status < 500
            results.append((form, kind, status, seconds, refused))
            if not refused or seconds >= SECONDS:
                problems.append(f"{form} ← {kind}: {status}, {seconds:.2f} s, kept={not refused}")
        control = tmp_path / f"control-{len(results)}"
        name, content = CONTROLS[form]
        control.write_bytes(content)
        before = kept(measure)
        status, body, _seconds = send(browser, page, field, extra, (control, name))
        if kept(measure) != before + 1:
            soup = BeautifulSoup(body, "html.parser")
            errors_shown = [
                e.get_text(" ", strip=True)[:150]
                for e in soup.select(".errorlist, .invalid-feedback, .alert-danger, .error-message")
            ]
            problems.append(f"{form}: the normal file was not kept ({status}) {errors_shown[:8]}")
    peak = worker_peak_mb(server.process.pid)
    errors = sum(status >= 500 for _f, _k, status, _s, _r in results)
    slowest = max(seconds for _f, _k, _st, seconds, _r in results)
    refused = sum(r for *_rest, r in results)
    ok = not problems and errors == 0 and peak < PEAK_MEMORY_MB
    battery.record(
        12,
        "Hostile uploads",
        f"{refused}/{len(results)} hostile uploads refused on {len(CONTROLS)} forms "
        f"(largest {big_mb} MB), {errors} server errors, slowest {slowest:.2f} s, "
        f"worker peak memory {peak:.0f} MB; normal files kept on every form",
        ok=ok,
    )
    assert ok, "\n".join(problems) + f"\npeak {peak:.0f} MB"


def test_hostile_uploads(world, server, tmp_path, battery):
    run_uploads(world, server, tmp_path, battery, big_mb=30)


@pytest.mark.soak
def test_hostile_uploads_full_size(world, server, tmp_path, battery):
    run_uploads(world, server, tmp_path, battery, big_mb=100)
