"""Report periods: inclusive local date ranges, the presets staff pick, and their boundaries."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from traceability.rules import add_months

THIS_MONTH = "this_month"
LAST_MONTH = "last_month"
THIS_QUARTER = "this_quarter"
LAST_QUARTER = "last_quarter"
THIS_YEAR = "this_year"
LAST_YEAR = "last_year"

PRESET_CHOICES = [
    (THIS_MONTH, _("This month")),
    (LAST_MONTH, _("Last month")),
    (THIS_QUARTER, _("This quarter")),
    (LAST_QUARTER, _("Last quarter")),
    (THIS_YEAR, _("This year")),
    (LAST_YEAR, _("Last year")),
]

# Longer periods make reports nobody reads and queries nobody waits for.
MAX_YEARS = 5


def _month_end(first_day, months=1):
    return add_months(first_day, months) - datetime.timedelta(days=1)


def preset_period(name, today=None):
    """(start, end) of a preset, both inclusive, around `today` (the programme's local date)."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    quarter = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
    year = today.replace(month=1, day=1)
    if name == THIS_MONTH:
        return month, _month_end(month)
    if name == LAST_MONTH:
        start = add_months(month, -1)
        return start, _month_end(start)
    if name == THIS_QUARTER:
        return quarter, _month_end(quarter, 3)
    if name == LAST_QUARTER:
        start = add_months(quarter, -3)
        return start, _month_end(start, 3)
    if name == THIS_YEAR:
        return year, year.replace(month=12, day=31)
    if name == LAST_YEAR:
        start = year.replace(year=year.year - 1)
        return start, start.replace(month=12, day=31)
    raise ValueError(f"unknown period preset {name!r}")


def too_long(start, end):
    return end > add_months(start, 12 * MAX_YEARS)


def start_of(day):
    """The first moment of a local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def moment_range(start, end):
    """[first moment of `start`, first moment after `end`): for filtering datetimes."""
    return start_of(start), start_of(end + datetime.timedelta(days=1))


def months(start, end):
    """The first day of every month the period touches, in order."""
    month = start.replace(day=1)
    found = []
    while month <= end:
        found.append(month)
        month = add_months(month, 1)
    return found
