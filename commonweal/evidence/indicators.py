"""Outcome indicators an alliance can agree, each computed from the platform's summaries (no Django).

A proportion indicator is numerator / denominator from one summary (Wilson interval); a mean indicator
is the mean change in one questionnaire score from the first answer to the latest (t interval).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True)
class Indicator:
    """One indicator: how it is computed, which way is better, and its unit."""

    code: str
    label: str
    kind: Literal["proportion", "mean"]
    summary: Literal["uptake", "connections", "outcomes"]
    higher_is_better: bool
    description: str
    numerator: str = ""
    denominator: str = ""
    most_deprived_only: bool = False
    instrument: str = ""
    score: str = ""

    @property
    def unit(self) -> str:
        """Per cent for proportions, points of the score for means."""
        return "%" if self.kind == "proportion" else "points"

    def accepts(self, target: Decimal) -> bool:
        """Tell whether a target is possible for this indicator."""
        if self.kind == "proportion":
            return Decimal(0) <= target <= Decimal(100)
        return Decimal(-1000) < target < Decimal(1000)

    @property
    def target_message(self) -> str:
        """Say what a valid target is."""
        if self.kind == "proportion":
            return "A target for a percentage is from 0 to 100."
        return "A target for a change in score is a number of points, between -1000 and 1000."


def _proportion(
    code: str,
    label: str,
    summary: Literal["uptake", "connections"],
    numerator: str,
    denominator: str,
    description: str,
    *,
    higher_is_better: bool = True,
    most_deprived_only: bool = False,
) -> Indicator:
    return Indicator(
        code,
        label,
        "proportion",
        summary,
        higher_is_better,
        description,
        numerator=numerator,
        denominator=denominator,
        most_deprived_only=most_deprived_only,
    )


def _change(code: str, label: str, instrument: str, score: str, *, higher_is_better: bool) -> Indicator:
    direction = "a rise" if higher_is_better else "a fall"
    return Indicator(
        code,
        label,
        "mean",
        "outcomes",
        higher_is_better,
        f"Mean change from each person's first answer to their latest; {direction} is better.",
        instrument=instrument,
        score=score,
    )


INDICATORS: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        _proportion(
            "seen",
            "Seen by a link worker (% of referrals accepted)",
            "uptake",
            "seen",
            "referred",
            "Referrals accepted at triage whose person a link worker then saw.",
        ),
        _proportion(
            "connected",
            "Connected to a community service (% of people seen)",
            "uptake",
            "connected",
            "seen",
            "Referrals where a link worker saw the person and an organisation accepted a connection.",
        ),
        _proportion(
            "attended",
            "Came to a session (% of those connected)",
            "uptake",
            "attended",
            "connected",
            "Connected referrals where the person came to at least one session.",
        ),
        _proportion(
            "connected_of_offered",
            "Connected (% of all referrals received)",
            "uptake",
            "connected",
            "offered",
            "Every referral received, and whether it led to an accepted connection.",
        ),
        _proportion(
            "most_deprived_reach",
            "Referrals from the most deprived fifth (% of referrals)",
            "uptake",
            "offered",
            "offered",
            "Referrals of people living in IMD quintile 1 (deciles 1 and 2).",
            most_deprived_only=True,
        ),
        _proportion(
            "at_capacity",
            "Turned away 'at capacity' (% of connection requests)",
            "connections",
            "rejected_at_capacity",
            "requested",
            "Connections rejected because the service was full.",
            higher_is_better=False,
        ),
        _change("ucla3_change", "Change in loneliness (UCLA-3)", "ucla-3", "total", higher_is_better=False),
        _change(
            "phq9_change", "Change in depression symptoms (PHQ-9)", "phq-9", "total", higher_is_better=False
        ),
        _change(
            "gad7_change", "Change in anxiety symptoms (GAD-7)", "gad-7", "total", higher_is_better=False
        ),
        _change(
            "life_satisfaction_change",
            "Change in life satisfaction (ONS4)",
            "ons4",
            "life_satisfaction",
            higher_is_better=True,
        ),
        _change(
            "worthwhile_change",
            "Change in feeling things are worthwhile (ONS4)",
            "ons4",
            "worthwhile",
            higher_is_better=True,
        ),
        _change("happiness_change", "Change in happiness (ONS4)", "ons4", "happiness", higher_is_better=True),
        _change("anxiety_change", "Change in anxiety (ONS4)", "ons4", "anxiety", higher_is_better=False),
    )
}


@dataclass(frozen=True)
class TargetComparison:
    """How a value compares with its target, judged on its 95% interval (as Fingertips benchmarks)."""

    key: Literal["better", "similar", "worse", "unknown"]
    label: str


def compare_with_target(
    indicator: Indicator, lower: float | None, upper: float | None, target: float
) -> TargetComparison:
    """Say whether the whole 95% interval is on the better side of the target, the worse side, or neither."""
    if lower is None or upper is None:
        return TargetComparison("unknown", "Not enough data to tell")
    above, below = lower > target, upper < target
    if not above and not below:
        return TargetComparison("similar", "Not significantly different from the target")
    better = above if indicator.higher_is_better else below
    if better:
        return TargetComparison("better", "Better than the target")
    return TargetComparison("worse", "Worse than the target")
