"""Server-drawn inline SVG charts for the evidence pages (no Django, no JavaScript).

Every chart has a <title> and <desc> for screen readers, writes its numbers beside the marks (so colour
is never the only carrier of meaning), and is always shown above the table of the numbers behind it.
A hidden (suppressed) count is drawn as no bar with the words "<5" or "suppressed" in its place.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 640
LABEL_WIDTH = 190  # the least room for the labels; more is taken when a label needs it
LABEL_MAX_WIDTH = 290
# Arial at 13 px averages about 6.5 px a character; 7.2 leaves room for capitals and wide letters.
LABEL_CHAR_PX = 7.2
VALUE_WIDTH = 150
ROW_HEIGHT = 26
TOP = 12
AXIS_HEIGHT = 40
BAR_COLOUR = "#005eb8"  # NHS blue
INTERVAL_COLOUR = "#212b32"
GRID_COLOUR = "#aeb7bd"
TEXT_COLOUR = "#212b32"
TARGET_COLOUR = "#d5281b"  # NHS red
# Making Data Count colours: grey common cause, blue improvement, orange concern, purple neutral.
VARIATION_COLOURS = {
    "common_cause": "#768692",
    "special_cause_improvement": "#005eb8",
    "special_cause_concern": "#ed8b00",
    "special_cause_neutral_high": "#330072",
    "special_cause_neutral_low": "#330072",
}


@dataclass(frozen=True)
class Bar:
    """One bar: a value (None when hidden or not calculable), optional interval, and the words to show."""

    label: str
    value: float | None
    text: str
    lower: float | None = None
    upper: float | None = None


@dataclass(frozen=True)
class SeriesPoint:
    """One point in time: its label, value (None when hidden) and the words to show."""

    label: str
    value: float | None
    text: str
    lower: float | None = None
    upper: float | None = None
    variation: str = "common_cause"
    special: bool = False


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _open(chart_id: str, height: float, title: str, description: str) -> list[str]:
    title_id, description_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg class="cw-chart" viewBox="0 0 {WIDTH} {_fmt(height)}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {description_id}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{description_id}">{escape(description)}</desc>',
    ]


def label_layout(labels: Sequence[str]) -> tuple[float, list[list[str]]]:
    """Return the room the row labels need (LABEL_WIDTH to LABEL_MAX_WIDTH) and each label's lines.

    A label too long for the widest room is wrapped onto two lines, so no label is cut off at the
    chart's left edge ("luntary or community organisation"); the table below always has it whole.
    """
    most = int((LABEL_MAX_WIDTH - 16) / LABEL_CHAR_PX)
    lines = [textwrap.wrap(label, most, max_lines=2, placeholder="…") or [""] for label in labels]
    longest = max(len(line) for parts in lines for line in parts)
    return max(float(LABEL_WIDTH), min(float(LABEL_MAX_WIDTH), longest * LABEL_CHAR_PX + 16)), lines


def _label(x: float, middle: float, lines: Sequence[str]) -> str:
    """A row label, right-aligned against the plot, on one line or two about the row's middle."""
    if len(lines) == 1:
        return (
            f'<text x="{_fmt(x)}" y="{_fmt(middle + 4)}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(lines[0])}</text>'
        )
    spans = "".join(
        f'<tspan x="{_fmt(x)}" y="{_fmt(middle - 2.5 + 12 * index)}">{escape(line)}</tspan>'
        for index, line in enumerate(lines)
    )
    return f'<text text-anchor="end" font-size="12" fill="{TEXT_COLOUR}">{spans}</text>'


