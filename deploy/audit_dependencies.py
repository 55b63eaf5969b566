"""`make audit`: are the locked dependencies free of known vulnerabilities, and is every pin at
the newest patch release of its series?

1. Advisories: pip-audit on requirements.lock, when its advisory service answers. A short probe
   asks the service first; when it does not answer (no connection, a time-out, or an answer
   that is not the service's, as from a mirror that only serves the simple index), this says
   "advisory service unreachable: vulnerabilities NOT checked" and goes on: an unreachable
   service does not fail the audit. Packages pip-audit could not look up are counted as not
   checked, never as clean. Advisories that docs/security.md explains are accepted.
2. Patch releases: for every package of requirements.lock, the versions the package index
   offers (pip's configured index and extra indexes, or --index-url), and the newest release of
   the pin's series (same major.minor; pre-releases, yanked files and files whose
   Requires-Python excludes this interpreter do not count). Pins behind it are listed; a pin
   that an installed package's requirement keeps from it (django-oscar's django-tables2<=2.7)
   is listed as held, with that requirement, and does not fail the audit. The pins of
   pyproject.toml must also be the lock's versions.

Exit status: 0 when nothing is behind and no unexplained advisory was found (an unreachable
advisory service included), 1 otherwise (pip-audit failing while its service answers too),
2 when the package index could not be read at all.

    .venv/bin/python deploy/audit_dependencies.py [--index-url URL] [--service pypi|osv]
"""

import argparse
import json
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"
SECURITY_DOC = ROOT / "docs" / "security.md"
DEFAULT_INDEX = "https://pypi.org/simple"  # pip's own default, when nothing configures one
# pip-audit's PyPI service asks this (fixed in pip-audit) for each pinned version.
PYPI_ADVISORY_URL = "https://pypi.org/pypi/{name}/{version}/json"
OSV_DEFAULT_URL = "https://api.osv.dev/v1/query"
# An accepted advisory is listed in docs/security.md as a table row starting "| `ID` |".
ACCEPTED = re.compile(r"^\|\s*`([A-Za-z0-9][\w.:-]+)`\s*\|", re.MULTILINE)
SIMPLE_ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01"
)


# --- versions and series (pure) ------------------------------------------------------------


def normalize(name):
    """PEP 503 name: runs of -, _ and . become one -, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def series(version):
    """The series a version belongs to: epoch, major, minor (1.2 and 1.2.7 are both in 1.2)."""
    release = version.release + (0,) * (2 - len(version.release))
    return (version.epoch, release[0], release[1])


def newest_in_series(pinned, available):
    """The newest version of `available` in the series of `pinned` (`pinned` itself when none is
    newer). Pre-releases and local versions count only when the pin is one itself."""
    best = pinned
    for version in available:
        if series(version) != series(pinned):
            continue
        if version.is_prerelease and not pinned.is_prerelease:
            continue
        if version.local and not pinned.local:
            continue
        best = max(best, version)
    return best


def behind(pins, available):
    """[(name, pinned, newest)] for each pin whose series has a newer release in `available`
    ({normalized name: versions}); pins the index does not know are left to the caller."""
    late = []
    for name, pinned in pins.items():
        versions = available.get(normalize(name))
        if versions:
            newest = newest_in_series(pinned, versions)
            if newest > pinned:
                late.append((name, pinned, newest))
    return late


def holders(name, newest, requirements, extras=None):
    """Who keeps `name` from `newest`: ["holder requires spec"] over `requirements`, pairs of
    (holder, Requirement) as the installed packages declare them. A requirement under an extra
    counts when `extras` ({normalized holder name: extras}) says that extra is installed."""
    extras = extras or {}
    held = []
    for holder, requirement in requirements:
        if normalize(requirement.name) != normalize(name):
            continue
        holder_name = normalize(holder.split(" ", 1)[0])
        if requirement.marker is not None and not any(
            requirement.marker.evaluate({"extra": extra})
            for extra in ("", *extras.get(holder_name, ()))
        ):
            continue
        if not requirement.specifier.contains(newest, prereleases=True):
            held.append(f"{holder} requires {requirement}")
    return held


def read_lock(text):
    """{name: Version} from `name==version` lines (comments, blanks and options skipped)."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line and not line.startswith("-"):
            name, version = line.split("==", 1)
            pins[name.split("[", 1)[0].strip()] = Version(version.split(";", 1)[0].strip())
    return pins


