"""The demo's social prescribing: a link worker's caseload of about 60 open cases, and the rest of a team.

Deterministic (its own random stream, every date counted from fixed days) and idempotent (a second run
finds the team's referrals and changes nothing). Every step of a journey goes through the same actions
as a real one (`referrals.actions`, `people.actions`), as the demo's staff (`by=`) and at the demo's
fixed dates (`at=`), so the demo keeps the journey's rules and leaves the same audit trail.

Three writes have no action, so they stay direct: the team's supervisor (appointed by an administrator in
the admin site), the profiles of the people the demo puts on the journey (the population's record as
the referral would carry it, written in bulk before their journeys begin), and ticking off one
emergency-plan action (there is no screen for that).

Rosa Amberbrook, the demo resident, had a case with Lena that closed in the summer, so she has a plan,
goals, a conversation and a finished connection to look at — and Lena, with no open case for her, must
break glass to open her record (as the accounts browser test expects).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from commonweal import demokit
from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.directory.models import Service
from commonweal.organisations.models import Organisation
from commonweal.people import actions as people_actions
from commonweal.people.models import (
    AccessibilityNeed,
    ContactMethod,
    FreeTime,
    GoalProgress,
    GpSharing,
    Person,
)
from commonweal.referrals import actions
from commonweal.referrals.models import (
    ClosureReason,
    Connection,
    ContactLogEntry,
    ConversationKind,
    DeclineReason,
    EmergencyPlanAction,
    Referral,
    ReferralReason,
    ReferralSource,
    SmallSum,
    TeamSupervisor,
    Urgency,
)
from commonweal.referrals.workflow import RejectionReason, Status

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

# The day the demo's caseload is "as of" (a recent Monday): next actions fall due around it, so some are
# overdue.
AS_OF = demokit.AS_OF
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
    """Takes one team's journeys through the actions, as the demo's staff, at fixed dates."""

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

    def referral(self, person: Person, received: datetime.datetime) -> Referral:
        """Refer the person to the team (from the GP, another referrer or themselves)."""
        reasons = sorted(self.rng.sample(list(ReferralReason.values)[:-1], self.rng.randrange(1, 3)))
        from_gp = self.rng.random() < 0.7
        source = (
            ReferralSource.GP
            if from_gp
            else self.rng.choice(
                [ReferralSource.HOUSING, ReferralSource.FIRE, ReferralSource.PHARMACY, ReferralSource.SELF]
            )
        )
        return actions.make_referral(
            person=person,
            team=self.team,
            source=source,
            reasons=reasons,
            urgency=self.rng.choices(list(Urgency.values), weights=[7, 2, 1])[0],
            referring_organisation=self.gp_practice if from_gp else None,
            # Referrers outside the demo's logins (housing, fire, pharmacy) have no account here.
            by=self.gp if from_gp else None,
            at=received,
        )

    def accept(self, referral: Referral, at: datetime.datetime) -> Referral:
        """Lena triages the referral onto her own caseload (the GP gets the message back)."""
        return actions.accept_referral(referral=referral, link_worker=self.lena, by=self.lena, at=at)

    def contacts(self, referral: Referral, since: datetime.datetime, count: int) -> None:
        """Calls, visits and messages every nine days or so, until the demo's day."""
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
            actions.log_contact(
                referral=referral, kind=kind, outcome=outcome, happened_at=when, by=self.lena, at=when
            )

    def conversations(self, referral: Referral, since: datetime.datetime) -> datetime.datetime:
        """A "what matters" conversation, sometimes a crisis one and sometimes a good-life one."""
        person = referral.person
        held = since + datetime.timedelta(days=10)
        actions.record_conversation(
            referral=referral,
            kind=ConversationKind.CONNECT,
            held_on=held.date(),
            participants=f"{person.given_name} and Lena",
            summary=f"“{person.what_matters}.” Talked about what a good week would look like.",
            what_matters=person.what_matters,
            strengths=person.strengths,
            wants_to_do="Try something to do with "
            + (person.interests[0] if person.interests else "people nearby"),
            by=self.lena,
            at=held,
        )
        if self.rng.random() < 0.15:
            self.crisis(referral, held + datetime.timedelta(days=5))
        if self.rng.random() < 0.1:
            good_day = held + datetime.timedelta(days=40)
            if good_day < AS_OF:
                actions.record_conversation(
                    referral=referral,
                    kind=ConversationKind.GOOD_LIFE,
                    held_on=good_day.date(),
                    participants=f"{person.given_name} and Lena",
                    summary="“I want to be the one helping at the garden, not the one being helped.”",
                    long_term_plan="Volunteer at the community garden; a course in horticulture next year",
                    budget_amount=Decimal("300.00"),
                    budget_sources="Personal health budget",
                    spends=[
                        actions.SpendInput("Course fees", Decimal("180.00")),
                        actions.SpendInput("Boots and gloves", Decimal("45.00")),
                    ],
                    by=self.lena,
                    at=good_day,
                )
        return held

    def crisis(self, referral: Referral, day: datetime.datetime) -> None:
        """A crisis conversation with its emergency plan and a small sum asked for."""
        person = referral.person
        crisis = actions.record_conversation(
            referral=referral,
            kind=ConversationKind.CRISIS,
            held_on=day.date(),
            participants=f"{person.given_name}, Lena and the housing officer",
            summary="“The electric is on the emergency credit and the landlord wants me out.”",
            immediate_risks="No heating; eviction notice",
            emergency_actions=[
                actions.EmergencyActionInput(
                    "Food bank voucher and energy top-up", "Lena", (day + datetime.timedelta(days=7)).date()
                ),
                actions.EmergencyActionInput(
                    "Ring the housing options team together",
                    person.given_name,
                    (day + datetime.timedelta(days=14)).date(),
                ),
            ],
            by=self.lena,
            at=day,
        )
        # No action ticks off an emergency-plan action (there is no screen for it), so this is direct.
        first = EmergencyPlanAction.objects.filter(conversation=crisis).order_by("pk").first()
        assert first is not None
        EmergencyPlanAction.objects.filter(pk=first.pk).update(done=True)
        actions.request_small_sum(
            referral=referral,
            conversation=crisis,
            amount=Decimal(self.rng.choice([20, 35, 49.5, 60])),
            purpose="Electricity top-up until benefits are paid",
            by=self.lena,
            at=day,
        )

    def goals(self, person: Person, since: datetime.datetime) -> None:
        """Goals the person set with Lena, most reviewed three weeks later."""
        for description in self.rng.sample(GOALS, self.rng.randrange(1, 4)):
            progress = self.rng.choice(list(GoalProgress.values))
            goal = people_actions.set_goal(
                person=person,
                description=description,
                steps="One step at a time, with Lena checking in",
                who_helps="Lena",
                target_date=(since + datetime.timedelta(days=self.rng.randrange(30, 150))).date(),
                by=self.lena,
                at=since,
            )
            if progress != GoalProgress.NOT_STARTED:
                people_actions.update_goal(
                    goal=goal,
                    progress=progress,
                    note="Talked it through on the phone",
                    by=self.lena,
                    at=since + datetime.timedelta(days=21),
                )

    def connection(
        self,
        referral: Referral,
        service: Service,
        final: Status,
        since: datetime.datetime,
        acknowledged: bool = True,
    ) -> Connection:
        """Connect the person to a service and take the connection, step by step, to `final`."""
        notes = {
            Status.ON_HOLD: "Group closed over the holidays",
            Status.FAILED: "Stopped coming after two weeks",
            Status.CANCELLED: "Changed their mind",
            Status.ENTERED_IN_ERROR: "Connected to the wrong group",
            Status.COMPLETED: "Finished the course",
        }
        connection = actions.connect(
            person=referral.person,
            service=service,
            shared_fields=["what_matters", "contact"]
            if referral.person.organisations_may_contact
            else ["what_matters"],
            note="Keen, a bit nervous about the first session",
            referral=referral,
            by=self.lena,
            at=since,
        )

        def move(to: Status, at: datetime.datetime, by: User) -> None:
            actions.move_connection(
                connection=connection,
                to_status=to.value,
                note=notes.get(to, "") if to == final else "",
                rejection_reason=RejectionReason.AT_CAPACITY.value if to == Status.REJECTED else "",
                by=by,
                at=at,
            )

        if final in (Status.CANCELLED, Status.ENTERED_IN_ERROR):
            move(final, since + datetime.timedelta(days=3), self.lena)
        elif final == Status.REJECTED:
            move(final, since + datetime.timedelta(days=3), self.otis)
        elif final != Status.REQUESTED:
            move(Status.ACCEPTED, since + datetime.timedelta(days=3), self.otis)
            if final != Status.ACCEPTED:
                # The first session attended moves the connection in progress.
                last = self.attendances(connection, since)
                connection.refresh_from_db()
                if connection.workflow_status == Status.ACCEPTED:
                    move(Status.IN_PROGRESS, since + datetime.timedelta(days=6), self.otis)
                if final != Status.IN_PROGRESS:
                    move(final, min(last + datetime.timedelta(days=1), AS_OF), self.otis)
        if final in (Status.REJECTED, Status.FAILED) and acknowledged:
            actions.acknowledge_connection(connection=connection, by=self.lena, at=AS_OF)
        connection.refresh_from_db()
        return connection

    def attendances(self, connection: Connection, since: datetime.datetime) -> datetime.datetime:
        """Weekly sessions from the week after the connection, most of them attended, until the demo's
        day; return when the last was recorded."""
        last = since + datetime.timedelta(days=6)
        for week in range(self.rng.randrange(2, 9)):
            day = (since + datetime.timedelta(days=6 + 7 * week)).date()
            if day >= AS_OF.date():
                break
            came = self.rng.random() < 0.8 or week == 0
            last = since + datetime.timedelta(days=6 + 7 * week, hours=3)
            actions.record_attendance(
                connection=connection, session_on=day, attended=came, by=self.otis, at=last
            )
        return last


