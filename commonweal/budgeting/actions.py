"""Write use cases for participatory budgeting: set up a round, collect and answer ideas, develop and
review projects, open voting, cast and change online ballots, key paper ballots twice, resolve the paper
queue, close and count, and deliver the funded projects."""

from __future__ import annotations

import datetime
import random
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.budgeting import queries, rules
from commonweal.budgeting.core.rounds.ballots import BallotError, BallotKind, BallotRules, check_ballot
from commonweal.budgeting.core.rounds.counting import CountError, TiePreset, count_round
from commonweal.budgeting.core.rounds.voters import age_refusal, normalised_name, voter_key
from commonweal.budgeting.core.voting_rules import Rule
from commonweal.budgeting.models import (
    Ballot,
    BallotMark,
    BudgetResult,
    BudgetRound,
    Idea,
    Milestone,
    PaperBallot,
    PaperEntry,
    Proposal,
    Spend,
)
from commonweal.people.models import Person
from commonweal.places.models import Area, Lsoa
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.places.queries import lsoa_of
from commonweal.ui.forms import LONG_TEXT_MAX

_NOT_YOURS = "You do not run budgeting rounds in this place."


class BudgetingError(ValueError):
    """A request a budgeting action cannot carry out; the message says why in plain words.

    Refusals by rule (who may act) raise PermissionDenied instead; this error is about the request itself.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Keep the field (None: the whole form) that the message should be shown beside."""
        super().__init__(message)
        self.field = field


Phase = BudgetRound.Phase


def _clock(at: datetime.datetime | None) -> datetime.datetime:
    """Return the time an action writes: `at` when given, else now (read once per call)."""
    return at if at is not None else timezone.now()


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _require_phase(budget_round: BudgetRound, allowed: Iterable[str], message: str) -> None:
    if budget_round.phase not in set(allowed):
        raise BudgetingError(message)


def _locked(budget_round: BudgetRound) -> BudgetRound:
    """Lock the round's row for the rest of the transaction (numbering, phases, one ballot per voter)."""
    return BudgetRound.objects.select_for_update(of=("self",)).select_related("place").get(pk=budget_round.pk)


@dataclass(frozen=True)
class RoundSettings:
    """What an organiser chooses when setting up a round (all fixed once voting opens)."""

    name: str
    description: str
    budget: int
    ballot_kind: str
    min_projects: int
    max_projects: int | None
    points: int | None
    max_points_per_project: int | None
    rule: str
    minimum_score: int | None
    tie_breaking: str
    minimum_age: int
    maximum_age: int | None
    weight_by_deprivation: bool
    ideas_close_on: datetime.date | None


def check_settings(settings: RoundSettings) -> BallotRules:
    """Raise BudgetingError (naming the field) unless the settings make a round that can be run."""
    if settings.budget < 1:
        raise BudgetingError("The budget must be at least £1.", field="budget")
    if settings.ballot_kind not in BudgetRound.Kind.values:
        raise BudgetingError("Choose a kind of ballot.", field="ballot_kind")
    if settings.rule not in {rule.value for rule in Rule}:
        raise BudgetingError("Choose how the votes are counted.", field="rule")
    if settings.tie_breaking not in dict(TiePreset.CHOICES):
        raise BudgetingError("Choose how ties are broken.", field="tie_breaking")
    if settings.rule == Rule.GREEDY_THRESHOLD and settings.minimum_score is None:
        raise BudgetingError(
            "Enter the fewest votes a project needs, for the minimum-score rule.", field="minimum_score"
        )
    if settings.maximum_age is not None and settings.maximum_age < settings.minimum_age:
        raise BudgetingError("The oldest age must not be below the youngest.", field="maximum_age")
    kind = BallotKind(settings.ballot_kind)
    if kind is BallotKind.CUMULATIVE and not settings.points:
        raise BudgetingError("Enter how many points each voter shares out.", field="points")
    if settings.max_projects is not None and settings.max_projects < max(settings.min_projects, 1):
        raise BudgetingError(
            "The most projects must be at least the fewest, and at least 1.", field="max_projects"
        )
    return BallotRules(
        kind=kind,
        min_projects=settings.min_projects,
        max_projects=settings.max_projects,
        max_cost=Fraction(settings.budget) if kind is BallotKind.KNAPSACK else None,
        points=settings.points if kind is BallotKind.CUMULATIVE else None,
        max_points_per_project=settings.max_points_per_project if kind is BallotKind.CUMULATIVE else None,
    )


