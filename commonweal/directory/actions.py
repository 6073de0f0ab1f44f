"""Write use cases for the directory: entries, checks, suggestions, claims, reviews and reminders.

Every change to an entry goes through `_save_version`, which stores the full ORUK document with who
changed what and how, so each entry keeps its whole history; and through `index_services`, so search
sees it at once.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.audit.actions import record_event
from commonweal.directory import importers, oruk, rules, tasks
from commonweal.directory.models import (
    Accessibility,
    Contact,
    CostOption,
    DirectoryOrganisation,
    ImportRun,
    Language,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceVersion,
    Suggestion,
    TaxonomyTerm,
)
from commonweal.directory.queries import pending_claim_exists, stale_services
from commonweal.directory.search.schedule import DAY_NAMES, ScheduleError, minutes_of
from commonweal.directory.search_index import index_services
from commonweal.organisations.models import Organisation
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.places.queries import point_of
from commonweal.ui.forms import LONG_TEXT_MAX
from commonweal.ui.site import absolute

# The fields a person edits on the entry form (and may propose in a suggestion).
SIMPLE_FIELDS = (
    "name",
    "description",
    "url",
    "email",
    "status",
    "fees_description",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "accepting_referrals",
    "waiting_list_band",
    "alert",
)
_DAY_WORDS = {name.lower(): code for code, name in DAY_NAMES.items()} | {
    name.lower()[:3]: code for code, name in DAY_NAMES.items()
}
_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "last": "-1"}
_ORDINAL_WORDS = {code: word for word, code in _ORDINALS.items()}
# "Tuesday 18:00-20:00" (every week), "Monthly on Tuesday 18:00-20:00", "Monthly on the first Tuesday …".
_SESSION_LINE = re.compile(
    r"^\s*(?:(monthly)(?:\s+on)?(?:\s+the)?\s+(?:(first|second|third|fourth|last)\s+)?)?"
    r"([A-Za-z]+)\s+(\d{1,2}[:.]?\d{2})\s*(?:-|–|to)\s*(\d{1,2}[:.]?\d{2})\s*$",
    re.IGNORECASE,
)
Session = tuple[str, str, datetime.time, datetime.time]  # (freq, byday, opens, closes), one day each


class EntryError(ValueError):
    """Entry data that cannot be saved; the message says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


