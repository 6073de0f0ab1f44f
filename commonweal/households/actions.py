"""Write use cases for households: each takes the actor as `by=` and the clock as `at=`, runs in a
transaction, asks `rules` and raises PermissionDenied when the actor may not, and is audited."""

from __future__ import annotations

import csv
import datetime
import io
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.audit.actions import record_event
from commonweal.households import definitions, rules
from commonweal.households.core.checks import clean_answers
from commonweal.households.models import (
    GapSource,
    GapStatus,
    Household,
    HouseholdMove,
    HouseholdStatus,
    Member,
    MemberCheck,
    Patch,
    PatchAssignment,
    PreventionStatus,
    Programme,
    Relationship,
    StopVisitsRequest,
    Visit,
    VisitOutcome,
    VisitReason,
)
from commonweal.people.models import Person
from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number
from commonweal.places.models import Area
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.places.queries import lsoa_ids_of, lsoa_of
from commonweal.referrals import actions as referral_actions
from commonweal.referrals.models import Referral, ReferralReason, ReferralSource
from commonweal.referrals.queries import team_for


class HouseholdError(ValueError):
    """A request that cannot be carried out as asked; the message says why in plain words."""


def _now(at: datetime.datetime | None) -> datetime.datetime:
    return at or timezone.now()


# ------------------------------------------------------------------------------------------ patches


