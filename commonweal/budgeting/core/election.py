"""A participatory budgeting election as plain data: budget, projects and ballots (no Django).

The rules in `voting_rules.py` read an `Election`; `pb_format.py` turns a pabulib `.pb` file into one
and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction


class ElectionError(ValueError):
    """Raised when an election cannot be counted as given (the message says what to fix)."""


class VoteType(StrEnum):
    """The ballot formats of the pabulib format."""

    APPROVAL = "approval"
    CHOOSE_ONE = "choose-1"
    CUMULATIVE = "cumulative"
    SCORING = "scoring"
    ORDINAL = "ordinal"


@dataclass(frozen=True)
class Project:
    """A project on the ballot: its identifier, its cost and its name."""

    project_id: str
    cost: Fraction
    name: str = ""


@dataclass(frozen=True)
class Ballot:
    """One voter's ballot: the projects in the order given and, for points ballots, the points."""

    voter_id: str
    projects: tuple[str, ...]
    # Whole points are kept as int (the common case, and much faster to count with than Fraction).
    points: tuple[int | Fraction, ...] | None = None


@dataclass(frozen=True)
class Election:
    """A budget, the projects on the ballot and the ballots cast."""

    budget: Fraction
    projects: tuple[Project, ...]
    ballots: tuple[Ballot, ...]
    vote_type: VoteType = VoteType.APPROVAL
    # The legal minimum score (votes or points) a project needs to be funded, as in Warsaw.
    min_project_score_threshold: Fraction | None = None
    # The longest ranking allowed on an ordinal ballot; ranks are worth max_length, max_length-1, … points.
    max_length: int | None = None
    description: str = ""
    _project_index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {project.project_id: position for position, project in enumerate(self.projects)}
        if len(index) != len(self.projects):
            raise ElectionError("Two projects have the same project_id.")
        object.__setattr__(self, "_project_index", index)

    def project(self, project_id: str) -> Project:
        """Return the project with this identifier."""
        return self.projects[self._project_index[project_id]]

    def project_position(self, project_id: str) -> int:
        """Return the position of the project on the ballot (0 for the first)."""
        return self._project_index[project_id]

    def has_project(self, project_id: str) -> bool:
        """Return whether a project with this identifier is on the ballot."""
        return project_id in self._project_index

    def ballot_values(self, ballot: Ballot) -> dict[str, Fraction]:
        """Return how much the ballot gives each project it names: 1, its points, or its rank's points."""
        if self.vote_type in (VoteType.CUMULATIVE, VoteType.SCORING):
            if ballot.points is None:
                raise ElectionError(f"Voter {ballot.voter_id} has a {self.vote_type} ballot without points.")
            values: dict[str, Fraction] = {}
            for project_id, points in zip(ballot.projects, ballot.points, strict=True):
                values[project_id] = values.get(project_id, Fraction(0)) + points
            return {project_id: total for project_id, total in values.items() if total != 0}
        if self.vote_type is VoteType.ORDINAL:
            # A ranking of length L is worth L points to the first choice, L-1 to the second … (Borda),
            # with L the legal maximum length; this reproduces the `score` column of Kraków's files.
            length = self.max_length or max((len(other.projects) for other in self.ballots), default=0)
            ranked = dict.fromkeys(ballot.projects)
            return {
                project_id: Fraction(length - position)
                for position, project_id in enumerate(ranked)
                if length - position > 0
            }
        return dict.fromkeys(ballot.projects, Fraction(1))

    def scores(self) -> dict[str, Fraction]:
        """Return each project's score: votes on approval ballots, points on points and ranked ballots."""
        totals = {project.project_id: Fraction(0) for project in self.projects}
        for ballot in self.ballots:
            for project_id, value in self.ballot_values(ballot).items():
                totals[project_id] += value
        return totals

    def vote_counts(self) -> dict[str, int]:
        """Return how many ballots name each project."""
        counts = {project.project_id: 0 for project in self.projects}
        for ballot in self.ballots:
            for project_id in set(ballot.projects):
                counts[project_id] += 1
        return counts


def check_election(election: Election) -> None:
    """Raise ElectionError, naming the first fault, if the election cannot be counted."""
    if election.budget < 0:
        raise ElectionError(f"The budget must not be negative (it is {election.budget}).")
    for project in election.projects:
        if project.cost < 0:
            raise ElectionError(f"Project {project.project_id} has a negative cost ({project.cost}).")
    known = set(election._project_index)
    with_points = election.vote_type in (VoteType.CUMULATIVE, VoteType.SCORING)
    for ballot in election.ballots:
        # Approval and ranked ballots are checked for unknown projects while they are compacted.
        if ballot.points is None and not with_points:
            continue
        if ballot.points is None:
            raise ElectionError(f"Voter {ballot.voter_id} has a {election.vote_type} ballot without points.")
        if not known.issuperset(ballot.projects):
            unknown = next(project_id for project_id in ballot.projects if project_id not in known)
            raise ElectionError(f"Voter {ballot.voter_id} voted for project {unknown}, which is not listed.")
        if len(ballot.points) != len(ballot.projects):
            raise ElectionError(
                f"Voter {ballot.voter_id} gives {len(ballot.points)} points "
                f"for {len(ballot.projects)} projects."
            )
        if ballot.points and min(ballot.points) < 0:
            raise ElectionError(f"Voter {ballot.voter_id} gives negative points.")


def check_voter_weights(election: Election, weights: Mapping[str, Fraction] | None) -> None:
    """Raise ElectionError if voter weights are given but miss a voter or are not positive."""
    if weights is None:
        return
    for ballot in election.ballots:
        weight = weights.get(ballot.voter_id)
        if weight is None:
            raise ElectionError(f"Voter {ballot.voter_id} has no weight.")
        if weight <= 0:
            raise ElectionError(f"Voter {ballot.voter_id} has weight {weight}; weights must be positive.")
