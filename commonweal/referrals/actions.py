"""Write use cases of the journey: each takes the actor as `by=`, runs in a transaction and is audited.

Every action asks `rules` whether the actor may do it and raises PermissionDenied when not (the views
ask the same predicates first, so a refusal here is the authoritative check, not the user's first
message), and raises JourneyError with a plain message when the request cannot be carried out.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.people import actions as people_actions
from commonweal.people.models import Person
from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number
from commonweal.places.queries import lsoa_of
from commonweal.referrals import message_back, queries, rules, snomed
from commonweal.referrals.models import (
    Attendance,
    BudgetSpend,
    ClosureReason,
    Connection,
    ConnectionTransition,
    ContactLogEntry,
    Conversation,
    ConversationKind,
    DeclineReason,
    EmergencyPlanAction,
    JourneyCode,
    MessageBack,
    Referral,
    ReferralSource,
    ReferralStatus,
    SelfReferralAttempt,
    SharedField,
    SmallSum,
    SmallSumBudget,
    Urgency,
)
from commonweal.referrals.workflow import (
    ACTIVE,
    STATUS_LABELS,
    Party,
    RejectionReason,
    Status,
    TransitionRefused,
    check_transition,
)


class JourneyError(ValueError):
    """A journey step that cannot be taken as asked; the message says why in plain words."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Keep the field (None: the whole form) that the message should be shown beside."""
        super().__init__(message)
        self.field = field


# How soon a link worker should first contact the person, by urgency (in days).
FIRST_CONTACT_DAYS = {Urgency.URGENT: 1, Urgency.SOON: 3, Urgency.ROUTINE: 14}


def _record_code(
    referral: Referral, event: snomed.JourneyEvent, by: User | None, at: datetime.datetime
) -> None:
    concept = snomed.concept_for(event)
    # Each code once per episode; a second "seen" contact records nothing new.
    if not JourneyCode.objects.filter(referral=referral, code=concept.code).exists():
        JourneyCode.objects.create(
            referral=referral,
            event=event.value,
            code=concept.code,
            term=concept.term,
            recorded_by=by,
            recorded_at=at,
        )


def _require_case_worker(referral: Referral, by: User) -> None:
    if referral.status != ReferralStatus.OPEN:
        raise JourneyError("This case is not open.")
    if not rules.may_work_case(by, referral):
        raise PermissionDenied("Only the person's link worker or a supervisor of the team can do this.")


def _require_triage(referral: Referral, by: User) -> None:
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        raise JourneyError("This referral has already been triaged.")
    if not rules.may_triage(by, referral):
        raise PermissionDenied("Only a link worker in the receiving team can triage this referral.")


# ---------------------------------------------------------------------------------------------- in


def open_referral_of(person: Person) -> Referral | None:
    """Return the person's referral that is waiting for triage or open, if any."""
    return (
        Referral.objects.filter(
            person=person, status__in=[ReferralStatus.AWAITING_TRIAGE, ReferralStatus.OPEN]
        )
        .select_related("team", "link_worker")
        .first()
    )


