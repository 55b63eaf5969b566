"""Two web nodes behind nginx, sharing PostgreSQL, Redis and the S3 store.

Two gunicorn processes (config/gunicorn.py, production settings) on different ports, one RQ
worker process, a moto S3 server and Debian's nginx running deploy/nginx/ocop.conf with only
the addresses, the name and the certificate replaced. A visitor's basket moves between nodes,
an upload through one node is served by the other, a certificate revoked through one node is
revoked on the other at once, and a job one node queues runs on the worker.

PostgreSQL and Redis only: CI's PostgreSQL run covers it; on SQLite it is skipped.
"""

import datetime
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
import requests
from django.test import override_settings
from django.utils import timezone

from tests.browser.serving import collected_static
from tests.integration.test_spreadsheet import HEADER, ROWS, TITLE
from tests.production.conftest import ROOT, database_url, production_env_for
from tests.registry_server import FakeRegistry, feed_record
from tests.s3 import MotoServer, free_port

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").split(":")[0] not in ("postgres", "postgresql"),
    reason="two nodes share a PostgreSQL database (CI's PostgreSQL run covers this)",
)

REDIS_DB_URL = "redis://127.0.0.1:6379/8"
HOST = "ocop.test"
WAIT = 30


def wait_listening(port, process, log, seconds=WAIT):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited early:\n{Path(log).read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"not listening after {seconds} s:\n{Path(log).read_text()}")


class Processes:
    """Child processes with their logs; stopped (TERM, then KILL) in reverse order."""

    def __init__(self, folder):
        self.folder = folder
        self.running = {}

    def start(self, name, command, env):
        log = self.folder / f"{name}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        self.running[name] = (process, log)
        return process, log

    def stop(self, name):
        process, _log = self.running.pop(name)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def stop_all(self):
        for name in reversed(list(self.running)):
            self.stop(name)

    def log(self, name):
        return (self.folder / f"{name}.log").read_text()


def nginx_site(ports, listen_port, certificate, key):
    """deploy/nginx/ocop.conf with this machine's addresses, name and certificate."""
    site = (ROOT / "deploy" / "nginx" / "ocop.conf").read_text()
    upstreams = re.findall(r"^\s*server 127\.0\.0\.1:\d+ .*;$", site, re.M)
    assert len(upstreams) == len(ports) == 2
    for line, port in zip(upstreams, ports, strict=True):
        site = site.replace(line, re.sub(r":\d+ ", f":{port} ", line), 1)
    site = re.sub(r"^\s*listen \[::\]:.*;$\n", "", site, flags=re.M)  # no IPv6 here
    site = site.replace("listen 80;", f"listen 127.0.0.1:{free_port()};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{listen_port} ssl http2;")
    site = site.replace("server_name ocop.example.vn;", f"server_name {HOST};")
    site = site.replace("/etc/ssl/ocop/fullchain.pem", str(certificate))
    site = site.replace("/etc/ssl/ocop/privkey.pem", str(key))
    return site