def pyproject_pins(text):
    """{name: Version} of the `name==version` requirements of pyproject.toml, extras included."""
    project = tomllib.loads(text)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return read_lock("\n".join(requirements))


def requested_extras(text):
    """{normalized name: extras} as pyproject.toml asks for them (psycopg[binary] …)."""
    project = tomllib.loads(text)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    return {
        normalize(requirement.name): set(requirement.extras)
        for requirement in map(Requirement, requirements)
    }


def installed_requirements():
    """(holder "name version", Requirement) for every requirement of every installed package."""
    from importlib.metadata import distributions

    pairs = []
    for distribution in distributions():
        holder = f"{distribution.metadata['Name']} {distribution.version}"
        for line in distribution.requires or []:
            try:
                pairs.append((holder, Requirement(line)))
            except InvalidRequirement:
                continue
    return pairs


def lock_mismatches(pyproject, lock):
    """[(name, pyproject version, lock version or None)] where the two files disagree."""
    locked = {normalize(name): version for name, version in lock.items()}
    return [
        (name, version, locked.get(normalize(name)))
        for name, version in pyproject.items()
        if locked.get(normalize(name)) != version
    ]


def accepted_advisories(text):
    return set(ACCEPTED.findall(text))


# --- the package index ---------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._current = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._current = {"attrs": dict(attrs), "text": ""}

    def handle_data(self, data):
        if self._current is not None:
            self._current["text"] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._current is not None:
            self.links.append(self._current)
            self._current = None


def _version_of(filename):
    try:
        if filename.endswith(".whl"):
            return parse_wheel_filename(filename)[1]
        if filename.endswith((".tar.gz", ".zip")):
            return parse_sdist_filename(filename)[1]
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        pass
    return None


def _installable(yanked, requires_python, python):
    if yanked:
        return False
    if requires_python:
        try:
            return SpecifierSet(requires_python).contains(python, prereleases=True)
        except InvalidSpecifier:
            return True
    return True


def versions_from_page(body, content_type, python):
    """The versions a project page of a simple index (PEP 503 HTML or PEP 691 JSON) offers with
    at least one file that is not yanked and whose Requires-Python admits `python`."""
    files = []  # (filename, yanked, requires-python)
    if "json" in content_type:
        for entry in json.loads(body)["files"]:
            files.append((entry["filename"], entry.get("yanked"), entry.get("requires-python")))
    else:
        parser = _Links()
        parser.feed(body)
        for link in parser.links:
            attrs = link["attrs"]
            name = link["text"].strip() or unquote(
                urlparse(attrs.get("href", "")).path.rsplit("/", 1)[-1]
            )
            files.append((name, "data-yanked" in attrs, attrs.get("data-requires-python")))
    versions = set()
    for filename, yanked, requires_python in files:
        version = _version_of(filename)
        if version is not None and _installable(yanked, requires_python, python):
            versions.add(version)
    return versions


def configured_indexes(pip_config_list):
    """pip's index and extra indexes from the output of `pip config list`: the environment's
    first, then the install section's, then the global one's (as pip ranks them)."""
    values = {}
    for line in pip_config_list.splitlines():
        key, _, value = line.partition("=")
        section, _, option = key.rpartition(".")
        values.setdefault(option, {})[section] = value.strip().strip("'\"")

    def pick(option):
        for section in (":env:", "install", "global"):
            if section in values.get(option, {}):
                return values[option][section]
        return None

    index = pick("index-url") or DEFAULT_INDEX
    extras = (pick("extra-index-url") or "").split()
    return [index, *extras]


class IndexUnreachable(Exception):
    pass


