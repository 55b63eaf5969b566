"""Page-weight budgets of the issue, measured in Chromium on the demo served like production.

Each page is loaded once as a first visit (see `benchmarks/page_weight.py` for what is counted and
how slow 3G is simulated); every test then checks one page against its budget, and the whole
table is printed at the end of the run, passing or not.
"""

import shutil
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.test import override_settings

from benchmarks.page_weight import measure_pages, table
from tests.browser.serving import production_like_server
from tests.conftest import _copy_database

PAGES = [
    "scan page",
    "home",
    "product list",
    "product",
    "basket, one item",
    "checkout: guest e-mail",
    "checkout: address",
    "checkout: delivery",
    "checkout: payment",
    "checkout: preview",
]


class BudgetReport:
    """Prints the figures in pytest's closing summary, so they show even when every test passes."""

    def __init__(self, results):
        self.results = results

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.section("page weight (tests/browser/test_budgets.py)")
        for line in table(self.results).splitlines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="module")
def measured(browser, _demo_snapshot, _db_snapshot, django_db_blocker, tmp_path_factory, request):
    """The demo's pages measured once for the module; the database is put back afterwards."""
    from django.contrib.contenttypes.models import ContentType

    from traceability.digital_link import lot_uri
    from traceability.models import Lot

    name, migrated, vendor = _db_snapshot
    media = shutil.copytree(_demo_snapshot.media, tmp_path_factory.mktemp("budget") / "media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        try:
            _copy_database(_demo_snapshot.database, name, vendor)
            ContentType.objects.clear_cache()
            lot = Lot.objects.exclude(product__gtin="").select_related("product").first()
            with production_like_server() as url:
                scan_path = urlsplit(lot_uri(lot)).path  # as printed on the lot's label
                results = measure_pages(browser, url, scan_path)
        finally:
            _copy_database(migrated, name, vendor)
            ContentType.objects.clear_cache()
            cache.clear()
    request.config.pluginmanager.register(BudgetReport(results), "page-weight-report")
    return {m.name: m for m in results}


def test_every_page_of_the_budgets_was_measured(measured):
    assert list(measured) == PAGES


@pytest.mark.parametrize("page", PAGES)
def test_page_keeps_its_budget(measured, page):
    measurement = measured[page]
    assert measurement.broken() == []
    problems = measurement.over_budget()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
