"""Households, visits and tasks in the JSON API, under the same rules as the pages.

Posting a visit is idempotent on its client-generated id: the offline queue may send a visit twice
(a lost answer, a retry), and the second send returns the first visit with 200 instead of 201.
"""

from __future__ import annotations

import datetime
import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.households import access, actions, queries
from commonweal.households.actions import HouseholdError, MemberSeen
from commonweal.households.core.tasks import Task
from commonweal.households.models import Household, Patch, Visit

router = Router(tags=["households"])


def _user(request: HttpRequest, capability: Capability) -> User:
    user = request.user
    if not isinstance(user, User) or not can(user, capability):
        raise PermissionDenied("Your roles do not allow this.")
    return user


class HouseholdOut(Schema):
    id: int
    reference: str
    address: str
    street: str
    postcode: str
    patch: str | None
    status: str
    consents_to_visits: bool


class MemberOut(Schema):
    person_id: int
    name: str
    relationship: str


class TaskOut(Schema):
    rule: str
    title: str
    person_id: int | None
    due_on: datetime.date
    priority: str
    reason: str
    programme: str


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]
    tasks: list[TaskOut]


class AgendaOut(Schema):
    household: HouseholdOut
    due_on: datetime.date
    tasks: list[TaskOut]


class SeenIn(Schema):
    person_id: int
    answers: dict[str, str] = {}
    need_found: bool = False
    need_note: str = Field("", max_length=500)
    refer: bool = False
    consents_to_referral: bool = False


class VisitIn(Schema):
    client_id: uuid.UUID
    household_id: int
    outcome: str
    reasons: list[str]
    visited_at: datetime.datetime | None = None
    note: str = Field("", max_length=2000)
    chw_patch_id: int | None = Field(None, description="The patch the worker held when they visited")
    shadowed: bool = Field(False, description="The patch's supervisor came along (a shadow visit)")
    seen: list[SeenIn] = []


class VisitOut(Schema):
    id: int
    client_id: uuid.UUID
    household_id: int
    visited_at: datetime.datetime
    outcome: str
    reasons: list[str]
    needs_resolution: bool
    referrals: list[int] = []


class ErrorOut(Schema):
    error: str
    detail: str


def _household_out(household: Household) -> HouseholdOut:
    return HouseholdOut(
        id=household.pk,
        reference=household.reference,
        address=household.address,
        street=household.street,
        postcode=household.postcode,
        patch=household.patch.name if household.patch else None,
        status=household.status,
        consents_to_visits=household.consents_to_visits,
    )


def _task_out(task: Task) -> TaskOut:
    return TaskOut(
        rule=task.rule_id,
        title=task.title,
        person_id=task.person_id,
        due_on=task.due_on,
        priority=task.priority,
        reason=task.reason,
        programme=task.programme,
    )


def _visit_out(visit: Visit, referrals: list[int] | None = None) -> VisitOut:
    return VisitOut(
        id=visit.pk,
        client_id=visit.client_id,
        household_id=visit.household_id,
        visited_at=visit.visited_at,
        outcome=visit.outcome,
        reasons=list(visit.reasons),
        needs_resolution=visit.needs_resolution,
        referrals=referrals or [],
    )


@router.get("/households", response=list[HouseholdOut], summary="Households in the patches you hold")
def list_households(request: HttpRequest) -> list[HouseholdOut]:
    """Return the households of the patches the worker holds, or supervises."""
    user = _user(request, Capability.VISIT_HOUSEHOLDS)
    patch_ids = list(Patch.objects.filter(chw=user).values_list("pk", flat=True)) + list(
        Patch.objects.filter(supervisor=user).values_list("pk", flat=True)
    )
    households = Household.objects.filter(patch_id__in=patch_ids).select_related("patch")[:1000]
    return [_household_out(household) for household in households]


@router.get("/households/tasks", response=list[AgendaOut], summary="Your agenda: households with due tasks")
def list_tasks(
    request: HttpRequest,
    due_by: datetime.date | None = None,
    priority: str = "",
    reason: str = "",
    street: str = "",
) -> list[AgendaOut]:
    """Return one entry per household with every member's due task, filtered as the agenda page is."""
    user = _user(request, Capability.VISIT_HOUSEHOLDS)
    patch_ids = list(queries.patches_held(user).values_list("pk", flat=True))
    entries = queries.agenda(patch_ids, queries.AgendaFilter(due_by, priority, reason, street))
    return [
        AgendaOut(
            household=_household_out(entry.household),
            due_on=entry.due_on,
            tasks=[_task_out(t) for t in entry.tasks],
        )
        for entry in entries
    ]


@router.post(
    "/households/visits",
    response={200: VisitOut, 201: VisitOut, 400: ErrorOut},
    summary="Record a visit (idempotent on client_id)",
)
def post_visit(request: HttpRequest, payload: VisitIn) -> Status[VisitOut | ErrorOut]:
    """Record a visit; the same client_id sent again returns the first visit (200) and makes nothing."""
    user = _user(request, Capability.VISIT_HOUSEHOLDS)
    household = get_object_or_404(Household, pk=payload.household_id)
    chw_patch = Patch.objects.filter(pk=payload.chw_patch_id).first() if payload.chw_patch_id else None
    visited_at = payload.visited_at or timezone.now()
    visited_from = chw_patch or household.patch
    # A shadow visit names whoever supervised the patch when the visit was made (it may be sent later).
    shadowed_by = (
        actions.supervisor_at(visited_from, visited_at) if payload.shadowed and visited_from else None
    )
    if payload.shadowed and shadowed_by is None:
        return Status(
            400,
            ErrorOut(error="invalid_visit", detail="This patch had no supervisor to record as coming along."),
        )
    try:
        result = actions.record_visit(
            household=household,
            outcome=payload.outcome,
            reasons=payload.reasons,
            seen=[MemberSeen(**member.dict()) for member in payload.seen],
            visited_at=visited_at,
            client_id=payload.client_id,
            note=payload.note,
            chw_patch=chw_patch,
            shadowed_by=shadowed_by,
            by=user,
        )
    except HouseholdError as error:
        return Status(400, ErrorOut(error="invalid_visit", detail=str(error)))
    referrals = [referral.pk for referral in result.referrals]
    return Status(201 if result.created else 200, _visit_out(result.visit, referrals))


@router.get("/households/{household_id}", response=HouseholdDetailOut, summary="One household")
def get_household(request: HttpRequest, household_id: int) -> HouseholdDetailOut:
    """Return a household with its members and tasks; each member's record read is logged."""
    user = _user(request, Capability.VISIT_HOUSEHOLDS)
    household = get_object_or_404(Household.objects.select_related("patch"), pk=household_id)
    members = access.open_household(user, household, request.get_full_path())
    return HouseholdDetailOut(
        **_household_out(household).dict(),
        members=[
            MemberOut(person_id=m.person_id, name=m.person.full_name, relationship=m.relationship)
            for m in members
        ],
        tasks=[_task_out(task) for task in queries.tasks_of(household)],
    )


@router.get("/households/{household_id}/visits", response=list[VisitOut], summary="A household's visits")
def list_visits(request: HttpRequest, household_id: int) -> list[VisitOut]:
    """Return a household's visits, newest first."""
    user = _user(request, Capability.VISIT_HOUSEHOLDS)
    household = get_object_or_404(Household, pk=household_id)
    access.open_household(user, household, request.get_full_path())
    return [_visit_out(visit) for visit in queries.visits_of(household)[:200]]
