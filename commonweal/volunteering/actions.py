"""Write use cases of volunteering: each takes the actor as `by=` and the clock as `at=`, runs in a
transaction, asks `rules` first (raising PermissionDenied) and is audited.

A request that cannot be carried out raises VolunteeringError with a plain message and stores nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.people.models import FreeTime, Person
from commonweal.places.queries import point_of
from commonweal.volunteering import queries, rules
from commonweal.volunteering.core import matching, mileage
from commonweal.volunteering.models import (
    PIPELINE_MOVES,
    Application,
    Assignment,
    BuddyRequest,
    Concern,
    Contact,
    CredentialShare,
    DbsCheck,
    DbsReminder,
    Enrolment,
    Expense,
    HoursEntry,
    Match,
    NoContactAlert,
    Opportunity,
    PipelineStatus,
    Shift,
    StatusChange,
    SupervisorCover,
    TrainingRecord,
    Volunteer,
)
from commonweal.volunteering.roles import DBS_LEVELS, ROLES, TRAINING_COURSES


class VolunteeringError(ValueError):
    """A step that cannot be taken as asked; the message says why in plain words."""


def _at_most(text: str, limit: int, what: str) -> str:
    """The text as given, or a refusal: what someone wrote is never cut short without a word."""
    if len(text) > limit:
        raise VolunteeringError(f"{what} is {len(text):,} characters long: keep it to {limit:,}.")
    return text


SHOWN = 25  # candidates a buddy request page shows, each checked for the role's checks and training
# Reminders before a DBS check expires, in days (issue 14).
DBS_REMINDER_DAYS = (60, 30, 7)
# The most a single actual-cost claim may be without the coordinator raising the limit (policy).
EXPENSE_POLICY_LIMIT = Decimal(getattr(settings, "VOLUNTEERING_EXPENSE_LIMIT", "150.00"))
MINIMUM_ACTION_LENGTH = 10
FLAT_PAYMENT_REFUSED = (
    "Flat-rate payments and allowances cannot be claimed: volunteers are repaid only what they spent "
    "(with a receipt) or mileage at HMRC's approved rates, so that payments never count as earnings "
    "and put benefits or volunteer status at risk."
)


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


def _today(at: datetime.datetime) -> datetime.date:
    return timezone.localtime(at).date()


def _require_coordinator(by: User, organisation_id: int) -> None:
    if not rules.may_coordinate(by, organisation_id):
        raise PermissionDenied("Only a volunteer coordinator of this organisation can do this.")


def _clean_list(values: Any) -> list[str]:
    return sorted({str(value).strip() for value in values or [] if str(value).strip()})


# ---------------------------------------------------------------------------------- volunteers


@transaction.atomic
def register_volunteer(
    *,
    user: User | None,
    organisation: Organisation,
    by: User,
    at: datetime.datetime | None = None,
    full_name: str = "",
    email: str = "",
    sex: str = "",
    postcode: str = "",
    skills: list[str] | None = None,
    languages: list[str] | None = None,
    interests: list[str] | None = None,
    availability: list[str] | None = None,
    lived_experience: str = "",
    capacity: int = 1,
    date_of_birth: datetime.date | None = None,
    ethnicity: str = "",
) -> Volunteer:
    """Register someone as a volunteer applying to an organisation: themselves (with their account), or
    by its coordinator (with or without an account: many volunteers never sign in)."""
    at = _now(at)
    if user is None or by.pk != user.pk:
        _require_coordinator(by, organisation.pk)
    full_name = (full_name or (user.full_name if user else "")).strip()
    if not full_name:
        raise VolunteeringError("Give the volunteer's name.")
    if user is not None and Volunteer.objects.filter(user=user).exists():
        raise VolunteeringError(f"{full_name} is already registered as a volunteer.")
    unknown_times = set(availability or []) - set(FreeTime.values)
    if unknown_times:
        raise VolunteeringError(f"Unknown times of the week: {', '.join(sorted(unknown_times))}.")
    point = point_of(postcode) if postcode else None
    volunteer = Volunteer.objects.create(
        user=user,
        full_name=full_name,
        email=email or (user.email if user else ""),
        sex=sex,
        postcode=postcode,
        lsoa_id=point.lsoa_id if point else None,
        latitude=point.latitude if point else None,
        longitude=point.longitude if point else None,
        skills=_clean_list(skills),
        languages=_clean_list(languages or ["English"]),
        interests=_clean_list(interests),
        availability=sorted(set(availability or [])),
        lived_experience=lived_experience.strip(),
        capacity=capacity,
        date_of_birth=date_of_birth,
        ethnicity=ethnicity,
        created_at=at,
    )
    _enrol(volunteer, organisation, by, at)
    record_event(by=by, action="volunteering.register_volunteer", target=volunteer, at=at)
    return volunteer


def _enrol(volunteer: Volunteer, organisation: Organisation, by: User, at: datetime.datetime) -> Enrolment:
    enrolment = Enrolment.objects.create(
        volunteer=volunteer, organisation=organisation, status=PipelineStatus.APPLIED, status_since=at
    )
    StatusChange.objects.create(
        enrolment=enrolment, from_status="", to_status=PipelineStatus.APPLIED, reason="Applied", by=by, at=at
    )
    return enrolment


@transaction.atomic
def enrol(
    *, volunteer: Volunteer, organisation: Organisation, by: User, at: datetime.datetime | None = None
) -> Enrolment:
    """Add a volunteer to another organisation's pipeline (the volunteer themselves, or its coordinator)."""
    at = _now(at)
    if by.pk != volunteer.user_id:
        _require_coordinator(by, organisation.pk)
    if Enrolment.objects.filter(volunteer=volunteer, organisation=organisation).exists():
        raise VolunteeringError(f"{volunteer} already volunteers with {organisation.name}.")
    enrolment = _enrol(volunteer, organisation, by, at)
    record_event(by=by, action="volunteering.enrol", target=enrolment, at=at)
    return enrolment


