"""Write use cases for assemblies and steering groups: set up, invite, register, set quotas, select,
replace; then members, sessions, evidence, recommendations, votes, responses and delivery."""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.assemblies import queries, rules, tasks
from commonweal.assemblies.core import invitations as lottery
from commonweal.assemblies.core import selection as sortition
from commonweal.assemblies.core.features import ASKED_FEATURES, FEATURES, resolve_feature
from commonweal.assemblies.core.pool import SelectionInputError, check_problem
from commonweal.assemblies.core.quotas import (
    PopulationShare,
    parse_population_shares,
    quotas_from_population_shares,
)
from commonweal.assemblies.errors import NOT_YOURS, AssemblyError, require_stage
from commonweal.assemblies.models import (
    PRIVACY_NOTICE_VERSION,
    Assembly,
    Body,
    DeliveryUpdate,
    EvidenceItem,
    Invitation,
    InvitationRound,
    Membership,
    Quota,
    Recommendation,
    Registration,
    Replacement,
    Response,
    Selection,
    SelectionRequest,
    Session,
    Vote,
)
from commonweal.assemblies.selection_run import (
    _add_residents,
    carry_out_selection,  # noqa: F401 (the demo and tests run a queued request through here)
    distribution_json,
    run_selection,  # noqa: F401 (an action, kept beside the others)
    selection_error,
)
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.places.queries import postcodes_in
from commonweal.ui.forms import LONG_TEXT_MAX

# A selection still pending after this long has lost its worker (a restart, a crash): another may start.
STALE_SELECTION = datetime.timedelta(minutes=30)
# Codes people type from a letter: no 0/O, 1/I/L, so nothing can be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
Stage = Assembly.Stage


def _clock(at: datetime.datetime | None) -> datetime.datetime:
    """Return the time an action writes: `at` when given, else now (read once per call)."""
    return at if at is not None else timezone.now()


