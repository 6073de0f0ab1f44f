"""Scores and bands at every band boundary of every built-in instrument.

The expected bands below are written out from each instrument's published scoring rules, not read from
our definition files, so a wrong definition fails here:

- PHQ-9: Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606-613 ("scores of 5, 10, 15, and 20
  represented mild, moderate, moderately severe, and severe depression"), and LOINC answer list
  LL382-3 (0-4, 5-9, 10-14, 15-19, 20-27); items 0-3, total 0-27 (LOINC 44261-6).
- GAD-7: Spitzer, Kroenke, Williams & Löwe, Arch Intern Med 2006;166:1092-1097 (cut points 5, 10, 15;
  total 0-21).
- UCLA-3: Hughes, Waite, Hawkley & Cacioppo, Research on Aging 2004;26:655-672 (three items, 1-3 each,
  total 3-9). The 3-5 / 6-9 split is a convention with no primary source: the definition must say so.
- ONS4: ONS thresholds (ONS FOI response "A set of annual UK SWB score distributions"): life
  satisfaction, worthwhile, happiness 0-4 low, 5-6 medium, 7-8 high, 9-10 very high; anxiety 0-1
  very low, 2-3 low, 4-5 medium, 6-10 high.
- ONS direct loneliness question: GSS loneliness harmonised principle (2020) answers, and ONS's
  indicator "often/always".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from commonweal.measures.definitions import load_instrument
from commonweal.measures.scoring import AnswerError, score


def _spread(total: int, item_ids: list[str], lowest: int, highest: int) -> dict[str, int]:
    """Answers whose values add up to `total`, filling items one by one."""
    answers = {}
    remaining = total - lowest * len(item_ids)
    for item_id in item_ids:
        value = min(highest - lowest, remaining)
        answers[item_id] = lowest + value
        remaining -= value
    assert remaining == 0
    return answers


PHQ9_BANDS = [
    (0, 4, "minimal"),
    (5, 9, "mild"),
    (10, 14, "moderate"),
    (15, 19, "moderately_severe"),
    (20, 27, "severe"),
]
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]
UCLA3_BANDS = [(3, 5, "not_lonely"), (6, 9, "lonely")]
ONS4_POSITIVE_BANDS = [(0, 4, "low"), (5, 6, "medium"), (7, 8, "high"), (9, 10, "very_high")]
ONS4_ANXIETY_BANDS = [(0, 1, "very_low"), (2, 3, "low"), (4, 5, "medium"), (6, 10, "high")]


def _boundaries(bands: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    return [(edge, band_id) for low, high, band_id in bands for edge in sorted({low, high})]


@pytest.mark.parametrize(("total", "band_id"), _boundaries(PHQ9_BANDS))
def test_phq9_band_boundaries(total: int, band_id: str) -> None:
    definition = load_instrument("phq-9")
    answers = _spread(total, [f"phq9_{n}" for n in range(1, 10)], 0, 3)
    result = score(definition, answers).get("total")
    assert (result.value, result.status) == (Decimal(total), "complete")
    assert result.band is not None and result.band.band_id == band_id
    assert result.bands_verification is not None and result.bands_verification.status == "verified"


@pytest.mark.parametrize(("total", "band_id"), _boundaries(GAD7_BANDS))
def test_gad7_band_boundaries(total: int, band_id: str) -> None:
    definition = load_instrument("gad-7")
    result = score(definition, _spread(total, [f"gad7_{n}" for n in range(1, 8)], 0, 3)).get("total")
    assert (result.value, result.status) == (Decimal(total), "complete")
    assert result.band is not None and result.band.band_id == band_id


@pytest.mark.parametrize(("total", "band_id"), _boundaries(UCLA3_BANDS))
def test_ucla3_band_boundaries(total: int, band_id: str) -> None:
    definition = load_instrument("ucla-3")
    answers = _spread(total, ["lack_companionship", "left_out", "isolated"], 1, 3)
    result = score(definition, answers).get("total")
    assert result.value == Decimal(total)
    assert result.band is not None and result.band.band_id == band_id
    # The cut-off is a convention without a primary source, so the product must show it as unverified.
    assert result.bands_verification is not None and result.bands_verification.status == "unverified"


def test_ucla3_runs_from_3_to_9() -> None:
    definition = load_instrument("ucla-3")
    lowest = score(definition, {"lack_companionship": 1, "left_out": 1, "isolated": 1}).get("total")
    highest = score(definition, {"lack_companionship": 3, "left_out": 3, "isolated": 3}).get("total")
    assert (lowest.value, highest.value) == (Decimal(3), Decimal(9))


@pytest.mark.parametrize("score_id", ["life_satisfaction", "worthwhile", "happiness"])
@pytest.mark.parametrize(("rating", "band_id"), _boundaries(ONS4_POSITIVE_BANDS))
def test_ons4_positive_question_thresholds(score_id: str, rating: int, band_id: str) -> None:
    definition = load_instrument("ons4")
    answers = {"life_satisfaction": 5, "worthwhile": 5, "happiness": 5, "anxiety": 5, score_id: rating}
    result = score(definition, answers).get(score_id)
    assert result.value == Decimal(rating)
    assert result.band is not None and result.band.band_id == band_id
    assert result.higher_is_better is True


@pytest.mark.parametrize(("rating", "band_id"), _boundaries(ONS4_ANXIETY_BANDS))
def test_ons4_anxiety_thresholds(rating: int, band_id: str) -> None:
    definition = load_instrument("ons4")
    answers = {"life_satisfaction": 5, "worthwhile": 5, "happiness": 5, "anxiety": rating}
    result = score(definition, answers).get("anxiety")
    assert result.band is not None and result.band.band_id == band_id
    assert result.higher_is_better is False


def test_ons4_reports_each_question_separately_with_no_total() -> None:
    definition = load_instrument("ons4")
    result = score(definition, {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6, "anxiety": 2})
    assert [(s.score_id, s.value) for s in result.scores] == [
        ("life_satisfaction", Decimal(7)),
        ("worthwhile", Decimal(8)),
        ("happiness", Decimal(6)),
        ("anxiety", Decimal(2)),
    ]


def test_ons4_an_unanswered_question_leaves_only_its_own_score_empty() -> None:
    definition = load_instrument("ons4")
    result = score(definition, {"life_satisfaction": 7, "worthwhile": 8, "happiness": 6})
    assert [(s.score_id, s.status) for s in result.scores] == [
        ("life_satisfaction", "complete"),
        ("worthwhile", "complete"),
        ("happiness", "complete"),
        ("anxiety", "not-scored"),
    ]


@pytest.mark.parametrize(
    ("answer", "band_id"),
    [(1, "often_or_always"), (2, "some_of_the_time"), (3, "occasionally"), (4, "hardly_ever"), (5, "never")],
)
def test_ons_direct_loneliness_question_answers(answer: int, band_id: str) -> None:
    definition = load_instrument("ons-loneliness")
    assert definition.item("lonely").option_for(answer) is not None
    result = score(definition, {"lonely": answer}).get("lonely")
    assert result.band is not None and result.band.band_id == band_id


def test_ons_direct_loneliness_answer_wording_is_the_harmonised_standard() -> None:
    options = load_instrument("ons-loneliness").item("lonely").options
    assert [option.label.in_language() for option in options] == [
        "Often or always",
        "Some of the time",
        "Occasionally",
        "Hardly ever",
        "Never",
    ]


@pytest.mark.parametrize(
    ("code", "item_id", "lowest", "highest"),
    [
        ("swemwbs", "metric_score", Decimal("7.00"), Decimal("35.00")),
        ("wemwbs", "total", 14, 70),
        ("pam", "score", Decimal("0.0"), Decimal("100.0")),
        ("hcs", "summary_score", Decimal("0.0"), Decimal("100.0")),
        ("eq-5d-5l", "vas", 0, 100),
    ],
)
def test_entered_scores_are_taken_as_entered_at_both_ends(code, item_id, lowest, highest) -> None:
    definition = load_instrument(code)
    others = {item.item_id: item.lowest() for item in definition.items if item.item_id != item_id}
    for value in (lowest, highest):
        result = score(definition, {**others, item_id: value}).get(item_id)
        assert (result.value, result.status, result.band) == (Decimal(value), "complete", None)


def test_an_entered_score_outside_its_range_is_refused_with_a_message() -> None:
    with pytest.raises(AnswerError) as caught:
        score(load_instrument("swemwbs"), {"metric_score": Decimal("35.01")})
    assert str(caught.value) == "'metric_score': 35.01 is outside 7.0 to 35.0."


def test_an_entered_score_with_too_many_decimals_is_refused() -> None:
    with pytest.raises(AnswerError) as caught:
        score(load_instrument("pam"), {"score": Decimal("56.25"), "level": 3})
    assert str(caught.value) == "'score': 56.25 has more than 1 decimal places."


def test_a_choice_answer_must_be_one_of_the_options() -> None:
    with pytest.raises(AnswerError) as caught:
        bad: dict[str, Any] = {"phq9_1": 4, "phq9_2": "often", "phq9_99": 1}
        score(load_instrument("phq-9"), bad)
    assert caught.value.problems == (
        "'phq9_1': 4 is not one of the allowed answers (0, 1, 2, 3).",
        "'phq9_2': 'often' is not a number.",
        "'phq9_99' is not an item of PHQ-9.",
    )


def test_true_is_not_taken_for_one() -> None:
    with pytest.raises(AnswerError) as caught:
        score(load_instrument("ons-loneliness"), {"lonely": True})
    assert caught.value.problems == ("'lonely': True is not a number.",)


def test_an_integer_item_refuses_a_fraction() -> None:
    with pytest.raises(AnswerError) as caught:
        score(load_instrument("ons4"), {"happiness": 6.5})
    assert caught.value.problems == ("'happiness': 6.5 must be a whole number.",)


def test_the_unscored_phq9_difficulty_question_does_not_change_the_total() -> None:
    definition = load_instrument("phq-9")
    answers = _spread(12, [f"phq9_{n}" for n in range(1, 10)], 0, 3)
    without = score(definition, answers).get("total")
    with_difficulty = score(definition, {**answers, "phq9_10": 3}).get("total")
    assert without.value == with_difficulty.value == Decimal(12)
