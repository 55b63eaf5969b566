"""A real HTTP registry on 127.0.0.1 for tests: the feed of DESIGN.md, with ways to misbehave."""

import json
import threading
import time
from copy import deepcopy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from django.utils.dateparse import parse_datetime


class FakeRegistry:
    """Serves `records` paginated by `page_size`, filtered by `updated_since`, behind a token.

    `faults[page_number]` replaces one page's answer: ("status", 500), ("truncate",),
    ("delay", seconds), ("repeat",) (its `next` points at itself), ("body", bytes).
    """

    def __init__(self, records=(), page_size=2, token="s3cret"):
        self.records = [deepcopy(r) for r in records]
        self.page_size = page_size
        self.token = token
        self.faults = {}
        self.requests = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                registry.handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def record(self, registry_id):
        return next(r for r in self.records if r["id"] == registry_id)

    def handle(self, request):
        url = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.requests.append({"path": url.path, "query": query, "headers": dict(request.headers)})
        if url.path != "/certifications":
            return self.reply(request, 404, b'{"detail": "not found"}')
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self.reply(request, 401, b'{"detail": "bad token"}')
        since = parse_datetime(query["updated_since"]) if "updated_since" in query else None
        matching = [r for r in self.records if since is None or self.newer(r, since)]
        number = int(query.get("page", 1))
        start = (number - 1) * self.page_size
        chunk = matching[start : start + self.page_size]
        following = dict(query, page=str(number + 1))
        next_url = None
        if start + self.page_size < len(matching):
            next_url = f"{self.url}/certifications?" + "&".join(
                f"{k}={v}" for k, v in following.items()
            )
        fault = self.faults.get(number)
        if fault and fault[0] == "repeat":
            next_url = f"{self.url}{request.path}"
        body = json.dumps({"next": next_url, "results": chunk}).encode()
        if fault:
            kind = fault[0]
            if kind == "status":
                return self.reply(request, fault[1], b'{"detail": "server error"}')
            if kind == "truncate":
                body = body[: len(body) // 2]
            if kind == "delay":
                time.sleep(fault[1])
            if kind == "body":
                body = fault[1]
        self.reply(request, 200, body)

    @staticmethod
    def newer(record, since):
        updated = parse_datetime(str(record.get("updated_at")))
        return updated is None or updated > since  # a malformed date is always sent

    @staticmethod
    def reply(request, status, body):
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(body)))
            request.end_headers()
            request.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)


def feed_record(registry_id, **changes):
    """A valid registry record; keyword arguments change fields (producer fields as dict)."""
    record = {
        "id": registry_id,
        "product_name": f"Chè Shan tuyết {registry_id}",
        "producer": {
            "name": "HTX Chè Shan tuyết Tủa Chùa",
            "kind": "cooperative",
            "tax_code": "5600123456",
            "commune_code": 3217,
        },
        "product_group": "food",
        "stars": 4,
        "score": 78,
        "issuer": "UBND tỉnh Điện Biên",
        "decision_no": f"{registry_id}/QĐ-UBND",
        "decision_date": "2025-09-01",
        "valid_until": "2028-09-01",
        "status": "active",
        "status_reason": "",
        "gtins": [],
        "updated_at": "2026-01-10T09:00:00+07:00",
    }
    record.update(changes)
    return record
