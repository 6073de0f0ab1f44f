"""Reusable reads: who is responsible for a person, who sees an alert, what is due, and a person's trends.

The "responsible link worker" and "supervisor" come from the journey (commonweal/referrals): the link
worker of the person's open case, and the supervisors recorded for that case's team. The journey offers
no single query for this, so `responsibility_for` reads its models here.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import roles_of
from commonweal.measures import conf, registry
from commonweal.measures.charts import BandLine, Chart, ChartPoint, line_chart
from commonweal.measures.definitions import (
    InstrumentDefinition,
    Item,
    ScoreDefinition,
    UnknownInstrumentError,
)
from commonweal.measures.models import (
    AlertDelivery,
    AnswerLink,
    Response,
    SafetyAlert,
    ScheduledMeasure,
)
from commonweal.measures.scoring import AnswerError, Change, Score, ScoreResult, change_in_score, score
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.referrals.models import Referral, ReferralStatus, TeamSupervisor
from commonweal.referrals.queries import team_link_workers

logger = logging.getLogger("commonweal.measures")


@dataclass(frozen=True)
class Responsibility:
    """Who must hear at once about a person's safety alert, and why nobody could be found if so."""

    team: Organisation | None
    link_worker: User | None
    supervisors: tuple[User, ...]
    team_link_workers: tuple[User, ...]
    problem: str = ""


def responsibility_for(person: Person) -> Responsibility:
    """Return the person's responsible link worker (their open case's) and that team's supervisors.

    With no open case, the team that holds their waiting referral, or else the team of their last closed
    case, is told instead: nobody is then responsible, which is itself recorded as a failure.
    """
    cases = Referral.objects.filter(person=person).select_related("team", "link_worker")
    referral = cases.filter(status=ReferralStatus.OPEN).order_by("-received_at", "-pk").first()
    problem = ""
    if referral is None:
        waiting = cases.filter(status=ReferralStatus.AWAITING_TRIAGE).order_by("-received_at", "-pk").first()
        closed = cases.filter(status=ReferralStatus.CLOSED).order_by("-closed_at", "-pk").first()
        referral = waiting or closed
        where = "."
        if waiting is not None:
            where = f" (a referral waits for triage with {waiting.team.name})."
        elif closed is not None and closed.closed_at is not None:
            where = (
                f" (their last case, with {closed.team.name}, closed on "
                f"{timezone.localtime(closed.closed_at):%-d %B %Y})."
            )
        problem = f"{person.full_name} has no open case, so no link worker is responsible for them{where}"
    if referral is None:
        return Responsibility(None, None, (), (), problem)
    team = referral.team
    worker = referral.link_worker if referral.status == ReferralStatus.OPEN else None
    if worker is not None and not worker.is_active:
        problem = f"{person.full_name}'s link worker, {worker.full_name}, no longer has an active account."
        worker = None
    supervisors = tuple(
        User.objects.filter(supervises__team=team, is_active=True).order_by("full_name", "pk").distinct()
    )
    return Responsibility(team, worker, supervisors, tuple(team_link_workers(team.pk)), problem)


def supervised_team_ids(user: User) -> list[int]:
    """Return the teams the user supervises."""
    return list(TeamSupervisor.objects.filter(user=user).values_list("team_id", flat=True))


def alerts_for(user: User) -> QuerySet[SafetyAlert]:
    """Return the alerts a link worker may see and act on.

    Those about people on their caseload, those they were told about (including escalations), those of
    teams they supervise, and every alert that no responsible link worker could be found for.
    """
    if Role.LINK_WORKER not in roles_of(user):
        return SafetyAlert.objects.none()
    told = AlertDelivery.objects.filter(recipient=user).values("alert_id")
    return (
        SafetyAlert.objects.filter(
            Q(responsible_worker=user)
            | Q(pk__in=told)
            | Q(team_id__in=supervised_team_ids(user))
            | Q(responsible_worker__isnull=True)
        )
        .select_related("person", "responsible_worker", "team", "acknowledged_by")
        .order_by("-raised_at", "-pk")
    )


def failed_deliveries(alert_ids: list[int]) -> QuerySet[AlertDelivery]:
    """Return the deliveries that failed for these alerts, newest first."""
    return (
        AlertDelivery.objects.filter(alert_id__in=alert_ids, outcome=AlertDelivery.Outcome.FAILED)
        .select_related("alert__person", "recipient")
        .order_by("-attempted_at", "-pk")
    )


