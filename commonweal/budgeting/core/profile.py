"""An election in the compact form the rules count with: identical ballots grouped, values as integers.

Voters who cast the same ballot with the same weight are one group with a multiplicity; every rule
treats them alike, so counting groups instead of voters changes no result and saves most of the work
on files where many voters cast the same ballot (no Django).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from itertools import chain
from operator import attrgetter

import numpy as np

from commonweal.budgeting.core.election import (
    Ballot,
    Election,
    ElectionError,
    VoteType,
    check_election,
    check_voter_weights,
)
from commonweal.budgeting.core.outcome import TieBreak, TieBreaking


@dataclass(frozen=True)
class CompactProfile:
    """Groups of identical ballots with integer values, and per project its supporting groups."""

    election: Election
    project_ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    # The group of each ballot, in ballot order.
    ballot_groups: np.ndarray
    # Per group: its multiplicity, its integer weight, the projects its ballot names (a row padded with
    # the project count) and their integer values (None when every value is 1, as on approval ballots).
    multiplicity: np.ndarray
    group_weight: tuple[int, ...]
    group_matrix: np.ndarray
    group_value_matrix: np.ndarray | None
    # weight = group_weight / weight_scale and value = integer value / value_scale.
    weight_scale: int
    value_scale: int
    # Per project: the supporting groups and each one's integer value for the project.
    supporters: tuple[np.ndarray, ...]
    supporter_values: tuple[np.ndarray, ...]
    # Per project: ballots naming it, score (votes or points) and weighted score, both in integer units.
    vote_counts: tuple[int, ...]
    score_units: tuple[int, ...]
    weighted_score_units: tuple[int, ...]
    weighted: bool

    @property
    def project_count(self) -> int:
        """Return the number of projects."""
        return len(self.project_ids)

    @property
    def group_count(self) -> int:
        """Return the number of ballot groups."""
        return len(self.group_matrix)

    def score(self, project: int) -> Fraction:
        """Return a project's score (votes, points or rank points) as the election states it."""
        return Fraction(self.score_units[project], self.value_scale)

    def value_map(self, group: int) -> dict[int, int]:
        """Return one group's integer value for each project its ballot names."""
        row = self.group_matrix[group]
        present = row < self.project_count
        projects = row[present].tolist()
        if self.group_value_matrix is None:
            return dict.fromkeys(projects, 1)
        return dict(zip(projects, self.group_value_matrix[group][present].tolist(), strict=True))

    @cached_property
    def group_voters(self) -> tuple[tuple[str, ...], ...]:
        """Return the voter ids of each group, in ballot order."""
        members: list[list[str]] = [[] for _ in range(self.group_count)]
        for ballot, group in zip(self.election.ballots, self.ballot_groups.tolist(), strict=True):
            members[group].append(ballot.voter_id)
        return tuple(tuple(voters) for voters in members)

    def voters_of(self, groups: np.ndarray | list[int]) -> tuple[str, ...]:
        """Return the voter ids of some groups, in group order."""
        voters: list[str] = []
        every_group = self.group_voters
        for group in groups:
            voters.extend(every_group[int(group)])
        return tuple(voters)


def _lcm_of_denominators(values: set[Fraction]) -> int:
    scale = 1
    for value in values:
        scale = math.lcm(scale, value.denominator)
    return scale


def _normalised(ballot: Ballot, vote_type: VoteType, length: int) -> list[tuple[str, int | Fraction]]:
    """Return a ballot's (project id, value) pairs with repeats merged, as the rules read them."""
    if vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
        assert ballot.points is not None
        totals: dict[str, int | Fraction] = {}
        for project_id, value in zip(ballot.projects, ballot.points, strict=True):
            totals[project_id] = totals.get(project_id, 0) + value
        return list(totals.items())
    if vote_type is VoteType.ORDINAL:
        return [
            (project_id, length - place) for place, project_id in enumerate(dict.fromkeys(ballot.projects))
        ]
    return [(project_id, 1) for project_id in dict.fromkeys(ballot.projects)]