def parse_sessions(text: str) -> list[Session]:
    """Read sessions written one per line, like "Tuesday 18:00-20:00" or "Monthly on the first Tuesday
    10:00-12:00"."""
    found: list[Session] = []
    for line in (line for line in text.splitlines() if line.strip()):
        match = _SESSION_LINE.match(line)
        day = _DAY_WORDS.get(match.group(3).lower()) if match else None
        if not match or day is None:
            raise EntryError(
                "sessions",
                f"“{line.strip()}” is not a session; write one per line, like Tuesday 18:00-20:00 or "
                "Monthly on the first Tuesday 10:00-12:00.",
            )
        try:
            opens = minutes_of(match.group(4).replace(".", ":"))
            closes = minutes_of(match.group(5).replace(".", ":"))
        except ScheduleError as error:
            raise EntryError("sessions", str(error)) from error
        if closes <= opens:
            raise EntryError("sessions", f"In “{line.strip()}” the session must end after it starts.")
        monthly = bool(match.group(1))
        byday = f"{_ORDINALS[match.group(2).lower()]}{day}" if monthly and match.group(2) else day
        found.append(
            (
                Schedule.Freq.MONTHLY if monthly else Schedule.Freq.WEEKLY,
                byday,
                datetime.time(opens // 60, opens % 60),
                datetime.time(closes // 60, closes % 60),
            )
        )
    return found


def sessions_of(schedule: Schedule) -> list[Session]:
    """Return a schedule as the one-day sessions the form writes, or [] when the form cannot show it
    (a closure, an event without times, another frequency): such schedules are left as they are."""
    if schedule.is_closure or not schedule.opens_at or not schedule.closes_at or not schedule.byday:
        return []
    if schedule.freq not in (Schedule.Freq.WEEKLY, Schedule.Freq.MONTHLY):
        return []
    days = [day.strip().upper() for day in schedule.byday.split(",") if day.strip()]
    if not all(day[-2:] in DAY_NAMES and (day[:-2] == "" or day[:-2] in _ORDINAL_WORDS) for day in days):
        return []
    if schedule.freq == Schedule.Freq.WEEKLY and any(day[:-2] for day in days):
        return []
    return [(schedule.freq, day, schedule.opens_at, schedule.closes_at) for day in days]


def session_line(session: Session) -> str:
    """Write a session the way parse_sessions reads it back."""
    freq, byday, opens, closes = session
    times = f"{opens:%H:%M}-{closes:%H:%M}"
    day = DAY_NAMES[byday[-2:]]
    if freq == Schedule.Freq.WEEKLY:
        return f"{day} {times}"
    ordinal = _ORDINAL_WORDS.get(byday[:-2])
    return f"Monthly on the {ordinal} {day} {times}" if ordinal else f"Monthly on {day} {times}"


def service_schedules(service: Service) -> QuerySet[Schedule]:
    """The service's own schedules and those of its places (ORUK allows both), in a stable order."""
    return Schedule.objects.filter(Q(service=service) | Q(service_at_location__service=service)).order_by(
        "pk"
    )


def _comparable(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if key != "last_modified"}


def _save_version(
    service: Service, *, by: User | None, via: str, note: str = "", at: datetime.datetime
) -> ServiceVersion | None:
    """Store the entry's document as a new version if it differs from the last one; return it."""
    service = oruk.full_services(Service.objects.filter(pk=service.pk)).get()
    document = oruk.service_document(service)
    last = service.versions.order_by("-number").first()
    if last is not None and _comparable(last.document) == _comparable(document) and via != "checked":
        return None
    changed = sorted(
        key
        for key in set(document) | set(last.document if last else {})
        if key != "last_modified" and (last is None or last.document.get(key) != document.get(key))
    )
    return ServiceVersion.objects.create(
        service=service,
        number=(last.number + 1) if last else 1,
        via=via,
        document=document,
        changed_fields=changed,
        changed_by=by,
        changed_at=at,
        note=note,
    )


def _point_of(postcode_text: str) -> tuple[str, float | None, float | None, int | None]:
    if not postcode_text.strip():
        return "", None, None, None
    try:
        postcode = normalise_postcode(postcode_text)
    except MalformedPostcodeError as error:
        raise EntryError("postcode", str(error)) from error
    found = point_of(postcode)
    if found is None:
        return postcode, None, None, None
    return postcode, found.latitude, found.longitude, found.lsoa_id


def _apply_simple_fields(service: Service, fields: dict[str, Any], at: datetime.datetime) -> None:
    for name in SIMPLE_FIELDS:
        if name in fields:
            value = fields[name]
            if name in {"minimum_age", "maximum_age"}:
                value = int(value) if value not in (None, "") else None
            setattr(
                service,
                name,
                value if value is not None else ("" if name not in {"minimum_age", "maximum_age"} else None),
            )
    if service.accepting_referrals != Service.Referrals.WAITING_LIST:
        service.waiting_list_band = ""
    elif not service.waiting_list_band:
        service.waiting_list_band = Service.WaitingBand.UNKNOWN
    service.last_modified = at
    service.save()


def _apply_terms(service: Service, values: list[Any]) -> None:
    ServiceTerm.objects.filter(service=service).delete()
    for term in TaxonomyTerm.objects.filter(pk__in=[int(value) for value in values]).order_by("pk"):
        ServiceTerm.objects.create(service=service, term=term)


def _apply_sessions(service: Service, text: str) -> None:
    wanted = parse_sessions(text)
    # Unchanged sessions keep their records (and ORUK ids), wherever they are held (on the service or at
    # one of its places), so history shows only what really changed; a schedule the form cannot show
    # (a closure, an event without times) is never touched. A schedule of several days that lost one
    # is replaced by its remaining days.
    for schedule in service_schedules(service):
        sessions = sessions_of(schedule)
        if not sessions:
            continue
        if all(session in wanted for session in sessions):
            for session in sessions:
                wanted.remove(session)
        else:
            schedule.delete()
    for freq, day, opens, closes in wanted:
        Schedule.objects.create(
            service=service,
            freq=freq,
            interval=1,
            byday=day,
            opens_at=opens,
            closes_at=closes,
        )


def _apply_cost(service: Service, value: Any) -> None:
    text = str(value or "").strip().lstrip("£")
    try:
        amount = Decimal(text) if text else None
    except InvalidOperation as error:
        raise EntryError("cost", "Enter the cost in pounds, like 3.50, or 0 if it is free.") from error
    existing = list(CostOption.objects.filter(service=service))
    if not (len(existing) == 1 and amount is not None and existing[0].amount == amount):
        CostOption.objects.filter(service=service).delete()
        if amount is not None:
            CostOption.objects.create(
                service=service, amount=amount, option="Free" if amount == 0 else "Per session"
            )


def _apply_languages(service: Service, value: Any) -> None:
    names = [part.strip()[:100] for part in str(value or "").split(",") if part.strip()]
    for language in Language.objects.filter(service=service):
        if language.name in names:
            names.remove(language.name)
        else:
            language.delete()
    for name in names:
        Language.objects.create(service=service, name=name)


def _apply_location(service: Service, fields: dict[str, Any]) -> None:
    link = service.service_at_locations.select_related("location").first()
    location = link.location if link else Location(location_type=Location.Kind.PHYSICAL)
    postcode, latitude, longitude, lsoa_id = _point_of(
        str(fields.get("postcode", location.postal_code) or "")
    )
    location.name = str(fields.get("location_name", location.name) or "")
    location.address_1 = str(fields.get("address_1", location.address_1) or "")
    location.city = str(fields.get("city", location.city) or "")
    location.postal_code = postcode
    location.latitude, location.longitude, location.lsoa_id = latitude, longitude, lsoa_id
    location.save()
    if link is None:
        ServiceAtLocation.objects.create(service=service, location=location)
    if "accessibility" in fields:
        Accessibility.objects.filter(location=location).delete()
        for feature in fields["accessibility"] or []:
            Accessibility.objects.create(
                location=location, feature=feature, description=Accessibility.Feature(feature).label
            )


def _apply_contact(service: Service, fields: dict[str, Any]) -> None:
    Contact.objects.filter(service=service).delete()
    if fields.get("contact_name") or fields.get("contact_phone") or fields.get("contact_email"):
        Contact.objects.create(
            service=service,
            name=str(fields.get("contact_name") or ""),
            phone=str(fields.get("contact_phone") or ""),
            email=str(fields.get("contact_email") or ""),
        )


def _apply(service: Service, fields: dict[str, Any], at: datetime.datetime) -> None:
    """Apply simple field values (as the entry form gives them) to a saved service and its parts."""
    _apply_simple_fields(service, fields, at)
    if "terms" in fields:
        _apply_terms(service, fields["terms"])
    if "sessions" in fields:
        _apply_sessions(service, fields["sessions"] or "")
    if "cost" in fields:
        _apply_cost(service, fields["cost"])
    if "languages" in fields:
        _apply_languages(service, fields["languages"])
    if any(key in fields for key in ("location_name", "address_1", "city", "postcode", "accessibility")):
        _apply_location(service, fields)
    if any(key in fields for key in ("contact_name", "contact_phone", "contact_email")):
        _apply_contact(service, fields)


def _reindex(service: Service) -> None:
    # Indexing is part of the same transaction, so search never sees an entry its index does not.
    index_services([service.pk])


@transaction.atomic
def create_service(
    *,
    by: User,
    organisation_name: str,
    fields: dict[str, Any],
    owner: Organisation | None = None,
    at: datetime.datetime | None = None,
) -> Service:
    """Add an entry to the directory (a steward, or an organisation for itself)."""
    at = at or timezone.now()
    if not rules.may_add_service(by, owner):
        raise PermissionDenied(
            "Only directory stewards and community organisations can add entries directly."
        )
    organisation = DirectoryOrganisation.objects.filter(name__iexact=organisation_name.strip()).first()
    if organisation is None:
        organisation = DirectoryOrganisation.objects.create(
            name=organisation_name.strip(), description=organisation_name.strip(), organisation=owner
        )
    service = Service.objects.create(
        organisation=organisation,
        name=str(fields.get("name", "")),
        owner=owner,
        created_at=at,
        last_modified=at,
        last_checked_at=at,
        last_checked_by=by,
    )
    _apply(service, fields, at)
    _save_version(service, by=by, via=ServiceVersion.Via.CREATED, at=at)
    _reindex(service)
    record_event(by=by, at=at, action="directory.create_service", target=service, name=service.name)
    return service


@transaction.atomic
def update_service(
    *, service: Service, by: User, fields: dict[str, Any], note: str = "", at: datetime.datetime | None = None
) -> ServiceVersion | None:
    """Change an entry (its owner organisation or a steward); an edit also counts as a check."""
    at = at or timezone.now()
    if not rules.may_edit_service(by, service):
        raise PermissionDenied(
            "Only the organisation that owns this entry, or a directory steward, can change it."
        )
    _apply(service, fields, at)
    service.last_checked_at = at
    service.last_checked_by = by
    service.save(update_fields=["last_checked_at", "last_checked_by"])
    version = _save_version(service, by=by, via=ServiceVersion.Via.EDITED, note=note, at=at)
    _reindex(service)
    record_event(
        by=by,
        at=at,
        action="directory.update_service",
        target=service,
        changed=version.changed_fields if version else [],
    )
    return version


@transaction.atomic
def confirm_checked(*, service: Service, by: User, at: datetime.datetime | None = None) -> None:
    """Record that the entry was checked and is still right (its owner organisation or a steward)."""
    at = at or timezone.now()
    if not rules.may_edit_service(by, service):
        raise PermissionDenied(
            "Only the organisation that owns this entry, or a directory steward, can confirm it."
        )
    service.last_checked_at = at
    service.last_checked_by = by
    service.last_reminded_at = None
    service.save(update_fields=["last_checked_at", "last_checked_by", "last_reminded_at"])
    _save_version(service, by=by, via=ServiceVersion.Via.CHECKED, note="Checked and confirmed", at=at)
    record_event(by=by, at=at, action="directory.confirm_checked", target=service)


@transaction.atomic
def suggest(
    *,
    by: User,
    kind: str,
    fields: dict[str, Any],
    note: str = "",
    service: Service | None = None,
    at: datetime.datetime | None = None,
) -> Suggestion:
    """Record a resident's or organisation's proposed new entry or change; nothing changes until reviewed."""
    at = at or timezone.now()
    if not rules.may_suggest(by):
        raise PermissionDenied("Sign in to suggest an entry or a change.")
    for name, value in {**fields, "note": note}.items():
        if isinstance(value, str) and len(value) > LONG_TEXT_MAX:
            raise EntryError(name, f"Keep this to {LONG_TEXT_MAX:,} characters or fewer.")
    suggestion = Suggestion.objects.create(
        kind=kind, service=service, proposed=fields, note=note, suggested_by=by, suggested_at=at
    )
    record_event(by=by, at=at, action="directory.suggest", target=suggestion, kind=kind)
    return suggestion


class AlreadyClaimedError(ValueError):
    """The organisation has already asked to look after the entry, and a steward has not yet answered."""


@transaction.atomic
def claim(
    *,
    service: Service,
    organisation: Organisation,
    by: User,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Suggestion:
    """Ask to become the owner of an entry; a steward approves it (an organisation asks only once)."""
    at = at or timezone.now()
    if not rules.may_claim(by, service, organisation):
        raise PermissionDenied("Only a member of an organisation can ask for it to look after an entry.")
    if pending_claim_exists(service, organisation.pk):
        raise AlreadyClaimedError("Your organisation has already asked to look after this entry.")
    suggestion = Suggestion.objects.create(
        kind=Suggestion.Kind.CLAIM,
        service=service,
        claiming_organisation=organisation,
        note=note,
        suggested_by=by,
        suggested_at=at,
    )
    record_event(by=by, at=at, action="directory.claim", target=suggestion, organisation=organisation.name)
    return suggestion


@transaction.atomic
def review_suggestion(
    *, suggestion: Suggestion, by: User, accept: bool, note: str = "", at: datetime.datetime | None = None
) -> Service | None:
    """Accept or reject a suggestion (a steward); accepting applies it and records it in the history."""
    at = at or timezone.now()
    if not rules.may_review_suggestion(by, suggestion):
        raise PermissionDenied("Only a directory steward can review suggestions.")
    suggestion = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.state != Suggestion.State.PENDING:
        raise EntryError("suggestion", "This suggestion has already been reviewed.")
    service = suggestion.service
    if accept:
        if suggestion.kind == Suggestion.Kind.NEW:
            fields = dict(suggestion.proposed)
            organisation_name = str(fields.pop("organisation_name", "") or "Community group")
            service = create_service(by=by, organisation_name=organisation_name, fields=fields, at=at)
            suggestion.service = service
        elif suggestion.kind == Suggestion.Kind.CHANGE and service is not None:
            _apply(service, dict(suggestion.proposed), at)
            _save_version(
                service,
                by=by,
                via=ServiceVersion.Via.SUGGESTION,
                note=f"Suggested by {suggestion.suggested_by}",
                at=at,
            )
            _reindex(service)
        elif suggestion.kind == Suggestion.Kind.CLAIM and service is not None:
            service.owner = suggestion.claiming_organisation
            service.save(update_fields=["owner"])
            service.organisation.organisation = suggestion.claiming_organisation
            service.organisation.save(update_fields=["organisation"])
            ServiceVersion.objects.create(
                service=service,
                number=(service.versions.count() and service.versions.order_by("-number")[0].number) + 1,
                via=ServiceVersion.Via.CLAIMED,
                document=oruk.service_document(
                    oruk.full_services(Service.objects.filter(pk=service.pk)).get()
                ),
                changed_by=by,
                changed_at=at,
                note=f"Claimed by {suggestion.claiming_organisation}",
            )
    suggestion.state = Suggestion.State.ACCEPTED if accept else Suggestion.State.REJECTED
    suggestion.reviewed_by = by
    suggestion.reviewed_at = at
    suggestion.review_note = note
    suggestion.save()
    record_event(by=by, at=at, action="directory.review_suggestion", target=suggestion, accepted=accept)
    return service


@transaction.atomic
def queue_import(
    *,
    by: User,
    format: str,
    source: str,
    payload: bytes | None = None,
    partial: bool = False,
    at: datetime.datetime | None = None,
) -> ImportRun:
    """Record an import run (a steward: `start_import` refuses anyone else) and queue it once it is saved."""
    at = at or timezone.now()
    run = importers.start_import(by=by, format=format, source=source, payload=payload, partial=partial, at=at)
    # The worker reads the run from the database, so it is queued only once the run is committed.
    transaction.on_commit(lambda: tasks.run_import_task.enqueue(run.pk))
    return run


def _owner_addresses(service: Service) -> list[str]:
    if service.owner_id is None:
        return []
    emails = RoleAssignment.objects.filter(
        organisation_id=service.owner_id, role=Role.ORGANISATION_MEMBER, user__is_active=True
    ).values_list("user__email", flat=True)
    found = sorted(set(emails))
    owner = service.owner
    if not found and owner is not None and owner.email:
        found = [owner.email]
    return found


def send_stale_reminders(*, by: User | None = None, at: datetime.datetime | None = None) -> list[Service]:
    """E-mail the owner of each stale entry, at most once per stale period; return those reminded."""
    moment = at or timezone.now()
    reminded = []
    for service in stale_services(moment).select_related("owner").order_by("pk"):
        if service.last_reminded_at and moment - service.last_reminded_at < datetime.timedelta(days=30):
            continue
        addresses = _owner_addresses(service)
        if not addresses:
            continue
        link = absolute(reverse("directory:service", kwargs={"pk": service.pk}))
        checked = service.last_checked_at.date().isoformat() if service.last_checked_at else "never"
        with transaction.atomic():
            send_mail(
                subject=f"Please check your directory entry: {service.name}",
                message=(
                    f"Your entry “{service.name}” in the {settings.COMMONWEAL_SERVICE_NAME} community "
                    f"directory was last checked on {checked}. People rely on it being right.\n\n"
                    f"Please sign in and check it, then press “Confirm it is up to date”: {link}\n"
                ),
                from_email=None,
                recipient_list=addresses,
            )
            service.last_reminded_at = moment
            service.save(update_fields=["last_reminded_at"])
            record_event(by=by, at=moment, action="directory.stale_reminder", target=service, to=addresses)
        reminded.append(service)
    return reminded
