"""What the scheduled job does: rebuild the rollups, then draw the charts staff will open."""

from .panels import prepare_charts
from .rollups import refresh_rollups


def refresh_and_prepare(full=False):
    rows = refresh_rollups(full=full)
    prepare_charts()
    return rows
