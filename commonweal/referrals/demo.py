"""The demo's social prescribing: a link worker's caseload of about 60 open cases, and the rest of a team.

Deterministic (its own random stream, every date counted from fixed days) and idempotent (a second run
finds the team's referrals and changes nothing). Rows are written directly with their historical dates,
as an import of past records would be; the live journey goes through `actions`.

Rosa Amberbrook, the demo resident, had a case with Lena that closed in the summer, so she has a plan,
goals, a conversation and a finished connection to look at — and Lena, with no open case for her, must
break glass to open her record (as the accounts browser test expects).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from commonweal.accounts.models import Role, User
from commonweal.directory.models import Service
from commonweal.organisations.models import Organisation
from commonweal.people.models import (
    AccessibilityNeed,
    ContactMethod,
    FreeTime,
    Goal,
    GoalProgress,
    GoalReview,
    GpSharing,
    NetworkMember,
    Person,
    Plan,
)
from commonweal.referrals import actions, snomed
from commonweal.referrals.models import (
    Attendance,
    BudgetSpend,
    ClosureReason,
    Connection,
    ConnectionTransition,
    ContactLogEntry,
    Conversation,
    DeclineReason,
    EmergencyPlanAction,
    JourneyCode,
    MessageBack,
    Referral,
    ReferralReason,
    ReferralSource,
    ReferralStatus,
    SmallSum,
    SmallSumBudget,
    TeamSupervisor,
    Urgency,
)
from commonweal.referrals.workflow import Party, RejectionReason, Status

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

# The day the demo's caseload is "as of": next actions fall due around it, so some are overdue.
AS_OF = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)
OPEN_CASES = 60
WAITING = 8
CLOSED = 30
DECLINED = 6

WHAT_MATTERS = [
    "Getting out of the house and seeing people again",
    "Being able to look after my grandchildren",
    "Not worrying about money every day",
    "Feeling useful, like I did at work",
    "Getting back to my allotment",
    "Making friends since moving here",
    "Feeling fit enough to walk to the shops",
    "Having someone to talk to about my wife",
    "Learning to use the computer to talk to my son",
    "Singing again, I used to be in a choir",
]
INTERESTS = [
    "gardening",
    "walking",
    "singing",
    "cooking",
    "knitting",
    "football",
    "chess",
    "reading",
    "art",
    "computers",
    "music",
    "volunteering",
]
STRENGTHS = [
    "Good with my hands",
    "A good listener",
    "Loves a laugh",
    "Great cook",
    "Knows everyone on the street",
    "Patient teacher",
]
GOALS = [
    "Go to a group once a week",
    "Get my benefits sorted",
    "Walk to the park and back without stopping",
    "Learn to video call my family",
    "Cook a proper meal twice a week",
    "Feel less alone on Sundays",
    "Find some volunteering",
    "Sleep better",
]
NEXT_ACTIONS = [
    "Follow-up call",
    "Check how the first session went",
    "Review goals together",
    "Chase the benefits appointment",
    "Home visit",
    "Phone the food club about a place",
]
LANGUAGES = ["English"] * 8 + ["Polish", "Urdu"]


def _at(days_before: float, hour: int = 10) -> datetime.datetime:
    moment = AS_OF - datetime.timedelta(days=days_before)
    return moment.replace(hour=hour, minute=0)


def _profile(person: Person, rng: random.Random, practices: list[Organisation]) -> None:
    person.what_matters = rng.choice(WHAT_MATTERS)
    person.strengths = rng.choice(STRENGTHS)
    person.interests = sorted(rng.sample(INTERESTS, rng.randrange(1, 4)))
    person.free_times = sorted(rng.sample(list(FreeTime.values), rng.randrange(1, 3)))
    person.accessibility_needs = (
        sorted(rng.sample(list(AccessibilityNeed.values), 1)) if rng.random() < 0.25 else []
    )
    person.language = rng.choice(LANGUAGES)
    person.needs_interpreter = person.language != "English" and rng.random() < 0.5
    person.phone = f"07700 900{rng.randrange(0, 1000):03d}"
    person.contact_methods = (
        [ContactMethod.PHONE, ContactMethod.SMS] if rng.random() < 0.7 else [ContactMethod.POST]
    )
    person.gp_sharing = GpSharing.FULL_SUMMARY if rng.random() < 0.6 else GpSharing.CODES_ONLY
    person.gp_practice = practices[person.pk % len(practices)]
    person.updated_at = AS_OF


class _Builder:
    """Writes one team's journey records with fixed dates."""

    def __init__(self, context: DemoContext, rng: random.Random) -> None:
        self.rng = rng
        self.lena: User = context.users[Role.LINK_WORKER]
        self.gp: User = context.users[Role.REFERRER]
        self.otis: User = context.users[Role.ORGANISATION_MEMBER]
        self.team: Organisation = context.organisations["pcn"][0]
        self.practices = [org for org in context.organisations["practice"] if org.parent_id == self.team.pk]
        self.gp_practice = context.organisations["practice"][0]
        services = list(
            Service.objects.filter(status=Service.Status.ACTIVE)
            .exclude(accepting_referrals=Service.Referrals.NO)
            .select_related("owner")
            .order_by("pk")
        )
        self.otis_services = [
            service for service in services if service.owner_id == context.organisations["vcse"][0].pk
        ]
        self.other_services = [
            service
            for service in services
            if service.owner_id is not None and service not in self.otis_services
        ]

    def referral(self, person: Person, received: datetime.datetime, status: str, **fields: Any) -> Referral:
        reasons = sorted(self.rng.sample(list(ReferralReason.values)[:-1], self.rng.randrange(1, 3)))
        from_gp = self.rng.random() < 0.7
        referral = Referral.objects.create(
            person=person,
            team=self.team,
            status=status,
            source=ReferralSource.GP
            if from_gp
            else self.rng.choice(
                [ReferralSource.HOUSING, ReferralSource.FIRE, ReferralSource.PHARMACY, ReferralSource.SELF]
            ),
            referred_by=self.gp if from_gp else None,
            referring_organisation=self.gp_practice if from_gp else None,
            reasons=reasons,
            urgency=self.rng.choices(list(Urgency.values), weights=[7, 2, 1])[0],
            received_at=received,
            **fields,
        )
        if from_gp:
            self.code(referral, snomed.JourneyEvent.OFFERED, received, self.gp)
        return referral

    def code(
        self, referral: Referral, event: snomed.JourneyEvent, at: datetime.datetime, by: User | None
    ) -> None:
        concept = snomed.concept_for(event)
        JourneyCode.objects.create(
            referral=referral,
            event=event.value,
            code=concept.code,
            term=concept.term,
            recorded_at=at,
            recorded_by=by,
        )

    def message(self, referral: Referral, event: str, at: datetime.datetime) -> None:
        message = actions.compose_message_back(referral, event, at)
        message.sent_by = self.lena
        message.save()

    def accept(self, referral: Referral, at: datetime.datetime) -> None:
        Referral.objects.filter(pk=referral.pk).update(
            status=ReferralStatus.OPEN, link_worker=self.lena, triaged_at=at, triaged_by=self.lena
        )
        referral.refresh_from_db()
        self.code(referral, snomed.JourneyEvent.REFERRED, at, self.lena)
        self.message(referral, MessageBack.Event.ACCEPTED, at)

    def contacts(self, referral: Referral, since: datetime.datetime, count: int) -> datetime.datetime | None:
        last = None
        for index in range(count):
            when = since + datetime.timedelta(days=4 + 9 * index, hours=self.rng.randrange(0, 6))
            if when >= AS_OF:
                break
            kind, outcome = self.rng.choice(
                [
                    (ContactLogEntry.Kind.CALL, ContactLogEntry.Outcome.SPOKE),
                    (ContactLogEntry.Kind.CALL, ContactLogEntry.Outcome.NO_ANSWER),
                    (ContactLogEntry.Kind.VISIT, ContactLogEntry.Outcome.MET),
                    (ContactLogEntry.Kind.MESSAGE, ContactLogEntry.Outcome.SENT),
                    (ContactLogEntry.Kind.DID_NOT_ATTEND, ContactLogEntry.Outcome.MISSED),
                ]
            )
            ContactLogEntry.objects.create(
                referral=referral,
                kind=kind,
                outcome=outcome,
                happened_at=when,
                recorded_by=self.lena,
                recorded_at=when,
            )
            if (
                outcome in (ContactLogEntry.Outcome.SPOKE, ContactLogEntry.Outcome.MET)
                and referral.first_seen_at is None
            ):
                referral.first_seen_at = when
                self.code(referral, snomed.JourneyEvent.SEEN, when, self.lena)
            last = when
        return last

    def conversations(self, referral: Referral, since: datetime.datetime) -> datetime.datetime:
        person = referral.person
        held = since + datetime.timedelta(days=10)
        Conversation.objects.create(
            referral=referral,
            kind=1,
            held_on=held.date(),
            participants=f"{person.given_name} and Lena",
            summary=f"“{person.what_matters}.” Talked about what a good week would look like.",
            what_matters=person.what_matters,
            strengths=person.strengths,
            wants_to_do="Try something to do with "
            + (person.interests[0] if person.interests else "people nearby"),
            recorded_by=self.lena,
            recorded_at=held,
        )
        if referral.first_seen_at is None or held < referral.first_seen_at:
            if referral.first_seen_at is None:
                self.code(referral, snomed.JourneyEvent.SEEN, held, self.lena)
            referral.first_seen_at = held
        if self.rng.random() < 0.15:
            crisis_day = held + datetime.timedelta(days=5)
            crisis = Conversation.objects.create(
                referral=referral,
                kind=2,
                held_on=crisis_day.date(),
                participants=f"{person.given_name}, Lena and the housing officer",
                summary="“The electric is on the emergency credit and the landlord wants me out.”",
                immediate_risks="No heating; eviction notice",
                recorded_by=self.lena,
                recorded_at=crisis_day,
            )
            EmergencyPlanAction.objects.create(
                conversation=crisis,
                action="Food bank voucher and energy top-up",
                owner="Lena",
                review_on=(crisis_day + datetime.timedelta(days=7)).date(),
                done=True,
            )
            EmergencyPlanAction.objects.create(
                conversation=crisis,
                action="Ring the housing options team together",
                owner=person.given_name,
                review_on=(crisis_day + datetime.timedelta(days=14)).date(),
            )
            SmallSum.objects.create(
                referral=referral,
                conversation=crisis,
                team=self.team,
                amount=Decimal(self.rng.choice([20, 35, 49.5, 60])),
                purpose="Electricity top-up until benefits are paid",
                requested_by=self.lena,
                requested_at=crisis_day,
            )
        if self.rng.random() < 0.1:
            good_day = held + datetime.timedelta(days=40)
            if good_day < AS_OF:
                good = Conversation.objects.create(
                    referral=referral,
                    kind=3,
                    held_on=good_day.date(),
                    participants=f"{person.given_name} and Lena",
                    summary="“I want to be the one helping at the garden, not the one being helped.”",
                    long_term_plan="Volunteer at the community garden; a course in horticulture next year",
                    budget_amount=Decimal("300.00"),
                    budget_sources="Personal health budget",
                    recorded_by=self.lena,
                    recorded_at=good_day,
                )
                BudgetSpend.objects.create(
                    conversation=good, description="Course fees", amount=Decimal("180.00")
                )
                BudgetSpend.objects.create(
                    conversation=good, description="Boots and gloves", amount=Decimal("45.00")
                )
        return held

    def goals(self, person: Person, since: datetime.datetime) -> None:
        for description in self.rng.sample(GOALS, self.rng.randrange(1, 4)):
            progress = self.rng.choice(list(GoalProgress.values))
            goal = Goal.objects.create(
                person=person,
                description=description,
                steps="One step at a time, with Lena checking in",
                who_helps="Lena",
                target_date=(since + datetime.timedelta(days=self.rng.randrange(30, 150))).date(),
                progress=progress,
                set_by=self.lena,
                set_at=since,
                updated_at=since,
            )
            if progress != GoalProgress.NOT_STARTED:
                GoalReview.objects.create(
                    goal=goal,
                    reviewed_at=since + datetime.timedelta(days=21),
                    reviewed_by=self.lena,
                    progress=progress,
                    note="Talked it through on the phone",
                )

    def connection(
        self,
        referral: Referral,
        service: Service,
        final: Status,
        since: datetime.datetime,
        acknowledged: bool = True,
    ) -> Connection:
        path = {
            Status.REQUESTED: [],
            Status.ACCEPTED: [Status.ACCEPTED],
            Status.REJECTED: [Status.REJECTED],
            Status.IN_PROGRESS: [Status.ACCEPTED, Status.IN_PROGRESS],
            Status.ON_HOLD: [Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD],
            Status.COMPLETED: [Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED],
            Status.FAILED: [Status.ACCEPTED, Status.IN_PROGRESS, Status.FAILED],
            Status.CANCELLED: [Status.CANCELLED],
            Status.ENTERED_IN_ERROR: [Status.ENTERED_IN_ERROR],
        }[final]
        notes = {
            Status.REJECTED: "",
            Status.ON_HOLD: "Group closed over the holidays",
            Status.FAILED: "Stopped coming after two weeks",
            Status.CANCELLED: "Changed their mind",
            Status.ENTERED_IN_ERROR: "Connected to the wrong group",
            Status.COMPLETED: "Finished the course",
        }
        returned = final in (Status.REJECTED, Status.FAILED) and not acknowledged
        assert service.owner is not None  # only services kept by a Commonweal organisation are chosen
        connection = Connection.objects.create(
            person=referral.person,
            referral=referral,
            service=service,
            organisation=service.owner,
            status=final.value,
            status_reason=notes.get(final, ""),
            rejection_reason=RejectionReason.AT_CAPACITY.value if final == Status.REJECTED else "",
            requested_by=self.lena,
            requested_at=since,
            status_changed_at=since + datetime.timedelta(days=3 * len(path)),
            shared_fields=["what_matters", "contact"]
            if referral.person.organisations_may_contact
            else ["what_matters"],
            note="Keen, a bit nervous about the first session",
            needs_attention=returned,
        )
        ConnectionTransition.objects.create(
            connection=connection,
            from_status="",
            to_status=Status.REQUESTED.value,
            party=Party.REQUESTER.value,
            actor=self.lena,
            at=since,
        )
        previous = Status.REQUESTED
        for step, status in enumerate(path, start=1):
            requester_move = status in (Status.CANCELLED, Status.ENTERED_IN_ERROR)
            ConnectionTransition.objects.create(
                connection=connection,
                from_status=previous.value,
                to_status=status.value,
                party=(Party.REQUESTER if requester_move else Party.TARGET).value,
                actor=self.lena if requester_move else self.otis,
                note=notes.get(status, "") if status == final else "",
                rejection_reason=connection.rejection_reason if status == Status.REJECTED else "",
                at=since + datetime.timedelta(days=3 * step),
            )
            previous = status
        if Status.IN_PROGRESS in path:
            self.attendances(connection, since)
        if returned:
            Referral.objects.filter(pk=referral.pk).update(open_alerts=referral.open_alerts + 1)
            referral.open_alerts += 1
        return connection

    def attendances(self, connection: Connection, since: datetime.datetime) -> None:
        """Weekly sessions from the week after the connection, most of them attended, until today."""
        attended = 0
        for week in range(self.rng.randrange(2, 9)):
            day = (since + datetime.timedelta(days=6 + 7 * week)).date()
            if day >= AS_OF.date():
                break
            came = self.rng.random() < 0.8 or week == 0
            attended += came
            Attendance.objects.create(
                connection=connection,
                session_on=day,
                attended=came,
                recorded_by=self.otis,
                recorded_at=since + datetime.timedelta(days=6 + 7 * week, hours=3),
            )
        connection.sessions_attended = attended
        connection.save(update_fields=["sessions_attended"])


