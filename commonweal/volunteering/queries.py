"""Reads for volunteering: eligibility for roles, candidates, overviews, wellbeing around a match."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from commonweal.accounts.models import User
from commonweal.measures.queries import histories
from commonweal.organisations.models import Organisation
from commonweal.volunteering.core import matching
from commonweal.volunteering.models import (
    Concern,
    CredentialShare,
    DbsCheck,
    Enrolment,
    Expense,
    HoursEntry,
    Match,
    NoContactAlert,
    PipelineStatus,
    SupervisorCover,
    TrainingRecord,
    Volunteer,
)
from commonweal.volunteering.roles import DBS_LABELS, ROLES, TRAINING_COURSES, level_satisfies


def trusted_organisation_ids(volunteer: Volunteer, organisation_id: int) -> set[int]:
    """Return the organisations whose checks and training count at `organisation_id`: its own, and those
    of others only while the volunteer consents to share them with it."""
    shared = CredentialShare.objects.filter(
        volunteer=volunteer, organisation_id=organisation_id, withdrawn_at__isnull=True
    ).exists()
    if shared:
        return (
            set(DbsCheck.objects.filter(volunteer=volunteer).values_list("organisation_id", flat=True))
            | set(
                TrainingRecord.objects.filter(volunteer=volunteer).values_list("organisation_id", flat=True)
            )
            | {organisation_id}
        )
    return {organisation_id}


def missing_for_role(
    volunteer: Volunteer, organisation_id: int, role_code: str, on: datetime.date
) -> list[str]:
    """Say what a volunteer lacks for a role at an organisation on a day (empty when nothing is missing)."""
    role = ROLES[role_code]
    trusted = trusted_organisation_ids(volunteer, organisation_id)
    missing: list[str] = []
    if role.dbs_level is not None:
        checks = [
            check
            for check in DbsCheck.objects.filter(volunteer=volunteer, organisation_id__in=trusted)
            if level_satisfies(check.level, role.dbs_level)
        ]
        usable = [c for c in checks if c.counts and (c.expires_on is None or c.expires_on >= on)]
        if not usable:
            needed = DBS_LABELS[role.dbs_level]
            expired = [c for c in checks if c.counts and c.expires_on is not None and c.expires_on < on]
            refused = [c for c in checks if c.status in (DbsCheck.Status.NOT_CLEAR, DbsCheck.Status.REFUSED)]
            if expired:
                latest = max(c.expires_on for c in expired if c.expires_on)
                missing.append(
                    f"The {needed} DBS check expired on {latest:%-d %B %Y}; a new check is needed."
                )
            elif refused:
                missing.append(f"The {needed} DBS check is not clear and has no accepted risk assessment.")
            else:
                missing.append(f"An {needed} DBS check is needed and none is recorded as clear.")
    courses = {
        record.course: record
        for record in TrainingRecord.objects.filter(
            volunteer=volunteer, organisation_id__in=trusted
        ).order_by("completed_on")
    }
    for course in role.training:
        record = courses.get(course)
        if record is None:
            missing.append(f"Training needed: {TRAINING_COURSES[course]}.")
        elif record.expires_on is not None and record.expires_on < on:
            missing.append(f"Training expired on {record.expires_on:%-d %B %Y}: {TRAINING_COURSES[course]}.")
    return missing


def active_enrolment(volunteer: Volunteer, organisation_id: int) -> Enrolment | None:
    """Return the volunteer's enrolment with an organisation if it is active."""
    return Enrolment.objects.filter(
        volunteer=volunteer, organisation_id=organisation_id, status=PipelineStatus.ACTIVE
    ).first()


def candidates_for(organisation_id: int) -> list[matching.Candidate]:
    """Return the organisation's active volunteers as plain candidates, with their current load."""
    volunteers = (
        Volunteer.objects.filter(
            enrolments__organisation_id=organisation_id, enrolments__status=PipelineStatus.ACTIVE
        )
        .select_related("user")
        .annotate(
            load=Count("matches", filter=Q(matches__status__in=[Match.Status.ACTIVE, Match.Status.PROPOSED]))
        )
    )
    return [
        matching.Candidate(
            volunteer_id=v.pk,
            name=v.full_name,
            sex=v.sex,
            skills=frozenset(v.skills),
            interests=frozenset(v.interests),
            languages=frozenset(v.languages),
            times=frozenset(v.availability),
            latitude=v.latitude,
            longitude=v.longitude,
            current_matches=v.load,
            capacity=v.capacity,
        )
        for v in volunteers
    ]


def covered_supervisor_ids(user: User, on: datetime.date) -> set[int]:
    """Return the supervisors a user covers on a day, and the user themselves."""
    return {user.pk} | set(
        SupervisorCover.objects.filter(cover=user, starts_on__lte=on, ends_on__gte=on).values_list(
            "supervisor_id", flat=True
        )
    )


