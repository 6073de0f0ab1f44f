"""Participatory budgeting voting rules: one entry point, `tally`, over exact implementations (no Django).

| rule               | what it does                                                                  |
|--------------------|-------------------------------------------------------------------------------|
| greedy             | fund projects by score (votes, points), skipping any that no longer fit        |
| greedy-threshold   | the same, among projects reaching a minimum score (Warsaw)                     |
| mes-cost           | Method of Equal Shares with cost utilities, no completion                      |
| mes-cardinality    | Method of Equal Shares with cardinality utilities, no completion               |
| mes-cost-add1      | Equal Shares with the Add1 completion of the equalshares.net tool              |
| mes-cost-add1u     | Add1 followed by the utilitarian completion (the tool's default)               |
| phragmen           | sequential Phragmén                                                            |
| max-welfare        | the affordable set with the highest total cost utility, found exactly          |

Ties are broken by `RuleOptions.tie_breaking` (by default the project id as text, as pabutools does) and
every tie actually broken is recorded in the outcome. Optional voter weights (`voter_weights`, off by
default) give each voter a share of the Equal Shares budget, an earning rate in Phragmén and a weight in
greedy and welfare totals in proportion to their weight — for example higher for voters living in the
most deprived deciles, to put more of the money where health is worst.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction

from commonweal.budgeting.core.election import Election, ElectionError
from commonweal.budgeting.core.equal_shares import (
    Add1Options,
    Comparison,
    Completion,
    EqualSharesEngine,
    Utility,
    equal_shares_selection,
    explain_equal_shares,
)
from commonweal.budgeting.core.greedy import explain_greedy, greedy_selection
from commonweal.budgeting.core.outcome import Outcome, TieBreaking
from commonweal.budgeting.core.phragmen import phragmen
from commonweal.budgeting.core.profile import CompactProfile, compact_profile, tie_ranks
from commonweal.budgeting.core.welfare import max_welfare


class Rule(StrEnum):
    """The rules `tally` can count with."""

    GREEDY = "greedy"
    GREEDY_THRESHOLD = "greedy-threshold"
    MES_COST = "mes-cost"
    MES_CARDINALITY = "mes-cardinality"
    MES_COST_ADD1 = "mes-cost-add1"
    MES_COST_ADD1U = "mes-cost-add1u"
    PHRAGMEN = "phragmen"
    MAX_WELFARE = "max-welfare"


@dataclass(frozen=True)
class RuleOptions:
    """Options of a count; the defaults reproduce pabutools' and the equalshares.net tool's defaults."""

    tie_breaking: TieBreaking = field(default_factory=TieBreaking)
    # voter id -> positive weight; None counts every voter equally.
    voter_weights: Mapping[str, Fraction] | None = None
    # Minimum score for greedy-threshold; None takes META min_project_score_threshold from the file.
    threshold: Fraction | None = None
    add1: Add1Options = field(default_factory=Add1Options)
    comparison: Comparison = Comparison.NONE
    # Whether to work out supporters, payments and reasons (the count itself does not need them).
    explain: bool = True


_EQUAL_SHARES = {
    Rule.MES_COST: (Utility.COST, Completion.NONE),
    Rule.MES_CARDINALITY: (Utility.CARDINALITY, Completion.NONE),
    Rule.MES_COST_ADD1: (Utility.COST, Completion.ADD1),
    Rule.MES_COST_ADD1U: (Utility.COST, Completion.ADD1U),
}


def tally(election: Election, rule: Rule, options: RuleOptions | None = None) -> Outcome:
    """Count an election with a rule; raise ElectionError if it cannot be counted as asked."""
    options = RuleOptions() if options is None else options
    profile = compact_profile(election, options.voter_weights)
    return tally_profile(profile, rule, options)


def tally_profile(profile: CompactProfile, rule: Rule, options: RuleOptions) -> Outcome:
    """Count an already compacted election (lets callers count one election with several rules)."""
    ranks = tie_ranks(profile, options.tie_breaking)
    if rule in (Rule.GREEDY, Rule.GREEDY_THRESHOLD):
        threshold = None
        notes: tuple[str, ...] = ()
        if rule is Rule.GREEDY_THRESHOLD:
            threshold = options.threshold
            if threshold is None:
                threshold = profile.election.min_project_score_threshold
            if threshold is None:
                raise ElectionError(
                    "greedy-threshold needs a minimum score: the file has no META "
                    "min_project_score_threshold, "
                    "so give one (--threshold)."
                )
            notes = (f"Only projects scoring at least {threshold} can be funded.",)
        selected, ties = greedy_selection(profile, ranks, threshold)
        return explain_greedy(
            profile,
            ranks,
            options.tie_breaking,
            selected,
            rule.value,
            notes=notes,
            explain=options.explain,
            threshold=threshold,
            ties=ties,
        )
    if rule in _EQUAL_SHARES:
        utility, completion = _EQUAL_SHARES[rule]
        engine = EqualSharesEngine(profile, utility, options.tie_breaking)
        result = equal_shares_selection(
            engine, completion=completion, add1=options.add1, comparison=options.comparison
        )
        return explain_equal_shares(engine, result, rule.value, explain=options.explain)
    if rule is Rule.PHRAGMEN:
        return phragmen(profile, ranks, options.tie_breaking, rule.value, explain=options.explain)
    return max_welfare(
        profile, ranks, options.tie_breaking, Utility.COST, rule.value, explain=options.explain
    )


def equal_shares(
    election: Election,
    *,
    utility: Utility = Utility.COST,
    completion: Completion = Completion.NONE,
    add1: Add1Options | None = None,
    comparison: Comparison = Comparison.NONE,
    tie_breaking: TieBreaking | None = None,
    voter_weights: Mapping[str, Fraction] | None = None,
    explain: bool = True,
) -> Outcome:
    """Count with the Method of Equal Shares under any utility, completion and comparison step."""
    profile = compact_profile(election, voter_weights)
    engine = EqualSharesEngine(profile, utility, tie_breaking or TieBreaking())
    result = equal_shares_selection(
        engine, completion=completion, add1=add1 or Add1Options(), comparison=comparison
    )
    name = f"mes-{utility.value}" + ("" if completion is Completion.NONE else f"-{completion.value}")
    return explain_equal_shares(engine, result, name, explain=explain)
