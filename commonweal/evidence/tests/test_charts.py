"""The evidence charts: accessible SVG, numbers written beside the marks, hidden counts never drawn."""

from __future__ import annotations

import re
from xml.etree import ElementTree

import pytest

from commonweal.evidence.charts import Bar, SeriesPoint, bar_chart, nice_maximum, series_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - markup this test has just drawn itself


def test_a_bar_chart_is_labelled_for_screen_readers_and_draws_only_shown_bars() -> None:
    svg = bar_chart(
        [
            Bar("Most deprived", 40.0, "40% (30–50)", lower=30.0, upper=50.0),
            Bar("Least <deprived>", None, "<5"),
            Bar("Unknown", 10.0, "10%"),
        ],
        title="Connected, by deprivation",
        description="Share of referred people connected, by IMD decile.",
        chart_id="connected-deprivation",
        axis_label="Per cent",
        maximum=100,
    )
    root = _parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "connected-deprivation-title connected-deprivation-desc"
    assert root.findtext(f"{SVG}title") == "Connected, by deprivation"
    assert root.findtext(f"{SVG}desc") == "Share of referred people connected, by IMD decile."
    rects = root.findall(f"{SVG}rect")
    assert [float(rect.get("width", "")) for rect in rects] == [300 * 0.4, 300 * 0.1]
    texts = [text.text for text in root.findall(f"{SVG}text")]
    assert "40% (30–50)" in texts
    assert "<5" in texts
    assert "Least <deprived>" in texts  # escaped in the markup, read back as written
    assert "&lt;deprived&gt;" in svg


def test_a_bar_chart_needs_bars() -> None:
    with pytest.raises(ValueError, match="at least one bar"):
        bar_chart([], title="t", description="d", chart_id="c", axis_label="a")


@pytest.mark.parametrize(
    ("value", "rounded"), [(0, 1.0), (0.7, 1.0), (3, 5.0), (12, 20.0), (230, 250.0), (1000, 1000.0)]
)
def test_axis_maximums_are_rounded_up_to_readable_numbers(value: float, rounded: float) -> None:
    assert nice_maximum(value) == rounded


def test_a_series_marks_special_causes_by_shape_and_writes_hidden_points_as_words() -> None:
    points = [
        SeriesPoint("Jan 2025", 12.0, "12"),
        SeriesPoint("Feb 2025", None, "<5"),
        SeriesPoint("Mar 2025", 30.0, "30", variation="special_cause_neutral_high", special=True),
    ]
    svg = series_chart(
        points,
        title="Referrals each month",
        description="An XmR chart of referrals received each month.",
        chart_id="spc",
        axis_label="Referrals",
        lines=[(20.0, "Mean 20", False), (35.0, "Upper limit 35", True)],
    )
    root = _parse(svg)
    assert len(root.findall(f"{SVG}circle")) == 1
    diamonds = root.findall(f"{SVG}polygon")
    assert len(diamonds) == 1
    assert diamonds[0].findtext(f"{SVG}title") == "Mar 2025: 30"
    texts = [text.text for text in root.findall(f"{SVG}text")]
    assert "<5" in texts
    assert "Mean 20" in texts and "Upper limit 35" in texts
    polyline = root.find(f"{SVG}polyline")
    assert polyline is not None
    assert len(re.findall(r"\d+\.\d,\d+\.\d", polyline.get("points", ""))) == 2


def test_a_target_line_is_drawn_dashed_in_red() -> None:
    svg = series_chart(
        [SeriesPoint("2025 Q1", 50.0, "50%", lower=40.0, upper=60.0)],
        title="Connected",
        description="d",
        chart_id="target",
        axis_label="Per cent",
        lines=[(70.0, "Target 70%", True)],
        join=False,
    )
    root = _parse(svg)
    target = [line for line in root.findall(f"{SVG}line") if line.get("stroke") == "#d5281b"]
    assert len(target) == 1 and target[0].get("stroke-dasharray") == "6 4"


def test_money_and_signed_numbers_use_a_true_minus_sign() -> None:
    from commonweal.evidence.templatetags.evidence_format import money, signed

    assert [money(1234.5), money(-40449.634), money(None)] == ["£1,234.50", "−£40,449.63", "–"]
    assert [signed(-0.386), signed(2.0, 1), signed(None)] == ["−0.39", "2.0", "–"]
