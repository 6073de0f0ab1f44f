"""The demo's questionnaires: a baseline and follow-ups for everyone the journey's demo link workers saw.

Deterministic from the demo seed (its own random stream) and idempotent: a second run finds the schedules
and changes nothing. The distributions are made to look like a social prescribing caseload, not a trial
that worked: most people start with moderate low mood and loneliness, about half improve, a third stay
much the same, some get worse, and some follow-ups are never answered. A few PHQ-9 answers raise item 9
alerts; most were acknowledged by the link worker with the action taken, and some still wait.

The schedules, the corrections and the acknowledgements go through the actions (`measures.actions`), as
the demo's staff (`by=`) at the demo's fixed dates (`at=`). The answers and the alerts they raise are
written directly: submitting answers through `submit_response` e-mails everyone told about an alert, and no
e-mail may go out while the demo is built (the console backend would also print them into `demo --report`).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Max
from django.utils import timezone

from commonweal.accounts.models import Role, User
from commonweal.measures import actions, registry
from commonweal.measures.models import AlertDelivery, MeasureSchedule, Response, SafetyAlert, ScheduledMeasure
from commonweal.measures.scoring import check_answers, risk_flags
from commonweal.referrals.models import Referral, ReferralStatus, TeamSupervisor

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

INSTRUMENTS = ("ons4", "ucla-3", "phq-9")
FOLLOW_UP_WEEKS = (6, 12)
MAX_PEOPLE = 400

ACTIONS_TAKEN = (
    "Phoned the same day. Talked through how they are feeling; agreed a safety plan and that they will call "
    "Samaritans or 111 if things get worse. GP told with consent.",
    "Rang straight away and arranged to meet tomorrow. They have support from family tonight. Shared NHS 111 "
    "and Samaritans numbers.",
    "Spoke on the phone. Thoughts are fleeting and they have no plans; agreed to book a GP appointment this "
    "week, and we will check in on Friday.",
    "Could not reach them by phone, so visited with a colleague. They are safe; referred to the crisis team "
    "with their agreement.",
    "Called back within the hour. Made a plan together and passed details to the GP practice's duty doctor.",
)


@dataclass(frozen=True)
class Trajectory:
    """How one person's wellbeing moves over the 12 weeks: a starting severity and a direction."""

    phq9: int
    loneliness: int
    life_satisfaction: int
    anxiety: int
    course: str  # "improves", "steady" or "worsens"


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _trajectory(rng: random.Random) -> Trajectory:
    roll = rng.random()
    course = "improves" if roll < 0.52 else "steady" if roll < 0.85 else "worsens"
    return Trajectory(
        phq9=_clamp(rng.gauss(11.5, 5.5), 0, 27),
        loneliness=_clamp(rng.gauss(6.4, 1.7), 3, 9),
        life_satisfaction=_clamp(rng.gauss(5.2, 2.0), 0, 10),
        anxiety=_clamp(rng.gauss(5.6, 2.4), 0, 10),
        course=course,
    )


def _shift(rng: random.Random, course: str, weeks: int, scale: float) -> float:
    """The change by a follow-up, in units of the scale's usual spread (positive is better)."""
    if weeks == 0:
        return 0.0
    share = weeks / 12
    mean = {"improves": 1.3, "steady": 0.0, "worsens": -1.0}[course]
    return (mean * share + rng.gauss(0, 0.45)) * scale


def _phq9_items(rng: random.Random, total: int) -> dict[str, int]:
    """Spread a PHQ-9 total over the items, with item 9 above zero more often when the total is high."""
    chance = 0.3 if total >= 15 else 0.12 if total >= 10 else 0.02
    item9 = (1 if rng.random() < 0.7 else rng.choice((2, 3))) if rng.random() < chance else 0
    items = {f"phq9_{n}": 0 for n in range(1, 9)}
    remaining = min(24, max(0, total - item9))
    while remaining:
        key = rng.choice([key for key, value in items.items() if value < 3])
        items[key] += 1
        remaining -= 1
    items["phq9_9"] = item9
    severity = sum(items.values())
    items["phq9_10"] = 0 if severity < 5 else 1 if severity < 12 else rng.choice((1, 2, 2, 3))
    return items


