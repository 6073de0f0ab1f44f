"""Scores, bands, individual change and risk flags for any instrument definition (no Django).

Answers are a mapping from item id to the answer's value: the option's value for a choice item, the
number for an integer or decimal item, None (or absent) when unanswered. Arithmetic is done in
`Decimal`, so a prorated or entered score is exact and reproducible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from commonweal.measures.definitions import (
    Band,
    InstrumentDefinition,
    Item,
    LocalisedText,
    ScoreDefinition,
    Verification,
)

AnswerValue = int | float | Decimal | None
Answers = Mapping[str, AnswerValue]


class AnswerError(ValueError):
    """Raised when answers name unknown items or give values an item does not accept."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(problems))


@dataclass(frozen=True)
class Score:
    """One score of one response: its value (None if it cannot be computed), band and how it was reached."""

    score_id: str
    label: LocalisedText
    value: Decimal | None
    status: Literal["complete", "prorated", "not-scored"]
    missing_items: tuple[str, ...]
    band: Band | None
    bands_verification: Verification | None
    higher_is_better: bool
    reason: str = ""

    @property
    def band_id(self) -> str | None:
        """Return the identifier of the band the score falls in, or None."""
        return self.band.band_id if self.band is not None else None


@dataclass(frozen=True)
class RiskFlag:
    """An answer that a definition marks as a risk, with the rule it met."""

    rule_id: str
    item_id: str
    answer: Decimal
    reason: LocalisedText
    verification: Verification


@dataclass(frozen=True)
class ScoreResult:
    """Every score of one response to one definition, and its risk flags."""

    instrument_code: str
    instrument_version: str
    scores: tuple[Score, ...]
    risk_flags: tuple[RiskFlag, ...]

    def get(self, score_id: str) -> Score:
        """Return the score with this identifier (KeyError if there is none)."""
        for score in self.scores:
            if score.score_id == score_id:
                return score
        raise KeyError(score_id)


ChangeOutcome = Literal[
    "reliable improvement",
    "reliable deterioration",
    "no reliable change",
    "no published threshold",
    "not comparable",
]


@dataclass(frozen=True)
class Change:
    """Individual change in one score between a baseline and a follow-up."""

    score_id: str
    baseline: Decimal | None
    follow_up: Decimal | None
    difference: Decimal | None
    direction: Literal["improved", "deteriorated", "no change", "not comparable"]
    outcome: ChangeOutcome
    threshold: Decimal | None
    threshold_verification: Verification
    threshold_reason: str
    baseline_band: Band | None
    follow_up_band: Band | None

    @property
    def threshold_is_verified(self) -> bool:
        """Return True when the reliable-change threshold used was checked against its source."""
        return self.threshold is not None and self.threshold_verification.is_verified


def _as_decimal(value: AnswerValue) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError
    decimal = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not decimal.is_finite():
        raise InvalidOperation
    return decimal


def _check_value(item: Item, value: AnswerValue) -> tuple[Decimal | None, str | None]:
    """Return the answer as a Decimal, or a plain-English problem."""
    try:
        decimal = _as_decimal(value)
    except (TypeError, InvalidOperation):
        return None, f"'{item.item_id}': {value!r} is not a number."
    if item.item_type == "choice":
        allowed = item.allowed_values()
        if decimal not in allowed:
            listed = ", ".join(str(v) for v in allowed)
            return None, f"'{item.item_id}': {value} is not one of the allowed answers ({listed})."
        return decimal, None
    if item.item_type == "integer" and decimal != decimal.to_integral_value():
        return None, f"'{item.item_id}': {value} must be a whole number."
    exponent = decimal.as_tuple().exponent
    if item.item_type == "decimal" and isinstance(exponent, int) and -exponent > item.decimals:
        return None, f"'{item.item_id}': {value} has more than {item.decimals} decimal places."
    if not item.lowest() <= decimal <= item.highest():
        return None, f"'{item.item_id}': {value} is outside {item.lowest()} to {item.highest()}."
    return decimal, None


def check_answers(definition: InstrumentDefinition, answers: Answers) -> dict[str, Decimal]:
    """Return the answered items as Decimals, or raise AnswerError naming every bad answer."""
    known = {item.item_id: item for item in definition.items}
    problems: list[str] = []
    checked: dict[str, Decimal] = {}
    for item_id, value in answers.items():
        item = known.get(item_id)
        if item is None:
            problems.append(f"'{item_id}' is not an item of {definition.short_name}.")
            continue
        if value is None:
            continue
        decimal, problem = _check_value(item, value)
        if problem is not None:
            problems.append(problem)
        elif decimal is not None:
            checked[item_id] = decimal
    if problems:
        raise AnswerError(problems)
    return checked


