"""Real elections from the shared pabulib files, turned into rounds as the web layer holds them."""

from __future__ import annotations

import datetime
from functools import cache

from commonweal.budgeting.core.election import Election, VoteType
from commonweal.budgeting.core.pb_format import PbFile, election_from_pb, read_pb
from commonweal.budgeting.core.rounds.ballots import BallotRules, rules_from_pb_meta
from commonweal.budgeting.core.rounds.counting import (
    CastBallot,
    ProjectSpec,
    RoundSpec,
    TiePreset,
    tie_breaking,
)
from commonweal.budgeting.core.voting_rules import Rule
from commonweal.reference_data import shared_data_dir

PABULIB = shared_data_dir() / "budgeting" / "pabulib"


@cache
def reference(name: str) -> tuple[PbFile, Election, BallotRules]:
    """Read a shared pabulib file: the file, its election and the ballot rules its META states."""
    pb = read_pb(PABULIB / name)
    return pb, election_from_pb(pb), rules_from_pb_meta(pb.meta_values())


def choices_of(election: Election, index: int) -> dict[str, int]:
    """Return one ballot of a reference election as the web layer stores it: 1 per approved project,
    the points given, or the rank (1 = first)."""
    ballot = election.ballots[index]
    if election.vote_type is VoteType.CUMULATIVE:
        assert ballot.points is not None
        totals: dict[str, int] = {}
        for project, points in zip(ballot.projects, ballot.points, strict=True):
            totals[project] = totals.get(project, 0) + int(points)
        return totals
    if election.vote_type is VoteType.ORDINAL:
        return {project: rank for rank, project in enumerate(dict.fromkeys(ballot.projects), start=1)}
    return dict.fromkeys(ballot.projects, 1)


def round_of(name: str, rule: Rule, *, weighted: bool = False) -> tuple[RoundSpec, list[CastBallot]]:
    """Return a reference election as a round counted with `rule`, ties broken by cost, votes, then the
    projects' order in the file, with every tenth voter in each IMD decile in turn."""
    pb, election, rules = reference(name)
    meta = pb.meta_values()
    spec = RoundSpec(
        name=meta.get("description", name),
        place_name=meta.get("unit", "Somewhere"),
        budget=int(election.budget),
        projects=tuple(ProjectSpec(p.project_id, p.name, int(p.cost)) for p in election.projects),
        rules=rules,
        rule=rule,
        tie_breaking=tie_breaking(TiePreset.COST_THEN_VOTES, [p.project_id for p in election.projects]),
        voting_opened_on=datetime.date(2026, 3, 1),
        voting_closes_on=datetime.date(2026, 3, 31),
        minimum_score=(
            int(election.min_project_score_threshold)
            if election.min_project_score_threshold is not None
            else None
        ),
        weighted=weighted,
    )
    ballots = [
        CastBallot(
            voter_id=ballot.voter_id,
            choices=choices_of(election, index),
            method="paper" if index % 3 == 0 else "internet",
            decile=index % 10 + 1,
        )
        for index, ballot in enumerate(election.ballots)
    ]
    return spec, ballots