def fetch_page(index, name, timeout):
    """(body, content type) of `name`'s page on `index`, or None when the index has no such
    project. Raises IndexUnreachable when the index cannot be read."""
    url = index.rstrip("/") + "/" + normalize(name) + "/"
    if url.startswith("file:"):
        path = Path(url2pathname(urlparse(url).path))
        page = path / "index.html"
        return (page.read_text(encoding="utf-8"), "text/html") if page.is_file() else None
    request = urllib.request.Request(url, headers={"Accept": SIMPLE_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read().decode("utf-8"), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise IndexUnreachable(f"{url}: HTTP {error.code}") from error
    except (OSError, ValueError) as error:
        raise IndexUnreachable(f"{url}: {error}") from error


def index_versions(names, indexes, timeout, python):
    """({normalized name: versions}, [names no index knows]) over all `indexes`. Raises
    IndexUnreachable when the first (main) index cannot be read; extra indexes that fail are
    passed over."""

    def look_up(name):
        versions, found = set(), False
        for position, index in enumerate(indexes):
            try:
                page = fetch_page(index, name, timeout)
            except IndexUnreachable:
                if position == 0:
                    raise
                continue
            if page is not None:
                found = True
                versions |= versions_from_page(*page, python)
        return name, versions, found

    available, unknown = {}, []
    with ThreadPoolExecutor(max_workers=8) as pool:
        for name, versions, found in pool.map(look_up, names):
            available[normalize(name)] = versions
            if not found:
                unknown.append(name)
    return available, unknown


# --- the advisory service ------------------------------------------------------------------


@dataclass
class Advisories:
    reachable: bool
    reason: str = ""
    error: str = ""  # the service answered, pip-audit failed all the same
    found: dict = field(default_factory=dict)  # {"name version": [advisory ids]}
    not_checked: dict = field(default_factory=dict)  # {name: pip-audit's reason}
    audited: int = 0


def probe_service(service, name, version, *, osv_url=OSV_DEFAULT_URL, timeout=5.0, pypi_url=None):
    """None when the advisory service answers a question about one package, else why not."""
    if service == "osv":
        query = {"package": {"name": normalize(name), "ecosystem": "PyPI"}, "version": version}
        request = urllib.request.Request(
            osv_url,
            data=json.dumps(query).encode(),
            headers={"Content-Type": "application/json"},
        )
        url = osv_url
    else:
        url = (pypi_url or PYPI_ADVISORY_URL).format(name=normalize(name), version=version)
        request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return f"{url}: HTTP {error.code}"
    except (OSError, ValueError) as error:
        return f"{url}: {getattr(error, 'reason', error)}"
    return None


def run_pip_audit(lock, *, service="pypi", osv_url=None, timeout=15, cache_dir=None):
    """pip-audit on `lock` → ({"name version": [ids]}, {name: skip reason}, packages seen).
    Raises RuntimeError when pip-audit gives no report."""
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(lock),
        "--no-deps",  # every package is pinned in the lock already
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        str(max(1, round(timeout))),  # pip-audit takes whole seconds
        "--vulnerability-service",
        service,
    ]
    if osv_url:
        command += ["--osv-url", osv_url]
    if cache_dir:
        command += ["--cache-dir", str(cache_dir)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=ROOT)
    if not result.stdout.strip():
        tail = result.stderr.strip().splitlines()[-1:] or [f"exit status {result.returncode}"]
        raise RuntimeError(f"pip-audit gave no report: {tail[0]}")
    found, not_checked = {}, {}
    dependencies = json.loads(result.stdout)["dependencies"]
    for dependency in dependencies:
        if "skip_reason" in dependency:
            not_checked[dependency["name"]] = dependency["skip_reason"]
        elif dependency.get("vulns"):
            found[f"{dependency['name']} {dependency['version']}"] = [
                vuln["id"] for vuln in dependency["vulns"]
            ]
    return found, not_checked, len(dependencies)


def check_advisories(lock, pins, *, service, osv_url, timeout, cache_dir=None):
    name, version = next(iter(pins.items()))
    why = probe_service(service, name, str(version), osv_url=osv_url or OSV_DEFAULT_URL)
    if why:
        return Advisories(reachable=False, reason=why)
    try:
        found, not_checked, audited = run_pip_audit(
            lock, service=service, osv_url=osv_url, timeout=timeout, cache_dir=cache_dir
        )
    except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
        return Advisories(reachable=True, error=str(error))
    return Advisories(True, found=found, not_checked=not_checked, audited=audited)


# --- the command ---------------------------------------------------------------------------


def pip_config_list():
    result = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    )
    return result.stdout


def main(argv=None, out=sys.stdout):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--pyproject", type=Path, default=PYPROJECT)
    parser.add_argument("--security-doc", type=Path, default=SECURITY_DOC)
    parser.add_argument(
        "--index-url",
        help="the package index to read, alone (default: pip's configured index and extras)",
    )
    parser.add_argument("--service", choices=["pypi", "osv"], default="pypi")
    parser.add_argument("--osv-url", help="the OSV API's URL (with --service osv)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--cache-dir", type=Path, help="pip-audit's cache")
    args = parser.parse_args(argv)

    def say(line=""):
        print(line, file=out, flush=True)

    pins = read_lock(args.lock.read_text(encoding="utf-8"))
    failed = False

    say(f"==> Known vulnerabilities: pip-audit ({args.service} service) on {args.lock.name}")
    advisories = check_advisories(
        args.lock,
        pins,
        service=args.service,
        osv_url=args.osv_url,
        timeout=args.timeout,
        cache_dir=args.cache_dir,
    )
    if not advisories.reachable:
        say(f"advisory service unreachable: vulnerabilities NOT checked ({advisories.reason})")
    elif advisories.error:
        say(f"pip-audit failed: vulnerabilities NOT checked ({advisories.error})")
        failed = True
    else:
        accepted = accepted_advisories(args.security_doc.read_text(encoding="utf-8"))
        checked = advisories.audited - len(advisories.not_checked)
        say(f"{checked} of {advisories.audited} packages checked")
        if advisories.not_checked:
            example = next(iter(advisories.not_checked.items()))
            say(
                f"{len(advisories.not_checked)} packages NOT checked: the advisory service "
                f"did not answer for them (e.g. {example[0]}: {example[1]})"
            )
        for package, ids in sorted(advisories.found.items()):
            open_ids = [vuln for vuln in ids if vuln not in accepted]
            note = "accepted in docs/security.md" if not open_ids else "NOT explained"
            say(f"  {package}: {', '.join(ids)} ({note})")
            failed |= bool(open_ids)
        if not advisories.found:
            say("no known vulnerabilities in the packages checked")

    indexes = [args.index_url] if args.index_url else configured_indexes(pip_config_list())
    say(f"==> Patch releases: {len(pins)} locked packages on {', '.join(indexes)}")
    python = ".".join(map(str, sys.version_info[:3]))
    try:
        available, unknown = index_versions(list(pins), indexes, args.timeout, python)
    except IndexUnreachable as error:
        say(f"package index unreachable: patch releases NOT checked ({error})")
        return 2
    pyproject_text = args.pyproject.read_text(encoding="utf-8")
    direct = {normalize(name) for name in pyproject_pins(pyproject_text)}
    requirements, extras = installed_requirements(), requested_extras(pyproject_text)
    late, held = [], []
    for name, pinned, newest in behind(pins, available):
        why = holders(name, newest, requirements, extras)
        if why:
            held.append(name)
            say(f"  held: {name} {pinned}, not {newest}: {'; '.join(why)}")
        else:
            where = "pyproject.toml and the lock" if normalize(name) in direct else "the lock"
            say(f"  behind: {name} {pinned} -> {newest} (pinned in {where})")
            late.append(name)
    for name in unknown:
        say(f"  not on the index: {name} (NOT checked)")
    if late:
        say(f"{len(late)} of {len(pins)} pins are behind the newest patch release of their series")
    else:
        newest = len(pins) - len(unknown) - len(held)
        say(
            f"{newest} of {len(pins)} pins are at the newest patch release of their series"
            + (f", {len(held)} held back by another package's requirement" if held else "")
        )
    mismatches = lock_mismatches(pyproject_pins(pyproject_text), pins)
    for name, wanted, locked in mismatches:
        say(f"  pyproject.toml pins {name}=={wanted}, the lock has {locked or 'nothing'}")
    return 1 if (failed or late or unknown or mismatches) else 0


if __name__ == "__main__":
    sys.exit(main())