_SETTING_FIELDS = (
    "name",
    "description",
    "budget",
    "ballot_kind",
    "min_projects",
    "max_projects",
    "points",
    "max_points_per_project",
    "rule",
    "minimum_score",
    "tie_breaking",
    "minimum_age",
    "maximum_age",
    "weight_by_deprivation",
    "ideas_close_on",
)


def _apply(budget_round: BudgetRound, settings: RoundSettings) -> None:
    for name in _SETTING_FIELDS:
        setattr(budget_round, name, getattr(settings, name))
    if budget_round.ballot_kind != BudgetRound.Kind.CUMULATIVE:
        budget_round.points = budget_round.max_points_per_project = None
    if budget_round.rule != Rule.GREEDY_THRESHOLD:
        budget_round.minimum_score = None


@transaction.atomic
def create_round(
    *, place: Area, settings: RoundSettings, by: User | None, at: datetime.datetime | None = None
) -> BudgetRound:
    """Set up a participatory budgeting round in a place; it opens for ideas at once."""
    now = _clock(at)
    if not rules.may_run_in_place(by, place):
        raise PermissionDenied(_NOT_YOURS)
    check_settings(settings)
    budget_round = BudgetRound(place=place, created_by=by, created_at=now)
    _apply(budget_round, settings)
    budget_round.save()
    record_event(
        by=by,
        at=now,
        action="participation.create_budget_round",
        target=budget_round,
        place=place.code,
        budget=settings.budget,
        ballot=settings.ballot_kind,
        rule=settings.rule,
    )
    return budget_round


@transaction.atomic
def change_round(
    *,
    budget_round: BudgetRound,
    settings: RoundSettings,
    by: User | None,
    at: datetime.datetime | None = None,
) -> BudgetRound:
    """Change a round's settings; refused once voting has opened."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    if budget_round.settings_locked:
        raise BudgetingError(
            "Voting has opened, so the ballot, the budget and the rule can no longer change."
        )
    check_settings(settings)
    _apply(budget_round, settings)
    budget_round.save()
    record_event(by=by, at=now, action="participation.change_budget_round", target=budget_round)
    return budget_round


@transaction.atomic
def submit_idea(
    *, budget_round: BudgetRound, title: str, description: str, by: User, at: datetime.datetime | None = None
) -> Idea:
    """Record a resident's idea for what the money could do."""
    now = _clock(at)
    budget_round = _locked(budget_round)
    _require_phase(budget_round, (Phase.IDEAS,), "This round is no longer collecting ideas.")
    if budget_round.ideas_close_on is not None and timezone.localdate(now) > budget_round.ideas_close_on:
        raise BudgetingError(f"Ideas closed on {_long_date(budget_round.ideas_close_on)}.")
    if not title.strip():
        raise BudgetingError("Give your idea a short title.", field="title")
    if len(description) > LONG_TEXT_MAX:
        raise BudgetingError(
            f"Tell us about your idea in {LONG_TEXT_MAX:,} characters or fewer.", field="description"
        )
    idea = Idea.objects.create(
        round=budget_round, title=title.strip(), description=description, submitted_by=by, submitted_at=now
    )
    record_event(by=by, at=now, action="participation.submit_idea", target=idea)
    return idea


_DEVELOPING = (Phase.IDEAS, Phase.DEVELOPMENT)
_DEVELOPING_MESSAGE = "Voting has opened, so the projects on the ballot can no longer change."


