"""`make audit`'s version logic (deploy/audit_dependencies.py): series, the newest patch release
of a pin's series, what a simple index page offers, pip's configured indexes, holds."""

import json

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from deploy.audit_dependencies import (
    accepted_advisories,
    behind,
    configured_indexes,
    holders,
    lock_mismatches,
    newest_in_series,
    normalize,
    pyproject_pins,
    read_lock,
    series,
    versions_from_page,
)


def versions(*texts):
    return [Version(text) for text in texts]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("5.2.19", (0, 5, 2)),
        ("5.2", (0, 5, 2)),
        ("4.0", (0, 4, 0)),
        ("8", (0, 8, 0)),
        ("1.2.3.4", (0, 1, 2)),
        ("2026.10.19.post1", (0, 2026, 10)),
        ("1!2.3.4", (1, 2, 3)),
    ],
)
def test_a_series_is_epoch_major_minor(version, expected):
    assert series(Version(version)) == expected


@pytest.mark.parametrize(
    ("pinned", "available", "newest"),
    [
        # a newer patch release; minor and major releases are another series
        ("5.2.19", ["5.2.18", "5.2.19", "5.2.20", "5.3.0", "6.0.1"], "5.2.20"),
        ("5.2.20", ["5.2.19", "5.2.20", "6.0"], "5.2.20"),
        # "5.2" and "5.2.0" are one version; a two-part pin takes the series' patches
        ("8.2", ["8.2", "8.2.1", "8.3"], "8.2.1"),
        ("4.0", ["3.9.9", "4.0", "4.1"], "4.0"),
        # pre-releases do not count against a final pin, do for a pre-release pin
        ("1.4.2", ["1.4.3rc1", "1.4.3.dev0", "1.4.3a1"], "1.4.2"),
        ("1.4.3rc1", ["1.4.3rc2"], "1.4.3rc2"),
        ("1.4.3rc1", ["1.4.3"], "1.4.3"),
        # post-releases do
        ("2026.10.19", ["2026.10.19.post1", "2026.11.1"], "2026.10.19.post1"),
        # compared as numbers, not text: 1.10.10 is newer than 1.10.9
        ("1.10.2", ["1.10.10", "1.10.9"], "1.10.10"),
        # local versions only for a local pin
        ("2.13.0", ["2.13.0+cpu"], "2.13.0"),
        # nothing known: the pin itself
        ("3.3.9", [], "3.3.9"),
    ],
)
def test_the_newest_release_of_the_pins_series(pinned, available, newest):
    assert newest_in_series(Version(pinned), versions(*available)) == Version(newest)


def test_behind_lists_only_pins_with_a_newer_patch_and_matches_names_as_pep_503_does():
    pins = {
        "Django": Version("5.2.19"),
        "zope.interface": Version("8.1"),
        "ruff": Version("0.17.6"),
    }
    available = {
        "django": versions("5.2.19", "5.2.20", "6.0"),
        "zope-interface": versions("8.1", "8.2"),
        "ruff": versions("0.17.6", "0.18.0"),
    }
    assert behind(pins, available) == [("Django", Version("5.2.19"), Version("5.2.20"))]
    assert behind({"unknown-thing": Version("1.0")}, available) == []


def test_names_are_normalised_as_pep_503_says():
    assert normalize("Django") == "django"
    assert normalize("zope.interface") == "zope-interface"
    assert normalize("draftjs_exporter") == "draftjs-exporter"
    assert normalize("a._-b") == "a-b"


def test_the_lock_and_pyproject_pins_are_read_and_compared():
    lock = read_lock("# header\nDjango==5.2.20\n\nboolean.py==5.0\n-e .\nwagtail==8.0.1  # why\n")
    assert lock == {
        "Django": Version("5.2.20"),
        "boolean.py": Version("5.0"),
        "wagtail": Version("8.0.1"),
    }
    pyproject = pyproject_pins(
        "[project]\nname='x'\ndependencies=['django==5.2.19', 'psycopg[binary]==3.3.9']\n"
        "[project.optional-dependencies]\ndev=['wagtail==8.0.1', 'pytest>=8']\n"
    )
    assert pyproject == {
        "django": Version("5.2.19"),
        "psycopg": Version("3.3.9"),
        "wagtail": Version("8.0.1"),
    }
    assert lock_mismatches(pyproject, lock) == [
        ("django", Version("5.2.19"), Version("5.2.20")),
        ("psycopg", Version("3.3.9"), None),
    ]


HTML_PAGE = """<!DOCTYPE html><html><body>
<a href="../../files/demo-1.0.0.tar.gz#sha256=00">demo-1.0.0.tar.gz</a>
<a href="/f/demo-1.0.1-py3-none-any.whl#sha256=11">demo-1.0.1-py3-none-any.whl</a>
<a href="/f/demo-1.0.2-py3-none-any.whl" data-yanked="">demo-1.0.2-py3-none-any.whl</a>
<a href="/f/demo-1.0.3-py3-none-any.whl" data-requires-python="&gt;=3.99"></a>
<a href="/f/demo-1.0.4-py3-none-any.whl" data-requires-python="&gt;=3.9"></a>
<a href="/f/demo-1.0.5.exe">demo-1.0.5.exe</a>
<a href="https://files.example/not-a-file/">garbage-name</a>
</body></html>"""


def test_a_simple_html_page_offers_the_versions_with_an_installable_file():
    assert versions_from_page(HTML_PAGE, "text/html", "3.11.7") == set(
        versions("1.0.0", "1.0.1", "1.0.4")
    )


def test_a_simple_json_page_offers_the_same():
    page = {
        "files": [
            {"filename": "demo-2.0.0.tar.gz", "yanked": False, "requires-python": None},
            {"filename": "demo-2.0.1-py3-none-any.whl", "yanked": "bad build"},
            {"filename": "demo-2.0.2-py3-none-any.whl", "requires-python": "<3"},
            {"filename": "demo-2.0.3-cp311-cp311-manylinux_2_28_x86_64.whl"},
        ]
    }
    offered = versions_from_page(json.dumps(page), "application/vnd.pypi.simple.v1+json", "3.11.7")
    assert offered == set(versions("2.0.0", "2.0.3"))


@pytest.mark.parametrize(
    ("config", "indexes"),
    [
        ("", ["https://pypi.org/simple"]),
        (
            "global.extra-index-url='file:///opt/a/simple file:///opt/b/simple'\n"
            "global.find-links='/opt/wheels'\n",
            ["https://pypi.org/simple", "file:///opt/a/simple", "file:///opt/b/simple"],
        ),
        (
            "global.index-url='https://mirror.test/simple'\n"
            "install.index-url='https://install.test/simple'\n"
            ":env:.index-url='https://env.test/simple'\n",
            ["https://env.test/simple"],
        ),
        (
            "global.index-url='https://mirror.test/simple'\n"
            "install.index-url='https://install.test/simple'\n",
            ["https://install.test/simple"],
        ),
    ],
)
def test_the_index_is_the_one_pip_is_configured_with(config, indexes):
    assert configured_indexes(config) == indexes


def test_a_pin_is_held_when_an_installed_package_excludes_the_newer_release():
    requirements = [
        ("django-oscar 4.2.1", Requirement("django-tables2<=2.7,>=2.3")),
        ("wagtail 8.0.1", Requirement("django-tables2>=2")),
        ("other 1.0", Requirement("django-tables2<2.7.1; sys_platform == 'nonexistent'")),
        ("moto 5.2.6", Requirement("py-partiql-parser==0.6.1; extra == 's3'")),
        ("moto 5.2.6", Requirement("flask<3.1.2; extra == 'server'")),
    ]
    assert holders("django_tables2", Version("2.7.5"), requirements) == [
        "django-oscar 4.2.1 requires django-tables2<=2.7,>=2.3"
    ]
    assert holders("django-tables2", Version("2.7.0"), requirements) == []
    # a requirement under an extra counts where that extra is installed, only there
    extras = {"moto": {"s3"}}
    assert holders("py-partiql-parser", Version("0.6.2"), requirements, extras) == [
        'moto 5.2.6 requires py-partiql-parser==0.6.1; extra == "s3"'
    ]
    assert holders("py-partiql-parser", Version("0.6.2"), requirements) == []
    assert holders("flask", Version("3.1.3"), requirements, extras) == []


def test_accepted_advisories_are_read_from_the_security_notes():
    text = "| `GHSA-abcd-1234-wxyz` | django | why |\n| `PYSEC-2026-1` | x | y |\nno `X-1` |"
    assert accepted_advisories(text) == {"GHSA-abcd-1234-wxyz", "PYSEC-2026-1"}
