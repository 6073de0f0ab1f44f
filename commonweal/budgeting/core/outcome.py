"""What a voting rule returns: the funded projects in order, and why each project won or lost (no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction


class TieBreak(StrEnum):
    """One criterion for breaking a tie between projects, tried in the order given."""

    # Lexicographic order of the project ids as text, as pabutools does by default.
    PROJECT_ID = "project-id"
    MIN_COST = "min-cost"
    MAX_COST = "max-cost"
    # The number of ballots naming the project before counting began.
    MAX_VOTES = "max-votes"
    # The order given in TieBreaking.lot_order (for example drawn by lot before the count).
    LOT_ORDER = "lot-order"


@dataclass(frozen=True)
class TieBreaking:
    """How ties are broken: criteria in turn, then the project id, so that every tie is resolved."""

    criteria: tuple[TieBreak, ...] = (TieBreak.PROJECT_ID,)
    lot_order: tuple[str, ...] = ()

    def describe(self) -> str:
        """Return the tie-breaking as a sentence."""
        words = {
            TieBreak.PROJECT_ID: "lower project id (as text)",
            TieBreak.MIN_COST: "lower cost",
            TieBreak.MAX_COST: "higher cost",
            TieBreak.MAX_VOTES: "more votes",
            TieBreak.LOT_ORDER: "earlier in the order drawn by lot",
        }
        parts = [words[criterion] for criterion in self.criteria]
        if TieBreak.PROJECT_ID not in self.criteria:
            parts.append(words[TieBreak.PROJECT_ID])
        return "ties go to the project with " + ", then ".join(parts)


# The equalshares.net recommendation: lower cost, then more votes (then lot; here the project id).
EQUALSHARES_TIE_BREAKING = TieBreaking((TieBreak.MIN_COST, TieBreak.MAX_VOTES))


@dataclass(frozen=True)
class TieRecord:
    """A tie that had to be broken: at which step, between which projects, and who won it."""

    step: int
    tied: tuple[str, ...]
    chosen: str


@dataclass(frozen=True)
class PaymentGroup:
    """Supporters who paid the same amount towards a project under Equal Shares."""

    amount: Fraction
    voter_ids: tuple[str, ...]


class Stage(StrEnum):
    """Which part of a rule funded a project."""

    GREEDY = "greedy"
    EQUAL_SHARES = "equal shares"
    COMPLETION = "utilitarian completion"
    PHRAGMEN = "phragmen"
    MAX_WELFARE = "max welfare"


@dataclass(frozen=True)
class WinnerExplanation:
    """A funded project: when it was chosen, by whom, and (Equal Shares) who paid what."""

    project_id: str
    cost: Fraction
    step: int
    stage: Stage
    supporters: tuple[str, ...]
    score: Fraction
    payments: tuple[PaymentGroup, ...] = ()
    reason: str = ""


class LossReason(StrEnum):
    """Why a project was not funded."""

    NO_SUPPORT = "no-support"
    ZERO_COST_UNSUPPORTED = "zero-cost-unsupported"
    BELOW_THRESHOLD = "below-threshold"
    DID_NOT_FIT = "did-not-fit"
    SUPPORTERS_COULD_NOT_AFFORD = "supporters-could-not-afford"
    NOT_REACHED = "not-reached"
    NOT_IN_BEST_SET = "not-in-best-set"
    GREEDY_PREFERRED = "greedy-preferred"


@dataclass(frozen=True)
class LoserExplanation:
    """A project not funded and why, in numbers and in words."""

    project_id: str
    cost: Fraction
    score: Fraction
    reason: LossReason
    explanation: str
    # Equal Shares: what the supporters still had, and what they had spent on funded projects.
    supporters_money_left: Fraction | None = None
    spent_on: tuple[tuple[str, Fraction], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """The result of a rule: funded projects in the order chosen, with explanations and ties."""

    rule: str
    selected: tuple[str, ...]
    total_cost: Fraction
    budget: Fraction
    tie_breaking: TieBreaking
    ties: tuple[TieRecord, ...] = ()
    winners: tuple[WinnerExplanation, ...] = ()
    losers: tuple[LoserExplanation, ...] = ()
    notes: tuple[str, ...] = ()
    # Equal Shares: the average voter's share at the start of the (final) run (every voter's share
    # when voters are not weighted).
    voter_share: Fraction | None = None
