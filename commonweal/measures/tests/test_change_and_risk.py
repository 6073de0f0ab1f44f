"""Individual change against reliable-change thresholds, unanswered items, and risk flags.

Thresholds and their sources:
- SWEMWBS: 2.87 points = 2.77 standard errors of measurement, Shah et al., Health Qual Life Outcomes
  2018;16:239 (verified).
- PHQ-9 6 points and GAD-7 4 points: NHS Talking Therapies (IAPT) reliable improvement, seen only in a
  secondary source, so the definitions mark them unverified and the change says so.
- ONS4, UCLA-3, WEMWBS: no published individual threshold -> "no published threshold".
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from commonweal.measures.definitions import load_instrument, parse_definition
from commonweal.measures.scoring import (
    AnswerError,
    change,
    change_in_score,
    risk_flags,
    score,
)
from commonweal.measures.tests.fakes import fake_definition


def _phq9(total: int) -> dict[str, int]:
    answers, remaining = {}, total
    for number in range(1, 10):
        answers[f"phq9_{number}"] = min(3, remaining)
        remaining -= answers[f"phq9_{number}"]
    return answers


def test_phq9_fall_of_six_is_a_reliable_improvement_but_five_is_not() -> None:
    definition = load_instrument("phq-9")
    total = definition.score_definition("total")
    six = change_in_score(total, Decimal(16), Decimal(10))
    five = change_in_score(total, Decimal(16), Decimal(11))
    assert (six.difference, six.direction, six.outcome) == (Decimal(-6), "improved", "reliable improvement")
    assert (five.difference, five.direction, five.outcome) == (Decimal(-5), "improved", "no reliable change")
    # The 6-point criterion was not read in its primary source, so the product must say it is unverified.
    assert six.threshold == Decimal(6) and six.threshold_is_verified is False


def test_phq9_rise_of_six_is_a_reliable_deterioration() -> None:
    total = load_instrument("phq-9").score_definition("total")
    worse = change_in_score(total, Decimal(4), Decimal(10))
    assert (worse.direction, worse.outcome) == ("deteriorated", "reliable deterioration")
    assert worse.baseline_band is not None and worse.follow_up_band is not None
    assert (worse.baseline_band.band_id, worse.follow_up_band.band_id) == ("minimal", "moderate")


def test_gad7_threshold_is_four_points() -> None:
    total = load_instrument("gad-7").score_definition("total")
    assert change_in_score(total, Decimal(12), Decimal(8)).outcome == "reliable improvement"
    assert change_in_score(total, Decimal(12), Decimal(9)).outcome == "no reliable change"


def test_swemwbs_threshold_is_shah_2018_with_its_citation() -> None:
    metric = load_instrument("swemwbs").score_definition("metric_score")
    reached = change_in_score(metric, Decimal("19.25"), Decimal("22.12"))
    short = change_in_score(metric, Decimal("19.25"), Decimal("22.11"))
    assert (reached.difference, reached.outcome) == (Decimal("2.87"), "reliable improvement")
    assert (short.difference, short.outcome) == (Decimal("2.86"), "no reliable change")
    assert reached.threshold_is_verified is True
    assert reached.threshold_verification.sources == ("shah2018",)


@pytest.mark.parametrize(
    ("code", "score_id", "before", "after", "direction"),
    [
        ("ons4", "life_satisfaction", 3, 8, "improved"),
        ("ons4", "anxiety", 3, 8, "deteriorated"),
        ("ucla-3", "total", 8, 4, "improved"),
        ("wemwbs", "total", 40, 40, "no change"),
        ("ons-loneliness", "lonely", 1, 4, "improved"),
    ],
)
def test_no_published_threshold_is_said_plainly(code, score_id, before, after, direction) -> None:
    score_definition = load_instrument(code).score_definition(score_id)
    result = change_in_score(score_definition, Decimal(before), Decimal(after))
    assert (result.direction, result.outcome, result.threshold) == (direction, "no published threshold", None)
    assert result.threshold_reason == score_definition.reliable_change.reason != ""


def test_change_between_two_responses_covers_every_score() -> None:
    definition = load_instrument("ons4")
    baseline = score(definition, {"life_satisfaction": 4, "worthwhile": 6, "happiness": 3, "anxiety": 7})
    follow_up = score(definition, {"life_satisfaction": 7, "worthwhile": 6, "happiness": 2})
    assert [
        (c.score_id, c.difference, c.direction, c.outcome) for c in change(definition, baseline, follow_up)
    ] == [
        ("life_satisfaction", Decimal(3), "improved", "no published threshold"),
        ("worthwhile", Decimal(0), "no change", "no published threshold"),
        ("happiness", Decimal(-1), "deteriorated", "no published threshold"),
        ("anxiety", None, "not comparable", "not comparable"),
    ]


def test_change_is_refused_across_instruments() -> None:
    phq9, gad7 = load_instrument("phq-9"), load_instrument("gad-7")
    baseline = score(gad7, {f"gad7_{n}": 1 for n in range(1, 8)})
    follow_up = score(phq9, _phq9(5))
    with pytest.raises(ValueError, match=r"^The baseline was scored with gad-7, not phq-9; change is only"):
        change(phq9, baseline, follow_up)


def test_phq9_needs_every_item_until_a_missing_item_rule_is_verified() -> None:
    answers = _phq9(9)
    del answers["phq9_5"]
    result = score(load_instrument("phq-9"), answers).get("total")
    assert (result.value, result.status, result.missing_items, result.band) == (
        None,
        "not-scored",
        ("phq9_5",),
        None,
    )
    assert result.reason == "1 of 9 items unanswered (none may be missing)"


def test_a_prorating_definition_scales_up_and_rounds_to_the_nearest_point() -> None:
    definition = parse_definition(fake_definition(), source="fake.json")
    # 2 + 3 + 2 = 7 over three answered items: 7 * 4 / 3 = 9.33 -> 9 (low band).
    low = score(definition, {"q1": 2, "q2": 3, "q3": 2}).get("total")
    assert (low.value, low.status, low.missing_items, low.band_id) == (
        Decimal(9),
        "prorated",
        ("q4",),
        "low",
    )
    # 3 + 3 + 3 = 9 -> 12 exactly; 1 + 2 + 2 = 5 -> 6.67 -> 7.
    assert score(definition, {"q1": 3, "q2": 3, "q4": 3}).get("total").value == Decimal(12)
    assert score(definition, {"q1": 1, "q2": 2, "q3": 2}).get("total").value == Decimal(7)


def test_a_prorating_definition_stops_at_its_limit() -> None:
    definition = parse_definition(fake_definition(), source="fake.json")
    result = score(definition, {"q1": 2, "q2": 3}).get("total")
    assert (result.value, result.reason) == (None, "2 of 4 items unanswered (at most 1 may be missing)")


@pytest.mark.parametrize(("answer", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item_9_above_zero_raises_a_risk_flag(answer: int, flagged: bool) -> None:
    definition = load_instrument("phq-9")
    answers = {**_phq9(0), "phq9_9": answer}
    flags = score(definition, answers).risk_flags
    assert [flag.rule_id for flag in flags] == (["phq9_item9_above_zero"] if flagged else [])
    if flagged:
        assert flags[0].answer == Decimal(answer)
        assert flags[0].reason.in_language() == (
            "Thoughts of being better off dead or of self-harm were reported (PHQ-9 question 9)."
        )


def test_a_risk_answer_is_flagged_even_in_a_partly_saved_response() -> None:
    definition = load_instrument("phq-9")
    flags = risk_flags(definition, {"phq9_9": 2})
    assert [(flag.item_id, flag.answer) for flag in flags] == [("phq9_9", Decimal(2))]
    assert score(definition, {"phq9_9": 2}).get("total").status == "not-scored"


def test_a_definition_may_mark_any_answer_as_a_risk() -> None:
    definition = parse_definition(fake_definition(), source="fake.json")
    assert [flag.rule_id for flag in risk_flags(definition, {"q4": 1})] == ["q4_lowest"]
    assert risk_flags(definition, {"q4": 2}) == ()


def test_risk_flags_refuse_bad_answers_rather_than_miss_a_risk() -> None:
    with pytest.raises(AnswerError) as caught:
        risk_flags(load_instrument("phq-9"), {"phq9_9": 5})
    assert caught.value.problems == ("'phq9_9': 5 is not one of the allowed answers (0, 1, 2, 3).",)


def test_instruments_without_risk_rules_raise_no_flags() -> None:
    for code in ("gad-7", "ons4", "ucla-3", "ons-loneliness"):
        definition = load_instrument(code)
        worst = {item.item_id: item.highest() for item in definition.items}
        assert risk_flags(definition, worst) == ()