def caseload_person_ids(user: User) -> QuerySet[Referral, Any]:
    """Return the people on the user's caseload or their supervised teams' caseloads (as a subquery)."""
    return Referral.objects.filter(
        Q(link_worker=user) | Q(team_id__in=supervised_team_ids(user)), status=ReferralStatus.OPEN
    ).values("person_id")


def due_measures(
    user: User, today: datetime.date, *, overdue_only: bool = False
) -> QuerySet[ScheduledMeasure]:
    """Return questionnaires due (or, with overdue_only, overdue) for people on the user's caseloads."""
    found = ScheduledMeasure.objects.filter(
        person_id__in=caseload_person_ids(user), completed_at__isnull=True, due_on__lte=today
    )
    if overdue_only:
        found = found.overdue(today)
    return found.select_related("person").order_by("due_on", "person__family_name", "pk")


def due_for_person(person: Person, today: datetime.date) -> list[ScheduledMeasure]:
    """Return a person's questionnaires that are due now and not yet answered."""
    return list(
        ScheduledMeasure.objects.filter(person=person, completed_at__isnull=True, due_on__lte=today).order_by(
            "due_on", "pk"
        )
    )


def upcoming_for_person(person: Person, today: datetime.date) -> list[ScheduledMeasure]:
    """Return a person's questionnaires that fall due later."""
    return list(
        ScheduledMeasure.objects.filter(person=person, completed_at__isnull=True, due_on__gt=today).order_by(
            "due_on", "pk"
        )
    )


def in_progress_for_person(person: Person) -> list[Response]:
    """Return a person's responses started and not yet submitted, newest first."""
    return list(
        Response.objects.filter(person=person, status=Response.Status.IN_PROGRESS).order_by(
            "-started_at", "-pk"
        )
    )


def definition_of(response: Response | AnswerLink) -> InstrumentDefinition | None:
    """Return the definition a response was given on, or None when it is no longer available here."""
    try:
        return registry.definition(response.instrument_code, response.instrument_version)
    except UnknownInstrumentError:
        return None


@dataclass(frozen=True)
class AnswerRow:
    """One question of a response as shown to staff: its number, wording and the answer in words."""

    number: int
    item: Item
    wording: str
    answer: str
    answered: bool


def answer_rows(definition: InstrumentDefinition, response: Response) -> list[AnswerRow]:
    """Return every question of the definition with the response's answer (in the response's language)."""
    values = response.answer_values()
    rows = []
    for number, item in enumerate(definition.items, start=1):
        value = values.get(item.item_id)
        if value is None:
            shown = "Not answered"
        elif item.item_type == "choice":
            option = item.option_for(int(value))
            shown = f"{option.label.in_language(response.language)} ({value})" if option else str(value)
        else:
            shown = f"{value.normalize():f}"
        rows.append(
            AnswerRow(number, item, item.wording(response.language), shown, answered=value is not None)
        )
    return rows


def version_chain(response: Response) -> list[Response]:
    """Return every version of a response, the original first and the current last."""
    original = response
    while original.corrects_id is not None:
        original = Response.objects.select_related("submitted_by").get(pk=original.corrects_id)
    chain = [original]
    following = Response.objects.select_related("submitted_by").filter(corrects=original).first()
    while following is not None:
        chain.append(following)
        following = Response.objects.select_related("submitted_by").filter(corrects=following).first()
    return chain


@dataclass(frozen=True)
class TrendRow:
    """One score on one day, with its change since the first (baseline) response."""

    response: Response
    when: datetime.date
    score: Score
    change: Change | None


@dataclass(frozen=True)
class ScoreTrend:
    """One score of one instrument over time, its change from baseline to latest, and its chart."""

    score_definition: ScoreDefinition
    rows: list[TrendRow]
    change: Change | None
    chart: Chart | None
    chart_id: str

    @property
    def threshold_text(self) -> str:
        """Say what counts as reliable change for this score."""
        reliable = self.score_definition.reliable_change
        if reliable.threshold is None:
            return "No published threshold" + (f": {reliable.reason}" if reliable.reason else ".")
        flag = "" if reliable.verification.is_verified else " (not yet checked against its primary source)"
        return f"A change of {reliable.threshold.normalize():f} points or more{flag}"

    @property
    def plain_threshold_text(self) -> str:
        """Say, for the person themselves, what size of change is more than everyday ups and downs."""
        threshold = self.score_definition.reliable_change.threshold
        if threshold is None:
            return (
                "There is no agreed size of change for this score that shows a real change for one person, "
                "so we only say whether it went up or down."
            )
        return f"A change of {threshold.normalize():f} points or more is more than the usual ups and downs."