@transaction.atomic
def create_patch(
    *,
    name: str,
    chw: User | None,
    supervisor: User | None,
    area: Any = None,
    monthly_goal: int = 150,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Patch:
    """Set up a named patch held by a community health worker under a supervisor."""
    at = _now(at)
    if by is not None and not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can set up patches.")
    if Patch.objects.filter(name=name).exists():
        raise HouseholdError(f"There is already a patch called {name}.")
    patch = Patch.objects.create(
        name=name, chw=chw, supervisor=supervisor, area=area, monthly_goal=monthly_goal, created_at=at
    )
    PatchAssignment.objects.create(patch=patch, chw=chw, supervisor=supervisor, started_at=at, assigned_by=by)
    record_event(by=by, at=at, action="households.create_patch", target=patch, chw=chw and chw.pk)
    return patch


@transaction.atomic
def reassign_patch(
    *,
    patch: Patch,
    chw: User | None,
    supervisor: User | None,
    by: User,
    at: datetime.datetime | None = None,
) -> Patch:
    """Give a patch to another worker or supervisor; the previous assignment is closed, not lost."""
    at = _now(at)
    if not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can reassign patches.")
    patch = Patch.objects.select_for_update().get(pk=patch.pk)
    PatchAssignment.objects.filter(patch=patch, ended_at__isnull=True).update(ended_at=at)
    before = (patch.chw_id, patch.supervisor_id)
    patch.chw, patch.supervisor = chw, supervisor
    patch.save(update_fields=["chw", "supervisor"])
    PatchAssignment.objects.create(patch=patch, chw=chw, supervisor=supervisor, started_at=at, assigned_by=by)
    record_event(
        by=by,
        at=at,
        action="households.reassign_patch",
        target=patch,
        before=list(before),
        after=[patch.chw_id, patch.supervisor_id],
    )
    return patch


@transaction.atomic
def move_household(
    *, household: Household, to_patch: Patch | None, by: User | None, at: datetime.datetime | None = None
) -> Household:
    """Move a household to another patch, keeping the history."""
    at = _now(at)
    if by is not None and not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can move households between patches.")
    household = Household.objects.select_for_update().get(pk=household.pk)
    HouseholdMove.objects.create(
        household=household, from_patch_id=household.patch_id, to_patch=to_patch, moved_at=at, moved_by=by
    )
    from_patch = household.patch_id
    household.patch = to_patch
    household.save(update_fields=["patch"])
    record_event(
        by=by,
        at=at,
        action="households.move_household",
        target=household,
        from_patch=from_patch,
        to_patch=to_patch and to_patch.pk,
    )
    return household


# ------------------------------------------------------------------------------------- households


@transaction.atomic
def register_household(
    *,
    reference: str,
    address: str,
    street: str,
    postcode: str,
    patch: Patch | None,
    members: list[tuple[Person, str]] = (),  # type: ignore[assignment]
    consents_to_visits: bool = True,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Household:
    """Register a household at an address on a real postcode, with its members and their relationship."""
    at = _now(at)
    if by is not None and not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can register households.")
    try:
        normalised = normalise_postcode(postcode)
    except MalformedPostcodeError as error:
        raise HouseholdError(str(error)) from error
    lsoa = lsoa_of(normalised)
    if lsoa is None:
        raise HouseholdError(f"{normalised} is not a postcode in the area this service covers.")
    if Household.objects.filter(reference=reference).exists():
        raise HouseholdError(f"There is already a household with reference {reference}.")
    household = Household.objects.create(
        reference=reference,
        address=address.strip(),
        street=street.strip(),
        postcode=normalised,
        lsoa=lsoa,
        patch=patch,
        consents_to_visits=consents_to_visits,
        consent_recorded_at=at,
        registered_at=at,
        status_changed_at=at,
    )
    for person, relationship in members:
        add_member(household=household, person=person, relationship=relationship, by=by, at=at)
    record_event(by=by, at=at, action="households.register_household", target=household)
    return household


@transaction.atomic
def add_member(
    *,
    household: Household,
    person: Person,
    relationship: str,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Member:
    """Add a person to a household (they leave any household they lived in before)."""
    at = _now(at)
    if by is not None and not (rules.may_manage_households(by) or rules.may_visit(by, household)):
        raise PermissionDenied("Only the household's worker or an administrator can change its members.")
    if relationship not in Relationship.values:
        raise HouseholdError(f"Unknown relationship: {relationship}")
    Member.objects.filter(person=person, left_at__isnull=True).update(left_at=at)
    member = Member.objects.create(
        household=household, person=person, relationship=relationship, joined_at=at
    )
    record_event(by=by, at=at, action="households.add_member", target=household, person=person.pk)
    return member


@transaction.atomic
def set_status(
    *,
    household: Household,
    status: str,
    reason: str = "",
    by: User | None,
    at: datetime.datetime | None = None,
) -> Household:
    """Mark a household active, moved, refused or muted, with a reason and the date (muting stops tasks)."""
    at = _now(at)
    if by is not None and not rules.may_change_status(by, household):
        raise PermissionDenied(
            "Only the household's worker, their supervisor or an administrator can do this."
        )
    if status not in HouseholdStatus.values:
        raise HouseholdError(f"Unknown status: {status}")
    if status in (HouseholdStatus.MUTED, HouseholdStatus.REFUSED) and not reason.strip():
        raise HouseholdError("Give a reason: it is shown to the next worker and to the household.")
    household = Household.objects.select_for_update().get(pk=household.pk)
    before = household.status
    household.status, household.status_reason, household.status_changed_at = status, reason.strip(), at
    household.save(update_fields=["status", "status_reason", "status_changed_at"])
    record_event(
        by=by,
        at=at,
        action="households.set_status",
        target=household,
        before=before,
        after=status,
        reason=reason,
    )
    return household


@transaction.atomic
def ask_to_stop_visits(
    *, household: Household, note: str = "", by: User, at: datetime.datetime | None = None
) -> StopVisitsRequest:
    """A resident asks for visits to their household to stop: the household is marked refused at once."""
    at = _now(at)
    if not rules.may_ask_to_stop_visits(by, household):
        raise PermissionDenied("Only someone living in the household can ask for this.")
    request = StopVisitsRequest.objects.create(
        household=household, requested_by=by, requested_at=at, note=note
    )
    household.status, household.status_changed_at = HouseholdStatus.REFUSED, at
    household.status_reason = "A member of the household asked for visits to stop"
    household.consents_to_visits = False
    household.consent_recorded_at = at
    household.save(
        update_fields=[
            "status",
            "status_changed_at",
            "status_reason",
            "consents_to_visits",
            "consent_recorded_at",
        ]
    )
    record_event(by=by, at=at, action="households.ask_to_stop_visits", target=household)
    return request


# ------------------------------------------------------------------------------------------ visits


@dataclass(frozen=True)
class MemberSeen:
    """One member seen at a visit: their check answers (as typed), and a need found."""

    person_id: int
    answers: dict[str, str] = field(default_factory=dict)
    need_found: bool = False
    need_note: str = ""
    refer: bool = False
    consents_to_referral: bool = False


@dataclass(frozen=True)
class VisitResult:
    visit: Visit
    created: bool
    referrals: tuple[Referral, ...] = ()
    referral_problems: tuple[str, ...] = ()


def record_visit(
    *,
    household: Household,
    outcome: str,
    reasons: list[str],
    seen: list[MemberSeen] = (),  # type: ignore[assignment]
    visited_at: datetime.datetime | None = None,
    client_id: uuid.UUID | str | None = None,
    note: str = "",
    chw_patch: Patch | None = None,
    shadowed_by: User | None = None,
    by: User,
    at: datetime.datetime | None = None,
) -> VisitResult:
    """Record a visit once per client id: sending the same visit again returns the first one.

    A worker may record a visit to a household they held when they visited (`chw_patch`, sent by the
    device) even if it has since moved to another patch: it is kept and flagged for both supervisors.
    """
    at = _now(at)
    client_uuid = uuid.UUID(str(client_id)) if client_id else uuid.uuid4()
    existing = Visit.objects.filter(client_id=client_uuid).first()
    if existing is not None:
        if existing.chw_id != by.pk:
            raise PermissionDenied("This visit was recorded by someone else.")
        return VisitResult(existing, created=False)
    try:
        with transaction.atomic():
            return _record_visit(
                household=household,
                outcome=outcome,
                reasons=reasons,
                seen=list(seen),
                visited_at=visited_at or at,
                client_id=client_uuid,
                note=note,
                chw_patch=chw_patch,
                shadowed_by=shadowed_by,
                by=by,
                at=at,
            )
    except PermissionDenied:
        record_event(by=by, at=at, action="households.visit_refused", target=household)
        raise
    except IntegrityError:
        # The same visit sent twice at once: the other send recorded it.
        existing = Visit.objects.filter(client_id=client_uuid, chw=by).first()
        if existing is None:
            raise
        return VisitResult(existing, created=False)


def supervisor_at(patch: Patch, at: datetime.datetime) -> User | None:
    """Return who supervised a patch at a moment (its assignment history), or None."""
    assignment = (
        PatchAssignment.objects.filter(patch=patch, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .select_related("supervisor")
        .order_by("-started_at")
        .first()
    )
    return assignment.supervisor if assignment is not None else None


def _record_visit(
    *,
    household: Household,
    outcome: str,
    reasons: list[str],
    seen: list[MemberSeen],
    visited_at: datetime.datetime,
    client_id: uuid.UUID,
    note: str,
    chw_patch: Patch | None,
    shadowed_by: User | None,
    by: User,
    at: datetime.datetime,
) -> VisitResult:
    if outcome not in VisitOutcome.values:
        raise HouseholdError(f"Unknown outcome: {outcome}")
    household = Household.objects.select_related("patch").get(pk=household.pk)  # its patch now
    unknown = [reason for reason in reasons if reason not in VisitReason.values]
    if unknown or not reasons:
        raise HouseholdError("Choose at least one reason for the visit.")
    if visited_at > at + datetime.timedelta(minutes=5):
        raise HouseholdError("A visit cannot be in the future.")
    if shadowed_by is not None:
        # A shadow visit: the supervisor of the patch the worker visited from came along.
        visited_from = chw_patch or household.patch
        if visited_from is None or supervisor_at(visited_from, visited_at) != shadowed_by:
            raise HouseholdError(
                "Only the supervisor of the patch can be recorded as coming along to a visit."
            )
    holds_now = rules.may_visit(by, household)
    # Offline, the patch may have been given to someone else, or the household moved out of it, since
    # the visit: what counts is that the worker held the patch, and the household was in it, then.
    held_then = (
        chw_patch is not None
        and PatchAssignment.objects.filter(patch=chw_patch, chw=by, started_at__lte=visited_at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=visited_at))
        .exists()
        and (
            household.patch_id == chw_patch.pk
            or HouseholdMove.objects.filter(
                household=household, from_patch=chw_patch, moved_at__gte=visited_at
            ).exists()
        )
    )
    if not holds_now and not held_then:
        raise PermissionDenied("This household is not in your patch, so you cannot record a visit to it.")
    if outcome != VisitOutcome.DONE and seen:
        raise HouseholdError("Nobody is seen at a visit that was refused or found nobody in.")
    member_ids = set(
        Member.objects.filter(household=household, left_at__isnull=True).values_list("person_id", flat=True)
    )
    if any(member.person_id not in member_ids for member in seen):
        raise HouseholdError("Someone marked as seen does not live in this household.")
    check = definitions.wellbeing_check()
    cleaned = []
    for member in seen:
        answers, problems = clean_answers(check, member.answers)
        if problems:
            raise HouseholdError("; ".join(f"{item}: {message}" for item, message in problems.items()))
        if member.refer and not member.consents_to_referral:
            raise HouseholdError("Ask the person first: a referral needs their consent.")
        cleaned.append((member, answers))
    visit = Visit.objects.create(
        client_id=client_id,
        household=household,
        chw=by,
        visited_at=visited_at,
        recorded_at=at,
        reasons=list(reasons),
        outcome=outcome,
        note=note,
        patch_id=household.patch_id,
        chw_patch=chw_patch if chw_patch is not None else household.patch,
        needs_resolution=not holds_now,
        shadowed_by=shadowed_by,
    )
    referrals: list[Referral] = []
    referral_problems: list[str] = []
    for member, answers in cleaned:
        member_check = MemberCheck.objects.create(
            visit=visit,
            person_id=member.person_id,
            check_code=check.code,
            check_version=check.version,
            answers=answers,
            need_found=member.need_found or member.refer,
            need_note=member.need_note,
            consents_to_referral=member.consents_to_referral,
        )
        if member.refer:
            referral = _refer_to_link_workers(member_check, by=by, at=at)
            if isinstance(referral, str):
                referral_problems.append(referral)
            else:
                referrals.append(referral)
    # A refusal at the door quietens the household's tasks for 90 days (task_rules.toml): nothing to store.
    record_event(
        by=by,
        at=at,
        action="households.record_visit",
        target=visit,
        household=household.pk,
        outcome=outcome,
        moved_while_offline=not holds_now,
    )
    return VisitResult(
        visit, created=True, referrals=tuple(referrals), referral_problems=tuple(referral_problems)
    )


def _refer_to_link_workers(member_check: MemberCheck, *, by: User, at: datetime.datetime) -> Referral | str:
    """Turn a need found into a referral to the link-worker team, through the referrals app's action."""
    person = member_check.person
    team = team_for(person.gp_practice, person.lsoa)
    if team is None:
        return f"No link-worker team takes referrals for {person.full_name}; the need is recorded."
    try:
        referral = referral_actions.make_referral(
            person=person,
            team=team,
            source=ReferralSource.OTHER,
            reasons=[ReferralReason.OTHER],
            reason_detail=(
                "Found at a community health worker's household visit, with the person's consent. "
                + member_check.need_note
            ).strip(),
            by=by,
            at=at,
        )
    except referral_actions.JourneyError as error:
        return str(error)
    member_check.referral = referral
    member_check.save(update_fields=["referral"])
    return referral


@transaction.atomic
def mark_reviewed(*, visit: Visit, by: User, at: datetime.datetime | None = None) -> Visit:
    """A supervisor marks a visit reviewed (and resolves a visit to a household that moved)."""
    at = _now(at)
    if not rules.may_review_visit(by, visit):
        raise PermissionDenied("Only a supervisor of the patch can review this visit.")
    visit.reviewed_by, visit.reviewed_at = by, at
    fields = ["reviewed_by", "reviewed_at"]
    if visit.needs_resolution:
        visit.needs_resolution, visit.resolved_by, visit.resolved_at = False, by, at
        fields += ["needs_resolution", "resolved_by", "resolved_at"]
    visit.save(update_fields=fields)
    record_event(by=by, at=at, action="households.mark_reviewed", target=visit)
    return visit


# --------------------------------------------------------------------------------- CSV onboarding


@dataclass(frozen=True)
class RowReport:
    line: int
    ok: bool
    message: str


@dataclass(frozen=True)
class ImportReport:
    rows: tuple[RowReport, ...]
    imported: int

    @property
    def failed(self) -> tuple[RowReport, ...]:
        return tuple(row for row in self.rows if not row.ok)


HOUSEHOLD_COLUMNS = ("reference", "address", "street", "postcode", "patch", "consents_to_visits")


def _read_csv(text: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in required if column not in (reader.fieldnames or [])]
    if missing:
        raise HouseholdError(
            f"The file has no column {', '.join(missing)} (columns needed: {', '.join(required)})."
        )
    return list(reader)


def import_households(*, text: str, by: User, at: datetime.datetime | None = None) -> ImportReport:
    """Onboard households from CSV, all or nothing: a report line per row; any bad row imports none."""
    at = _now(at)
    if not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can onboard households.")
    rows = _read_csv(text, HOUSEHOLD_COLUMNS[:4])  # patch and consent may be left out
    patches = {patch.name: patch for patch in Patch.objects.all()}
    reports: list[RowReport] = []
    seen_references: set[str] = set()
    valid: list[dict[str, Any]] = []  # cleaned rows: patch a Patch or None, consent a bool
    for line, row in enumerate(rows, start=2):
        reference = (row.get("reference") or "").strip()
        problems = []
        if not reference:
            problems.append("reference is empty")
        elif reference in seen_references or Household.objects.filter(reference=reference).exists():
            problems.append(f"reference {reference} is already used")
        seen_references.add(reference)
        if not (row.get("address") or "").strip() or not (row.get("street") or "").strip():
            problems.append("address and street are needed")
        postcode = ""
        try:
            postcode = normalise_postcode(row.get("postcode") or "")
            if lsoa_of(postcode) is None:
                problems.append(f"{postcode} is not a postcode in the area this service covers")
        except MalformedPostcodeError as error:
            problems.append(str(error))
        patch_name = (row.get("patch") or "").strip()
        if patch_name and patch_name not in patches:
            problems.append(f"no patch called {patch_name}")
        consent = (row.get("consents_to_visits") or "yes").strip().lower()
        if consent not in ("yes", "no", "y", "n", "true", "false"):
            problems.append("consents_to_visits must be yes or no")
        if problems:
            reports.append(RowReport(line, False, "; ".join(problems)))
        else:
            reports.append(RowReport(line, True, f"{reference} ready"))
            cleaned: dict[str, Any] = dict(row)
            cleaned.update(
                postcode=postcode, patch=patches.get(patch_name), consent=consent in ("yes", "y", "true")
            )
            valid.append(cleaned)
    if any(not report.ok for report in reports) or not rows:
        if not rows:
            reports.append(RowReport(1, False, "The file has no rows."))
        return ImportReport(tuple(reports), imported=0)
    register_households(
        rows=[
            HouseholdRow(
                reference=ready["reference"].strip(),
                address=ready["address"],
                street=ready["street"],
                postcode=ready["postcode"],
                patch=ready["patch"],
                consents_to_visits=ready["consent"],
            )
            for ready in valid
        ],
        by=by,
        at=at,
    )
    return ImportReport(
        tuple(RowReport(r.line, True, r.message.replace("ready", "imported")) for r in reports), len(valid)
    )


WORKER_COLUMNS = ("email", "patch", "position", "place", "monthly_goal")
POSITIONS = {"worker": "chw", "supervisor": "supervisor"}


def import_workers(*, text: str, by: User, at: datetime.datetime | None = None) -> ImportReport:
    """Onboard community health workers and supervisors from CSV, all or nothing, a report line per row.

    Each row names a person by the e-mail of their account (each person creates their own, with their
    own password and second factor; the file never carries a password), the patch, their position in it
    (worker or supervisor) and, for a patch not yet set up, the place it covers (an area code) and its
    monthly goal. Each is given the community health worker role in the place the row names, else the
    patch's, and put in post;
    whoever held that post before is replaced, with the history kept.
    """
    at = _now(at)
    if not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can onboard community health workers.")
    rows = _read_csv(text, WORKER_COLUMNS[:3])  # place and monthly_goal only for a new patch
    patches = {patch.name: patch for patch in Patch.objects.select_related("area")}
    reports: list[RowReport] = []
    posts: set[tuple[str, str]] = set()
    new_patches: dict[str, dict[str, Any]] = {}
    valid: list[tuple[User, str, str, Area | None]] = []  # (user, patch name, position, place)
    for line, row in enumerate(rows, start=2):
        email = (row.get("email") or "").strip()
        patch_name = (row.get("patch") or "").strip()
        position = (row.get("position") or "").strip().lower()
        problems = []
        user = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
        if not email:
            problems.append("email is empty")
        elif user is None:
            problems.append(
                f"nobody has an account with {email}: ask them to create one, then send the file again"
            )
        if position not in POSITIONS:
            problems.append("position must be worker or supervisor")
        if not patch_name:
            problems.append("patch is empty")
        elif (patch_name, position) in posts:
            problems.append(f"patch {patch_name} has two {position}s in this file")
        posts.add((patch_name, position))
        code = (row.get("place") or "").strip()
        place = Area.objects.filter(code=code).first() if code else None
        if code and place is None:
            problems.append(f"there is no place with the code {code}")
        if patch_name and patch_name not in patches and patch_name not in new_patches:
            goal_text = (row.get("monthly_goal") or "150").strip()
            if not code:
                problems.append(
                    f"there is no patch called {patch_name}; to set one up, give the code of its place"
                )
            if not re.fullmatch(r"[0-9]{1,4}", goal_text) or not 1 <= int(goal_text) <= 1000:
                problems.append("monthly_goal must be a whole number from 1 to 1000")
            elif place is not None:
                new_patches.setdefault(patch_name, {"area": place, "monthly_goal": int(goal_text)})
        elif patch_name in patches and patches[patch_name].area is None and not code:
            problems.append(
                f"patch {patch_name} covers no place: give the code of the place the role is held in"
            )
        if problems:
            reports.append(RowReport(line, False, "; ".join(problems)))
        else:
            assert user is not None
            reports.append(RowReport(line, True, f"{email}: {position} of {patch_name} ready"))
            valid.append((user, patch_name, position, place))
    if any(not report.ok for report in reports) or not rows:
        if not rows:
            reports.append(RowReport(1, False, "The file has no rows."))
        return ImportReport(tuple(reports), imported=0)
    with transaction.atomic():
        for name, details in new_patches.items():
            patches[name] = create_patch(name=name, chw=None, supervisor=None, by=by, at=at, **details)
        for user, name, position, place in valid:
            patch = Patch.objects.get(pk=patches[name].pk)
            area = place or patch.area
            grant_role(user=user, role=Role.COMMUNITY_HEALTH_WORKER, area=area, by=by, at=at)
            holders = {"chw": patch.chw, "supervisor": patch.supervisor, POSITIONS[position]: user}
            reassign_patch(patch=patch, by=by, at=at, **holders)
    return ImportReport(
        tuple(RowReport(r.line, True, r.message.replace("ready", "in post")) for r in reports), len(valid)
    )


GAP_COLUMNS = ("nhs_number", "programme", "status", "due_date")


def import_gp_extract(*, text: str, by: User, at: datetime.datetime | None = None) -> ImportReport:
    """Import a GP extract of prevention programmes, all or nothing, with a report line per row.

    A row whose NHS number matches nobody we hold is reported and skipped: the extract covers the whole
    practice, and only people in registered households are of use here. A malformed row stops the import.
    """
    at = _now(at)
    if not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can import a GP extract.")
    rows = _read_csv(text, GAP_COLUMNS)
    reports: list[RowReport] = []
    valid: list[tuple[int, int, str, str, datetime.date | None]] = []
    checked: list[tuple[int, str, str, str, datetime.date | None] | RowReport] = []
    broken = False
    for line, row in enumerate(rows, start=2):
        problems = []
        nhs_number = ""
        try:
            nhs_number = normalise_nhs_number(row.get("nhs_number") or "")
        except InvalidNhsNumberError as error:
            problems.append(str(error))
        programme = (row.get("programme") or "").strip()
        if programme not in Programme.values:
            problems.append(f"programme must be one of {', '.join(Programme.values)}")
        status = (row.get("status") or "").strip()
        if status not in GapStatus.values:
            problems.append(f"status must be one of {', '.join(GapStatus.values)}")
        due: datetime.date | None = None
        due_text = (row.get("due_date") or "").strip()
        if due_text:
            try:
                due = datetime.date.fromisoformat(due_text)
            except ValueError:
                problems.append("due_date must be a date as YYYY-MM-DD")
        if problems:
            broken = True
            checked.append(RowReport(line, False, "; ".join(problems)))
        else:
            checked.append((line, nhs_number, programme, status, due))
    numbers = [entry[1] for entry in checked if not isinstance(entry, RowReport)]
    people: dict[str, tuple[int, str]] = {}
    for start in range(0, len(numbers), 1000):
        for pk, number, given, family in Person.objects.filter(
            nhs_number__in=numbers[start : start + 1000]
        ).values_list("pk", "nhs_number", "given_name", "family_name"):
            people[str(number)] = (pk, f"{given} {family}")
    for entry in checked:
        if isinstance(entry, RowReport):
            reports.append(entry)
            continue
        line, nhs_number, programme, status, due = entry
        if nhs_number not in people:
            reports.append(RowReport(line, True, "no one with this NHS number is known here: skipped"))
            continue
        person_id, name = people[nhs_number]
        reports.append(RowReport(line, True, f"matched {name}: {programme} {status}"))
        valid.append((line, person_id, programme, status, due))
    if broken or not rows:
        if not rows:
            reports.append(RowReport(1, False, "The file has no rows."))
        return ImportReport(tuple(reports), imported=0)
    with transaction.atomic():
        _set_prevention_statuses([entry[1:] for entry in valid], GapSource.GP_EXTRACT, at)
        record_event(by=by, at=at, action="households.import_gp_extract", rows=len(rows), matched=len(valid))
    return ImportReport(tuple(reports), imported=len(valid))


def _set_prevention_statuses(
    entries: list[tuple[int, str, str, datetime.date | None]], source: str, at: datetime.datetime
) -> None:
    """Create or update many people's programme statuses; a changed status is known from today."""
    person_ids = {entry[0] for entry in entries}
    current = {
        (status.person_id, status.programme): status
        for status in PreventionStatus.objects.filter(person_id__in=person_ids)
    }
    new, changed = [], []
    for person_id, programme, status, due in entries:
        found = current.get((person_id, programme))
        if found is None:
            made = PreventionStatus(
                person_id=person_id,
                programme=programme,
                status=status,
                due_date=due,
                source=source,
                known_since=at.date(),
                updated_at=at,
            )
            current[(person_id, programme)] = made
            new.append(made)
            continue
        if found.status != status:
            found.known_since = at.date()
        found.status, found.due_date, found.source, found.updated_at = status, due, source, at
        changed.append(found)
    PreventionStatus.objects.bulk_create(new, batch_size=1000)
    PreventionStatus.objects.bulk_update(
        [status for status in changed if status.pk],
        ["status", "due_date", "source", "known_since", "updated_at"],
        batch_size=1000,
    )


def _set_prevention_status(
    person: Person, programme: str, status: str, due: datetime.date | None, source: str, at: datetime.datetime
) -> PreventionStatus:
    current = PreventionStatus.objects.filter(person=person, programme=programme).first()
    if current is None:
        return PreventionStatus.objects.create(
            person=person,
            programme=programme,
            status=status,
            due_date=due,
            source=source,
            known_since=at.date(),
            updated_at=at,
        )
    if current.status != status:
        current.known_since = at.date()
    current.status, current.due_date, current.source, current.updated_at = status, due, source, at
    current.save()
    return current


@transaction.atomic
def record_self_reported_status(
    *, person: Person, programme: str, status: str, by: User, at: datetime.datetime | None = None
) -> PreventionStatus:
    """Record what a member said at a visit about a prevention programme (e.g. 'I had my screening')."""
    at = _now(at)
    household = Household.objects.filter(members__person=person, members__left_at__isnull=True).first()
    if household is None or not rules.may_visit(by, household):
        raise PermissionDenied("Only the worker of this person's household can record this.")
    if programme not in Programme.values or status not in GapStatus.values:
        raise HouseholdError("Unknown programme or status.")
    result = _set_prevention_status(person, programme, status, None, GapSource.SELF_REPORTED, at)
    record_event(by=by, at=at, action="households.self_reported_status", target=person, programme=programme)
    return result


def log_refused_opening(
    *, household: Household, by: User, path: str = "", at: datetime.datetime | None = None
) -> None:
    """Record that someone tried to open a household outside their patch (the refusal is logged)."""
    record_event(by=by, at=_now(at), action="households.open_refused", target=household, path=path[:200])


# ------------------------------------------------------------------------------------ bulk writes


@dataclass(frozen=True)
class HouseholdRow:
    """One household to onboard in bulk: the address, the patch, and its members with relationships."""

    reference: str
    address: str
    street: str
    postcode: str
    patch: Patch | None
    consents_to_visits: bool = True
    members: tuple[tuple[int, str], ...] = ()  # (person id, relationship)


@transaction.atomic
def register_households(
    *, rows: list[HouseholdRow], by: User | None, at: datetime.datetime | None = None
) -> list[Household]:
    """Onboard many households at once, all or nothing, with one audit event for the batch.

    The rows must already be checked (postcodes loaded, references free): a bad row raises HouseholdError
    and nothing is kept.
    """
    at = _now(at)
    if by is not None and not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can onboard households.")
    postcodes = {row.reference: normalise_postcode(row.postcode) for row in rows}
    lsoas = lsoa_ids_of(postcodes.values())
    households = []
    for row in rows:
        postcode = postcodes[row.reference]
        if postcode not in lsoas:
            raise HouseholdError(f"{postcode} is not a postcode in the area this service covers.")
        households.append(
            Household(
                reference=row.reference,
                address=row.address.strip(),
                street=row.street.strip(),
                postcode=postcode,
                lsoa_id=lsoas[postcode],
                patch=row.patch,
                consents_to_visits=row.consents_to_visits,
                consent_recorded_at=at,
                registered_at=at,
                status_changed_at=at,
            )
        )
    references = [household.reference for household in households]
    if len(set(references)) != len(references) or Household.objects.filter(reference__in=references).exists():
        raise HouseholdError("A reference is used twice, or is already taken.")
    Household.objects.bulk_create(households, batch_size=1000)
    saved = dict(Household.objects.filter(reference__in=references).values_list("reference", "pk"))
    person_ids = [person_id for row in rows for person_id, _ in row.members]
    Member.objects.filter(person_id__in=person_ids, left_at__isnull=True).update(left_at=at)
    Member.objects.bulk_create(
        [
            Member(
                household_id=saved[row.reference],
                person_id=person_id,
                relationship=relationship,
                joined_at=at,
            )
            for row in rows
            for person_id, relationship in row.members
        ],
        batch_size=1000,
    )
    record_event(by=by, at=at, action="households.register_households", count=len(rows))
    return list(Household.objects.filter(reference__in=references))


@dataclass(frozen=True)
class PastVisit:
    """A visit from a programme's earlier records, brought over in bulk."""

    household_id: int
    chw_id: int
    patch_id: int | None
    visited_at: datetime.datetime
    outcome: str
    reasons: tuple[str, ...]
    seen: tuple[int, ...] = ()


@transaction.atomic
def import_visit_history(
    *, visits: list[PastVisit], by: User | None, at: datetime.datetime | None = None
) -> int:
    """Bring over visits from a programme's earlier records, all or nothing, with one audit event.

    Used when a programme moves to Commonweal (and by the demo and the benchmark). Needs found then were
    handled then: no referral is made from history.
    """
    at = _now(at)
    if by is not None and not rules.may_manage_households(by):
        raise PermissionDenied("Only an administrator can import visit history.")
    if any(visit.outcome not in VisitOutcome.values for visit in visits):
        raise HouseholdError("A visit has an unknown outcome.")
    created = Visit.objects.bulk_create(
        [
            Visit(
                household_id=visit.household_id,
                chw_id=visit.chw_id,
                patch_id=visit.patch_id,
                chw_patch_id=visit.patch_id,
                visited_at=visit.visited_at,
                recorded_at=visit.visited_at,
                reasons=list(visit.reasons),
                outcome=visit.outcome,
                reviewed_at=visit.visited_at,
            )
            for visit in visits
        ],
        batch_size=1000,
    )
    if any(visit.seen for visit in visits):
        ids = dict(
            Visit.objects.filter(client_id__in=[v.client_id for v in created]).values_list("client_id", "pk")
        )
        MemberCheck.objects.bulk_create(
            [
                MemberCheck(visit_id=ids[made.client_id], person_id=person_id)
                for made, visit in zip(created, visits, strict=True)
                for person_id in visit.seen
            ],
            batch_size=1000,
        )
    record_event(by=by, at=at, action="households.import_visit_history", count=len(visits))
    return len(created)