@transaction.atomic
def move_pipeline(
    *, enrolment: Enrolment, to_status: str, reason: str, by: User, at: datetime.datetime | None = None
) -> Enrolment:
    """Move a volunteer along the recruitment pipeline, recording the reason (the history is kept whole)."""
    at = _now(at)
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _require_coordinator(by, enrolment.organisation_id)
    if to_status not in PIPELINE_MOVES.get(enrolment.status, frozenset()):
        raise VolunteeringError(
            f"A volunteer cannot move from {PipelineStatus(enrolment.status).label.lower()} to "
            f"{PipelineStatus(to_status).label.lower() if to_status in PipelineStatus.values else to_status}."
        )
    reason = reason.strip()
    if to_status in (PipelineStatus.PAUSED, PipelineStatus.LEFT) and not reason:
        raise VolunteeringError("Give a reason for pausing or leaving.")
    StatusChange.objects.create(
        enrolment=enrolment, from_status=enrolment.status, to_status=to_status, reason=reason, by=by, at=at
    )
    enrolment.status = to_status
    enrolment.status_since = at
    enrolment.save(update_fields=["status", "status_since"])
    record_event(
        by=by, action="volunteering.move_pipeline", target=enrolment, at=at, to=to_status, reason=reason
    )
    return enrolment


@transaction.atomic
def share_credentials(
    *, volunteer: Volunteer, organisation: Organisation, by: User, at: datetime.datetime | None = None
) -> CredentialShare:
    """Record the volunteer's own consent that another organisation may rely on their checks and training."""
    at = _now(at)
    if not rules.is_volunteer_of(by, volunteer):
        raise PermissionDenied("Only the volunteer can agree to share their checks and training.")
    share = CredentialShare.objects.create(volunteer=volunteer, organisation=organisation, granted_at=at)
    record_event(by=by, action="volunteering.share_credentials", target=share, at=at)
    return share


@transaction.atomic
def withdraw_share(
    *, share: CredentialShare, by: User, at: datetime.datetime | None = None
) -> CredentialShare:
    """Withdraw the volunteer's consent to share their checks and training with an organisation."""
    at = _now(at)
    if not rules.is_volunteer_of(by, share.volunteer):
        raise PermissionDenied("Only the volunteer can withdraw their consent.")
    share.withdrawn_at = at
    share.save(update_fields=["withdrawn_at"])
    record_event(by=by, action="volunteering.withdraw_share", target=share, at=at)
    return share


# ---------------------------------------------------------------------------------- vetting


@transaction.atomic
def request_dbs(
    *,
    volunteer: Volunteer,
    organisation: Organisation,
    level: str,
    by: User,
    at: datetime.datetime | None = None,
) -> DbsCheck:
    """Start a DBS check at a level."""
    at = _now(at)
    _require_coordinator(by, organisation.pk)
    if level not in DBS_LEVELS:
        raise VolunteeringError("Choose a DBS level.")
    check = DbsCheck.objects.create(
        volunteer=volunteer, organisation=organisation, level=level, requested_at=at
    )
    record_event(by=by, action="volunteering.request_dbs", target=check, at=at, level=level)
    return check


@transaction.atomic
def record_dbs_result(
    *,
    check: DbsCheck,
    clear: bool,
    issued_on: datetime.date,
    expires_on: datetime.date,
    by: User,
    certificate_number: str = "",
    update_service_number: str = "",
    at: datetime.datetime | None = None,
) -> DbsCheck:
    """Record a check's certificate: clear, or not clear (then a risk assessment and decision are needed)."""
    at = _now(at)
    check = DbsCheck.objects.select_for_update().get(pk=check.pk)
    _require_coordinator(by, check.organisation_id)
    if check.status != DbsCheck.Status.REQUESTED:
        raise VolunteeringError("This check's result is already recorded.")
    certificate_number = certificate_number.strip()
    update_service_number = update_service_number.strip()
    if not certificate_number and not update_service_number:
        raise VolunteeringError("Give the certificate number or the update service number.")
    if certificate_number and not (certificate_number.isdigit() and len(certificate_number) == 12):
        raise VolunteeringError("A DBS certificate number has 12 digits.")
    if expires_on <= issued_on:
        raise VolunteeringError("The check must expire after it was issued.")
    check.status = DbsCheck.Status.CLEAR if clear else DbsCheck.Status.NOT_CLEAR
    check.certificate_number = certificate_number
    check.update_service_number = update_service_number
    check.issued_on = issued_on
    check.expires_on = expires_on
    check.save()
    record_event(by=by, action="volunteering.record_dbs_result", target=check, at=at, status=check.status)
    return check


