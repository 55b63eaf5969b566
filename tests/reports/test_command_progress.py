"""Long commands print plain progress lines when their output is not a terminal."""

import datetime
import io

import pytest
from django.core.management import call_command

from tests.factories import certified_product
from tests.registry_server import FakeRegistry, feed_record
from traceability.models import Certification, Lot

pytestmark = pytest.mark.django_db


def test_sync_registry_prints_a_line_per_page_and_a_last_count(settings):
    records = [feed_record(f"R-{n}") for n in range(1, 6)]
    with FakeRegistry(records, page_size=2) as server:
        settings.REGISTRY_URL = server.url
        settings.REGISTRY_TOKEN = "s3cret"
        out, err = io.StringIO(), io.StringIO()
        call_command("sync_registry", "--full", stdout=out, stderr=err)
    pages = [line for line in out.getvalue().splitlines() if line.startswith("  page ")]
    assert [line.split(":")[0] for line in pages] == ["  page 1", "  page 2", "  page 3"]
    assert "5 records read, 5 new" in pages[-1]
    assert err.getvalue().startswith("Registry sync: 3 pages in ")
    assert Certification.objects.count() == 5


@pytest.mark.parametrize("fmt", ["pdf", "png", "svg"])
def test_make_labels_reports_labels_page_by_page(tmp_path, fmt):
    product = certified_product(title="Chè Shan tuyết")
    Lot.objects.create(product=product, code="L1", produced_on=datetime.date.today())
    err = io.StringIO()
    call_command(
        "make_labels", lot="L1", count=30, format=fmt, out=str(tmp_path / f"labels.{fmt}"),
        stdout=io.StringIO(), stderr=err,
    )  # fmt: skip
    lines = err.getvalue().splitlines()
    # 24 labels on the first A4 page, 6 on the second.
    assert [line.split(" in ")[0] for line in lines] == [
        "Labels: 24/30 labels (80%)",
        "Labels: 30/30 labels (100%)",
    ]


def test_load_demo_prints_its_steps_and_a_last_count(_demo_snapshot):
    # What the session's one `load_demo` (tests/conftest.py) printed, not being a terminal.
    steps = [line for line in _demo_snapshot.out.splitlines() if line.startswith("  ")]
    assert any(line.startswith("  producers: ") for line in steps)
    last = _demo_snapshot.err.splitlines()[-1]
    assert last.startswith("Loading the demo: ") and " steps in " in last
    assert int(last.split(": ")[1].split()[0]) >= 5