@transaction.atomic
def make_referral(
    *,
    person: Person,
    team: Organisation,
    source: str,
    reasons: list[str],
    reason_detail: str = "",
    urgency: str = Urgency.ROUTINE,
    referring_organisation: Organisation | None = None,
    previous_referral: Referral | None = None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Referral:
    """Send a referral to a social prescribing team's triage queue (by=None for a self-referral)."""
    at = at or timezone.now()
    if not rules.may_refer(by, person):
        raise PermissionDenied("Only a referrer, or the person themselves, can make a referral.")
    if not reasons:
        raise JourneyError("Choose at least one reason for the referral.")
    if source != ReferralSource.SELF:
        existing = open_referral_of(person)
        if existing is not None:
            raise JourneyError(
                f"{person.full_name} already has a referral with {existing.team.name} "
                f"({existing.get_status_display().lower()}). Contact the team rather than refer again."
            )
    referral = Referral.objects.create(
        person=person,
        team=team,
        source=source,
        referred_by=by,
        referring_organisation=referring_organisation,
        reasons=list(reasons),
        reason_detail=reason_detail,
        urgency=urgency,
        previous_referral=previous_referral,
        received_at=at,
    )
    if source != ReferralSource.SELF:
        # The referrer offered social prescribing and the person agreed to be referred.
        _record_code(referral, snomed.JourneyEvent.OFFERED, by, at)
    record_event(
        by=by, at=at, action="referrals.make_referral", target=referral, person=person.pk, source=source
    )
    return referral


class PersonMismatchError(JourneyError):
    """An NHS number we hold belongs to someone with a different date of birth."""


def _find_or_add_person(
    *,
    nhs_number: str,
    date_of_birth: datetime.date,
    details: dict[str, Any],
    by: User | None,
    at: datetime.datetime,
) -> Person:
    """Return the person with this NHS number (checking the date of birth), or add them.

    The number is matched in its normal form (ten ASCII digits), however it was typed.
    """
    if nhs_number:
        try:
            nhs_number = normalise_nhs_number(nhs_number)
        except InvalidNhsNumberError as error:
            raise JourneyError(str(error)) from error
        existing = Person.objects.filter(nhs_number=nhs_number).first()
        if existing is not None:
            if existing.date_of_birth != date_of_birth:
                raise PersonMismatchError(
                    "The NHS number and date of birth do not match the person we hold. Check both."
                )
            # Fill gaps in what we hold, never overwrite what the person or their link worker wrote.
            filled = [name for name, value in details.items() if value and not getattr(existing, name)]
            for name in filled:
                setattr(existing, name, details[name])
            if filled:
                if "postcode" in filled:
                    existing.lsoa = lsoa_of(existing.postcode)
                existing.updated_at = at
                existing.save()
                record_event(
                    by=by, at=at, action="people.update_record", target=existing, fields=sorted(filled)
                )
            return existing
    return people_actions.create_person(
        by=by, at=at, nhs_number=nhs_number or None, date_of_birth=date_of_birth, **details
    )


@transaction.atomic
def refer(
    *,
    nhs_number: str,
    date_of_birth: datetime.date,
    details: dict[str, Any],
    team: Organisation,
    source: str,
    reasons: list[str],
    reason_detail: str = "",
    urgency: str = Urgency.ROUTINE,
    referring_organisation: Organisation | None = None,
    by: User,
    at: datetime.datetime | None = None,
) -> Referral:
    """A referrer refers a person (found by NHS number, or added) to a social prescribing team."""
    at = at or timezone.now()
    if not rules.may_refer(by):
        raise PermissionDenied("Only a referrer can refer someone.")
    person = _find_or_add_person(
        nhs_number=nhs_number, date_of_birth=date_of_birth, details=details, by=by, at=at
    )
    return make_referral(
        person=person,
        team=team,
        source=source,
        reasons=reasons,
        reason_detail=reason_detail,
        urgency=urgency,
        referring_organisation=referring_organisation,
        by=by,
        at=at,
    )


class TooManySelfReferrals(PermissionDenied):
    """The public form has taken as many self-referrals from one address as it takes in an hour."""


class NoTeamTakingReferrals(JourneyError):
    """No social prescribing team takes referrals where the person lives or is registered."""


def count_self_referral(client_address: str, at: datetime.datetime | None = None) -> None:
    """Count one more self-referral from this address for the next hour (refusing when over the limit).

    The count is a row in the database (shared by every worker, kept over restarts); rows older than
    the window are deleted here.
    """
    at = at or timezone.now()
    if not rules.may_self_refer_from(client_address, at):
        raise TooManySelfReferrals(rules.SELF_REFERRAL_LIMIT_REACHED)
    SelfReferralAttempt.objects.filter(at__lte=rules.self_referral_window_start(at)).delete()
    SelfReferralAttempt.objects.create(client=rules.self_referral_key(client_address), at=at)


@transaction.atomic
def self_refer(
    *,
    nhs_number: str,
    date_of_birth: datetime.date,
    details: dict[str, Any],
    reasons: list[str],
    reason_detail: str = "",
    urgency: str = Urgency.ROUTINE,
    client_address: str,
    spam: bool = False,
    at: datetime.datetime | None = None,
) -> Referral | None:
    """A resident refers themselves from the public form (there is no signed-in actor).

    Each sending address may send a few an hour. A form whose hidden field was filled in (only
    automated senders do that) is counted and dropped: nothing is kept and None comes back. The
    referral goes to the team of the person's practice, else one covering where they live.
    """
    at = at or timezone.now()
    count_self_referral(client_address, at)
    if spam:
        return None
    postcode = details.get("postcode") or ""
    team = queries.team_for(details.get("gp_practice"), lsoa_of(postcode) if postcode else None)
    if team is None:
        raise NoTeamTakingReferrals(
            "No social prescribing team is taking referrals here yet. Please ask your GP."
        )
    try:
        person = _find_or_add_person(
            nhs_number=nhs_number, date_of_birth=date_of_birth, details=details, by=None, at=at
        )
    except PersonMismatchError:
        # Never tell an anonymous visitor whether an NHS number is known: keep the referral, without
        # the number, for triage to match by hand.
        person = people_actions.create_person(
            by=None, at=at, nhs_number=None, date_of_birth=date_of_birth, **details
        )
    return make_referral(
        person=person,
        team=team,
        source=ReferralSource.SELF,
        reasons=reasons,
        reason_detail=reason_detail,
        urgency=urgency,
        by=None,
        at=at,
    )


@transaction.atomic
def accept_referral(
    *, referral: Referral, link_worker: User, by: User, at: datetime.datetime | None = None
) -> Referral:
    """Triage: accept a referral and put it on a link worker's caseload."""
    at = at or timezone.now()
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_triage(referral, by)
    if referral.team_id not in queries.link_worker_team_ids(link_worker):
        raise JourneyError(f"{link_worker.full_name} is not a link worker in {referral.team.name}.")
    referral.status = ReferralStatus.OPEN
    referral.link_worker = link_worker
    referral.triaged_at = at
    referral.triaged_by = by
    referral.next_action = "First contact with the person"
    referral.next_action_due = timezone.localdate(at) + datetime.timedelta(
        days=FIRST_CONTACT_DAYS[Urgency(referral.urgency)]
    )
    referral.save()
    _record_code(referral, snomed.JourneyEvent.REFERRED, by, at)
    record_event(
        by=by, at=at, action="referrals.accept_referral", target=referral, link_worker=link_worker.pk
    )
    send_message_back(referral=referral, event=MessageBack.Event.ACCEPTED, by=by, at=at)
    return referral


@transaction.atomic
def decline_referral(
    *, referral: Referral, reason: str, note: str = "", by: User, at: datetime.datetime | None = None
) -> Referral:
    """Triage: the referral does not go ahead (the person declined, or it is not the right support)."""
    at = at or timezone.now()
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_triage(referral, by)
    if reason not in DeclineReason.values:
        raise JourneyError("Choose why the referral is not going ahead.")
    referral.status = ReferralStatus.DECLINED
    referral.decline_reason = reason
    referral.closure_note = note
    referral.triaged_at = at
    referral.triaged_by = by
    referral.save()
    if reason == DeclineReason.PERSON_DECLINED:
        _record_code(referral, snomed.JourneyEvent.DECLINED, by, at)
    record_event(by=by, at=at, action="referrals.decline_referral", target=referral, reason=reason)
    send_message_back(referral=referral, event=MessageBack.Event.DECLINED, by=by, at=at)
    return referral


@transaction.atomic
def reassign_referral(
    *, referral: Referral, link_worker: User, by: User, at: datetime.datetime | None = None
) -> Referral:
    """Move an open case to another link worker of the same team."""
    at = at or timezone.now()
    _require_case_worker(referral, by)
    if referral.team_id not in queries.link_worker_team_ids(link_worker):
        raise JourneyError(f"{link_worker.full_name} is not a link worker in {referral.team.name}.")
    previous = referral.link_worker_id
    referral.link_worker = link_worker
    referral.save(update_fields=["link_worker"])
    record_event(
        by=by, action="referrals.reassign_referral", target=referral, previous=previous, to=link_worker.pk
    )
    return referral


# -------------------------------------------------------------------------------------- caseload


@transaction.atomic
def set_next_action(
    *,
    referral: Referral,
    next_action: str,
    due: datetime.date | None,
    by: User,
    at: datetime.datetime | None = None,
) -> None:
    """Set what happens next on a case and when it is due."""
    at = at or timezone.now()
    _require_case_worker(referral, by)
    referral.next_action = next_action
    referral.next_action_due = due
    referral.save(update_fields=["next_action", "next_action_due"])
    record_event(by=by, at=at, action="referrals.set_next_action", target=referral)


_OUTCOMES_BY_KIND: dict[str, frozenset[str]] = {
    ContactLogEntry.Kind.CALL: frozenset(
        {
            ContactLogEntry.Outcome.SPOKE,
            ContactLogEntry.Outcome.NO_ANSWER,
            ContactLogEntry.Outcome.LEFT_MESSAGE,
            ContactLogEntry.Outcome.REARRANGED,
        }
    ),
    ContactLogEntry.Kind.VISIT: frozenset({ContactLogEntry.Outcome.MET, ContactLogEntry.Outcome.REARRANGED}),
    ContactLogEntry.Kind.MESSAGE: frozenset({ContactLogEntry.Outcome.SENT}),
    ContactLogEntry.Kind.DID_NOT_ATTEND: frozenset(
        {ContactLogEntry.Outcome.MISSED, ContactLogEntry.Outcome.REARRANGED}
    ),
}


def _mark_seen(referral: Referral, seen_at: datetime.datetime, by: User, at: datetime.datetime) -> None:
    if referral.first_seen_at is None or seen_at < referral.first_seen_at:
        referral.first_seen_at = seen_at
        referral.save(update_fields=["first_seen_at"])
    _record_code(referral, snomed.JourneyEvent.SEEN, by, at)


@transaction.atomic
def log_contact(
    *,
    referral: Referral,
    kind: str,
    outcome: str,
    note: str = "",
    happened_at: datetime.datetime,
    by: User,
    at: datetime.datetime | None = None,
) -> ContactLogEntry:
    """Add a call, visit, message or missed appointment to the contact log."""
    at = at or timezone.now()
    _require_case_worker(referral, by)
    if outcome not in _OUTCOMES_BY_KIND.get(kind, frozenset()):
        kinds = dict(ContactLogEntry.Kind.choices)
        raise JourneyError(f"That outcome does not go with “{kinds.get(kind, kind)}”. Choose one that does.")
    if happened_at > at + datetime.timedelta(minutes=5):
        raise JourneyError("A contact cannot be logged in the future.")
    entry = ContactLogEntry.objects.create(
        referral=referral,
        kind=kind,
        outcome=outcome,
        note=note,
        happened_at=happened_at,
        recorded_by=by,
        recorded_at=at,
    )
    if referral.last_contact_at is None or happened_at > referral.last_contact_at:
        referral.last_contact_at = happened_at
        referral.save(update_fields=["last_contact_at"])
    if entry.reached_the_person:
        _mark_seen(referral, happened_at, by, at)
    record_event(by=by, at=at, action="referrals.log_contact", target=referral, entry=entry.pk, kind=kind)
    return entry


# --------------------------------------------------------------------------- the Three Conversations


@dataclass(frozen=True)
class EmergencyActionInput:
    """One action of an emergency plan as entered."""

    action: str
    owner: str
    review_on: datetime.date


@dataclass(frozen=True)
class SpendInput:
    """One line of what a personal budget is spent on."""

    description: str
    amount: Decimal


@transaction.atomic
def record_conversation(
    *,
    referral: Referral,
    kind: int,
    held_on: datetime.date,
    participants: str,
    summary: str,
    by: User,
    emergency_actions: list[EmergencyActionInput] | None = None,
    spends: list[SpendInput] | None = None,
    update_record: bool = False,
    at: datetime.datetime | None = None,
    **details: Any,
) -> Conversation:
    """Record one of the Three Conversations (the person is then counted as seen by a link worker)."""
    at = at or timezone.now()
    _require_case_worker(referral, by)
    if held_on > timezone.localdate(at):
        raise JourneyError("A conversation cannot be recorded before it has happened.")
    allowed = {
        ConversationKind.CONNECT: {"what_matters", "strengths", "wants_to_do", "connections_made"},
        ConversationKind.CRISIS: {"immediate_risks"},
        ConversationKind.GOOD_LIFE: {"long_term_plan", "budget_amount", "budget_sources"},
    }[ConversationKind(kind)]
    if set(details) - allowed:
        raise JourneyError("Those details do not belong to this conversation.")
    if kind == ConversationKind.CRISIS and not emergency_actions:
        raise JourneyError("A crisis conversation needs an emergency plan: add at least one action.")
    spends = spends or []
    if kind == ConversationKind.GOOD_LIFE and spends:
        budget = details.get("budget_amount")
        total = sum((spend.amount for spend in spends), Decimal(0))
        if budget is None:
            raise JourneyError("Give the personal budget's amount before saying what it is spent on.")
        if total > budget:
            raise JourneyError(
                f"The spending (£{total:,.2f}) is more than the personal budget (£{budget:,.2f})."
            )
    conversation = Conversation.objects.create(
        referral=referral,
        kind=kind,
        held_on=held_on,
        participants=participants,
        summary=summary,
        recorded_by=by,
        recorded_at=at,
        **details,
    )
    for item in emergency_actions or []:
        EmergencyPlanAction.objects.create(
            conversation=conversation, action=item.action, owner=item.owner, review_on=item.review_on
        )
    for spend in spends:
        BudgetSpend.objects.create(
            conversation=conversation, description=spend.description, amount=spend.amount
        )
    held_at = timezone.make_aware(datetime.datetime.combine(held_on, datetime.time(12, 0)))
    _mark_seen(referral, held_at, by, at)
    if referral.last_contact_at is None or held_at > referral.last_contact_at:
        referral.last_contact_at = held_at
        referral.save(update_fields=["last_contact_at"])
    if update_record and kind == ConversationKind.CONNECT:
        person = referral.person
        changed = []
        for name in ("what_matters", "strengths"):
            if details.get(name):
                setattr(person, name, details[name])
                changed.append(name)
        if changed:
            person.updated_at = at
            person.save()
            record_event(by=by, at=at, action="people.update_record", target=person, fields=changed)
    record_event(by=by, at=at, action="referrals.record_conversation", target=conversation, kind=kind)
    return conversation


# -------------------------------------------------------------------------------------- small sums


def budget_for(team_id: int, day: datetime.date) -> SmallSumBudget | None:
    """Return the team's small-sums budget covering a day, if one is set."""
    return (
        SmallSumBudget.objects.filter(team_id=team_id, starts_on__lte=day, ends_on__gte=day)
        .order_by("-starts_on")
        .first()
    )


def approved_total(team_id: int, budget: SmallSumBudget) -> Decimal:
    """Return the small sums approved for a team within a budget's period."""
    total = SmallSum.objects.filter(
        team_id=team_id,
        status=SmallSum.Status.APPROVED,
        decided_at__date__gte=budget.starts_on,
        decided_at__date__lte=budget.ends_on,
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


@transaction.atomic
def request_small_sum(
    *,
    referral: Referral,
    amount: Decimal,
    purpose: str,
    conversation: Conversation | None = None,
    by: User,
    at: datetime.datetime | None = None,
) -> SmallSum:
    """Ask for a small sum of money for a person in crisis; a supervisor decides."""
    at = at or timezone.now()
    _require_case_worker(referral, by)
    if amount <= 0:
        raise JourneyError("Enter an amount of money greater than £0.")
    if not purpose.strip():
        raise JourneyError("Say what the money is for.")
    small_sum = SmallSum.objects.create(
        referral=referral,
        conversation=conversation,
        team_id=referral.team_id,
        amount=amount,
        purpose=purpose.strip(),
        requested_by=by,
        requested_at=at,
    )
    record_event(by=by, at=at, action="referrals.request_small_sum", target=small_sum, amount=str(amount))
    return small_sum


@transaction.atomic
def decide_small_sum(
    *, small_sum: SmallSum, approve: bool, note: str = "", by: User, at: datetime.datetime | None = None
) -> SmallSum:
    """A supervisor approves or refuses a small sum; approval must fit within the team's budget."""
    at = at or timezone.now()
    small_sum = SmallSum.objects.select_for_update().get(pk=small_sum.pk)
    if not rules.may_supervise_team(by, small_sum.team_id):
        raise PermissionDenied("Only a supervisor of the team can decide on small sums.")
    if small_sum.requested_by_id == by.pk:
        raise JourneyError("You asked for this sum, so another supervisor must decide on it.")
    if small_sum.status != SmallSum.Status.REQUESTED:
        raise JourneyError("This sum has already been decided.")
    if approve:
        # Lock the team's budget row so two approvals cannot both squeeze under the limit.
        budget = budget_for(small_sum.team_id, timezone.localdate(at))
        if budget is None:
            raise JourneyError("No small-sums budget is set for this team for today's date. Set one first.")
        budget = SmallSumBudget.objects.select_for_update().get(pk=budget.pk)
        left = budget.amount - approved_total(small_sum.team_id, budget)
        if small_sum.amount > left:
            raise JourneyError(
                f"Approving £{small_sum.amount:,.2f} would take the team over its budget: "
                f"£{left:,.2f} is left."
            )
    elif not note.strip():
        raise JourneyError("Say why the sum is refused, so the link worker can tell the person.")
    small_sum.status = SmallSum.Status.APPROVED if approve else SmallSum.Status.REFUSED
    small_sum.decided_by = by
    small_sum.decided_at = at
    small_sum.decision_note = note
    small_sum.save()
    record_event(by=by, at=at, action="referrals.decide_small_sum", target=small_sum, approved=approve)
    return small_sum


@transaction.atomic
def set_small_sum_budget(
    *,
    team: Organisation,
    starts_on: datetime.date,
    ends_on: datetime.date,
    amount: Decimal,
    by: User,
    at: datetime.datetime | None = None,
) -> SmallSumBudget:
    """Set a team's small-sums budget for a period (a supervisor of the team does this)."""
    at = at or timezone.now()
    if not rules.may_supervise_team(by, team.pk):
        raise PermissionDenied("Only a supervisor of the team can set its budget.")
    if ends_on < starts_on:
        raise JourneyError("The budget must end on or after the day it starts.")
    if amount < 0:
        raise JourneyError("A budget cannot be less than £0.")
    overlapping = SmallSumBudget.objects.filter(team=team, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.exclude(starts_on=starts_on).exists():
        raise JourneyError("This period overlaps another budget of the team. Change that one instead.")
    budget, _ = SmallSumBudget.objects.update_or_create(
        team=team, starts_on=starts_on, defaults={"ends_on": ends_on, "amount": amount}
    )
    record_event(by=by, at=at, action="referrals.set_small_sum_budget", target=budget, amount=str(amount))
    return budget


# ------------------------------------------------------------------------------------- connections


def provider_of(service: Any) -> Organisation | None:
    """Return the Commonweal organisation that answers connections to a directory service."""
    if service.owner_id is not None:
        return service.owner
    return service.organisation.organisation


@transaction.atomic
def connect(
    *,
    person: Person,
    service: Any,
    shared_fields: list[str],
    note: str = "",
    referral: Referral | None = None,
    by: User,
    at: datetime.datetime | None = None,
) -> Connection:
    """Connect a person to a directory service: the organisation receives it in its inbox."""
    at = at or timezone.now()
    if referral is not None:
        if referral.person_id != person.pk:
            raise JourneyError("That case belongs to someone else.")
        if referral.status != ReferralStatus.OPEN and person.user_id != by.pk:
            raise JourneyError("This case is not open.")
    if not rules.may_connect(by, person, referral):
        raise PermissionDenied("Only the person's link worker, or the person, can connect them to a service.")
    if service.status != "active":
        raise JourneyError(
            f"{service.name} is not running at the moment ({service.get_status_display().lower()})."
        )
    if service.accepting_referrals == "no":
        raise JourneyError(f"{service.name} is not taking referrals at the moment. Choose another service.")
    organisation = provider_of(service)
    if organisation is None:
        raise JourneyError(
            f"{service.name} is not run by an organisation that uses Commonweal yet, so it cannot receive "
            "a connection here. Contact them directly using the details in the directory."
        )
    unknown = set(shared_fields) - set(SharedField.values)
    if unknown:
        raise JourneyError("Choose what to share from the list.")
    if SharedField.CONTACT in shared_fields and not person.organisations_may_contact:
        raise JourneyError(
            f"{person.full_name} has asked that community organisations do not contact them, so their "
            "contact details cannot be shared. Change their consent first if they agree."
        )
    if Connection.objects.filter(
        person=person, service=service, status__in=[status.value for status in ACTIVE]
    ).exists():
        raise JourneyError(f"{person.full_name} is already connected to {service.name}.")
    connection = Connection.objects.create(
        person=person,
        referral=referral,
        service=service,
        organisation=organisation,
        requested_by=by,
        shared_fields=sorted(set(shared_fields)),
        note=note,
        requested_at=at,
        status_changed_at=at,
    )
    ConnectionTransition.objects.create(
        connection=connection,
        from_status="",
        to_status=Status.REQUESTED.value,
        party=Party.REQUESTER.value,
        actor=by,
        at=at,
    )
    record_event(by=by, at=at, action="referrals.connect", target=connection, service=service.pk)
    return connection


@transaction.atomic
def connect_myself(
    *,
    person: Person,
    service: Any,
    shared_fields: list[str],
    note: str = "",
    by: User,
    at: datetime.datetime | None = None,
) -> Connection:
    """The person asks to join a service themselves; the connection joins their open case, if any,
    so their link worker hears how it goes."""
    at = at or timezone.now()
    # Without a case, only the person themselves may connect them.
    if not rules.may_connect(by, person, referral=None):
        raise PermissionDenied("Only the person can ask to join a service for themselves.")
    open_referral = open_referral_of(person)
    return connect(
        person=person,
        service=service,
        shared_fields=shared_fields,
        note=note,
        referral=open_referral if open_referral is not None and open_referral.is_open else None,
        by=by,
        at=at,
    )


# Statuses that hand the connection back to the link worker with an alert.
_RETURNED = frozenset({Status.REJECTED, Status.FAILED, Status.CANCELLED})


def _set_alert(connection: Connection, on: bool) -> None:
    if connection.needs_attention == on:
        return
    connection.needs_attention = on
    if connection.referral_id is not None:
        Referral.objects.filter(pk=connection.referral_id).update(
            open_alerts=F("open_alerts") + (1 if on else -1)
        )


@transaction.atomic
def move_connection(
    *,
    connection: Connection,
    to_status: str,
    note: str = "",
    rejection_reason: str = "",
    by: User,
    at: datetime.datetime | None = None,
) -> Connection:
    """Change a connection's status, if the workflow lets this user's side make that change."""
    at = at or timezone.now()
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("person", "referral")
        .get(pk=connection.pk)
    )
    if not rules.may_move_connection(by, connection):
        raise PermissionDenied("You are not a party to this connection.")
    parties = rules.parties_of(by, connection)
    try:
        target = Status(to_status)
        reason = RejectionReason(rejection_reason) if rejection_reason else None
    except ValueError as error:
        raise JourneyError("Choose a status from the list.") from error
    refusal: TransitionRefused | None = None
    transition = None
    for party in sorted(parties, key=lambda party: party.value, reverse=True):
        try:
            transition = check_transition(connection.workflow_status, target, party, note, reason)
            break
        except TransitionRefused as error:
            refusal = refusal or error
    if transition is None:
        raise JourneyError(str(refusal))
    connection.status = target.value
    connection.status_reason = transition.note
    connection.rejection_reason = reason.value if reason else ""
    connection.status_changed_at = at
    returned = target in _RETURNED and transition.party == Party.TARGET
    _set_alert(connection, returned)
    connection.save()
    ConnectionTransition.objects.create(
        connection=connection,
        from_status=transition.from_status.value,
        to_status=target.value,
        party=transition.party.value,
        actor=by,
        note=transition.note,
        rejection_reason=connection.rejection_reason,
        at=at,
    )
    record_event(
        by=by,
        at=at,
        action="referrals.move_connection",
        target=connection,
        from_status=transition.from_status.value,
        to_status=target.value,
    )
    return connection


@transaction.atomic
def record_attendance(
    *,
    connection: Connection,
    session_on: datetime.date,
    attended: bool,
    note: str = "",
    by: User,
    at: datetime.datetime | None = None,
) -> Attendance:
    """The organisation records whether the person came to a session (the first visit starts it)."""
    at = at or timezone.now()
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("person", "referral", "service")
        .get(pk=connection.pk)
    )
    if not rules.may_respond_to_connection(by, connection):
        raise PermissionDenied("Only the organisation running the service records attendance.")
    if connection.workflow_status not in (Status.ACCEPTED, Status.IN_PROGRESS):
        raise JourneyError(
            f"Attendance can be recorded once the connection is accepted; it is "
            f"{STATUS_LABELS[connection.workflow_status].lower()}."
        )
    if session_on > timezone.localdate(at):
        raise JourneyError("Attendance cannot be recorded for a session that has not happened yet.")
    # The connection exists from requested_at: connect() sets it once, when the link worker (or the
    # person) makes the connection, and nothing moves it. Acceptance is not the start: an organisation
    # may see a person who turned up before it got to its inbox, and acceptance is only a transition,
    # not a field. A session has a day and no time, so the day the connection was made (in London)
    # is allowed: someone connected in the morning can come to that afternoon's session.
    connected_on = timezone.localdate(connection.requested_at)
    if session_on < connected_on:
        raise JourneyError(
            f"Attendance can only be recorded from {connected_on:%-d %B %Y} (when "
            f"{connection.person.full_name} was connected to {connection.service.name}); "
            f"{session_on:%-d %B %Y} is before that.",
            field="session_on",
        )
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                connection=connection,
                session_on=session_on,
                attended=attended,
                note=note,
                recorded_by=by,
                recorded_at=at,
            )
    except IntegrityError as error:
        raise JourneyError(f"Attendance for {session_on:%-d %B %Y} is already recorded.") from error
    if attended:
        Connection.objects.filter(pk=connection.pk).update(sessions_attended=F("sessions_attended") + 1)
        if connection.workflow_status == Status.ACCEPTED:
            move_connection(
                connection=connection,
                to_status=Status.IN_PROGRESS.value,
                note="Came to a first session",
                by=by,
                at=at,
            )
    record_event(by=by, at=at, action="referrals.record_attendance", target=connection, attended=attended)
    return attendance


