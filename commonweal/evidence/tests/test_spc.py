"""XmR charts and the Making Data Count special-cause rules.

Rule definitions: NHS England, "Making Data Count" (https://www.england.nhs.uk/publication/making-data-count/),
as implemented by the NHS-R Community's NHSRplotthedots, R/ptd_spc_standard.R (limits: mean ± 2.66 mR-bar,
near limits at two thirds of that; outlying moving ranges of 3.267 mR-bar screened only on request) and
R/ptd_calculate_point_type.R (the four tests):
  1. a point beyond a process limit;
  2. a run of 7 points on one side of the mean (a point on the mean breaks the run);
  3. a trend of 7 points each higher, or each lower, than the one before (a tie breaks the trend);
  4. two of three consecutive points beyond a near (two sigma) limit, all three on the same side of the mean.

Most series below share a baseline: the first 20 points alternate 10, 0, so the chart is fixed on mean 5
and mR-bar 10 (process limits 5 ± 26.6, near limits 5 ± 17.73), and the points appended after it are
tested against those limits, as Making Data Count does once a process is baselined.
"""

from __future__ import annotations

import pytest

from commonweal.evidence.statistics import Improvement, SpcRule, StatisticsInputError, Variation, xmr_chart

BASELINE = [10.0, 0.0] * 10


def _chart(appended: list[float], **options):
    return xmr_chart(BASELINE + appended, baseline_points=len(BASELINE), **options)


def _flagged(appended: list[float], rule: SpcRule) -> list[bool]:
    """Whether each appended point is part of a pattern breaking `rule`."""
    return [rule in point.rules for point in _chart(appended).points[len(BASELINE) :]]


def test_limits_are_the_mean_plus_or_minus_2_66_average_moving_ranges() -> None:
    chart = _chart([])
    # Mean of ten 10s and ten 0s is 5; every one of the 19 moving ranges is |10 - 0| = 10.
    assert chart.mean == 5.0
    assert chart.average_moving_range == 10.0
    assert chart.upper_process_limit == pytest.approx(5 + 2.66 * 10)
    assert chart.lower_process_limit == pytest.approx(5 - 2.66 * 10)
    assert chart.upper_near_limit == pytest.approx(5 + (2 / 3) * 2.66 * 10)
    assert chart.lower_near_limit == pytest.approx(5 - (2 / 3) * 2.66 * 10)
    assert {point.special_cause_type for point in chart.points} == {"Common Cause"}


def test_a_point_beyond_a_process_limit_is_special_cause() -> None:
    assert _flagged([40.0], SpcRule.BEYOND_PROCESS_LIMIT) == [True]
    assert _flagged([-30.0], SpcRule.BEYOND_PROCESS_LIMIT) == [True]
    # 31 is above the near limit (22.73) but inside the process limit (31.6).
    assert _flagged([31.0], SpcRule.BEYOND_PROCESS_LIMIT) == [False]
    point = _chart([40.0]).points[-1]
    assert (point.special_cause_type, point.direction) == ("Above UCL", 1)


def test_seven_points_on_one_side_of_the_mean_are_a_run() -> None:
    # The baseline ends on 0, below the mean, so the run starts with the first appended point.
    assert _flagged([6.0] * 7, SpcRule.RUN_ONE_SIDE_OF_MEAN) == [True] * 7
    assert _flagged([6.0] * 6, SpcRule.RUN_ONE_SIDE_OF_MEAN) == [False] * 6
    # A point exactly on the mean breaks the run: 3 + 4 points either side of it are not a run.
    assert _flagged([6.0, 7.0, 6.0, 5.0, 6.0, 7.0, 6.0, 7.0], SpcRule.RUN_ONE_SIDE_OF_MEAN) == [False] * 8
    assert _chart([6.0] * 7).points[-1].special_cause_type == "7 Points Above CL"


def test_seven_points_each_higher_than_the_last_are_a_trend() -> None:
    # 9 then a drop, so the rising run starts at 1: 1, 2, 3, 4, 6, 7, 8 rise seven times in a row...
    assert _flagged([9.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0], SpcRule.TREND) == [False] + [True] * 7
    # ... and 1, 2, 3, 4, 6, 7 followed by a fall is only six.
    assert _flagged([9.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 3.0], SpcRule.TREND) == [False] * 8
    # A repeated value breaks a trend.
    assert _flagged([9.0, 1.0, 2.0, 3.0, 3.0, 4.0, 6.0, 7.0, 8.0], SpcRule.TREND) == [False] * 9
    points = _chart([9.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0]).points[-7:]
    assert {point.special_cause_type for point in points} == {"7 Point Trend (Increasing)"}


