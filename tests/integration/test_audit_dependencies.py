"""`make audit` (deploy/audit_dependencies.py) run as a command against a PEP 503 index and an
OSV-style advisory service served here on 127.0.0.1: pins behind and up to date, advisories
found, explained and unreachable."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.s3 import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "deploy" / "audit_dependencies.py"

# Names no installed package requires, so no hold applies to them.
RELEASES = {
    "ocop-fake-alpha": ["1.0.0", "1.0.1", "1.0.2", "1.1.0", "2.0.0rc1"],
    "ocop-fake-beta": ["3.4", "3.4.1", "3.5"],
    "ocop-fake-delta": ["0.9.0"],
}
VULNERABLE = {("ocop-fake-delta", "0.9.0"): "GHSA-fake-delta-0001"}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = [part for part in self.path.split("/") if part]
        if len(parts) != 2 or parts[0] != "simple" or parts[1] not in RELEASES:
            self.send_error(404)
            return
        name = parts[1]
        links = "".join(
            f'<a href="/files/{name.replace("-", "_")}-{version}-py3-none-any.whl">'
            f"{name.replace('-', '_')}-{version}-py3-none-any.whl</a>\n"
            for version in RELEASES[name]
        )
        # a yanked newer patch and one for another Python do not count
        links += f'<a href="/x" data-yanked="">{name.replace("-", "_")}-1.0.9.tar.gz</a>\n'
        links += (
            f'<a href="/y" data-requires-python="&gt;=4">'
            f"{name.replace('-', '_')}-3.4.9.tar.gz</a>\n"
        )
        self._answer(f"<!DOCTYPE html><html><body>\n{links}</body></html>", "text/html")

    def do_POST(self):  # OSV's /v1/query
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        key = (query["package"]["name"], query["version"])
        answer = {}
        if key in VULNERABLE:
            answer = {
                "vulns": [
                    {
                        "id": VULNERABLE[key],
                        "summary": "a fake advisory",
                        "affected": [
                            {
                                "package": {"name": key[0], "ecosystem": "PyPI"},
                                "ranges": [
                                    {
                                        "type": "ECOSYSTEM",
                                        "events": [{"introduced": "0"}, {"fixed": "3.4.2"}],
                                    }
                                ],
                            }
                        ],
                    }
                ]
            }
        self._answer(json.dumps(answer), "application/json")

    def _answer(self, body, content_type):
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def audit(tmp_path, server, pins, *, osv_url=None, accepted=()):
    lock = tmp_path / "requirements.lock"
    lock.write_text("".join(f"{name}=={version}\n" for name, version in pins.items()))
    pyproject = tmp_path / "pyproject.toml"
    requirements = ", ".join(f'"{name}=={version}"' for name, version in pins.items())
    pyproject.write_text(f'[project]\nname = "x"\ndependencies = [{requirements}]\n')
    doc = tmp_path / "security.md"
    doc.write_text(
        "| advisory | package | why |\n|---|---|---|\n"
        + "".join(f"| `{advisory}` | x | does not apply |\n" for advisory in accepted)
    )
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--lock",
            str(lock),
            "--pyproject",
            str(pyproject),
            "--security-doc",
            str(doc),
            "--index-url",
            f"{server}/simple",
            "--service",
            "osv",
            "--osv-url",
            osv_url or f"{server}/v1/query",
            "--timeout",
            "5",
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_pins_at_the_newest_patch_with_no_advisory_pass(tmp_path, server):
    code, output = audit(tmp_path, server, {"ocop-fake-alpha": "1.0.2", "ocop-fake-beta": "3.4.1"})
    assert "behind" not in output, output
    assert "2 of 2 packages checked" in output
    assert "no known vulnerabilities in the packages checked" in output
    assert "2 of 2 pins are at the newest patch release of their series" in output
    assert code == 0, output


def test_pins_behind_their_newest_patch_are_listed_and_fail(tmp_path, server):
    code, output = audit(tmp_path, server, {"ocop-fake-alpha": "1.0.0", "ocop-fake-beta": "3.4.1"})
    assert "behind: ocop-fake-alpha 1.0.0 -> 1.0.2 (pinned in pyproject.toml and the lock)" in (
        output
    )
    assert "1 of 2 pins are behind the newest patch release of their series" in output
    assert code == 1, output


def test_an_advisory_fails_unless_the_security_notes_explain_it(tmp_path, server):
    pins = {"ocop-fake-alpha": "1.0.2", "ocop-fake-delta": "0.9.0"}
    code, output = audit(tmp_path, server, pins)
    assert "ocop-fake-delta 0.9.0: GHSA-fake-delta-0001 (NOT explained)" in output
    assert code == 1, output
    code, output = audit(tmp_path, server, pins, accepted=["GHSA-fake-delta-0001"])
    assert "GHSA-fake-delta-0001 (accepted in docs/security.md)" in output
    assert code == 0, output


def test_an_unreachable_advisory_service_is_said_plainly_and_the_index_still_checked(
    tmp_path, server
):
    dead = f"http://127.0.0.1:{free_port()}/v1/query"
    code, output = audit(tmp_path, server, {"ocop-fake-alpha": "1.0.0"}, osv_url=dead)
    assert "advisory service unreachable: vulnerabilities NOT checked" in output
    assert "behind: ocop-fake-alpha 1.0.0 -> 1.0.2" in output
    assert code == 1, output
    code, output = audit(tmp_path, server, {"ocop-fake-alpha": "1.0.2"}, osv_url=dead)
    assert "advisory service unreachable: vulnerabilities NOT checked" in output
    assert code == 0, output  # an unreachable service alone does not fail the audit


def test_a_pin_the_index_does_not_know_is_not_taken_for_up_to_date(tmp_path, server):
    code, output = audit(tmp_path, server, {"ocop-fake-gamma": "1.0"})
    assert "not on the index: ocop-fake-gamma (NOT checked)" in output
    assert code == 1, output


def test_an_unreachable_index_is_said_plainly(tmp_path, server):
    dead = f"http://127.0.0.1:{free_port()}"
    code, output = audit(tmp_path, dead, {"ocop-fake-alpha": "1.0.2"}, osv_url=f"{server}/v1/query")
    assert "package index unreachable: patch releases NOT checked" in output
    assert code == 2, output