@transaction.atomic
def acknowledge_connection(*, connection: Connection, by: User, at: datetime.datetime | None = None) -> None:
    """The link worker has seen a returned connection; the alert is cleared."""
    at = at or timezone.now()
    connection = (
        Connection.objects.select_for_update(of=("self",))
        .select_related("person", "referral")
        .get(pk=connection.pk)
    )
    if not rules.may_follow_up_connection(by, connection):
        raise PermissionDenied("Only the person's link worker can clear this alert.")
    if connection.needs_attention:
        _set_alert(connection, False)
        connection.save(update_fields=["needs_attention"])
        record_event(by=by, at=at, action="referrals.acknowledge_connection", target=connection)


# ---------------------------------------------------------------------------------- closing the loop


@transaction.atomic
def close_referral(
    *, referral: Referral, reason: str, note: str = "", by: User, at: datetime.datetime | None = None
) -> Referral:
    """Close a case with a reason; the GP and referrer get a message back."""
    at = at or timezone.now()
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    _require_case_worker(referral, by)
    if reason not in ClosureReason.values:
        raise JourneyError("Choose why the case is closing.")
    if reason == ClosureReason.OTHER and not note.strip():
        raise JourneyError("Say why the case is closing.")
    referral.status = ReferralStatus.CLOSED
    referral.closure_reason = reason
    referral.closure_note = note
    referral.closed_at = at
    referral.closed_by = by
    referral.next_action = ""
    referral.next_action_due = None
    referral.save()
    _record_code(referral, snomed.JourneyEvent.CLOSED, by, at)
    record_event(by=by, at=at, action="referrals.close_referral", target=referral, reason=reason)
    send_message_back(referral=referral, event=MessageBack.Event.CLOSED, by=by, at=at)
    return referral