def test_seven_falling_points_are_a_decreasing_trend() -> None:
    points = _chart([1.0, 9.0, 8.0, 7.0, 6.0, 4.0, 3.0, 2.0]).points[-7:]
    assert [SpcRule.TREND in point.rules for point in points] == [True] * 7
    assert {point.special_cause_type for point in points} == {"7 Point Trend (Decreasing)"}
    assert {point.direction for point in points} == {-1}


def test_two_of_three_points_beyond_two_sigma_on_the_same_side_are_special_cause() -> None:
    # 24 is beyond the upper near limit (22.73); 6 is above the mean but not near the limit.
    assert _flagged([24.0, 6.0, 24.0], SpcRule.TWO_OF_THREE_NEAR_LIMIT) == [True, False, True]
    assert _flagged([-14.0, -14.0], SpcRule.TWO_OF_THREE_NEAR_LIMIT) == [True, True]
    # Only one of any three consecutive points is near a limit.
    assert _flagged([24.0, 6.0, 6.0, 24.0], SpcRule.TWO_OF_THREE_NEAR_LIMIT) == [False] * 4
    # The point between is below the mean, so the three are not all on one side.
    assert _flagged([24.0, 4.0, 24.0], SpcRule.TWO_OF_THREE_NEAR_LIMIT) == [False] * 3
    # Near the upper and the lower limit: opposite sides of the mean.
    assert _flagged([24.0, -14.0], SpcRule.TWO_OF_THREE_NEAR_LIMIT) == [False, False]
    assert _chart([24.0, 6.0, 24.0]).points[-1].special_cause_type == "2 in 3 Above CL"


def test_nhsrplotthedots_symmetric_example_has_no_two_in_three_across_the_mean() -> None:
    # tests/testthat/test-ptd_spc_standard.R: alternating 1, -1 with the last two points set to 5.5 and
    # -5.5, near the limits on opposite sides of the mean, are both common cause.
    values = [1.0, -1.0] * 8
    values[14], values[15] = 5.5, -5.5
    chart = xmr_chart(values, screen_outliers=True)
    assert chart.points[14].rules == chart.points[15].rules == frozenset()
    assert chart.points[14].value > chart.upper_near_limit
    assert chart.points[15].value < chart.lower_near_limit


def test_outlying_moving_ranges_are_screened_only_when_asked() -> None:
    values = [1.0, 2.0, 1.0, 2.0, 10.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0]
    # Twelve moving ranges: ten of 1 and two of 8 and 9 around the 10.
    unscreened = xmr_chart(values)
    assert unscreened.average_moving_range == pytest.approx((10 * 1 + 8 + 9) / 12)
    # 8 and 9 are at least 3.267 × 2.25, so screening leaves the ten ranges of 1.
    screened = xmr_chart(values, screen_outliers=True)
    assert screened.average_moving_range == 1.0
    assert screened.upper_process_limit < unscreened.upper_process_limit


@pytest.mark.parametrize(
    ("improvement", "high", "low"),
    [
        (Improvement.INCREASE, Variation.IMPROVEMENT, Variation.CONCERN),
        (Improvement.DECREASE, Variation.CONCERN, Variation.IMPROVEMENT),
        (Improvement.NEITHER, Variation.NEUTRAL_HIGH, Variation.NEUTRAL_LOW),
    ],
)
def test_special_causes_are_improvement_or_concern_by_the_better_direction(improvement, high, low) -> None:
    assert _chart([40.0], improvement=improvement).points[-1].variation is high
    assert _chart([-30.0], improvement=improvement).points[-1].variation is low
    assert _chart([6.0], improvement=improvement).points[-1].variation is Variation.COMMON_CAUSE


def test_short_series_carry_a_note() -> None:
    assert xmr_chart([1.0, 2.0, 3.0]).notes == (
        "Only 3 points: Making Data Count recommends at least 12 before relying on the limits.",
    )
    assert _chart([]).notes == ()


@pytest.mark.parametrize(
    ("values", "options", "message"),
    [
        ([4.0], {}, "An XmR chart needs at least two values to have a moving range."),
        ([4.0, float("nan")], {}, "Every value on an SPC chart must be a finite number; got nan."),
        (
            [1.0, 2.0, 3.0],
            {"baseline_points": 1},
            "The baseline must be a whole number of at least 2 points; got 1.",
        ),
    ],
)
def test_bad_input_raises_a_plain_statistics_error(values, options, message) -> None:
    with pytest.raises(StatisticsInputError) as raised:
        xmr_chart(values, **options)
    assert str(raised.value) == message
