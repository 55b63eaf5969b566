"""The reliability and security battery: each item tries a classic failure on purpose and
records its figure against the target; the run ends with one line per item.

    def test_webhook_replay(battery):
        ...
        battery.record(1, "Stripe webhook replay", f"{orders} order, {errors} server errors",
                       ok=orders == 1 and errors == 0)
        assert orders == 1 and errors == 0

Fast parts run in `make test`; parts marked `soak` (long, loaded) only in `make soak`.
"""

from dataclasses import dataclass

import pytest

_RESULTS = []


@dataclass
class Figure:
    item: int
    name: str
    figure: str
    ok: bool


class Battery:
    def record(self, item, name, figure, *, ok):
        _RESULTS.append(Figure(item, name, figure, bool(ok)))


@pytest.fixture
def battery():
    return Battery()


def report_lines(results):
    """One line per figure, by item number: "<n>. PASS|FAIL  <name>: <figure>"."""
    return [
        f"{r.item:>2}. {'PASS' if r.ok else 'FAIL'}  {r.name}: {r.figure}"
        for r in sorted(results, key=lambda r: r.item)
    ]


def pytest_terminal_summary(terminalreporter):
    if _RESULTS:
        terminalreporter.section("reliability and security battery")
        for line in report_lines(_RESULTS):
            terminalreporter.write_line(line)