def _score_one(score: ScoreDefinition, answered: Mapping[str, Decimal]) -> Score:
    missing = tuple(item_id for item_id in score.item_ids if item_id not in answered)
    total = sum((answered[item_id] for item_id in score.item_ids if item_id in answered), Decimal(0))
    value: Decimal | None = total
    status: Literal["complete", "prorated", "not-scored"] = "complete"
    reason = ""
    if missing and score.missing.rule == "prorate" and len(missing) <= score.missing.max_missing:
        answered_count = len(score.item_ids) - len(missing)
        value = total * len(score.item_ids) / answered_count
        if score.missing.rounding == "nearest-integer":
            value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
        status = "prorated"
    elif missing:
        allowed = score.missing.max_missing if score.missing.rule == "prorate" else 0
        value, status = None, "not-scored"
        reason = (
            f"{len(missing)} of {len(score.item_ids)} items unanswered"
            f" ({'none' if allowed == 0 else f'at most {allowed}'} may be missing)"
        )
    return Score(
        score_id=score.score_id,
        label=score.label,
        value=value,
        status=status,
        missing_items=missing,
        band=score.bands.band_for(value) if score.bands is not None and value is not None else None,
        bands_verification=score.bands.verification if score.bands is not None else None,
        higher_is_better=score.higher_is_better,
        reason=reason,
    )


def risk_flags(definition: InstrumentDefinition, answers: Answers) -> tuple[RiskFlag, ...]:
    """Return the risk flags raised by these answers (partial answers included), in rule order."""
    answered = check_answers(definition, answers)
    flags = []
    for rule in definition.risk_rules:
        answer = answered.get(rule.item_id)
        if answer is not None and rule.matches(answer):
            flags.append(
                RiskFlag(
                    rule_id=rule.rule_id,
                    item_id=rule.item_id,
                    answer=answer,
                    reason=rule.reason,
                    verification=rule.verification,
                )
            )
    return tuple(flags)


def score(definition: InstrumentDefinition, answers: Answers) -> ScoreResult:
    """Score a response: every score of the definition, its band, and the risk flags raised."""
    answered = check_answers(definition, answers)
    return ScoreResult(
        instrument_code=definition.code,
        instrument_version=definition.version,
        scores=tuple(_score_one(score_definition, answered) for score_definition in definition.scores),
        risk_flags=risk_flags(definition, answers),
    )


def change_in_score(
    score_definition: ScoreDefinition, baseline: Decimal | None, follow_up: Decimal | None
) -> Change:
    """Return the individual change in one score, judged against its reliable-change threshold."""
    bands = score_definition.bands
    reliable = score_definition.reliable_change
    difference: Decimal | None = None
    direction: Literal["improved", "deteriorated", "no change", "not comparable"] = "not comparable"
    outcome: ChangeOutcome = "not comparable"
    if baseline is not None and follow_up is not None:
        difference = follow_up - baseline
        better = difference > 0 if score_definition.higher_is_better else difference < 0
        direction = "no change" if difference == 0 else "improved" if better else "deteriorated"
        if reliable.threshold is None:
            outcome = "no published threshold"
        elif abs(difference) >= reliable.threshold:
            # A change at least as large as the threshold counts (the IAPT convention is "6 or more").
            outcome = "reliable improvement" if better else "reliable deterioration"
        else:
            outcome = "no reliable change"
    return Change(
        score_id=score_definition.score_id,
        baseline=baseline,
        follow_up=follow_up,
        difference=difference,
        direction=direction,
        outcome=outcome,
        threshold=reliable.threshold,
        threshold_verification=reliable.verification,
        threshold_reason=reliable.reason,
        baseline_band=bands.band_for(baseline) if bands is not None and baseline is not None else None,
        follow_up_band=bands.band_for(follow_up) if bands is not None and follow_up is not None else None,
    )


def change(
    definition: InstrumentDefinition, baseline: ScoreResult, follow_up: ScoreResult
) -> tuple[Change, ...]:
    """Return the change in every score of the definition between two scored responses."""
    for result, name in ((baseline, "baseline"), (follow_up, "follow-up")):
        if result.instrument_code != definition.code:
            raise ValueError(
                f"The {name} was scored with {result.instrument_code}, not {definition.code}; "
                "change is only measured on the same instrument."
            )
    changes = []
    for score_definition in definition.scores:
        before = _value_or_none(baseline, score_definition.score_id)
        after = _value_or_none(follow_up, score_definition.score_id)
        changes.append(change_in_score(score_definition, before, after))
    return tuple(changes)


def _value_or_none(result: ScoreResult, score_id: str) -> Decimal | None:
    try:
        return result.get(score_id).value
    except KeyError:
        return None