def _answers(rng: random.Random, code: str, base: Trajectory, weeks: int) -> dict[str, int]:
    if code == "phq-9":
        return _phq9_items(rng, _clamp(base.phq9 - _shift(rng, base.course, weeks, 5.0), 0, 27))
    if code == "ucla-3":
        total = _clamp(base.loneliness - _shift(rng, base.course, weeks, 1.6), 3, 9)
        items = [1, 1, 1]
        for _ in range(total - 3):
            items[rng.choice([index for index, value in enumerate(items) if value < 3])] += 1
        return dict(zip(("lack_companionship", "left_out", "isolated"), items, strict=True))
    better = _shift(rng, base.course, weeks, 1.8)
    return {
        "life_satisfaction": _clamp(base.life_satisfaction + better + rng.gauss(0, 0.6), 0, 10),
        "worthwhile": _clamp(base.life_satisfaction + 0.6 + better + rng.gauss(0, 0.8), 0, 10),
        "happiness": _clamp(base.life_satisfaction - 0.2 + better + rng.gauss(0, 1.0), 0, 10),
        "anxiety": _clamp(base.anxiety - better + rng.gauss(0, 1.0), 0, 10),
    }


def _baseline_day(referral: Referral) -> datetime.date:
    seen = referral.first_seen_at or referral.triaged_at or referral.received_at
    return timezone.localtime(seen).date() + datetime.timedelta(days=0 if referral.first_seen_at else 3)


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9 + rng.randrange(8), rng.randrange(60)))
    )


def build_measures(context: DemoContext) -> bool:
    """Add baselines, follow-ups, answers and safety alerts for the demo's caseloads (False if there)."""
    if MeasureSchedule.objects.exists():
        return False
    cases = list(
        Referral.objects.filter(link_worker__isnull=False)
        .exclude(status=ReferralStatus.DECLINED)
        .select_related("person__user", "link_worker", "team")
        .order_by("pk")
    )
    if not cases:
        return False  # nothing to measure until the journey's demo has put people on caseloads
    rng = context.rng("measures")
    # The demo's story ends with the journey's last recorded event: later time points have not happened yet.
    latest = Referral.objects.aggregate(
        *(Max(name) for name in ("received_at", "first_seen_at", "last_contact_at"))
    )
    story_ends = timezone.localtime(max(moment for moment in latest.values() if moment is not None)).date()
    resident = context.users.get(Role.RESIDENT)
    demo_resident = resident.pk if resident is not None else None
    supervisors: dict[int, list[User]] = defaultdict(list)
    for row in TeamSupervisor.objects.select_related("user").order_by("team_id", "user_id"):
        supervisors[row.team_id].append(row.user)
    definitions = {code: registry.definition(code) for code in INSTRUMENTS}
    seen_people: set[int] = set()
    chosen: list[Referral] = []
    for case in cases:
        if case.person_id not in seen_people and len(chosen) < MAX_PEOPLE:
            seen_people.add(case.person_id)
            chosen.append(case)
    for case in chosen:
        # The first-contact sweep plans these (by=None is the system), on the day the person was seen.
        actions.schedule_measures(
            person=case.person,
            instruments=INSTRUMENTS,
            baseline_on=_baseline_day(case),
            follow_up_weeks=FOLLOW_UP_WEEKS,
            origin=MeasureSchedule.Origin.FIRST_CONTACT,
            by=None,
            at=_at(_baseline_day(case), rng),
        )
    planned = list(ScheduledMeasure.objects.order_by("pk"))
    by_case: dict[int, list[ScheduledMeasure]] = defaultdict(list)
    for item in planned:
        by_case[item.person_id].append(item)

    responses: list[Response] = []
    for case in chosen:
        base = _trajectory(rng)
        person_user = case.person.user
        for weeks in (0, *FOLLOW_UP_WEEKS):
            points = [item for item in by_case[case.person_id] if item.weeks_after_baseline == weeks]
            due = points[0].due_on
            missed = {0: 0.04, 6: 0.18, 12: 0.3}[weeks]
            if due > story_ends or rng.random() < missed:
                continue
            # The demo resident's latest PHQ-9 is left for them to answer in the demo.
            leave_for_resident = person_user is not None and person_user.pk == demo_resident and weeks > 0
            day = due + datetime.timedelta(days=rng.randrange(0, 9) if weeks else 0)
            if day > story_ends:
                continue
            by: User | None
            if person_user is not None:
                mode, by = Response.Mode.OWN_ACCOUNT, person_user
            elif rng.random() < 0.65:
                mode, by = Response.Mode.CONVERSATION, case.link_worker
            else:
                mode, by = Response.Mode.ONE_TIME_LINK, None
            moment = _at(day, rng)
            for item in points:
                if leave_for_resident and item.instrument_code == "phq-9":
                    continue
                definition = definitions[item.instrument_code]
                # Checked like any answers, so the demo can never hold one the scoring would refuse.
                answers = check_answers(definition, _answers(rng, item.instrument_code, base, weeks))
                responses.append(
                    Response(
                        person_id=case.person_id,
                        scheduled=item,
                        instrument_code=definition.code,
                        instrument_version=definition.version,
                        status=Response.Status.SUBMITTED,
                        mode=mode,
                        answers={key: f"{value.normalize():f}" for key, value in answers.items()},
                        started_at=moment,
                        started_by=by,
                        submitted_at=moment + datetime.timedelta(minutes=6),
                        submitted_by=by,
                    )
                )
                item.completed_at = moment + datetime.timedelta(minutes=6)
    responses = Response.objects.bulk_create(responses)
    ScheduledMeasure.objects.bulk_update([item for item in planned if item.completed_at], ["completed_at"])
    _corrections(rng, responses)
    _alerts(rng, responses, {case.person_id: case for case in chosen}, supervisors)
    return True