@transaction.atomic
def record_dbs_certificate(
    *,
    volunteer: Volunteer,
    organisation: Organisation,
    level: str,
    clear: bool,
    issued_on: datetime.date,
    expires_on: datetime.date,
    by: User,
    certificate_number: str = "",
    update_service_number: str = "",
    at: datetime.datetime | None = None,
) -> DbsCheck:
    """Record a check already carried out (its request and its certificate) in one step."""
    check = request_dbs(volunteer=volunteer, organisation=organisation, level=level, by=by, at=at)
    return record_dbs_result(
        check=check,
        clear=clear,
        issued_on=issued_on,
        expires_on=expires_on,
        certificate_number=certificate_number,
        update_service_number=update_service_number,
        by=by,
        at=at,
    )


@transaction.atomic
def decide_dbs(
    *, check: DbsCheck, accept: bool, risk_assessment: str, by: User, at: datetime.datetime | None = None
) -> DbsCheck:
    """Decide on a check that was not clear, recording the risk assessment behind the decision."""
    at = _now(at)
    check = DbsCheck.objects.select_for_update().get(pk=check.pk)
    _require_coordinator(by, check.organisation_id)
    if check.status != DbsCheck.Status.NOT_CLEAR:
        raise VolunteeringError("Only a check that was not clear needs a risk assessment and decision.")
    risk_assessment = risk_assessment.strip()
    if len(risk_assessment) < MINIMUM_ACTION_LENGTH:
        raise VolunteeringError("Record the risk assessment behind the decision.")
    check.status = DbsCheck.Status.ACCEPTED if accept else DbsCheck.Status.REFUSED
    check.risk_assessment = risk_assessment
    check.decided_by = by
    check.decided_at = at
    check.save()
    record_event(by=by, action="volunteering.decide_dbs", target=check, at=at, status=check.status)
    return check


