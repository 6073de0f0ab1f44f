"""A round as an election for the core's rules, its count, its `.pb` export and the recount from that
file alone (no Django).

The exported file is a clean pabulib file: the ballots with each voter's anonymous number and how they
voted (internet or paper), the projects with their scores and the funded ones marked, and in META the
ballot's limits and a comment giving the exact command that recounts it with the core's command line.
A round whose voters' shares are weighted by deprivation also writes each voter's weight in a `weight`
column, so that the file alone still recounts it.
"""

from __future__ import annotations

import datetime
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from commonweal.budgeting.core.election import Ballot, Election, ElectionError, Project
from commonweal.budgeting.core.outcome import (
    LoserExplanation,
    LossReason,
    Outcome,
    TieBreak,
    TieBreaking,
)
from commonweal.budgeting.core.pb_format import (
    PbFile,
    PbFormatError,
    PbSection,
    election_from_pb,
    format_number,
    parse_pb,
    pb_from_election,
)
from commonweal.budgeting.core.rounds.ballots import BallotKind, BallotRules
from commonweal.budgeting.core.rounds.voters import deprivation_weight
from commonweal.budgeting.core.voting_rules import Rule, RuleOptions, tally

RULE_NAMES: dict[Rule, str] = {
    Rule.MES_COST_ADD1U: "Method of Equal Shares, completed as equalshares.net does (recommended)",
    Rule.MES_COST: "Method of Equal Shares, without completion",
    Rule.MES_COST_ADD1: "Method of Equal Shares with the Add1 completion only",
    Rule.MES_CARDINALITY: "Method of Equal Shares counting projects, not their cost",
    Rule.GREEDY: "Most votes first (greedy), as most cities do",
    Rule.GREEDY_THRESHOLD: "Most votes first, among projects with a minimum score (as Warsaw)",
    Rule.PHRAGMEN: "Sequential Phragmén",
    Rule.MAX_WELFARE: "Greatest total satisfaction (exact maximum welfare)",
}
EQUAL_SHARES_RULES = frozenset({Rule.MES_COST, Rule.MES_COST_ADD1, Rule.MES_COST_ADD1U, Rule.MES_CARDINALITY})


class TiePreset:
    """How a round breaks ties; every preset ends with an order of the projects drawn by lot when voting
    opens, so that no tie is ever left to the projects' numbers."""

    COST_THEN_VOTES = "cost-votes-lot"
    VOTES = "votes-lot"
    LOT = "lot"

    CHOICES = (
        (COST_THEN_VOTES, "The cheaper project, then the one with more votes, then the order drawn by lot"),
        (VOTES, "The project with more votes, then the order drawn by lot"),
        (LOT, "The order drawn by lot"),
    )
    CRITERIA: dict[str, tuple[TieBreak, ...]] = {
        COST_THEN_VOTES: (TieBreak.MIN_COST, TieBreak.MAX_VOTES, TieBreak.LOT_ORDER),
        VOTES: (TieBreak.MAX_VOTES, TieBreak.LOT_ORDER),
        LOT: (TieBreak.LOT_ORDER,),
    }


def tie_breaking(preset: str, lot_order: Sequence[str]) -> TieBreaking:
    """Return the core's tie-breaking for a preset and the order drawn by lot."""
    return TieBreaking(TiePreset.CRITERIA[preset], tuple(lot_order))


@dataclass(frozen=True)
class ProjectSpec:
    """A project on the ballot: its id in the election (its number, as text), name and cost in pounds."""

    project_id: str
    name: str
    cost: int


@dataclass(frozen=True)
class RoundSpec:
    """What counting and exporting a round needs to know about it."""

    name: str
    place_name: str
    budget: int
    projects: tuple[ProjectSpec, ...]
    rules: BallotRules
    rule: Rule
    tie_breaking: TieBreaking
    voting_opened_on: datetime.date
    voting_closes_on: datetime.date
    minimum_score: int | None = None
    weighted: bool = False


@dataclass(frozen=True)
class CastBallot:
    """One counted ballot: the voter's anonymous number, their choices, how they voted and, for weighting,
    the IMD 2019 decile of their address."""

    voter_id: str
    choices: Mapping[str, int]
    method: str = "internet"
    decile: int | None = None


class CountError(ValueError):
    """The round cannot be counted or recounted as given; the message says why."""


def election_for_round(spec: RoundSpec, ballots: Sequence[CastBallot]) -> Election:
    """Return the round as the core's election: whole-pound costs and budget, ballots in the given order."""
    order = {project.project_id: position for position, project in enumerate(spec.projects)}
    kind = spec.rules.kind
    converted = []
    for cast in ballots:
        chosen = [(project, value) for project, value in cast.choices.items() if value]
        if kind is BallotKind.RANKED:
            ranked = sorted(chosen, key=lambda item: item[1])
            converted.append(Ballot(cast.voter_id, tuple(project for project, _ in ranked)))
        elif kind is BallotKind.CUMULATIVE:
            # pabulib lists a points ballot's projects from the most points to the fewest.
            ordered = sorted(chosen, key=lambda item: (-item[1], order[item[0]]))
            converted.append(
                Ballot(
                    cast.voter_id,
                    tuple(project for project, _ in ordered),
                    tuple(value for _, value in ordered),
                )
            )
        else:
            ordered = sorted(chosen, key=lambda item: order[item[0]])
            converted.append(Ballot(cast.voter_id, tuple(project for project, _ in ordered)))
    return Election(
        budget=Fraction(spec.budget),
        projects=tuple(Project(p.project_id, Fraction(p.cost), p.name) for p in spec.projects),
        ballots=tuple(converted),
        vote_type=kind.vote_type,
        min_project_score_threshold=(
            Fraction(spec.minimum_score)
            if spec.rule is Rule.GREEDY_THRESHOLD and spec.minimum_score is not None
            else None
        ),
        max_length=(spec.rules.max_projects or len(spec.projects)) if kind is BallotKind.RANKED else None,
        description=spec.name,
    )


def voter_weights(spec: RoundSpec, ballots: Sequence[CastBallot]) -> dict[str, Fraction] | None:
    """Return each voter's weight when the round weights shares by deprivation, else None."""
    if not spec.weighted:
        return None
    return {cast.voter_id: deprivation_weight(cast.decile) for cast in ballots}


def count_round(spec: RoundSpec, ballots: Sequence[CastBallot]) -> Outcome:
    """Count the round with its rule, tie-breaking and (if chosen) deprivation weights, with explanations."""
    if not ballots:
        raise CountError("Nobody has voted, so there is nothing to count.")
    election = election_for_round(spec, ballots)
    options = RuleOptions(
        tie_breaking=spec.tie_breaking,
        voter_weights=voter_weights(spec, ballots),
        threshold=Fraction(spec.minimum_score) if spec.minimum_score is not None else None,
    )
    return count_election(election, spec.rule, options)


_ADD1_RULES = frozenset({Rule.MES_COST_ADD1, Rule.MES_COST_ADD1U})


def count_election(election: Election, rule: Rule, options: RuleOptions) -> Outcome:
    """Count an election with the core's rule, leaving out projects nobody voted for when that decides.

    When every project somebody voted for fits in the budget together, but not every project does, the
    core's Add1 stops once the supported projects are bought, and Add1u's utilitarian completion would
    then fill the rest of the budget with projects nobody voted for. A round funds only what residents
    voted for, so such an election is counted without those projects (where everything fits and, as in
    the equalshares.net tool, Add1 is not needed); they are reported as losers that nobody voted for.
    """
    scores = election.scores()
    supported = [project for project in election.projects if scores[project.project_id] > 0]
    if rule in _ADD1_RULES and sum(
        (project.cost for project in supported), Fraction(0)
    ) <= election.budget < sum((project.cost for project in election.projects), Fraction(0)):
        kept = {project.project_id for project in supported}
        restricted = replace(election, projects=tuple(supported))
        try:
            outcome = tally(restricted, rule, options)
        except ElectionError as error:
            raise CountError(str(error)) from error
        dropped = tuple(
            LoserExplanation(
                project.project_id, project.cost, Fraction(0), LossReason.NO_SUPPORT, "Nobody voted for it."
            )
            for project in election.projects
            if project.project_id not in kept
        )
        note = (
            "Every project somebody voted for fits in the budget, so projects nobody voted for were left out "
            "of the count and Add1 was not needed."
        )
        kept_notes = tuple(text for text in outcome.notes if not text.startswith("Every project fits"))
        return replace(outcome, losers=outcome.losers + dropped, notes=(note, *kept_notes))
    try:
        return tally(election, rule, options)
    except ElectionError as error:
        raise CountError(str(error)) from error


def pabulib_rule(spec: RoundSpec) -> str:
    """Return the META rule pabulib uses for the round's rule, or "unknown" where pabulib has no name for
    it (pabulib's checker recounts greedy, greedy-threshold and plain Equal Shares itself)."""
    if spec.weighted:
        return "unknown"
    if spec.rule is Rule.GREEDY:
        return "greedy"
    if spec.rule is Rule.GREEDY_THRESHOLD:
        return "greedy-threshold"
    if spec.rule is Rule.MES_COST and spec.rules.kind in (BallotKind.APPROVAL, BallotKind.KNAPSACK):
        return "equalshares"
    return "unknown"


def recount_arguments(spec: RoundSpec) -> list[str]:
    """Return the core command line's options that recount the round from its file."""
    arguments = ["--rule", spec.rule.value]
    arguments += ["--tie-breaking", ",".join(criterion.value for criterion in spec.tie_breaking.criteria)]
    if TieBreak.LOT_ORDER in spec.tie_breaking.criteria:
        arguments += ["--lot-order", ",".join(spec.tie_breaking.lot_order)]
    if spec.rule is Rule.GREEDY_THRESHOLD and spec.minimum_score is not None:
        arguments += ["--threshold", str(spec.minimum_score)]
    return arguments


def recount_command(spec: RoundSpec, file_name: str) -> str:
    """Return the shell command that recounts the exported file with the core's command line."""
    command = ["commonweal", "budgeting", "tally", file_name, *recount_arguments(spec)]
    if spec.weighted:
        command += ["--weights", "weights.csv"]
    return shlex.join(command)


_COMMENT_PREFIX = "#1: Counted by Commonweal. Recount with: "


def _dotted(day: datetime.date) -> str:
    return f"{day:%d.%m.%Y}"


def _limits(rules: BallotRules) -> dict[str, str]:
    if rules.kind is BallotKind.CUMULATIVE:
        assert rules.points is not None
        limits = {"min_sum_points": str(rules.min_points), "max_sum_points": str(rules.points)}
        if rules.max_points_per_project is not None:
            limits["max_points"] = str(rules.max_points_per_project)
        return limits
    limits = {"min_length": str(rules.min_projects)}
    if rules.max_projects is not None:
        limits["max_length"] = str(rules.max_projects)
    if rules.kind is BallotKind.KNAPSACK:
        assert rules.max_cost is not None
        limits["max_sum_cost"] = format_number(rules.max_cost)
    return limits


def export_pb(spec: RoundSpec, ballots: Sequence[CastBallot], selected: Sequence[str]) -> PbFile:
    """Return the round as a pabulib file with the funded projects marked."""
    election = election_for_round(spec, ballots)
    meta = {
        "description": f"{spec.name}: participatory budgeting in {spec.place_name}",
        "country": "United Kingdom",
        "unit": spec.place_name,
        "instance": str(spec.voting_closes_on.year),
        "rule": pabulib_rule(spec),
        "date_begin": _dotted(spec.voting_opened_on),
        "date_end": _dotted(spec.voting_closes_on),
        **_limits(spec.rules),
        "language": "en",
        "currency": "GBP",
        "comment": _COMMENT_PREFIX
        + shlex.join(recount_arguments(spec))
        + (" and the voter weights in the VOTES weight column" if spec.weighted else ""),
    }
    pb = pb_from_election(election, meta, selected=selected)
    header = [*pb.votes.header, "voting_method"]
    weights = voter_weights(spec, ballots)
    if weights is not None:
        header.append("weight")
    rows = []
    for row, cast in zip(pb.votes.rows, ballots, strict=True):
        cells = [*row, cast.method]
        if weights is not None:
            cells.append(str(weights[cast.voter_id]))
        rows.append(tuple(cells))
    return PbFile(
        meta=pb.meta, projects=pb.projects, votes=PbSection(pb.votes.title, tuple(header), tuple(rows))
    )


def weights_csv(spec: RoundSpec, ballots: Sequence[CastBallot]) -> str:
    """Return the voter weights as the core command line's `--weights` CSV (voter_id,weight)."""
    weights = voter_weights(spec, ballots) or {}
    return "voter_id,weight\n" + "".join(f"{voter},{weight}\n" for voter, weight in weights.items())


def recount_from_pb(text: str) -> Outcome:
    """Recount an exported round from the text of its `.pb` file alone: the ballots, the budget and the
    projects from their sections, the rule and tie-breaking from the META comment, weights (if any) from
    the VOTES weight column."""
    try:
        pb = parse_pb(text)
        election = election_from_pb(pb)
    except PbFormatError as error:
        raise CountError(f"The file is not a readable .pb file: {error}") from error
    comment = pb.meta_values().get("comment", "")
    if not comment.startswith(_COMMENT_PREFIX):
        raise CountError("The file's META comment does not say how Commonweal counted it.")
    command = comment[len(_COMMENT_PREFIX) :].split(" and the voter weights", 1)[0]
    options = _options_from(shlex.split(command))
    weight_column = pb.votes.column("weight")
    voter_column = pb.votes.column("voter_id")
    weights = None
    if weight_column is not None and voter_column is not None:
        weights = {row[voter_column].strip(): Fraction(row[weight_column].strip()) for row in pb.votes.rows}
    rule, threshold, tie = options
    return count_election(
        election, rule, RuleOptions(tie_breaking=tie, voter_weights=weights, threshold=threshold)
    )


def _options_from(arguments: list[str]) -> tuple[Rule, Fraction | None, TieBreaking]:
    values = dict(zip(arguments[::2], arguments[1::2], strict=True))
    try:
        rule = Rule(values["--rule"])
        criteria = tuple(TieBreak(word) for word in values["--tie-breaking"].split(",") if word)
    except (KeyError, ValueError) as error:
        raise CountError(
            f"The file's META comment names no rule or tie-breaking Commonweal knows: {error}"
        ) from None
    lot = tuple(item for item in values.get("--lot-order", "").split(",") if item)
    threshold = Fraction(values["--threshold"]) if "--threshold" in values else None
    return rule, threshold, TieBreaking(criteria, lot)
