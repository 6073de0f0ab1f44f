"""Reusable reads of the journey: caseloads, queues, inboxes, totals and a person's whole journey.

Each list is one query whatever its length (related rows are joined or prefetched), so pages built on
them keep a fixed number of SQL queries as caseloads grow.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person, Sex
from commonweal.places.models import Lsoa
from commonweal.referrals.facts import CodeFacts, ConnectionFacts, GoalFacts, ReferralFacts
from commonweal.referrals.models import (
    Connection,
    ConnectionTransition,
    Conversation,
    MessageBack,
    Referral,
    ReferralStatus,
    SmallSum,
    SmallSumBudget,
    Urgency,
)

_URGENCY_RANK = Case(
    When(urgency=Urgency.URGENT, then=Value(0)),
    When(urgency=Urgency.SOON, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

CASELOAD_SORTS: dict[str, str] = {
    "due": "Next action due (soonest first)",
    "last_contact": "Last contact (longest ago first)",
    "name": "Name",
    "received": "Referral received (oldest first)",
    "urgency": "Urgency",
}


@dataclass(frozen=True)
class CaseloadFilter:
    """How a caseload list is sorted and narrowed."""

    sort: str = "due"
    overdue_only: bool = False
    alerts_only: bool = False
    urgency: str = ""
    search: str = ""


def _ordering(sort: str) -> list[Any]:
    if sort == "due":
        return [F("next_action_due").asc(nulls_last=True), "pk"]
    if sort == "last_contact":
        return [F("last_contact_at").asc(nulls_first=True), "pk"]
    if sort == "name":
        return ["person__family_name", "person__given_name", "pk"]
    if sort == "received":
        return ["received_at", "pk"]
    return [_URGENCY_RANK, "received_at", "pk"]


def caseload(link_worker_ids: list[int], choice: CaseloadFilter) -> QuerySet[Referral]:
    """Return the open cases of one or more link workers, sorted and filtered."""
    found = Referral.objects.filter(
        link_worker_id__in=link_worker_ids, status=ReferralStatus.OPEN
    ).select_related("person", "link_worker")
    if choice.overdue_only:
        found = found.filter(next_action_due__lt=timezone.localdate())
    if choice.alerts_only:
        found = found.filter(open_alerts__gt=0)
    if choice.urgency:
        found = found.filter(urgency=choice.urgency)
    if choice.search:
        for word in choice.search.split()[:4]:
            found = found.filter(
                Q(person__given_name__icontains=word) | Q(person__family_name__icontains=word)
            )
    return found.order_by(*_ordering(choice.sort))


def caseload_counts(link_worker_id: int) -> dict[str, int]:
    """Return how many open cases a link worker has, how many are overdue and how many have alerts."""
    today = timezone.localdate()
    return Referral.objects.filter(link_worker_id=link_worker_id, status=ReferralStatus.OPEN).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(next_action_due__lt=today)),
        alerts=Count("pk", filter=Q(open_alerts__gt=0)),
        never_contacted=Count("pk", filter=Q(last_contact_at__isnull=True)),
    )


def triage_queue(team_ids: list[int]) -> QuerySet[Referral]:
    """Return the referrals waiting for triage in the given teams, most urgent and oldest first."""
    return (
        Referral.objects.filter(team_id__in=team_ids, status=ReferralStatus.AWAITING_TRIAGE)
        .select_related("person", "team", "referred_by", "referring_organisation")
        .order_by(_URGENCY_RANK, "received_at", "pk")
    )


def recently_ended(team_ids: list[int], days: int = 90) -> QuerySet[Referral]:
    """Return the team's cases closed or declined in the last `days` days, newest first."""
    since = timezone.now() - datetime.timedelta(days=days)
    return (
        Referral.objects.filter(
            team_id__in=team_ids, status__in=[ReferralStatus.CLOSED, ReferralStatus.DECLINED]
        )
        .filter(Q(closed_at__gte=since) | Q(closed_at__isnull=True, triaged_at__gte=since))
        .select_related("person")
        .order_by("-triaged_at", "-pk")
    )