def _rosa(builder: _Builder, rosa: Person) -> None:
    """Rosa's case: referred in March, a walking group she finished, closed in the summer."""
    rosa.what_matters = "Feeling part of things again since I retired, and keeping my knees going"
    rosa.strengths = "Organised, loves a chat, was a school cook for thirty years"
    rosa.interests = ["walking", "cooking", "gardening"]
    rosa.free_times = [FreeTime.WEEKDAY_MORNING, FreeTime.WEEKEND]
    rosa.phone = "07700 900123"
    rosa.contact_methods = [ContactMethod.PHONE, ContactMethod.EMAIL]
    rosa.email = "rosa@demo.commonweal.invalid"
    rosa.gp_practice = builder.gp_practice
    rosa.gp_sharing = GpSharing.FULL_SUMMARY
    rosa.updated_at = _at(260)
    rosa.save()
    received = _at(274)
    referral = builder.referral(rosa, received, ReferralStatus.AWAITING_TRIAGE)
    builder.accept(referral, received + datetime.timedelta(days=2))
    held = builder.conversations(referral, received)
    Referral.objects.filter(pk=referral.pk).update(first_seen_at=referral.first_seen_at, last_contact_at=held)
    Plan.objects.create(
        person=rosa,
        summary="Walk with the group on Tuesdays, help with the cooking at the community café, and keep in "
        "touch with Lena if things get hard again.",
        updated_at=held,
        updated_by=builder.lena,
    )
    for description, progress in [
        ("Walk to the park and back without stopping", GoalProgress.ACHIEVED),
        ("Help out somewhere once a week", GoalProgress.GOOD_PROGRESS),
    ]:
        goal = Goal.objects.create(
            person=rosa,
            description=description,
            who_helps="Lena and the walking group",
            progress=progress,
            target_date=(held + datetime.timedelta(days=90)).date(),
            set_by=builder.lena,
            set_at=held,
            updated_at=held,
        )
        GoalReview.objects.create(
            goal=goal,
            reviewed_at=held + datetime.timedelta(days=60),
            reviewed_by=builder.lena,
            progress=progress,
            note="Going well",
        )
    NetworkMember.objects.create(
        person=rosa,
        kind="family",
        name="Jess",
        note="Daughter, visits on Sundays",
        added_by=builder.lena,
        added_at=held,
    )
    if builder.otis_services:
        builder.connection(referral, builder.otis_services[0], Status.COMPLETED, held)
    closed = _at(140)
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.CLOSED,
        closed_at=closed,
        closed_by=builder.lena,
        closure_reason=ClosureReason.GOALS_MET,
        closure_note="Walking weekly and helping at the café",
        next_action="",
        next_action_due=None,
    )
    referral.refresh_from_db()
    builder.code(referral, snomed.JourneyEvent.CLOSED, closed, builder.lena)
    builder.message(referral, MessageBack.Event.CLOSED, closed)