def _segment_sums(values: np.ndarray, bounds: np.ndarray) -> list[int]:
    """Return the sums of values[bounds[i]:bounds[i+1]] for every i, as Python ints."""
    totals = np.concatenate(([0], np.cumsum(values)))
    return [int(total) for total in (totals[bounds[1:]] - totals[bounds[:-1]]).tolist()]


def _unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the distinct rows in lexicographic order and, for every row, the index of its distinct row."""
    if len(rows) == 0:
        return rows, np.zeros(0, dtype=np.int64)
    # Sorting column by column (lexsort) is exact and much faster than comparing whole rows.
    order = np.lexsort(rows.T[::-1])
    ordered = rows[order]
    starts = np.ones(len(rows), dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    groups = np.empty(len(rows), dtype=np.int64)
    groups[order] = np.cumsum(starts) - 1
    return ordered[starts], groups


def compact_profile(
    election: Election, voter_weights: Mapping[str, Fraction] | None = None
) -> CompactProfile:
    """Group identical ballots and turn values and weights into integers."""
    check_election(election)
    check_voter_weights(election, voter_weights)
    index = {project.project_id: position for position, project in enumerate(election.projects)}
    vote_type = election.vote_type
    ballots = election.ballots
    count = len(ballots)
    project_count = len(election.projects)
    with_points = vote_type in (VoteType.CUMULATIVE, VoteType.SCORING)
    approval = vote_type in (VoteType.APPROVAL, VoteType.CHOOSE_ONE)
    length = 0
    if vote_type is VoteType.ORDINAL:
        length = election.max_length or max((len(ballot.projects) for ballot in ballots), default=0)
    # Every ballot becomes a row of project positions (padded with `absent`) and a row of values.
    # map() and chain keep these loops in C: they touch every vote of every ballot.
    ballot_projects = list(map(attrgetter("projects"), ballots))
    lengths = np.fromiter(map(len, ballot_projects), dtype=np.int64, count=count)
    total = int(lengths.sum())
    try:
        flat = np.fromiter(
            map(index.__getitem__, chain.from_iterable(ballot_projects)), dtype=np.int64, count=total
        )
    except KeyError:
        for ballot in ballots:
            for project_id in ballot.projects:
                if project_id not in index:
                    raise ElectionError(
                        f"Voter {ballot.voter_id} voted for project {project_id}, which is not listed."
                    ) from None
        raise
    width = max(int(lengths.max(initial=0)), 1)
    rows = np.repeat(np.arange(count, dtype=np.int64), lengths)
    places = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    absent = project_count
    matrix = np.full((count, width), absent, dtype=np.int64)
    matrix[rows, places] = flat
    value_scale = 1
    values = np.zeros((count, width), dtype=np.int64)
    if with_points:
        points = [value for ballot in ballots for value in ballot.points or ()]
        if all(isinstance(value, int) for value in points):
            values[rows, places] = np.array(points, dtype=np.int64)
        else:
            value_scale = _lcm_of_denominators({Fraction(v) for v in points if not isinstance(v, int)})
            values[rows, places] = np.array([int(v * value_scale) for v in points], dtype=np.int64)
    elif vote_type is VoteType.ORDINAL:
        values[rows, places] = length - places
    else:
        values[rows, places] = 1
    # Ballots naming a project twice (rare) are rewritten as the rules read them: points added up,
    # the first rank kept, an approval counted once.
    ordered = np.sort(matrix, axis=1)
    repeated = np.flatnonzero(((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] != absent)).any(axis=1))
    for row in repeated.tolist():
        pairs = _normalised(ballots[row], vote_type, length)
        if with_points:
            pairs = [(p, v * value_scale) for p, v in pairs]
        matrix[row] = absent
        values[row] = 0
        for place, (project_id, value) in enumerate(pairs):
            matrix[row, place] = index[project_id]
            values[row, place] = int(value)
    # A ballot names a project even with zero points or a rank beyond the counted length.
    vote_counts = np.bincount(matrix[matrix != absent], minlength=project_count)
    dropped = (values <= 0) & (matrix != absent)
    if dropped.any():
        matrix[dropped] = absent
        values[dropped] = 0
    order = np.argsort(matrix, axis=1, kind="stable")
    matrix = np.take_along_axis(matrix, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    weight_scale = 1
    weights = np.ones(count, dtype=np.int64)
    if voter_weights is not None:
        weight_scale = _lcm_of_denominators({Fraction(voter_weights[b.voter_id]) for b in ballots})
        weights = np.array(
            [int(Fraction(voter_weights[b.voter_id]) * weight_scale) for b in ballots], dtype=np.int64
        )
    keys = [matrix] if approval else [matrix, values]
    keys.append(weights[:, None])
    unique, ballot_groups = _unique_rows(np.hstack(keys))
    group_count = len(unique)
    multiplicity = np.bincount(ballot_groups, minlength=group_count).astype(np.int64)
    group_weights = unique[:, -1].copy()
    group_matrix = unique[:, :width]
    group_value_matrix = np.ones_like(group_matrix) if approval else unique[:, width : 2 * width]
    present = group_matrix != absent
    flat_groups, _ = np.nonzero(present)
    flat_projects = group_matrix[present]
    flat_values = group_value_matrix[present]
    by_project = np.argsort(flat_projects, kind="stable")
    bounds = np.searchsorted(flat_projects[by_project], np.arange(project_count + 1))
    supporters = tuple(flat_groups[by_project[bounds[p] : bounds[p + 1]]] for p in range(project_count))
    supporter_values = tuple(flat_values[by_project[bounds[p] : bounds[p + 1]]] for p in range(project_count))
    # Sums per project over the supporters (sorted by project), in exact 64-bit integers.
    counted = (multiplicity[flat_groups] * flat_values)[by_project]
    weighted = (multiplicity[flat_groups] * group_weights[flat_groups] * flat_values)[by_project]
    score_units = _segment_sums(counted, bounds)
    weighted_units = _segment_sums(weighted, bounds)
    return CompactProfile(
        election=election,
        project_ids=tuple(project.project_id for project in election.projects),
        costs=tuple(project.cost for project in election.projects),
        ballot_groups=ballot_groups,
        multiplicity=multiplicity,
        group_weight=tuple(int(weight) for weight in group_weights.tolist()),
        group_matrix=group_matrix,
        group_value_matrix=None if approval else group_value_matrix,
        weight_scale=weight_scale,
        value_scale=value_scale,
        supporters=supporters,
        supporter_values=supporter_values,
        vote_counts=tuple(int(votes) for votes in vote_counts.tolist()),
        score_units=tuple(score_units),
        weighted_score_units=tuple(weighted_units),
        weighted=voter_weights is not None,
    )


def tie_ranks(profile: CompactProfile, tie_breaking: TieBreaking) -> list[int]:
    """Return each project's place in the tie-breaking order (0 wins every tie)."""
    lot = {project_id: position for position, project_id in enumerate(tie_breaking.lot_order)}

    def key(project: int) -> tuple[object, ...]:
        parts: list[object] = []
        for criterion in tie_breaking.criteria:
            if criterion is TieBreak.PROJECT_ID:
                parts.append(profile.project_ids[project])
            elif criterion is TieBreak.MIN_COST:
                parts.append(profile.costs[project])
            elif criterion is TieBreak.MAX_COST:
                parts.append(-profile.costs[project])
            elif criterion is TieBreak.MAX_VOTES:
                parts.append(-profile.vote_counts[project])
            else:
                parts.append(lot.get(profile.project_ids[project], len(lot)))
        parts.append(profile.project_ids[project])
        return tuple(parts)

    order = sorted(range(profile.project_count), key=key)
    ranks = [0] * profile.project_count
    for place, project in enumerate(order):
        ranks[project] = place
    return ranks