def nginx_main(prefix, site_path):
    temp = prefix / "temp"
    temp.mkdir()
    return f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site_path};
}}
"""


@pytest.fixture(scope="module")
def cluster(_db_snapshot, django_db_blocker, tmp_path_factory):
    if not shutil.which("nginx"):
        pytest.fail("nginx is not installed: `make test` installs Debian's nginx package")
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from tests.conftest import _copy_database

    folder = tmp_path_factory.mktemp("two-nodes")
    store = redis.Redis.from_url(REDIS_DB_URL)
    store.flushdb()
    name, migrated, vendor = _db_snapshot
    processes = Processes(folder)
    s3 = MotoServer()
    with (
        django_db_blocker.unblock(),
        FakeRegistry([feed_record("DB-1"), feed_record("DB-2")], page_size=50) as registry,
    ):
        try:
            s3.start()
            data = make_data(registry)
            env = {
                **production_env_for(folder),
                "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
                "CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
                "SITE_URL": f"https://{HOST}",
                "DATABASE_URL": database_url(),
                "REDIS_URL": REDIS_DB_URL,
                "STATIC_ROOT": collected_static(),
                "REGISTRY_URL": registry.url,
                "REGISTRY_TOKEN": registry.token,
                "GUNICORN_WORKERS": "1",
                "LOG_FORMAT": "json",
                **s3.environment(),
            }
            nodes = []
            for label in ("a", "b"):
                port = free_port()
                node_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
                command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"]
                process, log = processes.start(f"node-{label}", [*command, "config.wsgi"], node_env)
                nodes.append(SimpleNamespace(label=label, port=port, process=process, log=log))
            worker, worker_log = processes.start(
                "worker",
                [sys.executable, "manage.py", "rqworker", "default", "slow", "--with-scheduler"],
                env,
            )
            certificate, key = folder / "site.crt", folder / "site.key"
            subprocess.run(
                [
                    *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                    *("-subj", f"/CN={HOST}"),
                    *("-addext", f"subjectAltName=DNS:{HOST},IP:127.0.0.1"),
                    *("-keyout", str(key), "-out", str(certificate)),
                ],
                check=True,
                capture_output=True,
            )
            https_port = free_port()
            site = folder / "ocop.conf"
            site.write_text(nginx_site([n.port for n in nodes], https_port, certificate, key))
            main = folder / "nginx.conf"
            main.write_text(nginx_main(folder, site))
            checked = subprocess.run(
                ["nginx", "-t", "-p", str(folder), "-c", str(main), "-e", str(folder / "e.log")],
                capture_output=True,
                text=True,
            )
            assert checked.returncode == 0, checked.stderr
            nginx, nginx_log = processes.start(
                "nginx", ["nginx", "-p", str(folder), "-c", str(main), "-e", "stderr"], env
            )
            for node in nodes:
                wait_listening(node.port, node.process, node.log)
            wait_listening(https_port, nginx, nginx_log)
            yield SimpleNamespace(
                a=f"http://127.0.0.1:{nodes[0].port}",
                b=f"http://127.0.0.1:{nodes[1].port}",
                nginx=f"https://127.0.0.1:{https_port}",
                certificate=str(certificate),
                nodes=nodes,
                processes=processes,
                registry=registry,
                s3=s3,
                data=data,
                folder=folder,
            )
        finally:
            processes.stop_all()
            s3.stop()
            _copy_database(migrated, name, vendor)
            ContentType.objects.clear_cache()
            cache.clear()
            store.flushdb()
            store.close()


def make_data(registry):
    """Committed rows the nodes read: two synced certificates, their products and lots, staff."""
    from django.contrib.auth import get_user_model

    from tests.factories import certified_product
    from traceability.models import Certification, Lot
    from traceability.spreadsheet import import_spreadsheet
    from traceability.tasks import sync_from_feed

    with override_settings(REGISTRY_URL=registry.url, REGISTRY_TOKEN=registry.token):
        sync_from_feed(started_by="setup")
    import_spreadsheet("QD-1520.csv", csv([ROWS[0]]), started_by="setup")
    today = timezone.localdate()
    lots = {}
    for registry_id in ("DB-1", "DB-2"):
        certificate = Certification.objects.get(registry_id=registry_id)
        product = certified_product(certification=certificate, title=certificate.product_name)
        lots[registry_id] = Lot.objects.create(
            product=product, code=f"L-{registry_id}", produced_on=today - datetime.timedelta(5)
        )
    imported = Certification.objects.exclude(registry_id__in=["DB-1", "DB-2"]).get()
    product = certified_product(certification=imported, title=imported.product_name)
    lots["imported"] = Lot.objects.create(
        product=product, code="L-QD-1520", produced_on=today - datetime.timedelta(5)
    )
    password = secrets.token_urlsafe(12)
    # Hashed as production hashes (the test settings' fast MD5 hasher is not one it knows).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        get_user_model().objects.create_superuser("admin", "admin@ocop.test", password)
    return SimpleNamespace(lots=lots, password=password)


def csv(rows, header=HEADER):
    lines = [TITLE, [], header, *rows]
    return "\n".join(",".join(f'"{c}"' for c in row) for row in lines).encode("utf-8-sig")


class Visitor:
    """One browser: its cookies, sent to whichever node it is pointed at. The nodes sit behind
    TLS, so requests to a node carry the header nginx adds (X-Forwarded-Proto: https)."""

    def __init__(self):
        self.cookies = {}

    def request(self, method, url, **kwargs):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Origin": f"https://{HOST}",
            **kwargs.pop("headers", {}),
        }
        response = requests.request(
            method,
            url,
            headers=headers,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=WAIT,
            **kwargs,
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, data=None, **kwargs):
        return self.request(
            "POST", url, data={"csrfmiddlewaretoken": self.csrf(), **(data or {})}, **kwargs
        )

    def csrf(self):
        return self.cookies.get("csrftoken", "")

    def login(self, node, username, password, path="/django-admin/login/"):
        self.get(node + path)
        assert self.csrf(), "no CSRF cookie from the login page"
        response = self.post(node + path, {"username": username, "password": password})
        assert response.status_code == 302, response.text[:500]


def scan_path(lot):
    from urllib.parse import urlsplit

    from traceability.digital_link import lot_uri

    return urlsplit(lot_uri(lot)).path


def test_a_basket_started_on_one_node_continues_on_the_other(cluster):
    lot = cluster.data.lots["DB-1"]
    product = lot.product
    visitor = Visitor()
    page = visitor.get(cluster.a + product.get_absolute_url())
    assert page.status_code == 200, page.status_code
    added = visitor.post(cluster.a + f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    assert added.status_code == 302, added.text[:500]

    basket = visitor.get(cluster.b + "/shop/basket/")
    assert basket.status_code == 200 and product.title in basket.text
    # Private: a page with a basket is never shared with other visitors.
    assert "private" in basket.headers.get("Cache-Control", "") or "Cookie" in basket.headers.get(
        "Vary", ""
    )
    visitor.post(cluster.b + f"/shop/basket/add/{product.pk}/", {"quantity": 1})
    again = visitor.get(cluster.a + "/shop/basket/")
    assert re.search(r'name="form-0-quantity"[^>]*value="2"', again.text), again.text[-3000:]

    # A stranger's basket on either node is empty.
    assert product.title not in Visitor().get(cluster.b + "/shop/basket/").text


def test_an_upload_through_one_node_is_served_by_the_other(cluster):
    import io

    from PIL import Image

    staff = Visitor()
    staff.login(cluster.a, "admin", cluster.data.password, path="/admin/login/")
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (30, 110, 60)).save(picture, "JPEG")
    form = staff.get(cluster.a + "/admin/images/add/")
    assert form.status_code == 200
    uploaded = staff.post(
        cluster.a + "/admin/images/add/",
        {"title": "Đồi chè Tủa Chùa"},
        files={"file": ("doi-che.jpg", picture.getvalue(), "image/jpeg")},
    )
    assert uploaded.status_code == 302, uploaded.text[:800]

    from wagtail.images import get_image_model

    image = get_image_model().objects.get(title="Đồi chè Tủa Chùa")
    # The original is in the bucket, not on node A's disk.
    assert cluster.s3.keys(prefix="original_images/") == [image.file.name]
    # Node B draws a rendition from it and links it on the S3 store; the picture downloads.
    edit = staff.get(cluster.b + f"/admin/images/{image.pk}/")
    assert edit.status_code == 200
    sources = re.findall(r'<img[^>]+src="([^"]+images/[^"]+)"', edit.text)
    assert sources, edit.text[:2000]
    picture_url = sources[0]
    assert picture_url.startswith(cluster.s3.url), picture_url
    download = requests.get(picture_url, timeout=WAIT)
    assert download.status_code == 200
    assert Image.open(io.BytesIO(download.content)).format in {"JPEG", "PNG", "WEBP", "AVIF"}


def test_a_certificate_revoked_through_one_node_is_revoked_on_the_other_at_once(cluster):
    lot = cluster.data.lots["imported"]
    tourist = Visitor()
    path = scan_path(lot)
    for node in (cluster.a, cluster.b):  # both nodes have answered (and cached) it
        page = tourist.get(node + path)
        assert page.status_code == 200 and "Giấy chứng nhận OCOP đã bị thu hồi" not in page.text

    officer = Visitor()
    officer.login(cluster.a, "admin", cluster.data.password)
    revoked = ROWS[0] + ["Thu hồi"]
    imported = officer.post(
        cluster.a + "/django-admin/traceability/certification/import/",
        files={"file": ("QD-1520-thu-hoi.csv", csv([revoked], HEADER + ["Trạng thái"]))},
    )
    assert imported.status_code == 302, imported.text[:800]

    page = tourist.get(cluster.b + path)
    assert page.status_code == 200 and "Giấy chứng nhận OCOP đã bị thu hồi" in page.text


def test_a_job_queued_by_one_node_runs_on_the_worker(cluster):
    from traceability.models import SyncRun

    lot = cluster.data.lots["DB-2"]
    path = scan_path(lot)
    tourist = Visitor()
    assert "Giấy chứng nhận OCOP đã bị thu hồi" not in tourist.get(cluster.b + path).text

    cluster.registry.record("DB-2").update(
        status="revoked",
        status_reason="Vi phạm chất lượng",
        updated_at=timezone.now().isoformat(),
    )
    runs = SyncRun.objects.count()
    officer = Visitor()
    officer.login(cluster.a, "admin", cluster.data.password)
    queued = officer.post(cluster.a + "/django-admin/traceability/certification/sync/")
    assert queued.status_code == 302
    assert queued.headers["Location"].endswith("/django-admin/traceability/syncrun/")

    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        run = SyncRun.objects.order_by("-pk").first()
        if SyncRun.objects.count() > runs and run.finished_at:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker did not run the sync:\n{cluster.processes.log('worker')}")
    assert run.started_by == "admin" and run.updated >= 1
    assert "sync_registry" in cluster.processes.log("worker")  # the worker process ran it

    page = tourist.get(cluster.b + path)
    assert "Giấy chứng nhận OCOP đã bị thu hồi" in page.text


def test_nginx_spreads_visitors_over_both_nodes_and_skips_a_dead_one(cluster):
    session = requests.Session()
    session.trust_env = False  # a CA bundle from the environment would replace ours
    session.verify = cluster.certificate
    session.headers["Host"] = HOST
    first = session.get(cluster.nginx + "/", timeout=WAIT)
    assert first.status_code == 200
    assert first.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Server" not in first.headers or "nginx/" not in first.headers["Server"]
    # Static files leave fingerprinted with a year-long cache and compressed.
    css = re.search(r'href="(/static/[^"]+\.css)"', first.text).group(1)
    static = session.get(cluster.nginx + css, headers={"Accept-Encoding": "gzip"}, timeout=WAIT)
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
    for _ in range(6):
        session.get(cluster.nginx + "/healthz", timeout=WAIT)
    served = {node.label: node.log.read_text().count('"/healthz"') for node in cluster.nodes}
    assert all(count >= 2 for count in served.values()), served

    cluster.processes.stop("node-a")
    answers = [session.get(cluster.nginx + "/", timeout=WAIT).status_code for _ in range(6)]
    assert answers == [200] * 6