@dataclass(frozen=True)
class Overview:
    """A coordinator's view of their organisations."""

    pipeline: dict[str, int]
    open_alerts: list[NoContactAlert]
    expiring_checks: list[DbsCheck]
    hours_waiting: int
    expenses_waiting: int
    active_matches: int
    open_requests: int


def overview(organisation_ids: set[int], user: User, today: datetime.date) -> Overview:
    """Return pipeline counts, open no-contact alerts, checks expiring within 60 days, waiting approvals."""
    counts = dict(
        Enrolment.objects.filter(organisation_id__in=organisation_ids)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    supervisors = covered_supervisor_ids(user, today)
    alerts = list(
        NoContactAlert.objects.filter(closed_at__isnull=True)
        .filter(Q(match__organisation_id__in=organisation_ids) | Q(raised_to_id__in=supervisors))
        .select_related("match__volunteer", "match__person", "raised_to")
        .order_by("since")[:50]
    )
    expiring = list(
        DbsCheck.objects.filter(
            organisation_id__in=organisation_ids,
            status__in=[DbsCheck.Status.CLEAR, DbsCheck.Status.ACCEPTED],
            expires_on__gte=today,
            expires_on__lte=today + datetime.timedelta(days=60),
        )
        .select_related("volunteer")
        .order_by("expires_on")[:50]
    )
    from commonweal.volunteering.models import BuddyRequest

    return Overview(
        pipeline={status.label: counts.get(status.value, 0) for status in PipelineStatus},
        open_alerts=alerts,
        expiring_checks=expiring,
        hours_waiting=HoursEntry.objects.filter(
            organisation_id__in=organisation_ids, status=HoursEntry.Status.LOGGED
        ).count(),
        expenses_waiting=Expense.objects.filter(
            organisation_id__in=organisation_ids, status=Expense.Status.SUBMITTED
        ).count(),
        active_matches=Match.objects.filter(
            organisation_id__in=organisation_ids, status=Match.Status.ACTIVE
        ).count(),
        open_requests=BuddyRequest.objects.filter(
            organisation_id__in=organisation_ids, status=BuddyRequest.Status.OPEN
        ).count(),
    )


def hours_total(volunteer: Volunteer) -> Decimal:
    """Return a volunteer's approved hours."""
    entries = volunteer.hours.filter(status=HoursEntry.Status.APPROVED)
    return entries.aggregate(total=Sum("hours"))["total"] or Decimal(0)


def concerns_for(user: User) -> QuerySet[Concern]:
    """Return the concerns a user may see: those of organisations they are safeguarding lead for."""
    from commonweal.volunteering.rules import safeguarding_organisation_ids

    return Concern.objects.filter(organisation_id__in=safeguarding_organisation_ids(user)).select_related(
        "organisation", "raised_by"
    )


@dataclass(frozen=True)
class WellbeingChange:
    """One score of one instrument: the last value before the match and the last during it."""

    instrument: str
    score: str
    before: Decimal | None
    before_on: datetime.date | None
    after: Decimal | None
    after_on: datetime.date | None
    higher_is_better: bool

    @property
    def change(self) -> Decimal | None:
        """Return after minus before, when both are known."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def wellbeing_around(match: Match, now: datetime.datetime) -> list[WellbeingChange]:
    """Return the person's wellbeing scores: the last answered before they agreed to the match, and the
    latest answered since, up to its end (read from the measures app)."""
    if match.agreed_at is None:
        return []
    until = match.ended_at if match.status == Match.Status.ENDED and match.ended_at else now
    found = []
    for history in histories(match.person):
        for trend in history.trends:
            scored = [row for row in trend.rows if row.score.value is not None and row.response.submitted_at]
            before = [row for row in scored if row.response.submitted_at <= match.agreed_at]  # type: ignore[operator]
            after = [
                row
                for row in scored
                if match.agreed_at < row.response.submitted_at <= until  # type: ignore[operator]
            ]
            if not before and not after:
                continue
            found.append(
                WellbeingChange(
                    instrument=history.definition.short_name,
                    score=trend.score_definition.label.in_language(),
                    before=before[-1].score.value if before else None,
                    before_on=before[-1].when if before else None,
                    after=after[-1].score.value if after else None,
                    after_on=after[-1].when if after else None,
                    higher_is_better=trend.score_definition.higher_is_better,
                )
            )
    return found


def organisations(ids: set[int]) -> QuerySet[Organisation]:
    """Return organisations by id, by name."""
    return Organisation.objects.filter(pk__in=ids).order_by("name")