# The profile fields the demo fills in for the people it puts on the journey.
_PROFILE_FIELDS = [
    "what_matters",
    "strengths",
    "interests",
    "free_times",
    "accessibility_needs",
    "language",
    "needs_interpreter",
    "phone",
    "contact_methods",
    "gp_sharing",
    "gp_practice",
    "updated_at",
]
# Every status appears in the open cases' connections, most with Otis's group so his inbox is full.
_CONNECTION_STATUSES = (
    list(Status)
    + [Status.IN_PROGRESS] * 6
    + [Status.REQUESTED] * 4
    + [Status.ACCEPTED] * 3
    + [Status.COMPLETED] * 3
)


def build_journey(context: DemoContext) -> bool:
    """Add the demo team's referrals, caseload, conversations, goals and connections (False if there)."""
    team = context.organisations["pcn"][0]
    if Referral.objects.filter(team=team).exists():
        return False
    rng = context.rng("journey")
    builder = _Builder(context, rng)
    TeamSupervisor.objects.get_or_create(team=team, user=builder.lena, defaults={"appointed_at": AS_OF})
    SmallSumBudget.objects.get_or_create(
        team=team,
        starts_on=datetime.date(2026, 4, 1),
        defaults={"ends_on": datetime.date(2027, 3, 31), "amount": Decimal("5000.00")},
    )
    rosa = Person.objects.filter(user=context.users[Role.RESIDENT]).first()
    if rosa is not None:
        _rosa(builder, rosa)
    candidates = list(Person.objects.filter(user__isnull=True).order_by("pk").values_list("pk", flat=True))
    wanted = min(len(candidates), OPEN_CASES + WAITING + CLOSED + DECLINED)
    chosen = rng.sample(candidates, wanted)
    people = Person.objects.in_bulk(chosen)
    practices = builder.practices or [builder.gp_practice]
    for person in people.values():
        _profile(person, rng, practices)
    Person.objects.bulk_update(list(people.values()), _PROFILE_FIELDS)
    for index, person_id in enumerate(chosen):
        person = people[person_id]
        if index < OPEN_CASES:
            _open_case(builder, person, index)
        elif index < OPEN_CASES + WAITING:
            builder.referral(
                person, _at(rng.randrange(0, 6), hour=8 + index % 9), ReferralStatus.AWAITING_TRIAGE
            )
        elif index < OPEN_CASES + WAITING + CLOSED:
            _closed_case(builder, person)
        else:
            _declined_case(builder, person)
    return True


def _open_case(builder: _Builder, person: Person, index: int) -> None:
    """An open case on Lena's caseload: contacts, often a conversation, goals and connections."""
    rng = builder.rng
    received = _at(rng.randrange(14, 180))
    referral = builder.referral(person, received, ReferralStatus.AWAITING_TRIAGE)
    builder.accept(referral, received + datetime.timedelta(days=rng.randrange(1, 4)))
    last = builder.contacts(referral, received, rng.randrange(0, 5))
    if rng.random() < 0.7:
        held = builder.conversations(referral, received)
        last = max(filter(None, [last, held]))
        builder.goals(person, held)
        for number in range(rng.randrange(0, 3)):
            final = _CONNECTION_STATUSES[(index * 3 + number) % len(_CONNECTION_STATUSES)]
            pool = builder.otis_services if final != Status.REQUESTED or number else builder.other_services
            pool = pool or builder.other_services
            if not pool:
                continue
            service = pool[(index + number) % len(pool)]
            if Connection.objects.filter(person=person, service=service).exists():
                continue
            builder.connection(
                referral,
                service,
                final,
                held + datetime.timedelta(days=1 + number),
                acknowledged=index % 2 == 0,
            )
    due = (AS_OF + datetime.timedelta(days=rng.randrange(-25, 35))).date()
    Referral.objects.filter(pk=referral.pk).update(
        next_action=rng.choice(NEXT_ACTIONS),
        next_action_due=due,
        last_contact_at=last,
        first_seen_at=referral.first_seen_at,
    )


def _closed_case(builder: _Builder, person: Person) -> None:
    """A case worked and closed months ago, with its message back."""
    rng = builder.rng
    received = _at(rng.randrange(150, 330))
    referral = builder.referral(person, received, ReferralStatus.AWAITING_TRIAGE)
    builder.accept(referral, received + datetime.timedelta(days=2))
    held = builder.conversations(referral, received)
    builder.goals(person, held)
    closed = held + datetime.timedelta(days=rng.randrange(40, 120))
    Referral.objects.filter(pk=referral.pk).update(
        status=ReferralStatus.CLOSED,
        closed_at=closed,
        closed_by=builder.lena,
        closure_reason=rng.choice(list(ClosureReason.values)[:-1]),
        last_contact_at=held,
        first_seen_at=referral.first_seen_at,
    )
    referral.refresh_from_db()
    builder.code(referral, snomed.JourneyEvent.CLOSED, closed, builder.lena)
    builder.message(referral, MessageBack.Event.CLOSED, closed)


def _declined_case(builder: _Builder, person: Person) -> None:
    """A referral that did not go ahead at triage, with its message back."""
    rng = builder.rng
    received = _at(rng.randrange(20, 200))
    reason = rng.choice(list(DeclineReason.values)[:3])
    triaged = received + datetime.timedelta(days=2)
    referral = builder.referral(
        person,
        received,
        ReferralStatus.DECLINED,
        decline_reason=reason,
        triaged_at=triaged,
        triaged_by=builder.lena,
    )
    if reason == DeclineReason.PERSON_DECLINED:
        builder.code(referral, snomed.JourneyEvent.DECLINED, triaged, builder.lena)
    builder.message(referral, MessageBack.Event.DECLINED, triaged)