@transaction.atomic
def answer_idea(
    *,
    idea: Idea,
    status: str,
    response: str,
    proposal: Proposal | None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Idea:
    """Say what happened to an idea: taken forward into a project, or not, and why (published)."""
    now = _clock(at)
    if not rules.may_run_round(by, idea.round):
        raise PermissionDenied(_NOT_YOURS)
    _require_phase(_locked(idea.round), _DEVELOPING, "Voting has opened, so ideas can no longer be answered.")
    if status == Idea.Status.TAKEN_FORWARD:
        if proposal is None:
            raise BudgetingError("Choose the project the idea became part of.", field="proposal")
        if proposal.round_id != idea.round_id:
            raise BudgetingError("Choose one of this round's projects.", field="proposal")
    elif status == Idea.Status.NOT_TAKEN_FORWARD:
        if not response.strip():
            raise BudgetingError("Say why the idea is not taken forward.", field="response")
        proposal = None
    else:
        raise BudgetingError("Choose whether the idea is taken forward.", field="status")
    idea.status, idea.response, idea.proposal = status, response.strip(), proposal
    idea.reviewed_by, idea.reviewed_at = by, now
    idea.save(update_fields=["status", "response", "proposal", "reviewed_by", "reviewed_at"])
    record_event(by=by, at=now, action="participation.answer_idea", target=idea, status=status)
    return idea


@transaction.atomic
def save_proposal(
    *,
    budget_round: BudgetRound,
    title: str,
    description: str,
    cost: int,
    by: User | None,
    at: datetime.datetime | None = None,
    proposal: Proposal | None = None,
) -> Proposal:
    """Add a project to the round, or change one (a changed project goes back for feasibility review)."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    _require_phase(budget_round, _DEVELOPING, _DEVELOPING_MESSAGE)
    if cost < 1:
        raise BudgetingError("Enter the cost in whole pounds, at least £1.", field="cost")
    if proposal is None:
        number = (budget_round.proposals.aggregate(last=Max("number"))["last"] or 0) + 1
        proposal = Proposal.objects.create(
            round=budget_round,
            number=number,
            title=title,
            description=description,
            cost=cost,
            created_by=by,
            created_at=now,
        )
        record_event(
            by=by, at=now, action="participation.add_proposal", target=proposal, number=number, cost=cost
        )
        return proposal
    if proposal.round_id != budget_round.pk:
        raise BudgetingError("This project belongs to another round.")
    changed = (proposal.title, proposal.description, proposal.cost) != (title, description, cost)
    if changed and proposal.feasibility != Proposal.Feasibility.PENDING:
        proposal.feasibility = Proposal.Feasibility.PENDING
        proposal.feasibility_note = ""
        proposal.reviewed_by = proposal.reviewed_at = None
    proposal.title, proposal.description, proposal.cost = title, description, cost
    proposal.save()
    record_event(by=by, at=now, action="participation.change_proposal", target=proposal, cost=cost)
    return proposal


@transaction.atomic
def review_feasibility(
    *, proposal: Proposal, decision: str, note: str, by: User | None, at: datetime.datetime | None = None
) -> Proposal:
    """Record whether a project can be delivered for its cost (only feasible projects go on the ballot)."""
    now = _clock(at)
    if not rules.may_run_round(by, proposal.round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(proposal.round)
    _require_phase(budget_round, _DEVELOPING, _DEVELOPING_MESSAGE)
    if decision == Proposal.Feasibility.FEASIBLE:
        if proposal.cost > budget_round.budget:
            raise BudgetingError(
                f"It costs £{proposal.cost:,}, more than the whole budget of £{budget_round.budget:,}.",
                field="decision",
            )
    elif decision == Proposal.Feasibility.NOT_FEASIBLE:
        if not note.strip():
            raise BudgetingError("Say why it is not feasible, in words residents can follow.", field="note")
    else:
        raise BudgetingError("Choose feasible or not feasible.", field="decision")
    proposal.feasibility, proposal.feasibility_note = decision, note.strip()
    proposal.reviewed_by, proposal.reviewed_at = by, now
    proposal.save(update_fields=["feasibility", "feasibility_note", "reviewed_by", "reviewed_at"])
    record_event(by=by, at=now, action="participation.review_feasibility", target=proposal, decision=decision)
    return proposal


@transaction.atomic
def start_development(
    *, budget_round: BudgetRound, by: User | None, at: datetime.datetime | None = None
) -> BudgetRound:
    """Close ideas and move to proposal development and feasibility review."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    _require_phase(budget_round, (Phase.IDEAS,), "The round is not collecting ideas.")
    budget_round.phase = Phase.DEVELOPMENT
    budget_round.save(update_fields=["phase"])
    record_event(by=by, at=now, action="participation.start_development", target=budget_round)
    return budget_round


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


@transaction.atomic
def open_voting(
    *,
    budget_round: BudgetRound,
    voting_closes_on: datetime.date,
    by: User | None,
    at: datetime.datetime | None = None,
    seed: int | None = None,
) -> BudgetRound:
    """Put the feasible projects on the ballot, draw the tie-breaking order by lot, and open voting."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    _require_phase(
        budget_round, (Phase.DEVELOPMENT,), "Voting opens after proposal development and feasibility review."
    )
    if voting_closes_on < timezone.localdate(now):
        raise BudgetingError("The closing date must be today or later.", field="voting_closes_on")
    waiting = budget_round.proposals.filter(feasibility=Proposal.Feasibility.PENDING).count()
    if waiting:
        raise BudgetingError(
            f"Review every project's feasibility first: {_plural(waiting, 'project')} waiting."
        )
    unanswered = budget_round.ideas.filter(status=Idea.Status.NEW).count()
    if unanswered:
        raise BudgetingError(f"Answer every idea first: {_plural(unanswered, 'idea')} waiting.")
    on_ballot = list(
        budget_round.proposals.filter(feasibility=Proposal.Feasibility.FEASIBLE).order_by("number")
    )
    if len(on_ballot) < 2:
        raise BudgetingError("Put at least two feasible projects on the ballot.")
    if budget_round.min_projects > len(on_ballot):
        raise BudgetingError(
            f"The ballot asks for at least {_plural(budget_round.min_projects, 'project')}, "
            f"but only {len(on_ballot)} are feasible."
        )
    drawn = seed if seed is not None else secrets.randbits(32)
    order = [proposal.project_id for proposal in on_ballot]
    random.Random(drawn).shuffle(order)
    budget_round.lot_order, budget_round.lot_seed = order, drawn
    budget_round.phase = Phase.VOTING
    budget_round.voting_closes_on = voting_closes_on
    budget_round.voting_opened_at = now
    budget_round.save(
        update_fields=["lot_order", "lot_seed", "phase", "voting_closes_on", "voting_opened_at"]
    )
    record_event(
        by=by,
        at=now,
        action="participation.open_voting",
        target=budget_round,
        projects=len(on_ballot),
        closes=voting_closes_on.isoformat(),
        lot_seed=drawn,
    )
    return budget_round


@dataclass(frozen=True)
class Voter:
    """Who is voting, as far as eligibility and one-ballot-per-voter need to know."""

    key: str
    lsoa: Lsoa
    person: Person | None


def _postcode_in_place(budget_round: BudgetRound, postcode: str, *, whose: str) -> Lsoa:
    """Return the LSOA of a postcode in the round's place, or raise saying why it does not qualify."""
    try:
        normalised = normalise_postcode(postcode)
    except MalformedPostcodeError as error:
        raise BudgetingError(str(error), field="postcode") from error
    lsoa = lsoa_of(normalised)
    if lsoa is None or not budget_round.place.lsoas.filter(pk=lsoa.pk).exists():
        raise BudgetingError(
            f"{whose} postcode, {normalised}, is not in {budget_round.place.name}: only people who live in "
            f"{budget_round.place.name} can vote in this round.",
            field="postcode",
        )
    return lsoa


def _closing_day(budget_round: BudgetRound) -> datetime.date:
    assert budget_round.voting_closes_on is not None
    return budget_round.voting_closes_on


def online_voter(budget_round: BudgetRound, user: User) -> Voter:
    """Return the voter a signed-in user is, or raise BudgetingError saying why they may not vote."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise BudgetingError(
            f"Your account is not linked to a resident's record, so we cannot check that you live in "
            f"{budget_round.place.name}. You can still vote on a paper ballot."
        )
    if not person.postcode.strip():
        raise BudgetingError(
            f"Your record has no postcode, so we cannot check that you live in {budget_round.place.name}. "
            "You can still vote on a paper ballot."
        )
    lsoa = _postcode_in_place(budget_round, person.postcode, whose="Your")
    refusal = age_refusal(budget_round.eligibility(), person.date_of_birth, _closing_day(budget_round))
    if refusal is not None:
        raise BudgetingError(refusal.replace("this voter is", "you are"))
    return Voter(voter_key(person.full_name, person.date_of_birth, person.postcode), lsoa, person)


def _check_choices(budget_round: BudgetRound, choices: Mapping[str, int]) -> dict[str, int]:
    costs = {
        proposal.project_id: Fraction(proposal.cost)
        for proposal in budget_round.proposals.filter(feasibility=Proposal.Feasibility.FEASIBLE)
    }
    try:
        check_ballot(budget_round.ballot_rules(), choices, costs)
    except BallotError as error:
        raise BudgetingError(str(error), field="choices") from error
    return {project: value for project, value in choices.items() if value}


def _write_marks(ballot: Ballot, choices: Mapping[str, int]) -> None:
    proposals = {
        proposal.project_id: proposal
        for proposal in ballot.round.proposals.filter(number__in=[int(number) for number in choices])
    }
    ballot.marks.all().delete()
    BallotMark.objects.bulk_create(
        BallotMark(ballot=ballot, proposal=proposals[project], value=value)
        for project, value in choices.items()
    )


def _require_open_for_online(budget_round: BudgetRound, today: datetime.date) -> None:
    if budget_round.voting_is_open(today):
        return
    if budget_round.phase == Phase.VOTING or budget_round.voting_closed_at is not None:
        raise BudgetingError(
            f"Voting closed on {_long_date(_closing_day(budget_round))}: "
            "ballots can no longer be cast or changed."
        )
    raise BudgetingError("Voting has not opened yet.")


def _new_ballot(budget_round: BudgetRound, voter: Voter, channel: str, at: datetime.datetime) -> Ballot:
    """Create the voter's ballot; the unique constraint on (round, voter key) refuses a second one."""
    number = (budget_round.ballots.aggregate(last=Max("number"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            return Ballot.objects.create(
                round=budget_round,
                number=number,
                voter_key=voter.key,
                person=voter.person,
                channel=channel,
                lsoa=voter.lsoa,
                deprivation_decile=voter.lsoa.imd_decile,
                cast_at=at,
            )
    except IntegrityError:
        raise BudgetingError(_ALREADY_VOTED) from None


_ALREADY_VOTED = "You have already voted in this round. To change your vote, use “Change your vote”."


@transaction.atomic
def cast_online_ballot(
    *, budget_round: BudgetRound, choices: Mapping[str, int], by: User, at: datetime.datetime | None = None
) -> Ballot:
    """Cast the signed-in voter's ballot; a second ballot from the same voter is refused."""
    now = _clock(at)
    budget_round = _locked(budget_round)
    _require_open_for_online(budget_round, timezone.localdate(now))
    voter = online_voter(budget_round, by)
    existing = budget_round.ballots.filter(voter_key=voter.key).first()
    if existing is not None:
        if existing.channel == Ballot.Channel.PAPER:
            raise BudgetingError(
                "Your paper ballot is already counted in this round, so you cannot vote online."
            )
        raise BudgetingError(_ALREADY_VOTED)
    kept = _check_choices(budget_round, choices)
    ballot = _new_ballot(budget_round, voter, Ballot.Channel.ONLINE, now)
    _write_marks(ballot, kept)
    # The audit says that a ballot was cast, never what it says.
    record_event(by=by, at=now, action="participation.cast_ballot", target=budget_round, ballot=ballot.number)
    return ballot


@transaction.atomic
def change_online_ballot(
    *, ballot: Ballot, choices: Mapping[str, int], by: User, at: datetime.datetime | None = None
) -> Ballot:
    """Change the signed-in voter's own online ballot, until voting closes."""
    now = _clock(at)
    budget_round = _locked(ballot.round)
    _require_open_for_online(budget_round, timezone.localdate(now))
    voter = online_voter(budget_round, by)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.voter_key != voter.key or ballot.channel != Ballot.Channel.ONLINE:
        raise BudgetingError("You can change only your own online ballot.")
    kept = _check_choices(budget_round, choices)
    _write_marks(ballot, kept)
    ballot.changed_at = now
    ballot.times_changed += 1
    ballot.save(update_fields=["changed_at", "times_changed"])
    record_event(
        by=by, at=now, action="participation.change_ballot", target=budget_round, ballot=ballot.number
    )
    return ballot


@dataclass(frozen=True)
class PaperKeying:
    """What one person keyed from a paper ballot."""

    reference: str
    full_name: str
    date_of_birth: datetime.date
    postcode: str
    choices: Mapping[str, int]

    def normalised(self) -> tuple[str, datetime.date, str, tuple[tuple[str, int], ...]]:
        """Return what two keyings must agree on: the name's letters, the date, postcode and choices."""
        return (
            normalised_name(self.full_name),
            self.date_of_birth,
            self.postcode.replace(" ", "").upper(),
            tuple(sorted((project, value) for project, value in self.choices.items() if value)),
        )


def _entry(
    paper: PaperBallot, stage: str, keying: PaperKeying, by: User, at: datetime.datetime
) -> PaperEntry:
    try:
        postcode = normalise_postcode(keying.postcode)
    except MalformedPostcodeError as error:
        raise BudgetingError(str(error), field="postcode") from error
    if not keying.full_name.strip():
        raise BudgetingError("Enter the voter's name as written on the ballot.", field="full_name")
    return PaperEntry.objects.create(
        paper=paper,
        stage=stage,
        keyed_by=by,
        keyed_at=at,
        full_name=keying.full_name.strip(),
        date_of_birth=keying.date_of_birth,
        postcode=postcode,
        choices={project: value for project, value in keying.choices.items() if value},
    )


def _keying_of(entry: PaperEntry) -> PaperKeying:
    return PaperKeying(
        reference=entry.paper.reference,
        full_name=entry.full_name,
        date_of_birth=entry.date_of_birth,
        postcode=entry.postcode,
        choices={str(project): int(value) for project, value in entry.choices.items()},
    )


def _differences(first: PaperKeying, second: PaperKeying) -> list[str]:
    a, b = first.normalised(), second.normalised()
    found = [
        label
        for label, one, other in zip(("name", "date of birth", "postcode"), a, b, strict=False)
        if one != other
    ]
    projects = sorted(
        {
            project
            for project in (*first.choices, *second.choices)
            if first.choices.get(project, 0) != second.choices.get(project, 0)
        },
        key=int,
    )
    found += [f"project {project}" for project in projects]
    return found


def _record_paper(
    budget_round: BudgetRound, paper: PaperBallot, keying: PaperKeying, at: datetime.datetime
) -> Ballot:
    """Record a paper ballot both keyings (or the third person) agree on, if it can be counted."""
    lsoa = _postcode_in_place(budget_round, keying.postcode, whose="The voter's")
    refusal = age_refusal(budget_round.eligibility(), keying.date_of_birth, _closing_day(budget_round))
    if refusal is not None:
        raise BudgetingError(refusal)
    kept = _check_choices(budget_round, keying.choices)
    key = voter_key(keying.full_name, keying.date_of_birth, keying.postcode)
    existing = budget_round.ballots.filter(voter_key=key).first()
    if existing is not None:
        how = "online" if existing.channel == Ballot.Channel.ONLINE else "on another paper ballot"
        raise BudgetingError(f"This voter has already voted in this round ({how}).")
    try:
        ballot = _new_ballot(budget_round, Voter(key, lsoa, None), Ballot.Channel.PAPER, at)
    except BudgetingError:
        raise BudgetingError("This voter has already voted in this round.") from None
    _write_marks(ballot, kept)
    paper.ballot = ballot
    return ballot


@dataclass(frozen=True)
class KeyingOutcome:
    """What happened to a paper ballot after one keying, in words for the person keying."""

    paper: PaperBallot
    message: str


@transaction.atomic
def key_paper_ballot(
    *, budget_round: BudgetRound, keying: PaperKeying, by: User, at: datetime.datetime | None = None
) -> KeyingOutcome:
    """Key a paper ballot: the first keying waits for a second by someone else; a match records the ballot;
    a mismatch, or a ballot that cannot be counted, goes to the queue for a third person."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    _require_phase(budget_round, (Phase.VOTING,), "Paper ballots are keyed while the voting phase is open.")
    reference = keying.reference.strip().upper()
    if not reference:
        raise BudgetingError("Enter the number written on the paper ballot.", field="reference")
    paper, created = PaperBallot.objects.select_for_update().get_or_create(
        round=budget_round, reference=reference, defaults={"created_at": now}
    )
    if created:
        _entry(paper, PaperEntry.Stage.FIRST, keying, by, now)
        record_event(by=by, at=now, action="participation.key_paper_ballot", target=paper, stage="first")
        return KeyingOutcome(
            paper, f"Paper ballot {reference} keyed. A different person must now key it again."
        )
    if paper.status == PaperBallot.Status.RECORDED:
        raise BudgetingError(f"Paper ballot {reference} is already recorded.", field="reference")
    if paper.status == PaperBallot.Status.SPOILT:
        raise BudgetingError(f"Paper ballot {reference} was set aside and is not counted.", field="reference")
    if paper.status == PaperBallot.Status.QUEUED:
        raise BudgetingError(
            f"Paper ballot {reference} is waiting for a third person to resolve it.", field="reference"
        )
    first = paper.entries.get(stage=PaperEntry.Stage.FIRST)
    if first.keyed_by_id == by.pk:
        raise BudgetingError(
            f"You keyed paper ballot {reference} first; a different person must key it the second time.",
            field="reference",
        )
    second = _entry(paper, PaperEntry.Stage.SECOND, keying, by, now)
    differences = _differences(_keying_of(first), _keying_of(second))
    if differences:
        paper.status = PaperBallot.Status.QUEUED
        paper.problem = "The two keyings differ in: " + ", ".join(differences) + "."
        paper.save(update_fields=["status", "problem"])
        record_event(
            by=by, at=now, action="participation.key_paper_ballot", target=paper, stage="second", match=False
        )
        return KeyingOutcome(
            paper, f"Paper ballot {reference} does not match the first keying. It waits for a third person."
        )
    try:
        with transaction.atomic():
            _record_paper(budget_round, paper, _keying_of(second), now)
            paper.status = PaperBallot.Status.RECORDED
            paper.save(update_fields=["status", "ballot"])
    except BudgetingError as error:
        paper.status = PaperBallot.Status.QUEUED
        paper.problem = f"Both keyings agree, but the ballot cannot be counted as it is: {error}"
        paper.save(update_fields=["status", "problem"])
        record_event(
            by=by, at=now, action="participation.key_paper_ballot", target=paper, stage="second", match=True
        )
        return KeyingOutcome(
            paper,
            f"Paper ballot {reference} matches, but cannot be counted as it is. It waits for a third person.",
        )
    record_event(
        by=by, at=now, action="participation.key_paper_ballot", target=paper, stage="second", match=True
    )
    return KeyingOutcome(paper, f"Paper ballot {reference} matches the first keying and is recorded.")


@transaction.atomic
def resolve_paper_ballot(
    *,
    paper: PaperBallot,
    keying: PaperKeying | None,
    note: str,
    by: User,
    at: datetime.datetime | None = None,
) -> PaperBallot:
    """A third person settles a queued paper ballot: keys it from the paper (recorded if it can be counted),
    or, with `keying` None, sets it aside as not counted, saying why."""
    now = _clock(at)
    if not rules.may_run_round(by, paper.round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(paper.round)
    _require_phase(budget_round, (Phase.VOTING,), "Voting has closed, so the paper queue is settled.")
    paper = PaperBallot.objects.select_for_update().get(pk=paper.pk)
    if paper.status != PaperBallot.Status.QUEUED:
        raise BudgetingError(f"Paper ballot {paper.reference} is not waiting to be resolved.")
    if paper.entries.filter(keyed_by=by).exists():
        raise BudgetingError(f"You keyed paper ballot {paper.reference}, so a third person must resolve it.")
    if keying is None:
        if not note.strip():
            raise BudgetingError("Say why the ballot is set aside.", field="note")
        paper.status = PaperBallot.Status.SPOILT
        action = "spoilt"
    else:
        entry = _entry(paper, PaperEntry.Stage.RESOLUTION, keying, by, now)
        _record_paper(budget_round, paper, _keying_of(entry), now)
        paper.status = PaperBallot.Status.RECORDED
        action = "recorded"
    paper.resolved_by, paper.resolved_at, paper.resolution_note = by, now, note.strip()
    paper.save(update_fields=["status", "ballot", "resolved_by", "resolved_at", "resolution_note"])
    record_event(by=by, at=now, action="participation.resolve_paper_ballot", target=paper, outcome=action)
    return paper


@transaction.atomic
def close_voting(
    *, budget_round: BudgetRound, by: User | None, at: datetime.datetime | None = None
) -> BudgetResult:
    """Close voting after its closing day, once every paper ballot is settled, and count with the round's
    rule; the result, its explanations and the tie-breaking are recorded."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    _require_phase(budget_round, (Phase.VOTING,), "Voting is not open.")
    closes = _closing_day(budget_round)
    if timezone.localdate(now) <= closes:
        raise BudgetingError(
            f"Voting is open until the end of {_long_date(closes)}: close it after that day."
        )
    once = budget_round.paper_ballots.filter(status=PaperBallot.Status.KEYED_ONCE).count()
    queued = budget_round.paper_ballots.filter(status=PaperBallot.Status.QUEUED).count()
    if once or queued:
        raise BudgetingError(
            f"Settle every paper ballot first: {_plural(once, 'ballot')} keyed only once and "
            f"{queued} waiting for a third person."
        )
    spec = queries.round_spec(budget_round)
    ballots = queries.cast_ballots(budget_round)
    started = time.perf_counter()
    try:
        outcome = count_round(spec, ballots)
    except CountError as error:
        raise BudgetingError(str(error)) from error
    seconds = time.perf_counter() - started
    channels = {channel: count for channel, count in queries.ballots_by_channel(budget_round).items()}
    result = BudgetResult.objects.create(
        round=budget_round,
        rule=outcome.rule,
        tie_breaking=outcome.tie_breaking.describe(),
        tie_breaking_criteria=[criterion.value for criterion in outcome.tie_breaking.criteria],
        lot_order=list(outcome.tie_breaking.lot_order),
        ties=[{"step": tie.step, "tied": list(tie.tied), "chosen": tie.chosen} for tie in outcome.ties],
        weighted=spec.weighted,
        ballots_counted=len(ballots),
        online_ballots=channels.get(Ballot.Channel.ONLINE, 0),
        paper_ballots=channels.get(Ballot.Channel.PAPER, 0),
        selected=list(outcome.selected),
        total_cost=int(outcome.total_cost),
        voter_share=str(outcome.voter_share) if outcome.voter_share is not None else "",
        winners=queries.winners_record(outcome),
        losers=queries.losers_record(outcome),
        notes=list(outcome.notes),
        seconds=seconds,
        counted_by=by,
        counted_at=now,
    )
    budget_round.phase = Phase.RESULTS
    budget_round.voting_closed_at = now
    budget_round.save(update_fields=["phase", "voting_closed_at"])
    record_event(
        by=by,
        at=now,
        action="participation.close_voting",
        target=budget_round,
        ballots=len(ballots),
        funded=list(outcome.selected),
    )
    return result


@transaction.atomic
def start_delivery(
    *, budget_round: BudgetRound, by: User | None, at: datetime.datetime | None = None
) -> BudgetRound:
    """Move from results to delivering the funded projects."""
    now = _clock(at)
    if not rules.may_run_round(by, budget_round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _locked(budget_round)
    _require_phase(budget_round, (Phase.RESULTS,), "Delivery starts after the results.")
    budget_round.phase = Phase.DELIVERY
    budget_round.save(update_fields=["phase"])
    record_event(by=by, at=now, action="participation.start_delivery", target=budget_round)
    return budget_round


def _require_funded(proposal: Proposal) -> BudgetRound:
    budget_round = _locked(proposal.round)
    _require_phase(budget_round, (Phase.DELIVERY,), "Milestones and spending are recorded during delivery.")
    if proposal.project_id not in budget_round.result.selected:
        raise BudgetingError(f"Project {proposal.number} was not funded, so there is nothing to deliver.")
    return budget_round


@transaction.atomic
def add_milestone(
    *,
    proposal: Proposal,
    title: str,
    due_on: datetime.date | None,
    note: str,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Milestone:
    """Add a step to a funded project's delivery plan."""
    now = _clock(at)
    if not rules.may_run_round(by, proposal.round):
        raise PermissionDenied(_NOT_YOURS)
    _require_funded(proposal)
    if not title.strip():
        raise BudgetingError("Enter what the milestone is.", field="title")
    milestone = Milestone.objects.create(
        proposal=proposal, title=title.strip(), due_on=due_on, note=note, created_by=by, created_at=now
    )
    record_event(by=by, at=now, action="participation.add_milestone", target=proposal, milestone=milestone.pk)
    return milestone


@transaction.atomic
def complete_milestone(
    *, milestone: Milestone, done_on: datetime.date, by: User | None, at: datetime.datetime | None = None
) -> Milestone:
    """Record that a milestone was reached."""
    now = _clock(at)
    if not rules.may_run_round(by, milestone.proposal.round):
        raise PermissionDenied(_NOT_YOURS)
    budget_round = _require_funded(milestone.proposal)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise BudgetingError(f"“{milestone.title}” was reached on {_long_date(milestone.done_on)}.")
    if budget_round.voting_closes_on is not None and done_on < budget_round.voting_closes_on:
        raise BudgetingError(
            f"Voting closed on {_long_date(budget_round.voting_closes_on)}; delivery cannot come before it.",
            field="done_on",
        )
    if done_on > timezone.localdate(now):
        raise BudgetingError("A milestone cannot be reached in the future.", field="done_on")
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    record_event(
        by=by,
        at=now,
        action="participation.complete_milestone",
        target=milestone.proposal,
        milestone=milestone.pk,
    )
    return milestone


@transaction.atomic
def record_spend(
    *,
    proposal: Proposal,
    amount: Decimal,
    spent_on: datetime.date,
    description: str,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Spend:
    """Record money spent on a funded project."""
    now = _clock(at)
    if not rules.may_run_round(by, proposal.round):
        raise PermissionDenied(_NOT_YOURS)
    _require_funded(proposal)
    if amount <= 0:
        raise BudgetingError("Enter an amount above £0.", field="amount")
    if spent_on > timezone.localdate(now):
        raise BudgetingError("Record spending once it has happened.", field="spent_on")
    spend = Spend.objects.create(
        proposal=proposal,
        amount=amount,
        spent_on=spent_on,
        description=description,
        recorded_by=by,
        recorded_at=now,
    )
    record_event(by=by, at=now, action="participation.record_spend", target=proposal, amount=str(amount))
    return spend