def _rosa(builder: _Builder, rosa: Person, resident: User) -> None:
    """Rosa's case: referred in March, a walking group she finished, closed in the summer."""
    people_actions.update_record(
        person=rosa,
        by=resident,
        at=_at(260),
        what_matters="Feeling part of things again since I retired, and keeping my knees going",
        strengths="Organised, loves a chat, was a school cook for thirty years",
        interests=["walking", "cooking", "gardening"],
        free_times=[FreeTime.WEEKDAY_MORNING, FreeTime.WEEKEND],
        phone="07700 900123",
        contact_methods=[ContactMethod.PHONE, ContactMethod.EMAIL],
        email="rosa@demo.commonweal.invalid",
        gp_practice=builder.gp_practice,
        gp_sharing=GpSharing.FULL_SUMMARY,
    )
    received = _at(274)
    referral = builder.referral(rosa, received)
    referral = builder.accept(referral, received + datetime.timedelta(days=2))
    held = builder.conversations(referral, received)
    people_actions.update_plan(
        person=rosa,
        summary="Walk with the group on Tuesdays, help with the cooking at the community café, and keep in "
        "touch with Lena if things get hard again.",
        by=builder.lena,
        at=held,
    )
    for description, progress in [
        ("Walk to the park and back without stopping", GoalProgress.ACHIEVED),
        ("Help out somewhere once a week", GoalProgress.GOOD_PROGRESS),
    ]:
        goal = people_actions.set_goal(
            person=rosa,
            description=description,
            who_helps="Lena and the walking group",
            target_date=(held + datetime.timedelta(days=90)).date(),
            by=builder.lena,
            at=held,
        )
        people_actions.update_goal(
            goal=goal,
            progress=progress,
            note="Going well",
            by=builder.lena,
            at=held + datetime.timedelta(days=60),
        )
    people_actions.add_network_member(
        person=rosa, kind="family", name="Jess", note="Daughter, visits on Sundays", by=builder.lena, at=held
    )
    if builder.otis_services:
        builder.connection(referral, builder.otis_services[0], Status.COMPLETED, held)
    actions.close_referral(
        referral=referral,
        reason=ClosureReason.GOALS_MET,
        note="Walking weekly and helping at the café",
        by=builder.lena,
        at=_at(140),
    )


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
# The team's small-sums budget for the financial year, set before it began.
_BUDGET_SET_AT = demokit.moved(datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.UTC))


def build_journey(context: DemoContext) -> bool:
    """Add the demo team's referrals, caseload, conversations, goals and connections (False if there)."""
    team = context.organisations["pcn"][0]
    if Referral.objects.filter(team=team).exists():
        return False
    rng = context.rng("journey")
    builder = _Builder(context, rng)
    # Supervisors are appointed by an administrator in the admin site: there is no action for it.
    TeamSupervisor.objects.get_or_create(team=team, user=builder.lena, defaults={"appointed_at": AS_OF})
    actions.set_small_sum_budget(
        team=team,
        starts_on=demokit.moved(datetime.date(2026, 4, 1)),
        ends_on=demokit.moved(datetime.date(2027, 3, 31)),
        amount=Decimal("5000.00"),
        by=builder.lena,
        at=_BUDGET_SET_AT,
    )
    resident = context.users[Role.RESIDENT]
    rosa = Person.objects.filter(user=resident).first()
    if rosa is not None:
        _rosa(builder, rosa, resident)
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
            builder.referral(person, _at(rng.randrange(0, 6), hour=8 + index % 9))
        elif index < OPEN_CASES + WAITING + CLOSED:
            _closed_case(builder, person)
        else:
            _declined_case(builder, person)
    spare = [pk for pk in candidates if pk not in set(chosen)]
    _second_supervisor(context, builder, Person.objects.in_bulk(spare[:SAM_CASES]).values())
    return True


