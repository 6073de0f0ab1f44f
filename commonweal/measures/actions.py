"""Write use cases for measures: each takes the actor as `by=` (None for a one-time link or the sweep),
runs in a transaction and records an audit event.

Safety comes first here: a risk answer raises an alert as soon as it is saved (before the questionnaire
is even submitted), every attempt to tell someone is recorded, and a failure to tell anyone escalates
at once rather than passing silently.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.measures import conf, queries, registry, rules, tasks
from commonweal.measures.definitions import InstrumentDefinition, UnknownInstrumentError
from commonweal.measures.links import LINK_SALT, digest, make_link
from commonweal.measures.models import (
    AlertDelivery,
    AnswerLink,
    MeasureSchedule,
    Response,
    SafetyAlert,
    ScheduledMeasure,
)
from commonweal.measures.scoring import AnswerError, AnswerValue, check_answers, risk_flags
from commonweal.people.models import Person
from commonweal.referrals.models import Referral, ReferralStatus

logger = logging.getLogger("commonweal.measures")

MINIMUM_ACTION_LENGTH = 10
MINIMUM_REASON_LENGTH = 10


class MeasureError(ValueError):
    """A measures step that cannot be taken as asked; the message says why in plain words."""


class LinkError(ValueError):
    """A one-time link that cannot be used; the message says why in plain words."""


def _definition(code: str, version: str | None = None) -> InstrumentDefinition:
    try:
        return registry.definition(code, version)
    except UnknownInstrumentError as error:
        raise MeasureError(str(error)) from error


def _definition_of(response: Response) -> InstrumentDefinition:
    return _definition(response.instrument_code, response.instrument_version)


def _as_text(answers: Mapping[str, Decimal]) -> dict[str, str]:
    return {item_id: f"{value.normalize():f}" for item_id, value in answers.items()}


def _checked(definition: InstrumentDefinition, answers: Mapping[str, AnswerValue]) -> dict[str, Decimal]:
    try:
        return check_answers(definition, answers)
    except AnswerError as error:
        raise MeasureError(" ".join(error.problems)) from error


# ------------------------------------------------------------------------------------------- schedule


@transaction.atomic
def schedule_measures(
    *,
    person: Person,
    instruments: Sequence[str],
    baseline_on: datetime.date,
    follow_up_weeks: Sequence[int],
    origin: str = MeasureSchedule.Origin.LINK_WORKER,
    by: User | None,
    at: datetime.datetime | None = None,
) -> MeasureSchedule:
    """Plan a baseline on a day and follow-ups some weeks later, for each chosen instrument.

    `by=None` is the system (the first-contact sweep); a person plans only through staff who record measures.
    """
    at = at or timezone.now()
    if by is not None and not rules.may_record_measure(by, person):
        raise PermissionDenied("Only staff who record measures can plan someone's questionnaires.")
    if not instruments:
        raise MeasureError("Choose at least one questionnaire.")
    for code in instruments:
        _definition(code)
    weeks = list(follow_up_weeks)
    if any(week < 1 for week in weeks) or weeks != sorted(set(weeks)):
        raise MeasureError("Give the follow-up weeks as different whole numbers above 0, e.g. 6, 12.")
    schedule = MeasureSchedule.objects.create(
        person=person,
        baseline_on=baseline_on,
        instruments=list(instruments),
        follow_up_weeks=weeks,
        origin=origin,
        created_by=by,
        created_at=at,
    )
    ScheduledMeasure.objects.bulk_create(
        ScheduledMeasure(
            schedule=schedule,
            person=person,
            instrument_code=code,
            weeks_after_baseline=week,
            due_on=baseline_on + datetime.timedelta(weeks=week),
        )
        for week in [0, *weeks]
        for code in instruments
    )
    record_event(
        by=by,
        action="measures.schedule_measures",
        target=person,
        at=at,
        schedule=schedule.pk,
        instruments=list(instruments),
        baseline_on=baseline_on.isoformat(),
        follow_up_weeks=weeks,
    )
    return schedule


def schedule_first_contact_baselines(*, at: datetime.datetime | None = None) -> list[MeasureSchedule]:
    """Start the default schedule for each open case first seen since its referral and not yet scheduled."""
    moment = at or timezone.now()
    made = []
    cases = (
        Referral.objects.filter(
            status=ReferralStatus.OPEN, first_seen_at__isnull=False, first_seen_at__lte=moment
        )
        .select_related("person")
        .order_by("first_seen_at", "pk")
    )
    for referral in cases:
        received_on = timezone.localtime(referral.received_at).date()
        if MeasureSchedule.objects.filter(
            Q(created_at__gte=referral.received_at) | Q(baseline_on__gte=received_on), person=referral.person
        ).exists():
            continue
        assert referral.first_seen_at is not None
        made.append(
            schedule_measures(
                person=referral.person,
                instruments=conf.default_instruments(),
                baseline_on=timezone.localtime(referral.first_seen_at).date(),
                follow_up_weeks=conf.follow_up_weeks(),
                origin=MeasureSchedule.Origin.FIRST_CONTACT,
                by=None,
                at=moment,
            )
        )
    return made


# ------------------------------------------------------------------------------------------ answering


def _may_answer(response: Response, by: User | None, link: AnswerLink | None, at: datetime.datetime) -> None:
    if link is not None:
        if not rules.may_answer_through_link(link, response, at):
            raise PermissionDenied("This link cannot be used for these answers.")
        return
    if by is None:
        raise PermissionDenied("Sign in, or use the link you were sent, to answer.")
    if not rules.may_answer(by, response):
        raise PermissionDenied("Only the person or their link worker can record these answers.")


@transaction.atomic
def start_response(
    *,
    person: Person,
    definition: InstrumentDefinition,
    mode: str,
    scheduled: ScheduledMeasure | None = None,
    language: str = "en-GB",
    by: User | None,
    at: datetime.datetime | None = None,
) -> Response:
    """Begin answering an instrument (or return the same person's unfinished response to it).

    `by=None` is a one-time link, which `open_link` has checked.
    """
    at = at or timezone.now()
    if by is not None and not rules.may_start_answering(by, person):
        raise PermissionDenied("Only the person or their link worker can start these answers.")
    if scheduled is not None:
        if scheduled.person_id != person.pk or scheduled.instrument_code != definition.code:
            raise MeasureError("That questionnaire is not one planned for this person.")
        if scheduled.is_done:
            raise MeasureError("That questionnaire has already been answered.")
    if mode != Response.Mode.CONVERSATION and not registry.is_answerable(definition):
        raise MeasureError(
            f"{definition.short_name} is entered as a score by staff; it has no questions to answer."
        )
    existing = (
        Response.objects.filter(
            person=person,
            instrument_code=definition.code,
            instrument_version=definition.version,
            status=Response.Status.IN_PROGRESS,
            mode=mode,
            scheduled=scheduled,
        )
        .order_by("-started_at", "-pk")
        .first()
    )
    if existing is not None:
        return existing
    response = Response.objects.create(
        person=person,
        scheduled=scheduled,
        instrument_code=definition.code,
        instrument_version=definition.version,
        language=language if language in definition.languages else "en-GB",
        mode=mode,
        started_by=by,
        started_at=at,
    )
    record_event(
        by=by,
        action="measures.start_response",
        target=response,
        at=at,
        person=person.pk,
        instrument=f"{definition.code} {definition.version}",
        mode=mode,
    )
    return response


@transaction.atomic
def save_answers(
    *,
    response: Response,
    answers: Mapping[str, AnswerValue],
    by: User | None,
    link: AnswerLink | None = None,
    at: datetime.datetime | None = None,
) -> list[SafetyAlert]:
    """Save some or all answers of an unfinished response; return any safety alerts they raised at once."""
    at = at or timezone.now()
    response = Response.objects.select_for_update(of=("self",)).select_related("person").get(pk=response.pk)
    _may_answer(response, by, link, at)
    if response.is_submitted:
        raise MeasureError("These answers were already submitted, so they cannot be changed.")
    definition = _definition_of(response)
    merged: dict[str, AnswerValue] = dict(response.answer_values())
    for item_id, value in answers.items():
        if value is None:
            merged.pop(item_id, None)
        else:
            merged[item_id] = value
    checked = _checked(definition, merged)
    response.answers = _as_text(checked)
    response.save(update_fields=["answers"])
    record_event(
        by=by,
        action="measures.save_answers",
        target=response,
        at=at,
        items=sorted(answers),
        via="one-time link" if link is not None else "account",
    )
    return _raise_alerts(response, definition, checked, at)


def unanswered_required(definition: InstrumentDefinition, response: Response) -> list[tuple[int, str]]:
    """Return (question number, item id) of every required question the response has not answered."""
    return [
        (number, item.item_id)
        for number, item in enumerate(definition.items, start=1)
        if item.required and item.item_id not in response.answers
    ]


@transaction.atomic
def submit_response(
    *,
    response: Response,
    by: User | None,
    link: AnswerLink | None = None,
    at: datetime.datetime | None = None,
) -> list[SafetyAlert]:
    """Submit a response, after which it is never changed; return every open safety alert it raised."""
    at = at or timezone.now()
    response = Response.objects.select_for_update(of=("self",)).select_related("person").get(pk=response.pk)
    _may_answer(response, by, link, at)
    if response.is_submitted:
        raise MeasureError("These answers were already submitted.")
    definition = _definition_of(response)
    missing = unanswered_required(definition, response)
    if missing:
        numbers = ", ".join(str(number) for number, _ in missing)
        raise MeasureError(f"Answer every question before you submit (not yet answered: {numbers}).")
    now = at
    response.status = Response.Status.SUBMITTED
    response.submitted_at = now
    response.submitted_by = by
    response.save()
    if response.scheduled_id is not None:
        ScheduledMeasure.objects.filter(pk=response.scheduled_id, completed_at__isnull=True).update(
            completed_at=now
        )
    if link is not None:
        AnswerLink.objects.filter(pk=link.pk).update(used_at=now)
    record_event(
        by=by,
        action="measures.submit_response",
        target=response,
        at=at,
        person=response.person_id,
        instrument=f"{definition.code} {definition.version}",
    )
    _raise_alerts(response, definition, response.answer_values(), at)
    return list(response.safety_alerts.order_by("pk"))


@transaction.atomic
def correct_response(
    *,
    response: Response,
    answers: Mapping[str, AnswerValue],
    reason: str,
    by: User,
    at: datetime.datetime | None = None,
) -> Response:
    """Record a correction: a new version of a submitted response, with a reason; the original is kept."""
    at = at or timezone.now()
    if not rules.may_correct_response(by, response):
        raise PermissionDenied("Only staff who record measures can correct a response.")
    reason = reason.strip()
    if len(reason) < MINIMUM_REASON_LENGTH:
        raise MeasureError(
            f"Say why the answers are being corrected (at least {MINIMUM_REASON_LENGTH} characters)."
        )
    original = Response.objects.select_for_update().get(pk=response.pk)
    if not original.is_submitted:
        raise MeasureError("Only a submitted response can be corrected; this one can still be changed.")
    if not original.is_current:
        raise MeasureError("This version has already been corrected. Correct the latest version instead.")
    definition = _definition_of(original)
    checked = _checked(definition, {key: value for key, value in answers.items() if value is not None})
    missing = [
        str(number)
        for number, item in enumerate(definition.items, start=1)
        if item.required and item.item_id not in checked
    ]
    if missing:
        raise MeasureError(
            f"Answer every question in the correction (not yet answered: {', '.join(missing)})."
        )
    if _as_text(checked) == original.answers:
        raise MeasureError(
            "The corrected answers are the same as the current ones. Change at least one answer."
        )
    now = at
    correction = Response.objects.create(
        person=original.person,
        scheduled=original.scheduled,
        instrument_code=original.instrument_code,
        instrument_version=original.instrument_version,
        language=original.language,
        status=Response.Status.SUBMITTED,
        mode=Response.Mode.CORRECTION,
        answers=_as_text(checked),
        started_at=now,
        started_by=by,
        submitted_at=now,
        submitted_by=by,
        version=original.version + 1,
        corrects=original,
        correction_reason=reason,
    )
    changed = sorted(
        item_id
        for item_id in set(original.answers) | set(correction.answers)
        if original.answers.get(item_id) != correction.answers.get(item_id)
    )
    record_event(
        by=by,
        action="measures.correct_response",
        target=correction,
        at=at,
        corrects=original.pk,
        reason=reason,
        changed_items=changed,
    )
    _raise_alerts(correction, definition, checked, at)
    return correction


# ---------------------------------------------------------------------------------------- safety


def _alert_path(alert: SafetyAlert) -> str:
    return reverse("measures:alert", kwargs={"alert_id": alert.pk})


def _email(alert: SafetyAlert, address: str, escalation: bool) -> str:
    """Send one alert e-mail; return "" when sent or the problem in words (never raise)."""
    # The e-mail names no one and says nothing clinical: it only asks the reader to sign in.
    subject = "Escalated: a safety alert is still waiting" if escalation else "Safety alert: please act now"
    body = (
        "A questionnaire answer from someone you support shows they may be at risk.\n\n"
        + (
            "Nobody has acknowledged this alert yet, so it has been escalated to you.\n\n"
            if escalation
            else ""
        )
        + f"Sign in to see it and record the action you take: {conf.site_url()}{_alert_path(alert)}\n"
    )
    try:
        sent = send_mail(subject=subject, message=body, from_email=None, recipient_list=[address])
    except Exception as error:  # any backend failure must be recorded, whatever its type
        return f"The e-mail to {address} could not be sent: {type(error).__name__}: {error}"
    if sent != 1:
        return f"The e-mail backend reported that the e-mail to {address} was not sent."
    return ""


def _tell(
    alert: SafetyAlert, user: User, audience: str, level: int, now: datetime.datetime
) -> list[AlertDelivery]:
    deliveries = [
        AlertDelivery(
            alert=alert,
            recipient=user,
            audience=audience,
            channel=AlertDelivery.Channel.IN_APP,
            outcome=AlertDelivery.Outcome.SENT,
            escalation_level=level,
            attempted_at=now,
        )
    ]
    if user.email:
        problem = _email(alert, user.email, escalation=level > 0)
        deliveries.append(
            AlertDelivery(
                alert=alert,
                recipient=user,
                address=user.email,
                audience=audience,
                channel=AlertDelivery.Channel.EMAIL,
                outcome=AlertDelivery.Outcome.FAILED if problem else AlertDelivery.Outcome.SENT,
                problem=problem,
                escalation_level=level,
                attempted_at=now,
            )
        )
    return deliveries


def _failure(
    alert: SafetyAlert, audience: str, problem: str, level: int, now: datetime.datetime
) -> AlertDelivery:
    return AlertDelivery(
        alert=alert,
        audience=audience,
        channel=AlertDelivery.Channel.IN_APP,
        outcome=AlertDelivery.Outcome.FAILED,
        problem=problem,
        escalation_level=level,
        attempted_at=now,
    )


def _record_deliveries(alert: SafetyAlert, deliveries: list[AlertDelivery]) -> bool:
    """Save the deliveries; return True when any failed (and mark the alert and the log)."""
    AlertDelivery.objects.bulk_create(deliveries)
    failed = [delivery for delivery in deliveries if delivery.outcome == AlertDelivery.Outcome.FAILED]
    for delivery in failed:
        logger.error("Safety alert %s not delivered: %s", alert.pk, delivery.problem)
    if failed and not alert.has_delivery_failure:
        alert.has_delivery_failure = True
        alert.save(update_fields=["has_delivery_failure"])
    return bool(failed)


def _deliver(alert: SafetyAlert, responsibility: queries.Responsibility, now: datetime.datetime) -> None:
    deliveries: list[AlertDelivery] = []
    if responsibility.link_worker is not None:
        deliveries += _tell(alert, responsibility.link_worker, AlertDelivery.Audience.RESPONSIBLE, 0, now)
    else:
        deliveries.append(
            _failure(
                alert,
                AlertDelivery.Audience.RESPONSIBLE,
                f"No responsible link worker was found. {responsibility.problem}".strip(),
                0,
                now,
            )
        )
    # A link worker who supervises their own team was told already, as the responsible worker.
    for supervisor in responsibility.supervisors:
        if supervisor != responsibility.link_worker:
            deliveries += _tell(alert, supervisor, AlertDelivery.Audience.SUPERVISOR, 0, now)
    if not responsibility.supervisors:
        why = (
            f"{responsibility.team.name} has no supervisor recorded"
            if responsibility.team is not None
            else "the person is with no team"
        )
        deliveries.append(
            _failure(
                alert,
                AlertDelivery.Audience.SUPERVISOR,
                f"No supervisor was found to tell: {why}.",
                0,
                now,
            )
        )
    if _record_deliveries(alert, deliveries):
        _escalate(alert, now, cause="the alert could not be delivered to everyone it should reach")


def _escalate(alert: SafetyAlert, now: datetime.datetime, *, cause: str) -> None:
    level = alert.escalation_level + 1
    responsibility = queries.responsibility_for(alert.person)
    deliveries: list[AlertDelivery] = []
    told: set[int] = set()
    for user in responsibility.supervisors:
        deliveries += _tell(alert, user, AlertDelivery.Audience.SUPERVISOR, level, now)
        told.add(user.pk)
    for user in responsibility.team_link_workers:
        if user.pk not in told:
            deliveries += _tell(alert, user, AlertDelivery.Audience.TEAM, level, now)
            told.add(user.pk)
    addresses = conf.escalation_emails()
    for address in addresses:
        problem = _email(alert, address, escalation=True)
        deliveries.append(
            AlertDelivery(
                alert=alert,
                address=address,
                audience=AlertDelivery.Audience.DUTY,
                channel=AlertDelivery.Channel.EMAIL,
                outcome=AlertDelivery.Outcome.FAILED if problem else AlertDelivery.Outcome.SENT,
                problem=problem,
                escalation_level=level,
                attempted_at=now,
            )
        )
    if not told and not addresses:
        deliveries.append(
            _failure(
                alert,
                AlertDelivery.Audience.DUTY,
                "Nobody could be found to escalate to: record the team's supervisor, or set "
                "MEASURES_ESCALATION_EMAILS. Every link worker sees this alert until it is acknowledged.",
                level,
                now,
            )
        )
    alert.escalation_level = level
    alert.last_escalated_at = now
    alert.save(update_fields=["escalation_level", "last_escalated_at"])
    _record_deliveries(alert, deliveries)
    record_event(
        by=None, action="measures.escalate_safety_alert", target=alert, at=now, level=level, cause=cause
    )


def _raise_alerts(
    response: Response,
    definition: InstrumentDefinition,
    answers: Mapping[str, Decimal],
    at: datetime.datetime,
) -> list[SafetyAlert]:
    flags = risk_flags(definition, answers)
    if not flags:
        return []
    already = set(response.safety_alerts.values_list("rule_id", flat=True))
    raised = []
    for flag in flags:
        if flag.rule_id in already:
            continue
        now = at
        responsibility = queries.responsibility_for(response.person)
        alert = SafetyAlert.objects.create(
            person=response.person,
            response=response,
            instrument_code=definition.code,
            rule_id=flag.rule_id,
            item_id=flag.item_id,
            answer=flag.answer,
            reason=flag.reason.in_language(),
            raised_at=now,
            responsible_worker=responsibility.link_worker,
            team=responsibility.team,
        )
        record_event(
            by=None,
            action="measures.raise_safety_alert",
            target=alert,
            at=now,
            person=response.person_id,
            response=response.pk,
            rule=flag.rule_id,
        )
        _deliver(alert, responsibility, now)
        raised.append(alert)
    return raised


@transaction.atomic
def acknowledge_alert(
    *, alert: SafetyAlert, action_taken: str, by: User, at: datetime.datetime | None = None
) -> SafetyAlert:
    """Acknowledge a safety alert, recording the action taken (which stops its escalation)."""
    at = at or timezone.now()
    alert = SafetyAlert.objects.select_for_update().get(pk=alert.pk)
    if not rules.may_respond_to_alert(by, alert):
        raise PermissionDenied("Only link workers told about this alert can acknowledge it.")
    if not alert.is_open:
        assert alert.acknowledged_by is not None and alert.acknowledged_at is not None
        raise MeasureError(
            f"{alert.acknowledged_by.full_name} already acknowledged this alert at "
            f"{timezone.localtime(alert.acknowledged_at):%H:%M on %-d %B %Y}."
        )
    action_taken = action_taken.strip()
    if len(action_taken) < MINIMUM_ACTION_LENGTH:
        raise MeasureError(
            f"Say what action you took (at least {MINIMUM_ACTION_LENGTH} characters), "
            "so others can follow it up."
        )
    alert.status = SafetyAlert.Status.ACKNOWLEDGED
    alert.acknowledged_at = at
    alert.acknowledged_by = by
    alert.action_taken = action_taken
    alert.save()
    record_event(
        by=by, action="measures.acknowledge_safety_alert", target=alert, at=at, action_taken=action_taken
    )
    return alert


def escalate_overdue_alerts(*, at: datetime.datetime | None = None) -> list[SafetyAlert]:
    """Escalate each alert left unacknowledged for the set time since it was raised or last escalated."""
    moment = at or timezone.now()
    period = datetime.timedelta(minutes=conf.escalate_after_minutes())
    escalated = []
    for alert_id in (
        SafetyAlert.objects.filter(status=SafetyAlert.Status.OPEN)
        .order_by("raised_at", "pk")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            alert = (
                SafetyAlert.objects.select_for_update(of=("self",)).select_related("person").get(pk=alert_id)
            )
            since = alert.last_escalated_at or alert.raised_at
            if alert.is_open and moment - since >= period:
                minutes = conf.escalate_after_minutes()
                _escalate(alert, moment, cause=f"not acknowledged within {minutes} minutes")
                escalated.append(alert)
    return escalated


# ----------------------------------------------------------------------------------- one-time links


@transaction.atomic
def create_answer_link(
    *,
    person: Person,
    definition: InstrumentDefinition,
    scheduled: ScheduledMeasure | None = None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> tuple[AnswerLink, str]:
    """Make a one-time link for the person to answer without an account; return it and its token.

    `by=None` is the system (a reminder).
    """
    at = at or timezone.now()
    if by is not None and not rules.may_record_measure(by, person):
        raise PermissionDenied("Only staff who record measures can send a person a link.")
    if not registry.is_answerable(definition):
        raise MeasureError(
            f"{definition.short_name} is entered as a score by staff; it cannot be sent as a link."
        )
    if scheduled is not None and (
        scheduled.person_id != person.pk or scheduled.instrument_code != definition.code
    ):
        raise MeasureError("That questionnaire is not one planned for this person.")
    return make_link(person=person, definition=definition, scheduled=scheduled, by=by, at=at)


def link_for_token(token: str, *, allow_used: bool = False) -> AnswerLink:
    """Return the link a token names, or raise LinkError saying why it cannot be used."""
    try:
        payload = signing.loads(
            token, salt=LINK_SALT, max_age=datetime.timedelta(days=conf.link_valid_days())
        )
    except signing.SignatureExpired as error:
        raise LinkError("This link has expired. Ask your link worker for a new one.") from error
    except signing.BadSignature as error:
        raise LinkError(
            "This link is not valid. Check you copied all of it, or ask for a new one."
        ) from error
    link = (
        AnswerLink.objects.select_related("person", "response")
        .filter(pk=payload.get("link"), secret_digest=digest(str(payload.get("secret", ""))))
        .first()
    )
    if link is None:
        raise LinkError("This link is not valid. Check you copied all of it, or ask for a new one.")
    if link.revoked_at is not None:
        raise LinkError("This link was withdrawn. Ask your link worker for a new one.")
    if link.used_at is not None and not allow_used:
        raise LinkError(
            "This link has already been used, and each link works once. Thank you for your answers."
        )
    if link.used_at is None and timezone.now() >= link.expires_at:
        raise LinkError("This link has expired. Ask your link worker for a new one.")
    return link


@transaction.atomic
def open_link(*, link: AnswerLink, language: str = "en-GB", at: datetime.datetime | None = None) -> Response:
    """Start (or resume) the response a one-time link is for."""
    at = at or timezone.now()
    link = AnswerLink.objects.select_for_update(of=("self",)).select_related("person").get(pk=link.pk)
    if not link.is_usable(at):
        raise LinkError("This link can no longer be used.")
    if link.response_id is not None:
        assert link.response is not None
        return link.response
    scheduled = link.scheduled
    if scheduled is not None and scheduled.is_done:
        raise LinkError("This questionnaire has already been answered. Thank you.")
    response = start_response(
        person=link.person,
        definition=_definition(link.instrument_code, link.instrument_version),
        mode=Response.Mode.ONE_TIME_LINK,
        scheduled=scheduled,
        language=language,
        by=None,
        at=at,
    )
    link.response = response
    link.save(update_fields=["response"])
    return response


# ------------------------------------------------------------------------------------------- sweep


@dataclass(frozen=True)
class SweepReport:
    """What one run of the periodic sweep did."""

    baselines_scheduled: int
    reminders_queued: int
    alerts_escalated: int

    def __str__(self) -> str:
        return (
            f"{self.baselines_scheduled} baseline schedule{pluralize(self.baselines_scheduled)} started, "
            f"{self.reminders_queued} reminder{pluralize(self.reminders_queued)} queued, "
            f"{self.alerts_escalated} safety alert{pluralize(self.alerts_escalated)} escalated."
        )


def _queue_reminder(scheduled_id: int, moment: datetime.datetime) -> None:
    # The worker sends it once everything the sweep saved is committed (at once outside a transaction).
    transaction.on_commit(lambda: tasks.send_measure_reminder.enqueue(scheduled_id, moment.isoformat()))


def run_sweep(*, at: datetime.datetime | None = None) -> SweepReport:
    """The periodic sweep: start baselines at first contact, queue reminders, escalate open alerts."""
    for read in conf.ALL_SETTINGS:
        read()  # a bad setting stops the sweep before it does anything, with a message naming it
    moment = at or timezone.now()
    escalated = escalate_overdue_alerts(at=moment)
    scheduled = schedule_first_contact_baselines(at=moment)
    due = queries.reminders_due(moment)
    for scheduled_id in due:
        _queue_reminder(scheduled_id, moment)
    return SweepReport(len(scheduled), len(due), len(escalated))