@transaction.atomic
def create_assembly(
    *,
    place: Area,
    name: str,
    remit: str,
    panel_size: int,
    quota_features: Sequence[str],
    responsible_organisation: Organisation | None = None,
    people_per_letter: int = 2,
    one_per_household: bool = True,
    registration_closes_on: datetime.date | None = None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Assembly:
    """Set up a citizens' assembly for a place: its question, panel size and the features with quotas."""
    now = _clock(at)
    if not rules.may_run_in_place(by, place):
        raise PermissionDenied(NOT_YOURS)
    unknown = [code for code in quota_features if code not in FEATURES]
    if unknown:
        raise AssemblyError(f"Unknown quota features: {', '.join(unknown)}.", field="quota_features")
    if not quota_features:
        raise AssemblyError("Choose at least one feature to set quotas on.", field="quota_features")
    if {"deprivation_decile", "deprivation_quintile"} <= set(quota_features):
        raise AssemblyError("Choose deprivation by decile or by quintile, not both.", field="quota_features")
    body = Body.objects.create(
        kind=Body.Kind.ASSEMBLY,
        name=name,
        place=place,
        remit=remit,
        responsible_organisation=responsible_organisation,
        created_by=by,
        created_at=now,
    )
    assembly = Assembly.objects.create(
        body=body,
        panel_size=panel_size,
        people_per_letter=people_per_letter,
        one_per_household=one_per_household,
        quota_features=list(quota_features),
        registration_closes_on=registration_closes_on,
    )
    record_event(
        by=by,
        at=now,
        action="participation.create_assembly",
        target=assembly,
        place=place.code,
        panel_size=panel_size,
        quota_features=list(quota_features),
    )
    return assembly


def _new_code(source: random.Random, taken: set[str]) -> str:
    while True:
        code = "".join(source.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


@transaction.atomic
def draw_invitations(
    *,
    assembly: Assembly,
    postcodes: int,
    letters_per_postcode: int,
    seed: int,
    by: User | None,
    at: datetime.datetime | None = None,
    code_source: random.Random | None = None,
) -> InvitationRound:
    """Draw postcodes by stratified lottery and make one coded letter per address; opens registration.

    `code_source` makes the codes reproducible (the demo); by default they come from the operating
    system, because a guessable code would let anyone register.
    """
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = (
        Assembly.objects.select_for_update(of=("self",)).select_related("body__place").get(pk=assembly.pk)
    )
    require_stage(
        assembly,
        (Stage.SETTING_UP, Stage.RECRUITING),
        "Registration has closed, so no more invitations can be sent.",
    )
    if postcodes < 1:
        raise AssemblyError("Draw at least one postcode.", field="postcodes")
    if not 1 <= letters_per_postcode <= 20:
        raise AssemblyError("Send between 1 and 20 letters to each postcode.", field="letters_per_postcode")
    frame = queries.invitation_frame(assembly)
    try:
        draw = lottery.draw_invitations(frame.postcodes, postcodes, seed)
    except SelectionInputError as error:
        raise AssemblyError(str(error), field="postcodes") from error
    number = (assembly.invitation_rounds.aggregate(last=Max("number"))["last"] or 0) + 1
    invitation_round = InvitationRound.objects.create(
        assembly=assembly,
        number=number,
        seed=seed,
        postcodes_drawn=postcodes,
        letters_per_postcode=letters_per_postcode,
        stratified_by=frame.stratified_by,
        allocation=[
            {"stratum": entry.stratum, "postcodes": entry.postcodes, "drawn": entry.drawn}
            for entry in draw.allocations
        ],
        drawn_by=by,
        drawn_at=now,
    )
    # The frame is the place's own postcodes, so every drawn one is among them.
    postcode_rows = postcodes_in(assembly.body.place.lsoas.all()).in_bulk(
        [entry.postcode for entry in draw.postcodes], field_name="postcode"
    )
    source = code_source if code_source is not None else secrets.SystemRandom()
    taken = set(Invitation.objects.values_list("code", flat=True))
    Invitation.objects.bulk_create(
        [
            Invitation(
                round=invitation_round,
                assembly=assembly,
                code=_new_code(source, taken),
                postcode=postcode_rows[entry.postcode],
                stratum=entry.stratum,
                letter_number=letter,
                letters_at_postcode=letters_per_postcode,
            )
            for entry in draw.postcodes
            for letter in range(1, letters_per_postcode + 1)
        ]
    )
    if assembly.stage == Stage.SETTING_UP:
        assembly.stage = Stage.RECRUITING
        assembly.save(update_fields=["stage"])
    record_event(
        by=by,
        at=now,
        action="participation.draw_invitations",
        target=assembly,
        round=number,
        seed=seed,
        postcodes=postcodes,
        letters=postcodes * letters_per_postcode,
    )
    return invitation_round


def normalise_code(text: str) -> str:
    """Return a letter's code as stored: capitals, no spaces or dashes."""
    return "".join(character for character in text.upper() if character.isalnum())


@transaction.atomic
def register_volunteer(
    *,
    assembly: Assembly,
    code: str,
    postcode: str,
    full_name: str,
    email: str,
    phone: str,
    answers: Mapping[str, str],
    consent: bool,
    by: User | None = None,
    at: datetime.datetime | None = None,
) -> Registration:
    """Add someone invited by letter to the volunteer pool, with their answers and their consent."""
    now = _clock(at)
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    if not assembly.is_registration_open:
        raise AssemblyError("Registration for this assembly is closed.")
    invitation = (
        assembly.invitations.select_related("postcode__lsoa").filter(code=normalise_code(code)).first()
    )
    if invitation is None:
        raise AssemblyError(
            "We cannot find this code. Enter the 8 letters and numbers printed on your letter, "
            "for example KQ7M-2HXP.",
            field="code",
        )
    try:
        typed_postcode = normalise_postcode(postcode)
    except MalformedPostcodeError as error:
        raise AssemblyError(str(error), field="postcode") from error
    if typed_postcode != invitation.postcode.postcode:
        raise AssemblyError(
            "This postcode does not match the letter with this code. "
            "Enter the postcode the letter was sent to.",
            field="postcode",
        )
    registered = invitation.registrations.filter(withdrawn_at__isnull=True).count()
    if registered >= assembly.people_per_letter:
        raise AssemblyError(
            f"{registered} people have already registered with this letter, the most it allows.", field="code"
        )
    if not email and not phone:
        raise AssemblyError(
            "Enter an e-mail address or a phone number, so that we can tell you if you are selected.",
            field="email",
        )
    codes: dict[str, str] = {}
    for feature in ASKED_FEATURES:
        answer = feature.resolve(answers.get(feature.code, ""))
        if answer is None:
            raise AssemblyError(f"Answer the question: {feature.question}", field=feature.code)
        codes[feature.code] = answer
    if not consent:
        raise AssemblyError(
            "Tick the box to agree to us keeping your answers as the privacy notice describes.",
            field="consent",
        )
    number = (assembly.registrations.aggregate(last=Max("number"))["last"] or 0) + 1
    lsoa = invitation.postcode.lsoa
    registration = Registration.objects.create(
        assembly=assembly,
        invitation=invitation,
        number=number,
        full_name=full_name,
        email=email,
        phone=phone,
        age_band=codes["age"],
        sex=codes["sex"],
        ethnicity=codes["ethnicity"],
        disability=codes["disability"],
        lsoa=lsoa,
        deprivation_decile=lsoa.imd_decile,
        consent_given_at=now,
        privacy_notice_version=PRIVACY_NOTICE_VERSION,
        registered_at=now,
    )
    # No personal data in the audit detail: the registration row holds it, and can be erased.
    record_event(by=by, at=now, action="participation.register_volunteer", target=registration, number=number)
    return registration


@transaction.atomic
def withdraw_registration(
    *, registration: Registration, reason: str, by: User | None, at: datetime.datetime | None = None
) -> Registration:
    """Take a volunteer out of the pool at their request (before they are on the panel)."""
    now = _clock(at)
    if not rules.may_run_body(by, registration.assembly.body):
        raise PermissionDenied(NOT_YOURS)
    if registration.withdrawn_at is not None:
        raise AssemblyError(f"{registration.pseudonym} has already withdrawn.")
    if registration.memberships.filter(left_on__isnull=True).exists():
        raise AssemblyError(
            f"{registration.pseudonym} is on the panel: record that they have left the panel instead."
        )
    registration.withdrawn_at = now
    registration.withdrawal_reason = reason
    registration.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    record_event(by=by, at=now, action="participation.withdraw_registration", target=registration)
    return registration


@transaction.atomic
def close_registration(
    *, assembly: Assembly, by: User | None, at: datetime.datetime | None = None
) -> Assembly:
    """Close the pool: nobody else can register, and the panel can be selected from who has."""
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    require_stage(assembly, (Stage.RECRUITING,), "Registration is not open.")
    volunteers = queries.pool(assembly).count()
    if volunteers < assembly.panel_size:
        raise AssemblyError(
            f"Only {volunteers} people have registered, fewer than the panel's {assembly.panel_size} seats. "
            "Send more invitations before closing registration."
        )
    assembly.stage = Stage.POOL_CLOSED
    assembly.registration_closed_at = now
    assembly.save(update_fields=["stage", "registration_closed_at"])
    record_event(by=by, at=now, action="participation.close_registration", target=assembly, pool=volunteers)
    return assembly


def population_shares_for(assembly: Assembly, rows: Iterable[dict[str, str]]) -> list[tuple[str, str, float]]:
    """Read a population-share table and return (feature code, value code, share) for every value.

    Features and values may be given by code or by name; a value the table leaves out gets a share of 0.
    """
    try:
        shares = parse_population_shares(rows)
    except SelectionInputError as error:
        raise AssemblyError(str(error), field="table") from error
    wanted = assembly.features()
    wanted_codes = [feature.code for feature in wanted]
    found: dict[tuple[str, str], float] = {}
    for line, share in enumerate(shares, start=2):
        feature = resolve_feature(share.feature)
        if feature is None or feature.code not in wanted_codes:
            names = ", ".join(feature.label for feature in wanted)
            raise AssemblyError(
                f"Row {line}: {share.feature!r} is not one of this assembly's quota features ({names}).",
                field="table",
            )
        value = feature.resolve(share.value)
        if value is None:
            values = ", ".join(entry.label for entry in feature.values)
            raise AssemblyError(
                f"Row {line}: {share.value!r} is not a value of {feature.label} ({values}).", field="table"
            )
        if (feature.code, value) in found:
            raise AssemblyError(
                f"Row {line}: the share of {feature.label} = {feature.label_of(value)} is given twice.",
                field="table",
            )
        found[(feature.code, value)] = share.share
    missing = [feature.label for feature in wanted if not any(key[0] == feature.code for key in found)]
    if missing:
        raise AssemblyError(f"The table has no shares for {', '.join(missing)}.", field="table")
    return [
        (feature.code, value.code, found.get((feature.code, value.code), 0.0))
        for feature in wanted
        for value in feature.values
    ]


@transaction.atomic
def set_quotas(
    *,
    assembly: Assembly,
    rows: Iterable[dict[str, str]],
    tolerance_seats: int,
    source_name: str,
    by: User | None,
    at: datetime.datetime | None = None,
) -> list[Quota]:
    """Replace the quotas with targets from a population-share table: floor and ceiling of k x share,
    widened by the tolerance."""
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    require_stage(
        assembly,
        (Stage.SETTING_UP, Stage.RECRUITING, Stage.POOL_CLOSED),
        "The panel has been selected, so its quotas can no longer change.",
    )
    shares = population_shares_for(assembly, rows)
    try:
        targets = quotas_from_population_shares(
            [PopulationShare(feature, value, share) for feature, value, share in shares],
            assembly.panel_size,
            tolerance_seats=tolerance_seats,
        )
    except SelectionInputError as error:
        raise AssemblyError(str(error), field="table") from error
    assembly.quotas.all().delete()
    created = Quota.objects.bulk_create(
        [
            Quota(
                assembly=assembly,
                feature=target.feature,
                value=target.value,
                population_share=share,
                minimum=target.minimum,
                maximum=target.maximum,
                position=position,
            )
            for position, (target, (_, _, share)) in enumerate(zip(targets, shares, strict=True))
        ]
    )
    assembly.quota_tolerance_seats = tolerance_seats
    assembly.quota_source_name = source_name
    assembly.quotas_set_at = now
    assembly.save(update_fields=["quota_tolerance_seats", "quota_source_name", "quotas_set_at"])
    record_event(
        by=by,
        at=now,
        action="participation.set_quotas",
        target=assembly,
        source=source_name,
        tolerance_seats=tolerance_seats,
        quotas=[[quota.feature, quota.value, quota.minimum, quota.maximum] for quota in created],
    )
    return created


@transaction.atomic
def change_quota(
    *, quota: Quota, minimum: int, maximum: int, by: User | None, at: datetime.datetime | None = None
) -> Quota:
    """Set one quota's bounds by hand, e.g. to relax a quota that the feasibility check names."""
    now = _clock(at)
    if not rules.may_run_body(by, quota.assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = Assembly.objects.select_for_update().get(pk=quota.assembly_id)
    require_stage(
        assembly,
        (Stage.SETTING_UP, Stage.RECRUITING, Stage.POOL_CLOSED),
        "The panel has been selected, so its quotas can no longer change.",
    )
    if not 0 <= minimum <= maximum <= assembly.panel_size:
        raise AssemblyError(
            f"Quotas need 0 ≤ minimum ≤ maximum ≤ {assembly.panel_size} (the panel size).", field="minimum"
        )
    before = (quota.minimum, quota.maximum)
    quota.minimum, quota.maximum = minimum, maximum
    quota.save(update_fields=["minimum", "maximum"])
    record_event(
        by=by,
        at=now,
        action="participation.change_quota",
        target=assembly,
        quota=[quota.feature, quota.value],
        before=list(before),
        after=[minimum, maximum],
    )
    return quota


@transaction.atomic
def request_selection(
    *, assembly: Assembly, method: str, seed: int, by: User | None, at: datetime.datetime | None = None
) -> SelectionRequest:
    """Queue the selection of the panel with a method and a seed; a background task carries it out."""
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    if hasattr(assembly, "selection"):
        raise AssemblyError("The panel has already been selected; a selection is never re-run.")
    require_stage(assembly, (Stage.POOL_CLOSED,), "Close registration before selecting the panel.")
    if not assembly.quotas.exists():
        raise AssemblyError("Set the quotas before selecting the panel.")
    if method not in Selection.Method.values:
        raise AssemblyError("Choose a method.", field="method")
    if seed < 0 or seed >= 2**63:
        raise AssemblyError("The seed must be a whole number from 0 to 9223372036854775807.", field="seed")
    pending = assembly.selection_requests.filter(
        status__in=(SelectionRequest.Status.QUEUED, SelectionRequest.Status.RUNNING)
    )
    pending.filter(requested_at__lt=now - STALE_SELECTION).update(
        status=SelectionRequest.Status.FAILED,
        finished_at=now,
        error="It did not finish within 30 minutes, so the worker probably stopped. Nothing was saved.",
    )
    if pending.exists():
        raise AssemblyError("The selection is already running. Wait for it to finish.")
    try:
        check_problem(queries.selection_problem(assembly))
    except SelectionInputError as error:
        raise selection_error(error) from error
    queued = SelectionRequest.objects.create(
        assembly=assembly, method=method, seed=seed, requested_by=by, requested_at=now
    )
    transaction.on_commit(lambda: tasks.select_panel.enqueue(queued.pk))
    record_event(
        by=by, at=now, action="participation.request_selection", target=assembly, method=method, seed=seed
    )
    return queued


@transaction.atomic
def publish_panel(*, assembly: Assembly, by: User | None, at: datetime.datetime | None = None) -> Assembly:
    """Publish the selection: the seed, the lottery and every volunteer's chance become public."""
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = Assembly.objects.select_for_update().get(pk=assembly.pk)
    require_stage(assembly, (Stage.SELECTED,), "Only a selected, unpublished panel can be published.")
    assembly.stage = Stage.PUBLISHED
    assembly.published_at = now
    assembly.save(update_fields=["stage", "published_at"])
    record_event(by=by, at=now, action="participation.publish_panel", target=assembly)
    return assembly


@transaction.atomic
def draw_replacements(
    *, assembly: Assembly, seed: int, by: User | None, at: datetime.datetime | None = None
) -> Replacement:
    """Fill the seats of members who left with volunteers from the rest of the pool, within the quotas."""
    now = _clock(at)
    if not rules.may_run_body(by, assembly.body):
        raise PermissionDenied(NOT_YOURS)
    assembly = (
        Assembly.objects.select_for_update(of=("self",))
        .select_related("body", "selection")
        .get(pk=assembly.pk)
    )
    require_stage(assembly, (Stage.SELECTED, Stage.PUBLISHED), "Select the panel first.")
    if seed < 0 or seed >= 2**63:
        raise AssemblyError("The seed must be a whole number from 0 to 9223372036854775807.", field="seed")
    dropouts = queries.open_dropouts(assembly)
    if not dropouts:
        raise AssemblyError("No member has left since the last replacement draw.")
    staying = queries.current_panel(assembly)
    dropped = [membership.registration for membership in dropouts if membership.registration is not None]
    seated_before = set(
        Membership.objects.filter(body_id=assembly.pk, registration__isnull=False).values_list(
            "registration_id", flat=True
        )
    )
    # Anyone who has ever held a seat is not drawn again; the rest of the pool can be.
    candidates = [
        entry
        for entry in queries.pool(assembly).select_related("invitation")
        if entry.pk not in seated_before
    ]
    volunteers = sorted([*staying, *dropped, *candidates], key=lambda entry: entry.number)
    problem = queries.selection_problem(assembly, volunteers)
    method = sortition.Method(assembly.selection.method)
    if method is sortition.Method.LEGACY:
        method = sortition.Method.LEXIMIN
    try:
        outcome = sortition.replace_dropouts(
            problem,
            [str(entry.number) for entry in [*staying, *dropped]],
            [str(entry.number) for entry in dropped],
            seed,
            method=method,
        )
    except SelectionInputError as error:
        raise selection_error(error) from error
    drawn = sorted(int(number) for number in outcome.replacements)
    replacement = Replacement.objects.create(
        assembly=assembly,
        method=method.value,
        seed=seed,
        dropped=sorted(entry.number for entry in dropped),
        drawn=drawn,
        minimum_probability=outcome.result.minimum_probability,
        distribution=distribution_json(outcome.result.distribution),
        probabilities={entry.volunteer_id: entry.probability for entry in outcome.result.probabilities},
        created_by=by,
        created_at=now,
    )
    by_number = {entry.number: entry for entry in volunteers}
    _add_residents(assembly, [by_number[number] for number in drawn], Membership.Route.REPLACEMENT, now)
    record_event(
        by=by,
        at=now,
        action="participation.draw_replacements",
        target=assembly,
        seed=seed,
        dropped=replacement.dropped,
        drawn=drawn,
    )
    return replacement


def _long_date(day: datetime.date) -> str:
    """Return a date as people write it, e.g. `1 February 2026`."""
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def create_steering_group(
    *,
    place: Area,
    name: str,
    remit: str,
    responsible_organisation: Organisation | None = None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Body:
    """Set up a neighbourhood steering group for a place."""
    now = _clock(at)
    if not rules.may_run_in_place(by, place):
        raise PermissionDenied(NOT_YOURS)
    body = Body.objects.create(
        kind=Body.Kind.STEERING_GROUP,
        name=name,
        place=place,
        remit=remit,
        responsible_organisation=responsible_organisation,
        created_by=by,
        created_at=now,
    )
    record_event(by=by, at=now, action="participation.create_steering_group", target=body, place=place.code)
    return body


@transaction.atomic
def add_member(
    *,
    body: Body,
    full_name: str,
    role: str,
    affiliation: str,
    joined_on: datetime.date,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Membership:
    """Give someone a seat on a steering group."""
    now = _clock(at)
    if not rules.may_run_body(by, body):
        raise PermissionDenied(NOT_YOURS)
    if body.is_assembly:
        raise AssemblyError(
            "Members of a citizens' assembly are chosen by lottery: "
            "record who has left and draw replacements."
        )
    membership = Membership.objects.create(
        body=body,
        full_name=full_name,
        role=role,
        affiliation=affiliation,
        route=Membership.Route.APPOINTED,
        joined_on=joined_on,
    )
    record_event(
        by=by, at=now, action="participation.add_member", target=body, membership=membership.pk, role=role
    )
    return membership


@transaction.atomic
def end_membership(
    *,
    membership: Membership,
    left_on: datetime.date,
    reason: str,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Membership:
    """Record that a member has left (for an assembly, a drop-out whose seat a replacement can fill)."""
    now = _clock(at)
    if not rules.may_run_body(by, membership.body):
        raise PermissionDenied(NOT_YOURS)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise AssemblyError(f"{membership.full_name} left on {_long_date(membership.left_on)}.")
    if left_on < membership.joined_on:
        raise AssemblyError(
            f"{membership.full_name} joined on {_long_date(membership.joined_on)}; "
            "they cannot leave before that.",
            field="left_on",
        )
    membership.left_on = left_on
    membership.left_reason = reason
    membership.save(update_fields=["left_on", "left_reason"])
    record_event(
        by=by, at=now, action="participation.end_membership", target=membership.body, membership=membership.pk
    )
    return membership


@transaction.atomic
def record_session(
    *,
    body: Body,
    title: str,
    held_on: datetime.date,
    venue: str,
    agenda: str,
    notes: str,
    by: User | None,
    at: datetime.datetime | None = None,
    session: Session | None = None,
) -> Session:
    """Add a session (or change one): its date, agenda and notes."""
    now = _clock(at)
    if not rules.may_run_body(by, body):
        raise PermissionDenied(NOT_YOURS)
    for name, text in (("agenda", agenda), ("notes", notes)):
        if len(text) > LONG_TEXT_MAX:
            raise AssemblyError(f"Keep the {name} to {LONG_TEXT_MAX:,} characters or fewer.", field=name)
    if session is None:
        session = Session.objects.create(
            body=body,
            title=title,
            held_on=held_on,
            venue=venue,
            agenda=agenda,
            notes=notes,
            created_by=by,
            created_at=now,
        )
        action = "participation.add_session"
    else:
        if session.body_id != body.pk:
            raise AssemblyError("This session belongs to another body.")
        session.title, session.held_on, session.venue = title, held_on, venue
        session.agenda, session.notes = agenda, notes
        session.save(update_fields=["title", "held_on", "venue", "agenda", "notes"])
        action = "participation.change_session"
    record_event(by=by, at=now, action=action, target=session)
    return session


@transaction.atomic
def add_evidence(
    *,
    session: Session,
    title: str,
    presented_by: str,
    link: str,
    summary: str,
    by: User | None,
    at: datetime.datetime | None = None,
) -> EvidenceItem:
    """Add an item to a session's evidence pack."""
    now = _clock(at)
    if not rules.may_run_body(by, session.body):
        raise PermissionDenied(NOT_YOURS)
    item = EvidenceItem.objects.create(
        session=session, title=title, presented_by=presented_by, link=link, summary=summary
    )
    record_event(by=by, at=now, action="participation.add_evidence", target=session, item=item.pk)
    return item


@transaction.atomic
def make_recommendation(
    *,
    body: Body,
    title: str,
    text: str,
    made_on: datetime.date,
    session: Session | None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Recommendation:
    """Record a recommendation the body has agreed, numbered in order."""
    now = _clock(at)
    if not rules.may_run_body(by, body):
        raise PermissionDenied(NOT_YOURS)
    if session is not None and session.body_id != body.pk:
        raise AssemblyError("Choose one of this body's sessions.", field="session")
    Body.objects.select_for_update().get(pk=body.pk)
    number = (body.recommendations.aggregate(last=Max("number"))["last"] or 0) + 1
    recommendation = Recommendation.objects.create(
        body=body,
        session=session,
        number=number,
        title=title,
        text=text,
        made_on=made_on,
        created_by=by,
        created_at=now,
    )
    record_event(
        by=by, at=now, action="participation.make_recommendation", target=recommendation, number=number
    )
    return recommendation


def eligible_voters(recommendation: Recommendation) -> list[Membership]:
    """Return the members who sat on the body on the day the recommendation was made."""
    return list(
        recommendation.body.memberships.filter(joined_on__lte=recommendation.made_on)
        .exclude(left_on__lt=recommendation.made_on)
        .order_by("full_name", "pk")
    )


@transaction.atomic
def record_votes(
    *,
    recommendation: Recommendation,
    choices: Mapping[int, str | None],
    by: User | None,
    at: datetime.datetime | None = None,
) -> dict[str, int]:
    """Record how each member voted (None: did not vote); replaces the earlier record. Returns the tally."""
    now = _clock(at)
    if not rules.may_run_body(by, recommendation.body):
        raise PermissionDenied(NOT_YOURS)
    eligible = {membership.pk: membership for membership in eligible_voters(recommendation)}
    strangers = sorted(set(choices) - set(eligible))
    if strangers:
        raise AssemblyError("Only members who sat on the body that day can vote.")
    allowed = set(Vote.Choice.values)
    recommendation.votes.all().delete()
    votes = []
    for membership_id, choice in choices.items():
        if choice is None or choice == "":
            continue
        if choice not in allowed:
            raise AssemblyError(f"{choice!r} is not a way to vote.")
        votes.append(Vote(recommendation=recommendation, membership=eligible[membership_id], choice=choice))
    Vote.objects.bulk_create(votes)
    tally = {choice: sum(1 for vote in votes if vote.choice == choice) for choice in Vote.Choice.values}
    record_event(by=by, at=now, action="participation.record_votes", target=recommendation, tally=tally)
    return tally


@transaction.atomic
def record_response(
    *,
    recommendation: Recommendation,
    decision: str,
    reasons: str,
    responder: str,
    responded_on: datetime.date,
    by: User | None,
    at: datetime.datetime | None = None,
) -> Response:
    """Record the responsible organisation's answer; an earlier answer stays in the history."""
    now = _clock(at)
    if not rules.may_run_body(by, recommendation.body):
        raise PermissionDenied(NOT_YOURS)
    if decision not in Response.Decision.values:
        raise AssemblyError("Choose accepted, partly accepted or rejected.", field="decision")
    if not reasons.strip():
        raise AssemblyError(
            "Give the reasons for the decision, in the organisation's words.", field="reasons"
        )
    if responded_on < recommendation.made_on:
        raise AssemblyError(
            f"The recommendation was made on {_long_date(recommendation.made_on)}; "
            "the response cannot come before it.",
            field="responded_on",
        )
    response = Response.objects.create(
        recommendation=recommendation,
        decision=decision,
        reasons=reasons,
        responder=responder,
        responded_on=responded_on,
        recorded_by=by,
        recorded_at=now,
    )
    record_event(
        by=by, at=now, action="participation.record_response", target=recommendation, decision=decision
    )
    return response


@transaction.atomic
def record_delivery(
    *,
    recommendation: Recommendation,
    status: str,
    note: str,
    reported_on: datetime.date,
    by: User | None,
    at: datetime.datetime | None = None,
) -> DeliveryUpdate:
    """Record progress on delivering an accepted (or partly accepted) recommendation."""
    now = _clock(at)
    if not rules.may_run_body(by, recommendation.body):
        raise PermissionDenied(NOT_YOURS)
    response = recommendation.current_response()
    if response is None:
        raise AssemblyError("Record the responsible organisation's response before tracking delivery.")
    if response.decision == Response.Decision.REJECTED:
        raise AssemblyError("This recommendation was rejected, so there is nothing to deliver.")
    if status not in DeliveryUpdate.Status.values:
        raise AssemblyError("Choose a delivery status.", field="status")
    update = DeliveryUpdate.objects.create(
        recommendation=recommendation,
        status=status,
        note=note,
        reported_on=reported_on,
        recorded_by=by,
        recorded_at=now,
    )
    record_event(by=by, at=now, action="participation.record_delivery", target=recommendation, status=status)
    return update
