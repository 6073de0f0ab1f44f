"""Write use cases for people: each takes the actor as `by=`, runs in a transaction and is audited.

Each asks `rules` whether the actor may make the change and raises PermissionDenied when not.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.people import rules
from commonweal.people.break_glass import reason_problem
from commonweal.people.models import (
    BreakGlassOpening,
    ContactMethod,
    Goal,
    GoalProgress,
    GoalReview,
    NetworkMember,
    Person,
    Plan,
    SafeguardingConcern,
)
from commonweal.places.queries import lsoa_of


class RecordChangeError(ValueError):
    """A change to a person's record that cannot be made; the message says why."""


# Fields of the record that staff (with the person) or the person may change through `update_record`.
EDITABLE_FIELDS = frozenset(
    {
        "phone",
        "email",
        "address",
        "postcode",
        "contact_methods",
        "language",
        "needs_interpreter",
        "accessibility_needs",
        "accessibility_notes",
        "what_matters",
        "strengths",
        "interests",
        "free_times",
        "gp_sharing",
        "organisations_may_contact",
        "gp_practice",
    }
)


def _require_edit(person: Person, by: User) -> None:
    if not rules.may_edit_person(by, person):
        raise PermissionDenied(
            "Only the person, or the link worker who has them on their caseload, can do this."
        )


@transaction.atomic
def create_person(*, by: User | None, at: datetime.datetime | None = None, **fields: Any) -> Person:
    """Add a person to Commonweal (from a referral or a self-referral), placing their postcode."""
    at = at or timezone.now()
    if not rules.may_add_person(by):
        raise PermissionDenied("Only a referrer can add someone to Commonweal.")
    person = Person(created_at=at, updated_at=at, **fields)
    if person.postcode:
        person.lsoa = lsoa_of(person.postcode)
    person.full_clean(exclude=["user"])
    person.save()
    record_event(by=by, action="people.create_person", target=person, at=at)
    return person


class BreakGlassError(ValueError):
    """A break-glass opening refused for its reason; the message says what a reason needs."""

    field = "reason"


class TooManyBreakGlassOpenings(PermissionDenied):
    """The user has opened as many records by break-glass as they may in an hour."""


@transaction.atomic
def break_glass(
    *, person: Person, reason: str, by: User, at: datetime.datetime | None = None
) -> BreakGlassOpening:
    """Record that a member of staff chose to open a record with no relationship, and why.

    At most BREAK_GLASS_PER_HOUR openings an hour per user; the reason must say something, and not
    what they said last time. Each opening waits for an administrator's review.
    """
    at = at or timezone.now()
    if not rules.may_break_glass(by, person):
        raise PermissionDenied("Your role does not let you open a record without a relationship.")
    # Lock the user's row so that two openings at once cannot both slip under the limit.
    User.objects.select_for_update().filter(pk=by.pk).first()
    if not rules.may_break_glass_again(by, at):
        raise TooManyBreakGlassOpenings(
            f"You have opened {rules.break_glass_limit()} records without a relationship in the last hour, "
            "which is as many as anyone may. Ask the person's link worker, or an administrator, for help."
        )
    last = BreakGlassOpening.objects.filter(opened_by=by).order_by("-opened_at", "-pk").first()
    problem = reason_problem(reason, last.reason if last else None)
    if problem:
        raise BreakGlassError(problem)
    opening = BreakGlassOpening.objects.create(
        person=person, opened_by=by, opened_at=at, reason=reason.strip()
    )
    record_event(by=by, action="people.break_glass", target=person, at=at, reason=reason, opening=opening.pk)
    return opening


@transaction.atomic
def review_break_glass(
    *, opening: BreakGlassOpening, note: str, by: User, at: datetime.datetime | None = None
) -> BreakGlassOpening:
    """An administrator marks a break-glass opening reviewed, with a note (audited)."""
    at = at or timezone.now()
    if not rules.may_review_break_glass(by, opening):
        raise PermissionDenied("Only an administrator can review break-glass openings, and not their own.")
    opening = BreakGlassOpening.objects.select_for_update().get(pk=opening.pk)
    if opening.is_reviewed:
        raise RecordChangeError("This opening has already been reviewed.")
    if not note.strip():
        raise RecordChangeError("Write what the review found.")
    opening.reviewed_by, opening.reviewed_at, opening.review_note = by, at, note.strip()
    opening.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
    record_event(
        by=by, at=at, action="people.review_break_glass", target=opening.person, opening=opening.pk, note=note
    )
    return opening


def _check_contact_methods(methods: list[str]) -> None:
    if ContactMethod.DO_NOT_CONTACT in methods and len(methods) > 1:
        raise RecordChangeError("Choose either 'Please do not contact me' or ways to contact, not both.")


@transaction.atomic
def update_record(
    *, person: Person, by: User, at: datetime.datetime | None = None, **changes: Any
) -> list[str]:
    """Change fields of a person's record; return the names of the fields that changed."""
    at = at or timezone.now()
    _require_edit(person, by)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise RecordChangeError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "contact_methods" in changes:
        _check_contact_methods(list(changes["contact_methods"]))
    if "gp_practice" in changes and changes["gp_practice"] is not None:
        practice: Organisation = changes["gp_practice"]
        if practice.kind != Organisation.Kind.GP_PRACTICE:
            raise RecordChangeError("Choose a GP practice.")
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    if "postcode" in changed:
        # A postcode we do not know still gets recorded; the area is then left unknown.
        person.lsoa = lsoa_of(changes["postcode"]) if changes["postcode"] else None
    for name in changed:
        setattr(person, name, changes[name])
    if changed:
        person.updated_at = at
        person.save()
        record_event(by=by, action="people.update_record", target=person, at=at, fields=sorted(changed))
    return changed


@transaction.atomic
def add_network_member(
    *, person: Person, kind: str, name: str, note: str = "", by: User, at: datetime.datetime | None = None
) -> NetworkMember:
    """Add someone (or a group) to the person's network."""
    at = at or timezone.now()
    _require_edit(person, by)
    member = NetworkMember.objects.create(
        person=person, kind=kind, name=name, note=note, added_by=by, added_at=at
    )
    record_event(by=by, action="people.add_network_member", target=person, at=at, member=member.pk)
    return member


@transaction.atomic
def record_safeguarding_concern(
    *, person: Person, concern: str, action_taken: str = "", by: User, at: datetime.datetime | None = None
) -> SafeguardingConcern:
    """Record a safeguarding concern, seen only by staff with a reason to open the record."""
    at = at or timezone.now()
    if not rules.may_record_safeguarding_concern(by, person):
        raise PermissionDenied("Only the link worker who has the person on their caseload can record this.")
    entry = SafeguardingConcern.objects.create(
        person=person, concern=concern, action_taken=action_taken, recorded_by=by, recorded_at=at
    )
    record_event(by=by, action="people.record_safeguarding_concern", target=person, at=at, concern=entry.pk)
    return entry


@transaction.atomic
def update_plan(*, person: Person, summary: str, by: User, at: datetime.datetime | None = None) -> Plan:
    """Write the person's plan in their own words."""
    at = at or timezone.now()
    _require_edit(person, by)
    plan, _ = Plan.objects.get_or_create(person=person, defaults={"updated_at": at})
    plan.summary = summary
    plan.updated_at = at
    plan.updated_by = by
    plan.save()
    record_event(by=by, action="people.update_plan", target=person, at=at)
    return plan


@transaction.atomic
def set_goal(
    *,
    person: Person,
    description: str,
    steps: str = "",
    who_helps: str = "",
    target_date: datetime.date | None = None,
    by: User,
    at: datetime.datetime | None = None,
) -> Goal:
    """Add a goal the person has set, in their own words."""
    at = at or timezone.now()
    _require_edit(person, by)
    if not description.strip():
        raise RecordChangeError("Write the goal in the person's own words.")
    goal = Goal.objects.create(
        person=person,
        description=description.strip(),
        steps=steps,
        who_helps=who_helps,
        target_date=target_date,
        set_by=by,
        set_at=at,
        updated_at=at,
    )
    record_event(by=by, action="people.set_goal", target=goal, at=at, person=person.pk)
    return goal


@transaction.atomic
def update_goal(
    *,
    goal: Goal,
    progress: str,
    note: str = "",
    steps: str | None = None,
    who_helps: str | None = None,
    target_date: datetime.date | None = None,
    by: User,
    at: datetime.datetime | None = None,
) -> GoalReview:
    """Record progress on a goal (each update is kept as a review) and change its steps or date."""
    at = at or timezone.now()
    _require_edit(goal.person, by)
    if progress not in GoalProgress.values:
        raise RecordChangeError("Choose how far along the goal is.")
    if steps is not None:
        goal.steps = steps
    if who_helps is not None:
        goal.who_helps = who_helps
    if target_date is not None:
        goal.target_date = target_date
    goal.progress = progress
    goal.updated_at = at
    goal.save()
    review = GoalReview.objects.create(
        goal=goal, reviewed_by=by, reviewed_at=at, progress=progress, note=note
    )
    record_event(by=by, action="people.update_goal", target=goal, at=at, progress=progress)
    return review