@transaction.atomic
def rerefer(
    *,
    referral: Referral,
    reason_detail: str,
    urgency: str = Urgency.ROUTINE,
    by: User,
    at: datetime.datetime | None = None,
) -> Referral:
    """Refer a closed or declined case again: a new episode that starts at triage."""
    at = at or timezone.now()
    if referral.status not in (ReferralStatus.CLOSED, ReferralStatus.DECLINED):
        raise JourneyError("Only a closed or declined referral can be referred again.")
    if not rules.may_rerefer(by, referral):
        raise PermissionDenied("Only the referrer, the person or the team can refer this case again.")
    if not reason_detail.strip():
        raise JourneyError("Say what has changed, so the team knows why the person is coming back.")
    by_the_person = referral.person.user_id == by.pk
    return make_referral(
        person=referral.person,
        team=referral.team,
        source=ReferralSource.SELF if by_the_person else referral.source,
        reasons=list(referral.reasons),
        reason_detail=reason_detail,
        urgency=urgency,
        referring_organisation=None if by_the_person else referral.referring_organisation,
        previous_referral=referral,
        by=by,
        at=at,
    )


# ----------------------------------------------------------------------------------- message back


def compose_message_back(referral: Referral, event: str, sent_at: datetime.datetime) -> MessageBack:
    """Return (unsaved) the message back about a referral as it stands, dated `sent_at`."""
    referral = Referral.objects.select_related(
        "person__gp_practice", "team", "link_worker", "referred_by", "referring_organisation"
    ).get(pk=referral.pk)
    facts = queries.referral_facts(referral)
    message_input = message_back.message_input(
        facts,
        event=event,
        event_label=MessageBack.Event(event).label,
        sent_on=timezone.localtime(sent_at).date(),
    )
    return MessageBack(
        referral=referral,
        event=event,
        codes_only=facts.codes_only,
        document=message_back.build_message(message_input),
        sent_at=sent_at,
        gp_practice_id=facts.gp_practice_id,
    )


@transaction.atomic
def send_message_back(
    *, referral: Referral, event: str, by: User, at: datetime.datetime | None = None
) -> MessageBack:
    """Write the message back to the GP and referrer as it stands now, and keep it as sent."""
    if not rules.may_send_message_back(by, referral):
        raise PermissionDenied("Only the team holding the referral sends its message back.")
    at = at or timezone.now()
    message = compose_message_back(referral, event, at)
    message.sent_by = by
    message.save()
    record_event(by=by, at=at, action="referrals.send_message_back", target=message, event=event)
    return message