@dataclass(frozen=True)
class InstrumentHistory:
    """A person's current (latest-version) responses to one instrument, with scores and trends."""

    code: str
    definition: InstrumentDefinition
    results: list[tuple[Response, ScoreResult]]
    trends: list[ScoreTrend] = field(default_factory=list)

    @property
    def title(self) -> str:
        """Name the instrument."""
        return self.definition.title.in_language()


def _local_day(moment: datetime.datetime | None) -> datetime.date:
    assert moment is not None
    return timezone.localtime(moment).date()


def _direction(score_definition: ScoreDefinition) -> str:
    return "Higher is better." if score_definition.higher_is_better else "Lower is better."


def _trend(
    definition: InstrumentDefinition,
    score_definition: ScoreDefinition,
    results: list[tuple[Response, ScoreResult]],
    chart_id: str,
) -> ScoreTrend:
    rows: list[TrendRow] = []
    baseline: Decimal | None = None
    for response, result in results:
        try:
            current = result.get(score_definition.score_id)
        except KeyError:
            continue  # an earlier version of the instrument had no such score
        if not rows:
            baseline = current.value
        change = None if not rows else change_in_score(score_definition, baseline, current.value)
        rows.append(TrendRow(response, _local_day(response.submitted_at), current, change))
    overall = rows[-1].change if len(rows) > 1 else None
    points = [
        ChartPoint(
            row.when,
            row.score.value,
            f"{row.when:%-d %B %Y}: {row.score.value.normalize():f}"
            + (f" ({row.score.band.label.in_language()})" if row.score.band else ""),
        )
        for row in rows
        if row.score.value is not None
    ]
    chart = None
    if points:
        name = score_definition.label.in_language()
        description = (
            f"{name}: {points[0].value.normalize():f} on {points[0].when:%-d %B %Y}"
            + (
                f", then {points[-1].value.normalize():f} on {points[-1].when:%-d %B %Y}"
                if len(points) > 1
                else ""
            )
            + f". {_direction(score_definition)} The table below gives every value."
        )
        bands: tuple[BandLine, ...] = ()
        if score_definition.bands is not None:
            bands = tuple(
                BandLine(Decimal(band.minimum), band.label.in_language())
                for band in score_definition.bands.bands[1:]
            )
        chart = line_chart(
            points,
            minimum=score_definition.minimum,
            maximum=score_definition.maximum,
            title=f"{definition.short_name}: {name} over time",
            description=description,
            chart_id=chart_id,
            bands=bands,
        )
    return ScoreTrend(score_definition, rows, overall, chart, chart_id)


def histories(person: Person) -> list[InstrumentHistory]:
    """Return the person's current responses grouped by instrument, each scored, with trends and charts."""
    responses = list(
        Response.objects.current().filter(person=person).order_by("instrument_code", "submitted_at", "pk")
    )
    grouped: dict[str, list[tuple[Response, ScoreResult]]] = {}
    latest_definition: dict[str, InstrumentDefinition] = {}
    for response in responses:
        definition = definition_of(response)
        if definition is None:
            continue
        try:
            result = score(definition, response.answer_values())
        except AnswerError as error:  # stored answers are checked when saved; never let one break the page
            logger.error("Response %s cannot be scored: %s", response.pk, error)
            continue
        grouped.setdefault(response.instrument_code, []).append((response, result))
        latest_definition[response.instrument_code] = definition
    found = []
    for code, results in grouped.items():
        definition = latest_definition[code]
        trends = [
            _trend(definition, score_definition, results, f"chart-{code}-{score_definition.score_id}")
            for score_definition in definition.scores
        ]
        found.append(InstrumentHistory(code, definition, results, trends))
    return sorted(found, key=lambda history: history.title.lower())


def responses_of(person: Person) -> QuerySet[Response]:
    """Return every response of a person, every version, newest first."""
    return Response.objects.filter(person=person).select_related("submitted_by", "started_by", "correction")


def open_alerts_of(person: Person) -> QuerySet[SafetyAlert]:
    """Return the person's alerts still waiting for acknowledgement."""
    return SafetyAlert.objects.filter(person=person, status=SafetyAlert.Status.OPEN).order_by("-raised_at")


def reminders_due(now: datetime.datetime) -> list[int]:
    """Return the scheduled questionnaires that need a reminder now (due, unanswered, not reminded lately)."""
    today = timezone.localtime(now).date()
    since = now - datetime.timedelta(days=conf.reminder_every_days())
    return list(
        ScheduledMeasure.objects.filter(
            completed_at__isnull=True, due_on__lte=today, reminders_sent__lt=conf.max_reminders()
        )
        .exclude(last_reminded_at__gt=since)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )
