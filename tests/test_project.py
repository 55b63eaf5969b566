"""Project hygiene: checks pass, migrations are complete, and a fresh clone has all it needs."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_manage_check_is_clean():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)


def _git(*args, cwd=ROOT):
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    try:
        _git("rev-parse", "HEAD")
    except subprocess.CalledProcessError:
        pytest.skip("no commit yet")
    target = tmp_path_factory.mktemp("clone") / "repo"
    _git("clone", "--quiet", "--no-hardlinks", str(ROOT), str(target))
    return target


def test_fresh_clone_has_everything_the_make_targets_use(fresh_clone):
    """The committed tree alone configures, imports, compiles translations and knows its targets."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

    dry_run = subprocess.run(
        ["make", "-n", "demo", "test"], cwd=fresh_clone, capture_output=True, text=True, env=env
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert "-m venv .venv" in dry_run.stdout and "pip install" in dry_run.stdout
    assert "requirements.lock" in dry_run.stdout

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=fresh_clone,
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import shop, cms, traceability, config; print(shop.__file__)"],
        cwd=fresh_clone,
        capture_output=True,
        text=True,
        env=env,
    )
    assert where.stdout.strip().startswith(str(fresh_clone)), where.stdout + where.stderr
    for args in (("check",), ("compile_translations",), ("makemigrations", "--check", "--dry-run")):
        result = manage(*args)
        assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stdout}{result.stderr}"
    tracked = _git("ls-files", cwd=fresh_clone).stdout.split()
    for needed in (
        "cms/demo_data/registry_feed.json",
        "cms/demo_data/catalogue.json",
        "locale/vi/LC_MESSAGES/django.po",
        "locale/fr/LC_MESSAGES/django.po",
        "requirements.lock",
        ".ci/run",
    ):
        assert needed in tracked
    assert not any(name.endswith((".mo", ".sqlite3")) for name in tracked)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL"])
def test_production_refuses_to_start_without_essentials(missing):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="s3cret-for-this-test",
        ALLOWED_HOSTS="ocop.example",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/ocop",
        SITE_URL="https://ocop.example",
    )
    del env[missing]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr
