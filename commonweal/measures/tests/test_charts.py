"""The trend chart's geometry: the score's whole range fills the plot, and time runs left to right."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from commonweal.measures import charts
from commonweal.measures.charts import BandLine, ChartPoint, line_chart

TOP = charts.TOP
FOOT = charts.HEIGHT - charts.BOTTOM
LEFT = charts.LEFT
RIGHT = charts.WIDTH - charts.RIGHT


def _point(day: int, value: int) -> ChartPoint:
    return ChartPoint(datetime.date(2026, 3, day), Decimal(value), f"{day} March: {value}")


def _chart(points, **extra):
    return line_chart(
        points, minimum=Decimal(0), maximum=Decimal(27), title="PHQ-9", description="d", chart_id="c", **extra
    )


def test_the_minimum_sits_on_the_foot_and_the_maximum_at_the_top():
    chart = _chart([_point(1, 0), _point(11, 27)])
    assert chart.points == ((LEFT, FOOT), (RIGHT, TOP))


def test_dates_are_placed_in_proportion_to_time():
    chart = _chart([_point(1, 9), _point(5, 9), _point(21, 9)])
    xs = [x for x, _ in chart.points]
    assert xs == [LEFT, LEFT + (RIGHT - LEFT) * 4 / 20, RIGHT]


def test_points_given_out_of_order_are_drawn_in_date_order():
    chart = _chart([_point(21, 0), _point(1, 27)])
    assert chart.points == ((LEFT, TOP), (RIGHT, FOOT))


def test_a_single_point_sits_in_the_middle_and_draws_no_line():
    chart = _chart([_point(1, 27)])
    assert chart.points == ((LEFT + (RIGHT - LEFT) / 2, TOP),)
    assert "<polyline" not in chart.svg


def test_the_chart_is_labelled_for_screen_readers_and_escapes_text():
    chart = line_chart(
        [_point(1, 5)],
        minimum=Decimal(0),
        maximum=Decimal(10),
        title="Score <b>",
        description="From 5 & on",
        chart_id="x",
        bands=[BandLine(Decimal(5), "Mild")],
    )
    assert chart.svg.startswith('<svg class="cw-chart" viewBox="0 0 600 260" width="100%" role="img" ')
    assert 'aria-labelledby="x-title x-desc"' in chart.svg
    assert '<title id="x-title">Score &lt;b&gt;</title>' in chart.svg
    assert '<desc id="x-desc">From 5 &amp; on</desc>' in chart.svg
    assert "Mild from 5</text>" in chart.svg


@pytest.mark.parametrize(("points", "message"), [([], "A chart needs at least one point.")])
def test_a_chart_needs_points(points, message):
    with pytest.raises(ValueError, match=message):
        _chart(points)