# The team's other supervisor (no demo login): a supervisor may not decide a small sum she asked for, so
# Sam decides Lena's, and Lena decides the ones Sam asks for on his own few cases.
SAM = ("Sam Ashworth", "link.worker.sam")
SAM_CASES = 2
_PREVIOUS_BUDGET_SET_AT = datetime.datetime(2025, 3, 20, 9, 0, tzinfo=datetime.UTC)
LENA_SUMS_WAITING = 1


def _second_supervisor(context: DemoContext, builder: _Builder, people: Iterable[Person]) -> None:
    rng = context.rng("journey-second-supervisor")
    full_name, local = SAM
    sam = User.objects.create(email=f"{local}@{demokit.DEMO_EMAIL_DOMAIN}", full_name=full_name)
    sam.set_unusable_password()
    sam.save(update_fields=["password"])
    grant_role(user=sam, role=Role.LINK_WORKER, organisation=builder.team, by=None)
    TeamSupervisor.objects.create(
        team=builder.team, user=sam, appointed_at=demokit.moved(_PREVIOUS_BUDGET_SET_AT)
    )
    # The year before's budget, so that the sums asked for on cases closed since are decided too.
    actions.set_small_sum_budget(
        team=builder.team,
        starts_on=demokit.moved(datetime.date(2025, 4, 1)),
        ends_on=demokit.moved(datetime.date(2026, 3, 31)),
        amount=Decimal("5000.00"),
        by=sam,
        at=demokit.moved(_PREVIOUS_BUDGET_SET_AT),
    )
    asked = list(SmallSum.objects.filter(requested_by=builder.lena).order_by("requested_at", "pk"))
    for small_sum in asked[: len(asked) - LENA_SUMS_WAITING]:
        decided = min(small_sum.requested_at + datetime.timedelta(hours=rng.randrange(2, 30)), AS_OF)
        actions.decide_small_sum(small_sum=small_sum, approve=True, by=sam, at=decided)
    for number, person in enumerate(people):
        received = _at(rng.randrange(10, 40), hour=9 + number)
        referral = builder.referral(person, received)
        referral = actions.accept_referral(
            referral=referral, link_worker=sam, by=sam, at=received + datetime.timedelta(days=1)
        )
        actions.request_small_sum(
            referral=referral,
            amount=Decimal(rng.choice([25, 40, 55])),
            purpose=rng.choice(["Bus pass for the first month", "School uniform for the youngest"]),
            by=sam,
            at=_at(rng.randrange(1, 5), hour=11),
        )


def _open_case(builder: _Builder, person: Person, index: int) -> None:
    """An open case on Lena's caseload: contacts, often a conversation, goals and connections."""
    rng = builder.rng
    received = _at(rng.randrange(14, 180))
    referral = builder.referral(person, received)
    referral = builder.accept(referral, received + datetime.timedelta(days=rng.randrange(1, 4)))
    builder.contacts(referral, received, rng.randrange(0, 5))
    if rng.random() < 0.7:
        held = builder.conversations(referral, received)
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
    # Next actions fall due from 12 days before the "as of" to seven weeks after: a quarter or so overdue.
    due = (AS_OF + datetime.timedelta(days=rng.randrange(-12, 48))).date()
    actions.set_next_action(
        referral=referral, next_action=rng.choice(NEXT_ACTIONS), due=due, by=builder.lena, at=AS_OF
    )


def _closed_case(builder: _Builder, person: Person) -> None:
    """A case worked and closed months ago, with its message back."""
    rng = builder.rng
    received = _at(rng.randrange(150, 330))
    referral = builder.referral(person, received)
    referral = builder.accept(referral, received + datetime.timedelta(days=2))
    held = builder.conversations(referral, received)
    builder.goals(person, held)
    closed = held + datetime.timedelta(days=rng.randrange(40, 120))
    actions.close_referral(
        referral=referral, reason=rng.choice(list(ClosureReason.values)[:-1]), by=builder.lena, at=closed
    )


def _declined_case(builder: _Builder, person: Person) -> None:
    """A referral that did not go ahead at triage, with its message back."""
    rng = builder.rng
    received = _at(rng.randrange(20, 200))
    reason = rng.choice(list(DeclineReason.values)[:3])
    referral = builder.referral(person, received)
    actions.decline_referral(
        referral=referral, reason=reason, by=builder.lena, at=received + datetime.timedelta(days=2)
    )
