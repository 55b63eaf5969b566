"""Server-rendered charts: the geometry of simple bar charts, drawn as inline SVG by a template.

Each function returns a `Chart` whose bars, ticks and labels are already placed in SVG units,
and whose `rows` hold the same figures for the table shown under the chart (people who cannot
see the picture, or want the exact figures, read the table). Values are formatted for the active
language: counts with its thousands separator, money with Oscar's `currency` filter (VND).
"""

import math
from dataclasses import dataclass, field

from django.utils import numberformat
from django.utils.formats import get_format
from oscar.templatetags.currency_filters import currency

CHAR_WIDTH = 6.6  # average width of a 11px label character, to keep labels from overlapping
SERIES = 5  # colours of stacked series in charts.css: .series-1 … .series-5 (0: single)


def count(value):
    """A count with the language's thousands separator (1.250.000 in Vietnamese)."""
    # Django's Vietnamese format sets no grouping; the separator is the language's own.
    return numberformat.format(
        int(value or 0),
        get_format("DECIMAL_SEPARATOR"),
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def money(value):
    """Whole đồng, formatted like 1.250.000 ₫ (fractions would be rounded silently)."""
    return currency(int(round(value or 0)), "VND")


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    text: str
    series: int = 0


@dataclass
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass
class Chart:
    """Everything a template needs to draw one chart and the table behind it."""

    id: str
    title: str
    width: int
    height: int
    bars: list = field(default_factory=list)
    grid: list = field(default_factory=list)  # (y, label) of horizontal grid lines
    labels: list = field(default_factory=list)  # Text: category or date labels
    values: list = field(default_factory=list)  # Text: figures written next to bars
    legend: list = field(default_factory=list)  # (series index, name)
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # [label, formatted value, …]
    plot: tuple = (0, 0, 0, 0)  # left, top, right, bottom of the plotting area

    @property
    def is_empty(self):
        return not self.rows

    @property
    def summary_id(self):
        return f"{self.id}-desc"


def nice_step(maximum, ticks=4):
    """A round step (1, 2 or 5 × 10ⁿ) that divides 0…maximum into about `ticks` parts."""
    if maximum <= 0:
        return 1
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1, int(factor * power))
    return max(1, int(10 * power))


def _scale_top(maximum):
    step = nice_step(maximum)
    return step * max(1, math.ceil(maximum / step)), step


def _clip(text, chars):
    return text if len(text) <= chars else text[: max(1, chars - 1)] + "…"


def column_chart(
    chart_id,
    title,
    points,
    fmt=count,
    *,
    header=("", ""),
    width=640,
    height=220,
    axis_fmt=count,
):
    """Vertical bars over ordered categories (days, months): `points` = [(label, value)]."""
    points = list(points)
    maximum = max((float(value) for _label, value in points), default=0)
    top_value, step = _scale_top(maximum)
    left = 12 + CHAR_WIDTH * len(axis_fmt(top_value))
    top, right, bottom = 10, width - 8, height - 26
    chart = Chart(
        chart_id, title, width, height, headers=list(header), plot=(left, top, right, bottom)
    )
    for tick in range(0, top_value + 1, step):
        y = bottom - (bottom - top) * tick / top_value
        chart.grid.append((round(y, 1), axis_fmt(tick)))
    if not points:
        return chart
    slot = (right - left) / len(points)
    bar_width = max(1.0, slot * 0.8)
    longest = max(len(label) for label, _value in points)
    every = max(1, math.ceil(longest * CHAR_WIDTH / slot + 0.2))
    for index, (label, value) in enumerate(points):
        x = left + slot * index + (slot - bar_width) / 2
        h = (bottom - top) * float(value) / top_value
        chart.bars.append(
            Bar(
                round(x, 1),
                round(bottom - h, 1),
                round(bar_width, 1),
                round(h, 1),
                label,
                fmt(value),
            )
        )
        # Label every n-th bar, counted from the last one (the most recent day is always named).
        if (len(points) - 1 - index) % every == 0:
            chart.labels.append(Text(round(x + bar_width / 2, 1), bottom + 16, label))
        chart.rows.append([label, fmt(value)])
    return chart


def bar_chart(chart_id, title, points, fmt=count, *, header=("", ""), width=640, label_chars=26):
    """Horizontal bars for categories or a top N: `points` = [(label, value)], drawn in order."""
    points = list(points)
    row_height, gap = 22, 6
    height = max(40, 12 + len(points) * (row_height + gap))
    left = 12 + CHAR_WIDTH * min(label_chars, max((len(p[0]) for p in points), default=4))
    texts = [fmt(value) for _label, value in points]
    right = width - 12 - CHAR_WIDTH * max((len(t) for t in texts), default=1)
    chart = Chart(
        chart_id, title, width, height, headers=list(header), plot=(left, 6, right, height)
    )
    maximum = max((float(value) for _label, value in points), default=0) or 1
    for index, ((label, value), text) in enumerate(zip(points, texts, strict=True)):
        y = 6 + index * (row_height + gap)
        w = (right - left) * float(value) / maximum
        chart.bars.append(Bar(left, y, round(w, 1), row_height, label, text))
        middle = y + row_height / 2 + 4
        chart.labels.append(Text(left - 6, middle, _clip(label, label_chars), "end"))
        chart.values.append(Text(round(left + w + 4, 1), middle, text, "start"))
        chart.rows.append([label, text])
    return chart


def stacked_bar_chart(
    chart_id, title, categories, series, *, header="", total_header="", width=640
):
    """Horizontal bars split by series: `series` = [(name, [value per category])]."""
    categories = list(categories)
    row_height, gap = 22, 6
    height = max(40, 12 + len(categories) * (row_height + gap))
    left = 12 + CHAR_WIDTH * max((len(c) for c in categories), default=4)
    totals = [sum(values[i] for _name, values in series) for i in range(len(categories))]
    right = width - 12 - CHAR_WIDTH * max((len(count(t)) for t in totals), default=1)
    chart = Chart(
        chart_id,
        title,
        width,
        height,
        headers=[header, *(name for name, _values in series), total_header],
        plot=(left, 6, right, height),
    )
    chart.legend = [(index % SERIES + 1, name) for index, (name, _values) in enumerate(series)]
    maximum = max(totals, default=0) or 1
    for row, category in enumerate(categories):
        y = 6 + row * (row_height + gap)
        x = left
        for index, (name, values) in enumerate(series):
            w = (right - left) * values[row] / maximum
            if values[row]:
                text = f"{name}: {count(values[row])}"
                chart.bars.append(
                    Bar(round(x, 1), y, round(w, 1), row_height, category, text, index % SERIES + 1)
                )
            x += w
        middle = y + row_height / 2 + 4
        chart.labels.append(Text(left - 6, middle, category, "end"))
        chart.values.append(Text(round(x + 4, 1), middle, count(totals[row]), "start"))
        chart.rows.append(
            [category, *(count(values[row]) for _name, values in series), count(totals[row])]
        )
    return chart