def _corrections(rng: random.Random, responses: list[Response]) -> None:
    """A handful of answers recorded wrongly in a conversation and corrected with a reason."""
    spoken = [r for r in responses if r.mode == Response.Mode.CONVERSATION and r.instrument_code == "ucla-3"]
    for original in rng.sample(spoken, min(6, len(spoken))):
        answers = dict(original.answers)
        answers["lack_companionship"] = "1" if answers["lack_companionship"] != "1" else "2"
        assert original.submitted_at is not None and original.submitted_by is not None
        actions.correct_response(
            response=original,
            answers={key: Decimal(value) for key, value in answers.items()},
            reason="Recorded the answer to question 1 on the wrong line during our phone call.",
            by=original.submitted_by,
            at=original.submitted_at + datetime.timedelta(days=1),
        )


def _alerts(
    rng: random.Random,
    responses: list[Response],
    cases: dict[int, Referral],
    supervisors: dict[int, list[User]],
) -> None:
    phq9 = registry.definition("phq-9")
    deliveries: list[AlertDelivery] = []
    acknowledgements: list[tuple[SafetyAlert, str, User, datetime.datetime]] = []
    for response in responses:
        if response.instrument_code != "phq-9":
            continue
        flags = risk_flags(phq9, {key: Decimal(value) for key, value in response.answers.items()})
        if not flags:
            continue
        case = cases[response.person_id]
        assert response.submitted_at is not None and case.link_worker is not None
        raised = response.submitted_at
        acknowledged = rng.random() < 0.85
        worker = case.link_worker
        team_supervisors = supervisors.get(case.team_id, [])
        alert = SafetyAlert.objects.create(
            person_id=response.person_id,
            response=response,
            instrument_code="phq-9",
            rule_id=flags[0].rule_id,
            item_id=flags[0].item_id,
            answer=flags[0].answer,
            reason=flags[0].reason.in_language(),
            raised_at=raised,
            responsible_worker=worker,
            team=case.team,
            has_delivery_failure=not team_supervisors,
        )
        if acknowledged:
            acknowledged_at = raised + datetime.timedelta(minutes=rng.randrange(8, 55))
            acknowledged_by = rng.choice([worker, *team_supervisors])
            acknowledgements.append((alert, rng.choice(ACTIONS_TAKEN), acknowledged_by, acknowledged_at))
        for user, audience in [(worker, AlertDelivery.Audience.RESPONSIBLE)] + [
            (user, AlertDelivery.Audience.SUPERVISOR) for user in team_supervisors
        ]:
            deliveries.append(
                AlertDelivery(
                    alert=alert,
                    recipient=user,
                    audience=audience,
                    channel=AlertDelivery.Channel.IN_APP,
                    outcome=AlertDelivery.Outcome.SENT,
                    attempted_at=raised,
                )
            )
        if not team_supervisors:
            deliveries.append(
                AlertDelivery(
                    alert=alert,
                    audience=AlertDelivery.Audience.SUPERVISOR,
                    channel=AlertDelivery.Channel.IN_APP,
                    outcome=AlertDelivery.Outcome.FAILED,
                    problem=f"No supervisor was found to tell: {case.team.name} has no supervisor recorded.",
                    attempted_at=raised,
                )
            )
    AlertDelivery.objects.bulk_create(deliveries)
    # Acknowledged once the deliveries exist, since they are who may acknowledge.
    for alert, action_taken, by, at in acknowledgements:
        actions.acknowledge_alert(alert=alert, action_taken=action_taken, by=by, at=at)