def link_worker_team_ids(user: User) -> set[int]:
    """Return the teams (organisations) in which the user is a link worker."""
    return set(
        RoleAssignment.objects.filter(
            user=user, role=Role.LINK_WORKER, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


def team_link_workers(team_id: int) -> QuerySet[User]:
    """Return the link workers of a team, by name."""
    return User.objects.filter(
        role_assignments__role=Role.LINK_WORKER, role_assignments__organisation_id=team_id, is_active=True
    ).order_by("full_name", "pk")


def social_prescribing_teams() -> QuerySet[Organisation]:
    """Return every organisation that has link workers (and so can receive referrals)."""
    ids = RoleAssignment.objects.filter(role=Role.LINK_WORKER, organisation__isnull=False).values(
        "organisation_id"
    )
    return Organisation.objects.filter(pk__in=ids, is_active=True).order_by("name")


def team_for(practice: Organisation | None, lsoa: Lsoa | None = None) -> Organisation | None:
    """Return the team that receives a referral: the practice's own or its network's, else one covering
    where the person lives, else the first team."""
    teams = list(social_prescribing_teams())
    if practice is not None:
        for candidate_id in (practice.pk, practice.parent_id):
            for team in teams:
                if team.pk == candidate_id:
                    return team
    if lsoa is not None:
        covering = social_prescribing_teams().filter(area__lsoas=lsoa).first()
        if covering is not None:
            return covering
    return teams[0] if teams else None


@dataclass(frozen=True)
class WorkerRow:
    """One link worker's caseload in the supervisor's view."""

    user: User
    open: int
    overdue: int
    alerts: int
    never_contacted: int


def team_overview(team_id: int) -> list[WorkerRow]:
    """Return each link worker of a team with the size and state of their caseload (two queries)."""
    today = timezone.localdate()
    counts: dict[int, dict[str, Any]] = {
        row["link_worker_id"]: dict(row.items())
        for row in Referral.objects.filter(team_id=team_id, status=ReferralStatus.OPEN)
        .values("link_worker_id")
        .annotate(
            open=Count("pk"),
            overdue=Count("pk", filter=Q(next_action_due__lt=today)),
            alerts=Count("pk", filter=Q(open_alerts__gt=0)),
            never_contacted=Count("pk", filter=Q(last_contact_at__isnull=True)),
        )
    }
    rows = []
    for user in team_link_workers(team_id):
        row = counts.get(user.pk, {})
        rows.append(
            WorkerRow(
                user=user,
                open=row.get("open", 0),
                overdue=row.get("overdue", 0),
                alerts=row.get("alerts", 0),
                never_contacted=row.get("never_contacted", 0),
            )
        )
    return rows


@dataclass(frozen=True)
class BudgetPosition:
    """A team's small sums against its budget for the period covering today."""

    budget: SmallSumBudget | None
    approved: Decimal
    waiting: Decimal

    @property
    def left(self) -> Decimal | None:
        """Return what is left of the budget, or None when no budget is set."""
        return None if self.budget is None else self.budget.amount - self.approved


def budget_position(team_id: int) -> BudgetPosition:
    """Return the team's running total of small sums against its current budget."""
    today = timezone.localdate()
    budget = (
        SmallSumBudget.objects.filter(team_id=team_id, starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first()
    )
    sums = SmallSum.objects.filter(team_id=team_id)
    if budget is not None:
        approved_filter = Q(
            status=SmallSum.Status.APPROVED,
            decided_at__date__gte=budget.starts_on,
            decided_at__date__lte=budget.ends_on,
        )
    else:
        approved_filter = Q(
            status=SmallSum.Status.APPROVED, decided_at__date__gte=today.replace(month=4, day=1)
        )
    totals = sums.aggregate(
        approved=Sum("amount", filter=approved_filter),
        waiting=Sum("amount", filter=Q(status=SmallSum.Status.REQUESTED)),
    )
    return BudgetPosition(budget, totals["approved"] or Decimal(0), totals["waiting"] or Decimal(0))


def person_small_sums(person: Person) -> dict[str, Decimal]:
    """Return the running totals of small sums for one person: approved and waiting."""
    totals = SmallSum.objects.filter(referral__person=person).aggregate(
        approved=Sum("amount", filter=Q(status=SmallSum.Status.APPROVED)),
        waiting=Sum("amount", filter=Q(status=SmallSum.Status.REQUESTED)),
    )
    return {"approved": totals["approved"] or Decimal(0), "waiting": totals["waiting"] or Decimal(0)}


def waiting_small_sums(team_ids: list[int]) -> QuerySet[SmallSum]:
    """Return the small sums waiting for a supervisor's decision, oldest first."""
    return (
        SmallSum.objects.filter(team_id__in=team_ids, status=SmallSum.Status.REQUESTED)
        .select_related("referral__person", "requested_by")
        .order_by("requested_at", "pk")
    )


INBOX_VIEWS: dict[str, tuple[str, list[str]]] = {
    "new": ("New", ["requested"]),
    "current": ("Current", ["accepted", "in-progress", "on-hold"]),
    "finished": ("Finished", ["completed", "failed", "cancelled", "rejected", "entered-in-error"]),
}


def inbox(organisation_ids: list[int], view: str) -> QuerySet[Connection]:
    """Return an organisation's connections in one of the inbox's views, oldest request first for new ones."""
    statuses = INBOX_VIEWS.get(view, INBOX_VIEWS["new"])[1]
    found = Connection.objects.filter(
        organisation_id__in=organisation_ids, status__in=statuses
    ).select_related("person", "service", "organisation")
    return (
        found.order_by("requested_at", "pk") if view == "new" else found.order_by("-status_changed_at", "-pk")
    )


def inbox_counts(organisation_ids: list[int]) -> dict[str, int]:
    """Return how many connections each inbox view holds."""
    aggregates = {
        key: Count("pk", filter=Q(status__in=statuses)) for key, (_, statuses) in INBOX_VIEWS.items()
    }
    return Connection.objects.filter(organisation_id__in=organisation_ids).aggregate(**aggregates)


def referrals_made_by(user: User, practice_ids: list[int]) -> QuerySet[Referral]:
    """Return referrals the user made, or about people registered with their practices, newest first."""
    return (
        Referral.objects.filter(Q(referred_by=user) | Q(person__gp_practice_id__in=practice_ids))
        .select_related("person", "team", "link_worker")
        .prefetch_related(Prefetch("messages_back", queryset=MessageBack.objects.order_by("-sent_at", "-pk")))
        .order_by("-received_at", "-pk")
    )


def journey_referrals(person: Person) -> list[Referral]:
    """Return a person's referrals with their codes, conversations and messages back (fixed queries)."""
    return list(
        Referral.objects.filter(person=person)
        .select_related("team", "link_worker", "referred_by", "referring_organisation")
        .prefetch_related(
            "codes",
            Prefetch(
                "conversations",
                queryset=Conversation.objects.select_related("recorded_by").prefetch_related(
                    "emergency_actions", "budget_spends"
                ),
            ),
            Prefetch("contacts"),
            Prefetch("small_sums", queryset=SmallSum.objects.select_related("decided_by")),
            Prefetch("messages_back"),
        )
        .order_by("-received_at", "-pk")
    )


def person_connections(person: Person) -> list[Connection]:
    """Return every connection of a person with its history and attendance."""
    return list(
        Connection.objects.filter(person=person)
        .select_related("service", "organisation", "requested_by")
        .prefetch_related(
            Prefetch("transitions", queryset=ConnectionTransition.objects.select_related("actor")),
            "attendances",
        )
        .order_by("-requested_at", "-pk")
    )


@dataclass(frozen=True)
class Journey:
    """Everything of the journey about one person."""

    referrals: Sequence[Referral]
    connections: Sequence[Connection]
    small_sums: dict[str, Decimal]


def journey_summary(person: Person) -> Journey:
    """Return the staff record page's view of a journey: referrals, connections, money (3 queries)."""
    referrals = list(
        Referral.objects.filter(person=person)
        .select_related("team", "link_worker")
        .annotate(conversation_count=Count("conversations"))
        .order_by("-received_at", "-pk")
    )
    connections = list(
        Connection.objects.filter(person=person)
        .select_related("service", "organisation")
        .order_by("-requested_at", "-pk")
    )
    return Journey(referrals, connections, person_small_sums(person))


def journey_of(person: Person) -> Journey:
    """Return a person's whole journey."""
    return Journey(journey_referrals(person), person_connections(person), person_small_sums(person))


def _day(value: datetime.date | datetime.datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def journey_export(person: Person) -> dict[str, Any]:
    """Return a person's journey as plain JSON values (for their download of everything held)."""
    journey = journey_of(person)
    return {
        "referrals": [_referral_export(referral) for referral in journey.referrals],
        "connections": [_connection_export(connection) for connection in journey.connections],
    }


def _referral_export(referral: Referral) -> dict[str, Any]:
    return {
        "received_at": _day(referral.received_at),
        "source": referral.get_source_display(),
        "referred_by": referral.referred_by.full_name if referral.referred_by else None,
        "referring_organisation": referral.referring_organisation.name
        if referral.referring_organisation
        else None,
        "reasons": referral.reason_labels,
        "reason_detail": referral.reason_detail,
        "urgency": referral.get_urgency_display(),
        "team": referral.team.name,
        "status": referral.get_status_display(),
        "link_worker": referral.link_worker.full_name if referral.link_worker else None,
        "next_action": referral.next_action,
        "next_action_due": _day(referral.next_action_due),
        "closed_at": _day(referral.closed_at),
        "closure_reason": referral.get_closure_reason_display() if referral.closure_reason else None,
        "decline_reason": referral.get_decline_reason_display() if referral.decline_reason else None,
        "closure_note": referral.closure_note,
        "snomed_ct_codes": [
            {"code": code.code, "term": code.term, "recorded_at": _day(code.recorded_at)}
            for code in referral.codes.all()
        ],
        "contacts": [
            {
                "kind": contact.get_kind_display(),
                "outcome": contact.get_outcome_display(),
                "note": contact.note,
                "happened_at": _day(contact.happened_at),
            }
            for contact in referral.contacts.all()
        ],
        "conversations": [
            _conversation_export(conversation) for conversation in referral.conversations.all()
        ],
        "small_sums": [
            {
                "amount": str(small_sum.amount),
                "purpose": small_sum.purpose,
                "status": small_sum.get_status_display(),
                "approved_by": small_sum.decided_by.full_name if small_sum.decided_by else None,
            }
            for small_sum in referral.small_sums.all()
        ],
        "messages_back": [message.document for message in referral.messages_back.all()],
    }


def _conversation_export(conversation: Conversation) -> dict[str, Any]:
    return {
        "kind": conversation.get_kind_display(),
        "held_on": _day(conversation.held_on),
        "participants": conversation.participants,
        "summary": conversation.summary,
        "what_matters": conversation.what_matters,
        "strengths": conversation.strengths,
        "wants_to_do": conversation.wants_to_do,
        "connections_made": conversation.connections_made,
        "immediate_risks": conversation.immediate_risks,
        "emergency_plan": [
            {"action": item.action, "owner": item.owner, "review_on": _day(item.review_on)}
            for item in conversation.emergency_actions.all()
        ],
        "long_term_plan": conversation.long_term_plan,
        "personal_budget": str(conversation.budget_amount)
        if conversation.budget_amount is not None
        else None,
        "budget_sources": conversation.budget_sources,
        "budget_spent_on": [
            {"description": spend.description, "amount": str(spend.amount)}
            for spend in conversation.budget_spends.all()
        ],
    }


def _connection_export(connection: Connection) -> dict[str, Any]:
    return {
        "service": connection.service.name,
        "organisation": connection.organisation.name,
        "status": connection.get_status_display(),
        "requested_at": _day(connection.requested_at),
        "shared_with_organisation": connection.shared_fields,
        "sessions_attended": connection.sessions_attended,
        "history": [
            {
                "to": transition.to_label,
                "by": transition.actor.full_name,
                "at": _day(transition.at),
                "note": transition.note,
            }
            for transition in connection.transitions.all()
        ],
        "attendance": [
            {"session_on": _day(item.session_on), "attended": item.attended, "note": item.note}
            for item in connection.attendances.all()
        ],
    }


def referral_facts(referral: Referral) -> ReferralFacts:
    """Return a referral's facts for the message back and the FHIR export (three queries).

    The referral should come with its person (and their GP practice), team, link worker, referrer and
    referring organisation already joined.
    """
    person = referral.person
    connections = (
        Connection.objects.filter(referral=referral)
        .select_related("service", "organisation", "requested_by")
        .order_by("requested_at", "pk")
    )
    status_reason = (
        referral.get_closure_reason_display()
        if referral.closure_reason
        else referral.get_decline_reason_display()
        if referral.decline_reason
        else ""
    )
    requester_organisation = referral.referring_organisation
    # The GP practice told is the person's own, else the referring organisation when it is a practice.
    gp = person.gp_practice or (
        requester_organisation
        if requester_organisation is not None and requester_organisation.kind == Organisation.Kind.GP_PRACTICE
        else None
    )
    return ReferralFacts(
        referral_id=referral.pk,
        person_id=person.pk,
        nhs_number=person.nhs_number,
        given_name=person.given_name,
        family_name=person.family_name,
        birth_date=person.date_of_birth,
        gender=Sex.of(person.sex).fhir_gender,
        status=referral.status,
        received_at=referral.received_at,
        received_on=timezone.localtime(referral.received_at).date(),
        changed_at=referral.closed_at or referral.triaged_at or referral.received_at,
        urgency=referral.urgency,
        source=referral.get_source_display(),
        requester=referral.referred_by.full_name if referral.referred_by else person.full_name,
        requester_organisation=requester_organisation.name if requester_organisation else "",
        requester_ods_code=requester_organisation.ods_code if requester_organisation else "",
        gp_practice_id=gp.pk if gp else None,
        gp_practice=gp.name if gp else "",
        gp_practice_ods_code=gp.ods_code if gp else "",
        team=referral.team.name,
        link_worker=referral.link_worker.full_name if referral.link_worker else "",
        codes_only=person.shares_codes_only,
        codes=[
            CodeFacts(code.code, code.term, code.recorded_at, timezone.localtime(code.recorded_at).date())
            for code in referral.codes.all()
        ],
        reasons=referral.reason_labels,
        reason_detail=referral.reason_detail,
        status_reason=status_reason,
        closure_note=referral.closure_note,
        what_matters=person.what_matters,
        goals=[GoalFacts(goal.description, goal.get_progress_display()) for goal in person.goals.all()],
        connections=[
            ConnectionFacts(
                connection_id=connection.pk,
                service=connection.service.name,
                organisation=connection.organisation.name,
                status=connection.status,
                status_reason=connection.rejection_label or connection.status_reason,
                requested_at=connection.requested_at,
                changed_at=connection.status_changed_at,
                requested_by=connection.requested_by.full_name,
                sessions_attended=connection.sessions_attended,
            )
            for connection in connections
        ],
    )
