"""The results chart: one bar per project for its votes (or points), funded projects drawn in NHS blue
and labelled "funded" in words, so colour never carries the meaning alone (no Django, no JavaScript).

The chart is always shown with the table of the same numbers beneath it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 680
LABEL_WIDTH = 230
VALUE_WIDTH = 170
ROW_HEIGHT = 28
TOP = 10
AXIS_HEIGHT = 42
FUNDED_COLOUR = "#005eb8"  # NHS blue
NOT_FUNDED_COLOUR = "#768692"  # NHS mid grey
GRID_COLOUR = "#aeb7bd"
TEXT_COLOUR = "#212b32"
LABEL_CHARACTERS = 32


@dataclass(frozen=True)
class ChartRow:
    """One project: its label, its score, and whether it was funded."""

    label: str
    score: float
    funded: bool


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def axis_maximum(value: float) -> float:
    """Round the largest score up to 1, 2, 2.5 or 5 times a power of ten, for a readable axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def results_chart(rows: Sequence[ChartRow], *, title: str, description: str, chart_id: str, unit: str) -> str:
    """Return an inline SVG bar chart of the projects' scores, in the order given."""
    if not rows:
        raise ValueError("A results chart needs at least one project.")
    top_value = axis_maximum(max(row.score for row in rows))
    plot_left, plot_right = LABEL_WIDTH, WIDTH - VALUE_WIDTH
    plot_width = plot_right - plot_left
    axis_y = TOP + ROW_HEIGHT * len(rows)
    height = axis_y + AXIS_HEIGHT
    title_id, description_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="cw-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {description_id}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{description_id}">{escape(description)}</desc>',
    ]

    def x_of(value: float) -> float:
        return plot_left + plot_width * max(0.0, min(value, top_value)) / top_value

    for tick in (0.0, top_value / 2, top_value):
        tick_x = x_of(tick)
        parts.append(
            f'<line x1="{_fmt(tick_x)}" x2="{_fmt(tick_x)}" y1="{TOP}" y2="{axis_y}" stroke="{GRID_COLOUR}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_fmt(tick_x)}" y="{axis_y + 16}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT_COLOUR}">{escape(_number(tick))}</text>'
        )
    parts.append(
        f'<text x="{_fmt(plot_left + plot_width / 2)}" y="{axis_y + 34}" text-anchor="middle" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(unit.capitalize())}</text>'
    )
    for index, row in enumerate(rows):
        row_top = TOP + ROW_HEIGHT * index
        middle = row_top + ROW_HEIGHT / 2
        end = x_of(row.score)
        colour = FUNDED_COLOUR if row.funded else NOT_FUNDED_COLOUR
        parts.append(
            f'<text x="{plot_left - 8}" y="{_fmt(middle + 4)}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(_short(row.label))}</text>'
        )
        parts.append(
            f'<rect x="{plot_left}" y="{_fmt(row_top + 5)}" width="{_fmt(end - plot_left)}" '
            f'height="{ROW_HEIGHT - 10}" fill="{colour}"/>'
        )
        words = f"{_number(row.score)} {unit}" + (", funded" if row.funded else "")
        weight = ' font-weight="bold"' if row.funded else ""
        parts.append(
            f'<text x="{_fmt(end + 6)}" y="{_fmt(middle + 4)}" font-size="12" fill="{TEXT_COLOUR}"{weight}>'
            f"{escape(words)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