@transaction.atomic
def record_training(
    *,
    volunteer: Volunteer,
    organisation: Organisation,
    course: str,
    completed_on: datetime.date,
    by: User,
    expires_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> TrainingRecord:
    """Record a course a volunteer completed."""
    at = _now(at)
    _require_coordinator(by, organisation.pk)
    if course not in TRAINING_COURSES:
        raise VolunteeringError("Choose a course.")
    if expires_on is not None and expires_on <= completed_on:
        raise VolunteeringError("Training must expire after it was completed.")
    record = TrainingRecord.objects.create(
        volunteer=volunteer,
        organisation=organisation,
        course=course,
        completed_on=completed_on,
        expires_on=expires_on,
        recorded_by=by,
    )
    record_event(by=by, action="volunteering.record_training", target=record, at=at, course=course)
    return record


@transaction.atomic
def assign_role(
    *,
    volunteer: Volunteer,
    organisation: Organisation,
    role: str,
    by: User,
    at: datetime.datetime | None = None,
) -> Assignment:
    """Assign a volunteer to a role; refused, with every reason, when a needed check or course is missing."""
    at = _now(at)
    _require_coordinator(by, organisation.pk)
    if role not in ROLES:
        raise VolunteeringError("Choose a role.")
    if queries.active_enrolment(volunteer, organisation.pk) is None:
        raise VolunteeringError(f"{volunteer} is not an active volunteer with {organisation.name}.")
    missing = queries.missing_for_role(volunteer, organisation.pk, role, _today(at))
    if missing:
        raise VolunteeringError(
            f"{volunteer} cannot be a {ROLES[role].label.lower()} yet. " + " ".join(missing)
        )
    assignment = Assignment.objects.create(
        volunteer=volunteer, organisation=organisation, role=role, started_on=_today(at), assigned_by=by
    )
    record_event(by=by, action="volunteering.assign_role", target=assignment, at=at, role=role)
    return assignment


@transaction.atomic
def send_dbs_reminders(*, at: datetime.datetime | None = None) -> list[DbsReminder]:
    """Record a reminder for each usable check within 60, 30 or 7 days of expiry (once per check and lead
    time; a check first seen at 25 days gets its 30-day reminder only). Running it twice sends nothing new."""
    at = _now(at)
    today = _today(at)
    horizon = today + datetime.timedelta(days=max(DBS_REMINDER_DAYS))
    sent_already = set(
        DbsReminder.objects.filter(
            dbs_check__expires_on__gte=today, dbs_check__expires_on__lte=horizon
        ).values_list("dbs_check_id", "days_before")
    )
    new: list[DbsReminder] = []
    for check_id, expires_on in DbsCheck.objects.filter(
        status__in=[DbsCheck.Status.CLEAR, DbsCheck.Status.ACCEPTED],
        expires_on__gte=today,
        expires_on__lte=horizon,
    ).values_list("pk", "expires_on"):
        assert expires_on is not None
        days_left = (expires_on - today).days
        lead = min(days for days in DBS_REMINDER_DAYS if days >= days_left)
        if (check_id, lead) not in sent_already:
            new.append(DbsReminder(dbs_check_id=check_id, days_before=lead, sent_at=at))
    DbsReminder.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        record_event(by=None, action="volunteering.send_dbs_reminders", at=at, count=len(new))
    return new


# ---------------------------------------------------------------------------------- buddies


@transaction.atomic
def request_buddy(
    *,
    person: Person,
    organisation: Organisation,
    person_consented: bool,
    by: User,
    needs: list[str] | None = None,
    interests: list[str] | None = None,
    language: str = "",
    times: list[str] | None = None,
    preferred_sex: str = "",
    max_distance_km: int = 10,
    consent_note: str = "",
    role: str = "buddy",
    at: datetime.datetime | None = None,
) -> BuddyRequest:
    """Ask an organisation for a buddy for a person on the link worker's caseload, with their consent."""
    at = _now(at)
    if not rules.may_request_buddy(by, person):
        raise PermissionDenied("Only the link worker of the person's open case can ask for a buddy.")
    if not person_consented:
        raise VolunteeringError(
            f"{person.full_name} has not agreed to be matched with a volunteer; ask them first, and record "
            "what they agreed may be shared."
        )
    if role not in ROLES:
        raise VolunteeringError("Choose a role.")
    request = BuddyRequest.objects.create(
        person=person,
        organisation=organisation,
        requested_by=by,
        role=role,
        needs=_clean_list(needs),
        interests=_clean_list(interests if interests is not None else person.interests),
        language=(language or person.language).strip(),
        times=sorted(set(times if times is not None else person.free_times)),
        preferred_sex=preferred_sex,
        max_distance_km=max_distance_km,
        consent_note=consent_note.strip(),
        created_at=at,
    )
    record_event(by=by, action="volunteering.request_buddy", target=request, at=at)
    return request


def _request_point(request: BuddyRequest) -> tuple[float | None, float | None]:
    point = point_of(request.person.postcode) if request.person.postcode else None
    if point is not None:
        return point.latitude, point.longitude
    lsoa = request.person.lsoa
    return (lsoa.latitude, lsoa.longitude) if lsoa is not None else (None, None)


def ranking_for(request: BuddyRequest, on: datetime.date) -> tuple[matching.Ranking, dict[int, list[str]]]:
    """Rank the organisation's active volunteers for a request; those lacking the role's checks or
    training are left out, each with its reasons (returned beside the ranking)."""
    latitude, longitude = _request_point(request)
    core_request = matching.Request(
        needs=frozenset(request.needs),
        interests=frozenset(request.interests),
        language=request.language,
        times=frozenset(request.times),
        latitude=latitude,
        longitude=longitude,
        preferred_sex=request.preferred_sex,
        max_distance_km=float(request.max_distance_km),
    )
    candidates = queries.candidates_for(request.organisation_id)
    # The page shows SHOWN; a few more leave room for those then left out for a missing check.
    ranking = matching.rank(core_request, candidates, limit=60)
    unsafe: dict[int, list[str]] = {}
    by_id = {v.pk: v for v in Volunteer.objects.filter(pk__in=[r.volunteer_id for r in ranking.ranked])}
    kept = []
    for row in ranking.ranked:  # every row shown is checked (the page shows up to SHOWN of them)
        missing = queries.missing_for_role(by_id[row.volunteer_id], request.organisation_id, request.role, on)
        if missing:
            unsafe[row.volunteer_id] = missing
            continue
        kept.append(row)
        if len(kept) == SHOWN:
            break
    return matching.Ranking(ranked=kept, excluded=ranking.excluded), unsafe


@transaction.atomic
def propose_match(
    *,
    request: BuddyRequest,
    volunteer: Volunteer,
    by: User,
    supervisor: User | None = None,
    review_weeks: int = 6,
    length_weeks: int = 12,
    no_contact_days: int = 14,
    at: datetime.datetime | None = None,
) -> Match:
    """Propose a volunteer to the person; the volunteer must be active and hold the role's checks."""
    at = _now(at)
    request = BuddyRequest.objects.select_for_update().get(pk=request.pk)
    _require_coordinator(by, request.organisation_id)
    if request.status != BuddyRequest.Status.OPEN:
        raise VolunteeringError("This request already has a proposal or a match.")
    if queries.active_enrolment(volunteer, request.organisation_id) is None:
        raise VolunteeringError(f"{volunteer} is not an active volunteer here.")
    missing = queries.missing_for_role(volunteer, request.organisation_id, request.role, _today(at))
    if missing:
        raise VolunteeringError(f"{volunteer} cannot be proposed. " + " ".join(missing))
    if no_contact_days < 1:
        raise VolunteeringError("Alert after at least one day without contact.")
    ranking, _ = ranking_for(request, _today(at))
    row = next((r for r in ranking.ranked if r.volunteer_id == volunteer.pk), None)
    start = _today(at)
    match = Match.objects.create(
        request=request,
        person=request.person,
        volunteer=volunteer,
        organisation_id=request.organisation_id,
        supervisor=supervisor or by,
        score=row.score if row else None,
        reasons=list(row.reasons) if row else [],
        proposed_at=at,
        review_on=start + datetime.timedelta(weeks=review_weeks),
        end_on=start + datetime.timedelta(weeks=length_weeks),
        no_contact_days=no_contact_days,
    )
    request.status = BuddyRequest.Status.PROPOSED
    request.save(update_fields=["status"])
    record_event(by=by, action="volunteering.propose_match", target=match, at=at)
    return match


@transaction.atomic
def answer_proposal(*, match: Match, accept: bool, by: User, at: datetime.datetime | None = None) -> Match:
    """The person accepts or declines a proposed buddy from their own account."""
    at = _now(at)
    match = Match.objects.select_for_update().select_related("person", "request").get(pk=match.pk)
    if not rules.may_answer_proposal(by, match):
        raise PermissionDenied("Only the person a buddy is proposed to can answer.")
    request = match.request
    today = _today(at)
    if accept:
        length = (match.end_on - match.proposed_at.date()) if match.end_on else datetime.timedelta(weeks=12)
        review = (
            (match.review_on - match.proposed_at.date()) if match.review_on else datetime.timedelta(weeks=6)
        )
        match.status = Match.Status.ACTIVE
        match.agreed_at = at
        match.start_on = today
        match.review_on = today + review
        match.end_on = today + length
        request.status = BuddyRequest.Status.MATCHED
    else:
        match.status = Match.Status.DECLINED
        request.status = BuddyRequest.Status.OPEN
    match.save()
    request.save(update_fields=["status"])
    record_event(by=by, action="volunteering.answer_proposal", target=match, at=at, accepted=accept)
    return match


@transaction.atomic
def log_contact(
    *,
    match: Match,
    happened_on: datetime.date,
    minutes: int,
    medium: str,
    by: User,
    notes: str = "",
    at: datetime.datetime | None = None,
) -> Contact:
    """Log a contact on an active match; it closes any open no-contact alert."""
    at = _now(at)
    match = Match.objects.select_for_update().select_related("volunteer").get(pk=match.pk)
    if not rules.may_log_contact(by, match):
        raise PermissionDenied("Only the match's volunteer or a coordinator can log contacts.")
    if medium not in Contact.Medium.values:
        raise VolunteeringError("Choose how you were in touch.")
    if not 1 <= minutes <= 24 * 60:
        raise VolunteeringError("Give the length of the contact in minutes (1 to 1,440).")
    if happened_on > _today(at):
        raise VolunteeringError("A contact cannot be in the future.")
    if match.start_on and happened_on < match.start_on:
        raise VolunteeringError("A contact cannot be before the match started.")
    contact = Contact.objects.create(
        match=match,
        happened_on=happened_on,
        minutes=minutes,
        medium=medium,
        notes=notes.strip(),
        logged_by=by,
        logged_at=at,
    )
    if match.last_contact_on is None or happened_on > match.last_contact_on:
        match.last_contact_on = happened_on
        match.save(update_fields=["last_contact_on"])
    NoContactAlert.objects.filter(match=match, closed_at__isnull=True).update(closed_at=at)
    record_event(by=by, action="volunteering.log_contact", target=contact, at=at)
    return contact


def sweep_no_contact(*, at: datetime.datetime | None = None) -> list[NoContactAlert]:
    """Raise an alert for each active match silent for its set days, to its supervisor or their cover
    (once per silence: running it again raises nothing new)."""
    at = _now(at)
    today = _today(at)
    raised: list[NoContactAlert] = []
    covers = {
        cover.supervisor_id: cover.cover_id
        for cover in SupervisorCover.objects.filter(starts_on__lte=today, ends_on__gte=today)
    }
    rows = Match.objects.filter(status=Match.Status.ACTIVE).values_list(
        "pk", "last_contact_on", "start_on", "no_contact_days", "supervisor_id"
    )
    new = []
    for pk, last_contact_on, start_on, days, supervisor_id in rows.iterator(chunk_size=5000):
        since = last_contact_on or start_on
        if since is None or (today - since).days < days:
            continue
        new.append(
            NoContactAlert(
                match_id=pk,
                since=since,
                days=days,
                raised_at=at,
                raised_to_id=covers.get(supervisor_id, supervisor_id),
            )
        )
    with transaction.atomic():
        existing = (
            set(
                NoContactAlert.objects.filter(match_id__in=[a.match_id for a in new]).values_list(
                    "match_id", "since"
                )
            )
            if len(new) < 20000
            else set(NoContactAlert.objects.values_list("match_id", "since"))
        )
        raised = [alert for alert in new if (alert.match_id, alert.since) not in existing]
        NoContactAlert.objects.bulk_create(raised, ignore_conflicts=True, batch_size=2000)
        if raised:
            record_event(by=None, action="volunteering.sweep_no_contact", at=at, count=len(raised))
    return raised


@transaction.atomic
def set_cover(
    *,
    supervisor: User,
    cover: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    organisation: Organisation,
    by: User,
    at: datetime.datetime | None = None,
) -> SupervisorCover:
    """Hand a supervisor's volunteers and alerts to a named cover while they are away."""
    at = _now(at)
    _require_coordinator(by, organisation.pk)
    if ends_on < starts_on:
        raise VolunteeringError("Cover must end on or after the day it starts.")
    if cover.pk == supervisor.pk:
        raise VolunteeringError("Choose someone else to cover.")
    if not RoleAssignment.objects.filter(
        user=cover, role=Role.VOLUNTEER_COORDINATOR, organisation=organisation
    ).exists():
        raise VolunteeringError(f"{cover.full_name} is not a coordinator here, so cannot cover.")
    record = SupervisorCover.objects.create(
        supervisor=supervisor, cover=cover, starts_on=starts_on, ends_on=ends_on, recorded_by=by
    )
    record_event(by=by, action="volunteering.set_cover", target=record, at=at)
    return record


@transaction.atomic
def end_match(*, match: Match, reason: str, by: User, at: datetime.datetime | None = None) -> Match:
    """End an active match with a reason."""
    at = _now(at)
    match = Match.objects.select_for_update().get(pk=match.pk)
    if not rules.may_end_match(by, match):
        raise PermissionDenied("Only the match's supervisor or a coordinator can end it.")
    reason = reason.strip()
    if not reason:
        raise VolunteeringError("Give a reason for ending the match.")
    match.status = Match.Status.ENDED
    match.ended_at = at
    match.end_on = _today(at)
    match.end_reason = reason
    match.save()
    NoContactAlert.objects.filter(match=match, closed_at__isnull=True).update(closed_at=at)
    record_event(by=by, action="volunteering.end_match", target=match, at=at)
    return match


# ---------------------------------------------------------------------------------- hours and expenses


def _volunteer_or_coordinator(by: User, volunteer: Volunteer, organisation: Organisation) -> bool:
    """Return True when the coordinator acts (and so approves at once)."""
    if rules.is_volunteer_of(by, volunteer):
        if (
            not volunteer.enrolments.filter(organisation=organisation)
            .exclude(status=PipelineStatus.LEFT)
            .exists()
        ):
            raise VolunteeringError(f"You do not volunteer with {organisation.name}.")
        return False
    _require_coordinator(by, organisation.pk)
    return True


@transaction.atomic
def log_hours(
    *,
    volunteer: Volunteer,
    organisation: Organisation,
    worked_on: datetime.date,
    hours: Decimal,
    by: User,
    description: str = "",
    role: str = "",
    at: datetime.datetime | None = None,
) -> HoursEntry:
    """Log hours given: by the volunteer (waiting for approval) or by a coordinator (approved at once)."""
    at = _now(at)
    by_coordinator = _volunteer_or_coordinator(by, volunteer, organisation)
    if not Decimal(0) < hours <= Decimal(24):
        raise VolunteeringError("Hours in one day must be more than 0 and at most 24.")
    if worked_on > _today(at):
        raise VolunteeringError("Hours cannot be logged for a day that has not come yet.")
    entry = HoursEntry.objects.create(
        volunteer=volunteer,
        organisation=organisation,
        worked_on=worked_on,
        hours=hours,
        role=role,
        description=_at_most(description.strip(), 200, "What you did"),
        status=HoursEntry.Status.APPROVED if by_coordinator else HoursEntry.Status.LOGGED,
        decided_by=by if by_coordinator else None,
        logged_at=at,
    )
    record_event(by=by, action="volunteering.log_hours", target=entry, at=at, hours=str(hours))
    return entry


@transaction.atomic
def decide_hours(
    *, entry: HoursEntry, approve: bool, by: User, at: datetime.datetime | None = None
) -> HoursEntry:
    """Approve or reject logged hours."""
    at = _now(at)
    entry = HoursEntry.objects.select_for_update().get(pk=entry.pk)
    _require_coordinator(by, entry.organisation_id)
    if entry.status != HoursEntry.Status.LOGGED:
        raise VolunteeringError("These hours are already decided.")
    entry.status = HoursEntry.Status.APPROVED if approve else HoursEntry.Status.REJECTED
    entry.decided_by = by
    entry.save(update_fields=["status", "decided_by"])
    record_event(by=by, action="volunteering.decide_hours", target=entry, at=at, status=entry.status)
    return entry


def miles_claimed_this_tax_year(volunteer: Volunteer, organisation_id: int, day: datetime.date) -> Decimal:
    """Return the miles a volunteer claimed from an organisation earlier in the tax year holding `day`."""
    return Expense.objects.filter(
        volunteer=volunteer,
        organisation_id=organisation_id,
        kind=Expense.Kind.MILEAGE,
        incurred_on__gte=mileage.tax_year_start(day),
        incurred_on__lte=day,
    ).exclude(status=Expense.Status.REJECTED).aggregate(total=Sum("miles"))["total"] or Decimal(0)


@transaction.atomic
def claim_expense(
    *,
    volunteer: Volunteer,
    organisation: Organisation,
    kind: str,
    incurred_on: datetime.date,
    description: str,
    by: User,
    amount: Decimal | None = None,
    miles: Decimal | None = None,
    receipt: UploadedFile | None = None,
    at: datetime.datetime | None = None,
) -> Expense:
    """Claim an expense: actual cost with a receipt, or mileage at HMRC's rates; flat payments are refused."""
    at = _now(at)
    _volunteer_or_coordinator(by, volunteer, organisation)
    if kind not in Expense.Kind.values:
        raise VolunteeringError(FLAT_PAYMENT_REFUSED)
    if incurred_on > _today(at):
        raise VolunteeringError("An expense cannot be for a day that has not come yet.")
    description = description.strip()
    if not description:
        raise VolunteeringError("Say what the expense was for.")
    if kind == Expense.Kind.ACTUAL:
        if amount is None or amount <= 0:
            raise VolunteeringError("Give the amount you spent.")
        if receipt is None:
            raise VolunteeringError("Attach the receipt: expenses are repaid at actual cost, with a receipt.")
        if amount > EXPENSE_POLICY_LIMIT:
            raise VolunteeringError(
                f"£{amount:.2f} is over the policy limit of £{EXPENSE_POLICY_LIMIT:.2f} for one claim; "
                "speak to your coordinator."
            )
        miles = None
    else:
        if miles is None or miles <= 0:
            raise VolunteeringError("Give the miles you drove.")
        before = miles_claimed_this_tax_year(volunteer, organisation.pk, incurred_on)
        try:
            computed = mileage.mileage_amount(miles, before, incurred_on)
        except mileage.NoRateError as error:
            raise VolunteeringError(str(error)) from error
        if amount is not None and amount != computed:
            raise VolunteeringError(
                f"Mileage is paid at HMRC's approved rates: {miles} miles comes to £{computed:.2f}, "
                f"not £{amount:.2f}."
            )
        amount = computed
    try:
        expense = Expense.objects.create(
            volunteer=volunteer,
            organisation=organisation,
            kind=kind,
            incurred_on=incurred_on,
            description=_at_most(description, 200, "What it was for"),
            amount=amount,
            miles=miles,
            receipt=receipt or "",
            submitted_at=at,
        )
    except IntegrityError as error:  # the database's constraints are the last word
        raise VolunteeringError("This expense cannot be stored as entered.") from error
    record_event(by=by, action="volunteering.claim_expense", target=expense, at=at, amount=str(amount))
    return expense


@transaction.atomic
def decide_expense(
    *, expense: Expense, approve: bool, by: User, at: datetime.datetime | None = None
) -> Expense:
    """Approve or reject a submitted expense."""
    at = _now(at)
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    _require_coordinator(by, expense.organisation_id)
    if expense.status != Expense.Status.SUBMITTED:
        raise VolunteeringError("This expense is already decided.")
    expense.status = Expense.Status.APPROVED if approve else Expense.Status.REJECTED
    expense.decided_by = by
    expense.decided_at = at
    expense.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(by=by, action="volunteering.decide_expense", target=expense, at=at, status=expense.status)
    return expense


@transaction.atomic
def mark_expense_paid(*, expense: Expense, by: User, at: datetime.datetime | None = None) -> Expense:
    """Mark an approved expense as paid."""
    at = _now(at)
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    _require_coordinator(by, expense.organisation_id)
    if expense.status != Expense.Status.APPROVED:
        raise VolunteeringError("Only an approved expense can be paid.")
    expense.status = Expense.Status.PAID
    expense.paid_at = at
    expense.save(update_fields=["status", "paid_at"])
    record_event(by=by, action="volunteering.mark_expense_paid", target=expense, at=at)
    return expense


# ---------------------------------------------------------------------------------- safeguarding


@transaction.atomic
def raise_concern(
    *, organisation: Organisation, about: str, details: str, by: User, at: datetime.datetime | None = None
) -> Concern:
    """Raise a safeguarding concern with an organisation's designated safeguarding lead."""
    at = _now(at)
    if not rules.may_raise_concern(by):
        raise PermissionDenied("Only volunteers and staff can raise a safeguarding concern here.")
    about, details = about.strip(), details.strip()
    if not about or not details:
        raise VolunteeringError("Say who the concern is about and what happened.")
    if not RoleAssignment.objects.filter(role=Role.SAFEGUARDING_LEAD, organisation=organisation).exists():
        raise VolunteeringError(
            f"{organisation.name} has no designated safeguarding lead in Commonweal; call them, or the "
            "council's adult social care team, now."
        )
    concern = Concern.objects.create(
        organisation=organisation,
        raised_by=by,
        about=_at_most(about, 200, "Who the concern is about"),
        details=details,
        raised_at=at,
    )
    record_event(by=by, action="volunteering.raise_concern", target=concern, at=at)
    return concern


@transaction.atomic
def acknowledge_concern(
    *, concern: Concern, action_taken: str, by: User, at: datetime.datetime | None = None
) -> Concern:
    """The safeguarding lead acknowledges a concern with the action taken (which stops its escalation)."""
    at = _now(at)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if not rules.may_handle_concern(by, concern):
        raise PermissionDenied("Only the organisation's designated safeguarding lead can acknowledge this.")
    if concern.status != Concern.Status.OPEN:
        raise VolunteeringError("This concern is already acknowledged.")
    action_taken = action_taken.strip()
    if len(action_taken) < MINIMUM_ACTION_LENGTH:
        raise VolunteeringError(f"Say what action you took (at least {MINIMUM_ACTION_LENGTH} characters).")
    concern.status = Concern.Status.ACKNOWLEDGED
    concern.acknowledged_by = by
    concern.acknowledged_at = at
    concern.action_taken = action_taken
    concern.save()
    record_event(by=by, action="volunteering.acknowledge_concern", target=concern, at=at)
    return concern


def escalate_overdue_concerns(*, at: datetime.datetime | None = None) -> list[Concern]:
    """Escalate each concern left unacknowledged for the set hours since it was raised or last escalated."""
    at = _now(at)
    period = datetime.timedelta(hours=getattr(settings, "VOLUNTEERING_CONCERN_ESCALATE_HOURS", 24))
    escalated = []
    for concern_id in Concern.objects.filter(status=Concern.Status.OPEN).values_list("pk", flat=True):
        with transaction.atomic():
            concern = Concern.objects.select_for_update().get(pk=concern_id)
            since = concern.last_escalated_at or concern.raised_at
            if concern.status == Concern.Status.OPEN and at - since >= period:
                concern.escalation_level += 1
                concern.last_escalated_at = at
                concern.save(update_fields=["escalation_level", "last_escalated_at"])
                record_event(
                    by=None,
                    action="volunteering.escalate_concern",
                    target=concern,
                    at=at,
                    level=concern.escalation_level,
                )
                escalated.append(concern)
    return escalated


# ---------------------------------------------------------------------------------- opportunities


@transaction.atomic
def post_opportunity(
    *,
    organisation: Organisation,
    title: str,
    description: str,
    role: str,
    by: User,
    place: str = "",
    at: datetime.datetime | None = None,
) -> Opportunity:
    """Post a volunteering opportunity for residents to apply to."""
    at = _now(at)
    _require_coordinator(by, organisation.pk)
    title, description = title.strip(), description.strip()
    if not title or not description:
        raise VolunteeringError("Give the opportunity a title and say what volunteers will do.")
    if role not in ROLES:
        raise VolunteeringError("Choose a role.")
    opportunity = Opportunity.objects.create(
        organisation=organisation,
        title=_at_most(title, 200, "The title"),
        description=description,
        role=role,
        place=_at_most(place.strip(), 200, "Where"),
        posted_by=by,
        posted_at=at,
    )
    record_event(by=by, action="volunteering.post_opportunity", target=opportunity, at=at)
    return opportunity


@transaction.atomic
def add_shift(
    *,
    opportunity: Opportunity,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    places: int,
    by: User,
    at: datetime.datetime | None = None,
) -> Shift:
    """Add a time slot to an opportunity."""
    at = _now(at)
    _require_coordinator(by, opportunity.organisation_id)
    if ends_at <= starts_at:
        raise VolunteeringError("A shift must end after it starts.")
    if places < 1:
        raise VolunteeringError("A shift needs at least one place.")
    shift = Shift.objects.create(opportunity=opportunity, starts_at=starts_at, ends_at=ends_at, places=places)
    record_event(by=by, action="volunteering.add_shift", target=shift, at=at)
    return shift


@transaction.atomic
def apply(
    *,
    opportunity: Opportunity,
    by: User,
    shift: Shift | None = None,
    message: str = "",
    at: datetime.datetime | None = None,
) -> Application:
    """A resident applies for an opportunity (and a shift of it, which must still have a place)."""
    at = _now(at)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not opportunity.is_open:
        raise VolunteeringError("This opportunity is no longer taking applications.")
    if Application.objects.filter(opportunity=opportunity, applicant=by).exists():
        raise VolunteeringError("You have already applied for this opportunity.")
    if shift is not None:
        if shift.opportunity_id != opportunity.pk:
            raise VolunteeringError("Choose one of this opportunity's shifts.")
        taken = shift.applications.filter(status=Application.Status.ACCEPTED).count()
        if taken >= shift.places:
            raise VolunteeringError("That shift is full; choose another.")
    application = Application.objects.create(
        opportunity=opportunity, shift=shift, applicant=by, message=message.strip(), applied_at=at
    )
    record_event(by=by, action="volunteering.apply", target=application, at=at)
    return application


@transaction.atomic
def decide_application(
    *, application: Application, accept: bool, by: User, at: datetime.datetime | None = None
) -> Application:
    """Accept or decline an application; accepting starts the applicant in the recruitment pipeline."""
    at = _now(at)
    application = (
        Application.objects.select_for_update()
        .select_related("opportunity", "applicant")
        .get(pk=application.pk)
    )
    organisation = application.opportunity.organisation
    _require_coordinator(by, organisation.pk)
    if application.status != Application.Status.APPLIED:
        raise VolunteeringError("This application is already decided.")
    application.status = Application.Status.ACCEPTED if accept else Application.Status.DECLINED
    application.decided_by = by
    application.save(update_fields=["status", "decided_by"])
    if accept:
        volunteer = Volunteer.objects.filter(user=application.applicant).first()
        if volunteer is None:
            register_volunteer(user=application.applicant, organisation=organisation, by=by, at=at)
        elif not volunteer.enrolments.filter(organisation=organisation).exists():
            _enrol(volunteer, organisation, by, at)
    record_event(
        by=by, action="volunteering.decide_application", target=application, at=at, status=application.status
    )
    return application