def nice_maximum(value: float) -> float:
    """Round a positive maximum up to 1, 2, 2.5 or 5 times a power of ten, for a readable axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _tick_text(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    axis_label: str,
    maximum: float | None = None,
) -> str:
    """Return horizontal bars (with interval whiskers where given), each labelled with its words."""
    if not bars:
        raise ValueError("A bar chart needs at least one bar.")
    largest = max(
        [bar.upper if bar.upper is not None else bar.value or 0.0 for bar in bars if bar.value is not None]
        or [0.0]
    )
    top_value = maximum if maximum is not None else nice_maximum(largest)
    label_width, label_lines = label_layout([bar.label for bar in bars])
    plot_left, plot_right = label_width, WIDTH - VALUE_WIDTH
    plot_width = plot_right - plot_left
    height = TOP + ROW_HEIGHT * len(bars) + AXIS_HEIGHT
    axis_y = TOP + ROW_HEIGHT * len(bars)

    def x_of(value: float) -> float:
        return plot_left + plot_width * max(0.0, min(value, top_value)) / top_value

    parts = _open(chart_id, height, title, description)
    for tick in (0.0, top_value / 2, top_value):
        tick_x = x_of(tick)
        parts.append(
            f'<line x1="{_fmt(tick_x)}" x2="{_fmt(tick_x)}" y1="{TOP}" y2="{axis_y}" stroke="{GRID_COLOUR}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_fmt(tick_x)}" y="{axis_y + 16}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT_COLOUR}">{escape(_tick_text(tick))}</text>'
        )
    parts.append(
        f'<text x="{_fmt(plot_left + plot_width / 2)}" y="{axis_y + 34}" text-anchor="middle" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(axis_label)}</text>'
    )
    for index, bar in enumerate(bars):
        row_top = TOP + ROW_HEIGHT * index
        middle = row_top + ROW_HEIGHT / 2
        parts.append(_label(plot_left - 8, middle, label_lines[index]))
        end: float = plot_left
        if bar.value is not None:
            end = x_of(bar.value)
            parts.append(
                f'<rect x="{plot_left}" y="{_fmt(row_top + 5)}" width="{_fmt(end - plot_left)}" '
                f'height="{ROW_HEIGHT - 10}" fill="{BAR_COLOUR}"/>'
            )
            if bar.lower is not None and bar.upper is not None:
                low, high = x_of(bar.lower), x_of(bar.upper)
                parts.append(
                    f'<line x1="{_fmt(low)}" x2="{_fmt(high)}" y1="{_fmt(middle)}" y2="{_fmt(middle)}" '
                    f'stroke="{INTERVAL_COLOUR}" stroke-width="2"/>'
                )
                for whisker in (low, high):
                    parts.append(
                        f'<line x1="{_fmt(whisker)}" x2="{_fmt(whisker)}" y1="{_fmt(middle - 6)}" '
                        f'y2="{_fmt(middle + 6)}" stroke="{INTERVAL_COLOUR}" stroke-width="2"/>'
                    )
                end = max(end, high)
        parts.append(
            f'<text x="{_fmt(end + 6)}" y="{_fmt(middle + 4)}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(bar.text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _value_range(values: Sequence[float], floor_at_zero: bool) -> tuple[float, float]:
    low, high = min(values), max(values)
    if floor_at_zero and low >= 0:
        return 0.0, nice_maximum(high * 1.05 if high > 0 else 1.0)
    spread = (high - low) or abs(high) or 1.0
    return low - spread * 0.1, high + spread * 0.1


def series_chart(
    points: Sequence[SeriesPoint],
    *,
    title: str,
    description: str,
    chart_id: str,
    axis_label: str,
    lines: Sequence[tuple[float, str, bool]] = (),
    join: bool = True,
    floor_at_zero: bool = True,
) -> str:
    """Return points over time (joined for SPC, with whiskers for intervals) and labelled level lines.

    `lines` are (value, label, dashed): an SPC chart's mean and limits, or a target. A point that
    shows special cause variation is drawn as a diamond, others as circles.
    """
    if not points:
        raise ValueError("A chart over time needs at least one point.")
    known = [
        value for point in points for value in (point.value, point.lower, point.upper) if value is not None
    ]
    known += [value for value, _, _ in lines]
    low, high = _value_range(known or [0.0], floor_at_zero)
    left, right, top, bottom = 64, WIDTH - 150, 16, 48
    height = 300
    plot_height = height - top - bottom

    def y_of(value: float) -> float:
        return top + plot_height * (high - value) / (high - low)

    step = (right - left) / max(1, len(points) - 1)
    xs = [left + step * index if len(points) > 1 else (left + right) / 2 for index in range(len(points))]
    parts = _open(chart_id, height, title, description)
    for value in (low, (low + high) / 2, high):
        level = y_of(value)
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{_fmt(level)}" y2="{_fmt(level)}" stroke="{GRID_COLOUR}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{_fmt(level + 4)}" text-anchor="end" font-size="12" '
            f'fill="{TEXT_COLOUR}">{escape(_tick_text(round(value, 1)))}</text>'
        )
    middle = _fmt(top + plot_height / 2)
    parts.append(
        f'<text x="12" y="{middle}" font-size="12" fill="{TEXT_COLOUR}" transform="rotate(-90 12 {middle})" '
        f'text-anchor="middle">{escape(axis_label)}</text>'
    )
    for value, label, dashed in lines:
        level = y_of(value)
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        colour = TARGET_COLOUR if label.lower().startswith("target") else INTERVAL_COLOUR
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{_fmt(level)}" y2="{_fmt(level)}" stroke="{colour}" '
            f'stroke-width="1.5"{dash}/>'
        )
        parts.append(
            f'<text x="{right + 6}" y="{_fmt(level + 4)}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(label)}</text>"
        )
    shown = [(x, point) for x, point in zip(xs, points, strict=True) if point.value is not None]
    if join and len(shown) > 1:
        path = " ".join(f"{_fmt(x)},{_fmt(y_of(point.value or 0.0))}" for x, point in shown)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{GRID_COLOUR}" stroke-width="2"/>')
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            parts.append(
                f'<text x="{_fmt(x)}" y="{_fmt(top + plot_height - 4)}" text-anchor="middle" font-size="11" '
                f'fill="{TEXT_COLOUR}">{escape(point.text)}</text>'
            )
            continue
        y = y_of(point.value)
        if point.lower is not None and point.upper is not None:
            parts.append(
                f'<line x1="{_fmt(x)}" x2="{_fmt(x)}" y1="{_fmt(y_of(point.lower))}" '
                f'y2="{_fmt(y_of(point.upper))}" stroke="{INTERVAL_COLOUR}" stroke-width="2"/>'
            )
        colour = VARIATION_COLOURS.get(point.variation, BAR_COLOUR)
        if point.special:
            parts.append(
                f'<polygon points="{_fmt(x)},{_fmt(y - 7)} {_fmt(x + 7)},{_fmt(y)} {_fmt(x)},{_fmt(y + 7)} '
                f'{_fmt(x - 7)},{_fmt(y)}" fill="{colour}"><title>{escape(point.label)}: {escape(point.text)}'
                "</title></polygon>"
            )
        else:
            parts.append(
                f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="5" fill="{colour}"><title>{escape(point.label)}: '
                f"{escape(point.text)}</title></circle>"
            )
    label_every = max(1, math.ceil(len(points) / 8))
    for index, (x, point) in enumerate(zip(xs, points, strict=True)):
        if index % label_every == 0 or index == len(points) - 1:
            parts.append(
                f'<text x="{_fmt(x)}" y="{height - bottom + 18}" text-anchor="middle" font-size="12" '
                f'fill="{TEXT_COLOUR}">{escape(point.label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def forest_chart(
    rows: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    axis_label: str,
) -> str:
    """Return a dot per group with its interval, about a line at zero (values may be below zero)."""
    if not rows:
        raise ValueError("A chart needs at least one row.")
    known = [value for row in rows for value in (row.value, row.lower, row.upper) if value is not None]
    reach = nice_maximum(max([abs(value) for value in known] or [1.0]))
    label_width, label_lines = label_layout([row.label for row in rows])
    plot_left, plot_right = label_width, WIDTH - VALUE_WIDTH
    plot_width = plot_right - plot_left
    height = TOP + ROW_HEIGHT * len(rows) + AXIS_HEIGHT
    axis_y = TOP + ROW_HEIGHT * len(rows)

    def x_of(value: float) -> float:
        return plot_left + plot_width * (max(-reach, min(value, reach)) + reach) / (2 * reach)

    parts = _open(chart_id, height, title, description)
    for tick in (-reach, 0.0, reach):
        tick_x = x_of(tick)
        colour = INTERVAL_COLOUR if tick == 0 else GRID_COLOUR
        parts.append(
            f'<line x1="{_fmt(tick_x)}" x2="{_fmt(tick_x)}" y1="{TOP}" y2="{axis_y}" stroke="{colour}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_fmt(tick_x)}" y="{axis_y + 16}" text-anchor="middle" font-size="12" '
            f'fill="{TEXT_COLOUR}">{escape(_tick_text(tick).replace("-", "−"))}</text>'
        )
    parts.append(
        f'<text x="{_fmt(plot_left + plot_width / 2)}" y="{axis_y + 34}" text-anchor="middle" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(axis_label)}</text>'
    )
    for index, row in enumerate(rows):
        middle = TOP + ROW_HEIGHT * index + ROW_HEIGHT / 2
        parts.append(_label(plot_left - 8, middle, label_lines[index]))
        if row.value is not None:
            if row.lower is not None and row.upper is not None:
                parts.append(
                    f'<line x1="{_fmt(x_of(row.lower))}" x2="{_fmt(x_of(row.upper))}" y1="{_fmt(middle)}" '
                    f'y2="{_fmt(middle)}" stroke="{INTERVAL_COLOUR}" stroke-width="2"/>'
                )
            parts.append(
                f'<circle cx="{_fmt(x_of(row.value))}" cy="{_fmt(middle)}" r="5" fill="{BAR_COLOUR}"/>'
            )
        parts.append(
            f'<text x="{plot_right + 6}" y="{_fmt(middle + 4)}" font-size="12" fill="{TEXT_COLOUR}">'
            f"{escape(row.text)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
