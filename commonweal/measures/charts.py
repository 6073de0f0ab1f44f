"""A person's trend as a server-rendered inline SVG line chart (no Django, no JavaScript).

The chart is decoration for sighted readers: it carries a title and a description for screen readers,
and every page that shows one also shows the table of the numbers behind it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

WIDTH = 600
HEIGHT = 260
LEFT = 56
RIGHT = 24
TOP = 16
BOTTOM = 44
LINE_COLOUR = "#005eb8"  # NHS blue
GRID_COLOUR = "#aeb7bd"
TEXT_COLOUR = "#212b32"


@dataclass(frozen=True)
class ChartPoint:
    """One score on one day."""

    when: datetime.date
    value: Decimal
    label: str


@dataclass(frozen=True)
class BandLine:
    """Where one band starts on the score's scale, drawn as a dashed line with the band's name."""

    at: Decimal
    label: str


@dataclass(frozen=True)
class Chart:
    """The chart's geometry (in SVG user units) and its markup."""

    points: tuple[tuple[float, float], ...]
    svg: str


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def y_of(value: Decimal, minimum: Decimal, maximum: Decimal) -> float:
    """Return the vertical position of a value: the maximum at the plot's top, the minimum at its foot."""
    plot_height = HEIGHT - TOP - BOTTOM
    share = (maximum - value) / (maximum - minimum)
    return TOP + float(share) * plot_height


def x_positions(days: Sequence[datetime.date]) -> tuple[float, ...]:
    """Return the horizontal positions of the days: in proportion to time, or evenly when all are one day."""
    plot_width = WIDTH - LEFT - RIGHT
    if len(days) == 1:
        return (LEFT + plot_width / 2,)
    first, last = days[0], days[-1]
    span = (last - first).days
    if span == 0:
        return tuple(LEFT + plot_width * index / (len(days) - 1) for index in range(len(days)))
    return tuple(LEFT + plot_width * (day - first).days / span for day in days)


def line_chart(
    points: Sequence[ChartPoint],
    *,
    minimum: Decimal,
    maximum: Decimal,
    title: str,
    description: str,
    chart_id: str,
    bands: Sequence[BandLine] = (),
) -> Chart:
    """Return an accessible SVG line chart of the points (in date order) on the score's whole range."""
    if not points:
        raise ValueError("A chart needs at least one point.")
    if maximum <= minimum:
        raise ValueError("The score's maximum must be above its minimum.")
    ordered = sorted(points, key=lambda point: point.when)
    xs = x_positions([point.when for point in ordered])
    coordinates = tuple(
        (x, y_of(point.value, minimum, maximum)) for x, point in zip(xs, ordered, strict=True)
    )
    title_id, description_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="cw-chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {description_id}" focusable="false" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{description_id}">{escape(description)}</desc>',
    ]
    right = WIDTH - RIGHT
    for band in bands:
        if minimum < band.at <= maximum:
            band_y = y_of(band.at, minimum, maximum)
            parts.append(
                f'<line x1="{LEFT}" x2="{right}" y1="{_fmt(band_y)}" y2="{_fmt(band_y)}" '
                f'stroke="{GRID_COLOUR}" stroke-dasharray="4 4" stroke-width="1"/>'
            )
            parts.append(
                f'<text x="{right}" y="{_fmt(band_y - 4)}" text-anchor="end" font-size="12" '
                f'fill="{TEXT_COLOUR}">{escape(band.label)} from {escape(_number(band.at))}</text>'
            )
    for value in (minimum, maximum):
        edge_y = y_of(value, minimum, maximum)
        parts.append(
            f'<line x1="{LEFT}" x2="{right}" y1="{_fmt(edge_y)}" y2="{_fmt(edge_y)}" stroke="{GRID_COLOUR}" '
            'stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 8}" y="{_fmt(edge_y + 4)}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(_number(value))}</text>'
        )
    baseline_y = HEIGHT - BOTTOM
    first_label = ordered[0].when.strftime("%-d %b %Y")
    first_anchor = "middle" if len(xs) == 1 else "start"
    parts.append(
        f'<text x="{_fmt(xs[0])}" y="{baseline_y + 24}" text-anchor="{first_anchor}" '
        f'font-size="13" fill="{TEXT_COLOUR}">{escape(first_label)}</text>'
    )
    if len(xs) > 1:
        last_label = ordered[-1].when.strftime("%-d %b %Y")
        parts.append(
            f'<text x="{_fmt(xs[-1])}" y="{baseline_y + 24}" text-anchor="end" font-size="13" '
            f'fill="{TEXT_COLOUR}">{escape(last_label)}</text>'
        )
        path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in coordinates)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="3"/>')
    for (x, y), point in zip(coordinates, ordered, strict=True):
        parts.append(
            f'<circle cx="{_fmt(x)}" cy="{_fmt(y)}" r="5" fill="{LINE_COLOUR}">'
            f"<title>{escape(point.label)}</title></circle>"
        )
    parts.append("</svg>")
    return Chart(points=coordinates, svg="".join(parts))
