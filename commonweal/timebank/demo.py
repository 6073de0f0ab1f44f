"""The demo timebank: one bank in the organiser's neighbourhood with about 300 members and organisations,
a year of exchanges (written for 2025 and moved with the demo's "as of") recorded and confirmed through
the actions with `at=`, a group session, a reversal, donations to the community chest and a member
exactly at the limit. Deterministic from the demo's seed and idempotent: a second run finds the bank and
changes nothing.

Members are demo residents given a sign-in of their own (no usable password) and the resident role; the
demo resident and one more demo member (`timebank.member@…`, the demo password) can sign in.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.demokit import REFERENCE_DATE, DemoContext, moved
from commonweal.people.models import Person
from commonweal.timebank import actions
from commonweal.timebank.core.policies import LimitMode, RecordingPolicy
from commonweal.timebank.models import Account, Bank, Category

BANK_SLUG = "trafford-timebank"
MEMBERS = 280
ORGANISATIONS = 20
EXCHANGES = 2000
LIVE_EXCHANGES = 24
LIMIT = 600
SECOND_MEMBER_EMAIL = "timebank.member@demo.commonweal.invalid"
YEAR_START = moved(datetime.datetime(2025, 1, 6, 10, 0, tzinfo=datetime.UTC))
CATEGORIES = [c for c in Category.values if c not in (Category.DONATION, Category.OTHER)]

OFFERS = [
    ("offer", "Help with your garden", "gardening", "Weeding, mowing and planting; I bring my own tools."),
    ("offer", "Lifts to appointments", "transport", "Weekday mornings, in and around Stretford."),
    ("request", "Someone to chat with on Sunday afternoons", "companionship", "A cup of tea and a natter."),
    ("offer", "Setting up a smartphone", "digital", "Video calls, photos and the NHS App."),
    ("request", "Help filling in a housing form", "admin", ""),
    (
        "offer",
        "Batch cooking for the week",
        "cooking",
        "Soups and stews, I can cook at the community centre.",
    ),
]


def _member_users(context: DemoContext, people: list[Person]) -> list[User]:
    """One sign-in per demo member (no usable password), with the resident role, made in bulk."""
    users = User.objects.bulk_create(
        [
            User(
                email=f"timebank.{person.pk}@demo.commonweal.invalid",
                full_name=f"{person.given_name} {person.family_name}",
                password=make_password(None),  # unusable: only the demo's own logins sign in
            )
            for person in people
        ]
    )
    second = users[0]
    second.email = SECOND_MEMBER_EMAIL
    second.password = context.users[Role.RESIDENT].password  # the demo password, already hashed
    second.save(update_fields=["email", "password"])
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=Role.RESIDENT, area=context.neighbourhoods[0]) for user in users]
    )
    return users


def build_timebank(context: DemoContext) -> bool:
    """Build the demo timebank; return False when it is there already."""
    if Bank.objects.filter(slug=BANK_SLUG).exists():
        return False
    rng = context.rng("timebank")
    coordinator = context.users[Role.COMMUNITY_ORGANISER]
    place = context.neighbourhoods[4]
    bank = actions.open_bank(
        by=coordinator,
        name=f"{place.name} Timebank",
        slug=BANK_SLUG,
        area=place,
        recording_policy=RecordingPolicy.BOTH_CONFIRM,
        limit_mode=LimitMode.BLOCK,
        default_limit_minutes=LIMIT,
        at=YEAR_START - datetime.timedelta(days=5),
    )
    neighbourhood_of = {
        lsoa_id: area
        for area in context.neighbourhoods
        for lsoa_id in area.lsoas.values_list("pk", flat=True)
    }
    people = list(Person.objects.filter(user__isnull=True).order_by("pk")[: MEMBERS - 1])  # and the resident
    users = [context.users[Role.RESIDENT], *_member_users(context, people)]
    resident_lsoa = Person.objects.filter(user=users[0]).values_list("lsoa_id", flat=True).first()
    lsoas = [resident_lsoa, *(person.lsoa_id for person in people)]
    # The bank moved from paper records: its members join with their interviews and references recorded.
    joined = [YEAR_START + datetime.timedelta(days=rng.randrange(0, 60)) for _ in users[:-1]]
    members = actions.import_members(
        by=coordinator,
        bank=bank,
        members=[
            actions.NewMember(
                user=user,
                interviewed_at=day,
                interview_notes="Met at the community centre; keen to give and receive help.",
                references="Two references by phone",
                phone=f"07700 9{number:05d}",
                neighbourhood=neighbourhood_of.get(lsoa_id) if lsoa_id else None,
                lsoa_id=lsoa_id,
            )
            for number, (user, lsoa_id, day) in enumerate(zip(users[:-1], lsoas[:-1], joined, strict=True))
        ],
        at=YEAR_START + datetime.timedelta(days=60),
    )
    for member in members:
        member.bank = bank
    # One applicant waits for the coordinator's interview.
    actions.apply_to_join(
        by=users[-1],
        bank=bank,
        phone="07700 999999",
        at=moved(datetime.datetime(2025, 12, 20, 10, tzinfo=datetime.UTC)),
    )
    organisations = [
        actions.add_organisation(by=coordinator, bank=bank, organisation=organisation, at=YEAR_START)
        for organisation in context.organisations["vcse"][:ORGANISATIONS]
    ]
    everyone = members + organisations
    # January to November, from the bank's earlier records: one import, checked by the ledger's rules.
    balances = dict.fromkeys((a.pk for a in everyone), 0)
    past = []
    for number in range(EXCHANGES):
        provider, receiver = rng.sample(everyone, 2)
        minutes = rng.choice([30, 45, 60, 60, 60, 90, 120, 180])
        if balances[receiver.pk] - minutes < -LIMIT + 120:  # the records kept everyone inside the limit
            continue
        balances[receiver.pk] -= minutes
        balances[provider.pk] += minutes
        day = datetime.timedelta(days=60 + number * 270 // EXCHANGES, hours=rng.randrange(0, 8))
        past.append(
            actions.PastExchange(receiver, provider, minutes, rng.choice(CATEGORIES), YEAR_START + day)
        )
    actions.import_exchanges(
        by=coordinator, bank=bank, exchanges=past, at=YEAR_START + datetime.timedelta(days=330)
    )
    # December, through the site: members record and confirm, the coordinator brokers.
    fresh = {a.pk: a for a in Account.objects.filter(bank=bank).select_related("bank", "user")}
    for number in range(LIVE_EXCHANGES):
        at = moved(datetime.datetime(2025, 12, 1, 10, tzinfo=datetime.UTC)) + datetime.timedelta(
            hours=number * 7
        )
        provider, receiver = (fresh[m.pk] for m in rng.sample(members[1:60], 2))
        try:
            if number % 4 == 0:
                actions.record_transfer(
                    by=coordinator,
                    source=receiver,
                    destination=provider,
                    minutes=60,
                    category=rng.choice(CATEGORIES),
                    at=at,
                )
            else:
                _record_and_confirm(provider, receiver, 60, rng.choice(CATEGORIES), at)
        except actions.TimebankError:
            continue  # the block limit refused it, as it would have refused the member
    _special_cases(bank, coordinator, members, organisations)
    _listings(members)
    return True


def _record_and_confirm(
    provider: Account, receiver: Account, minutes: int, category: str, at: datetime.datetime
) -> None:
    """The provider records the exchange and the receiver confirms it the next day."""
    assert provider.user is not None and receiver.user is not None
    transfer = actions.record_transfer(
        by=provider.user, source=receiver, destination=provider, minutes=minutes, category=category, at=at
    )
    actions.confirm_transfer(by=receiver.user, transfer=transfer, at=at + datetime.timedelta(hours=20))


def _special_cases(
    bank: Bank, coordinator: User, members: list[Account], organisations: list[Account]
) -> None:
    """A group session, donations to the chest, the chest covering a deficit, a reversal, a member at the
    limit."""
    chest = actions.chest_of(bank)
    december = moved(datetime.datetime(2025, 12, 1, 10, tzinfo=datetime.UTC))
    fresh = {a.pk: a for a in Account.objects.filter(bank=bank).select_related("bank", "user")}
    # Donations from the members with the most hours.
    for giver in sorted(members, key=lambda a: -fresh[a.pk].balance_minutes)[:5]:
        actions.record_transfer(
            by=coordinator,
            source=fresh[giver.pk],
            destination=chest,
            minutes=120,
            category=Category.DONATION,
            reason="Donated to the community chest",
            at=december,
        )
    # A group session: the first organisation runs a walk for twelve members with room under their limit.
    fresh = {a.pk: a for a in Account.objects.filter(bank=bank).select_related("bank", "user")}
    walkers = [fresh[m.pk] for m in members[10:80] if fresh[m.pk].balance_minutes > -LIMIT + 60][:12]
    actions.record_group_session(
        by=coordinator,
        provider=fresh[organisations[0].pk],
        participants=walkers,
        title="Christmas walk in the park",
        minutes_each=60,
        at=december + datetime.timedelta(days=7),
    )
    # The chest covers a deficit agreed with the coordinator.
    fresh = {a.pk: a for a in Account.objects.filter(bank=bank).select_related("bank", "user")}
    owing = min((fresh[m.pk] for m in members[1:]), key=lambda a: a.balance_minutes)
    if owing.balance_minutes < 0:
        actions.record_transfer(
            by=coordinator,
            source=chest,
            destination=owing,
            minutes=min(-owing.balance_minutes, 240),
            category=Category.DONATION,
            reason="Agreed deficit covered by the chest",
            at=december + datetime.timedelta(days=10),
        )
    # A reversal of a transfer recorded by mistake.
    mistake = actions.record_transfer(
        by=coordinator,
        source=fresh[members[20].pk],
        destination=fresh[members[21].pk],
        minutes=60,
        category=Category.HOUSEHOLD,
        reason="Recorded for the wrong member",
        at=december + datetime.timedelta(days=12),
    )
    actions.reverse_transfer(
        by=coordinator,
        transfer=mistake,
        reason="Recorded for the wrong member",
        at=december + datetime.timedelta(days=13),
    )
    # A member exactly at the limit: the last member takes help until their balance is -10 hours.
    fresh = {a.pk: a for a in Account.objects.filter(bank=bank).select_related("bank", "user")}
    at_limit = fresh[members[-1].pk]
    gap = LIMIT + at_limit.balance_minutes
    if gap > 0:
        actions.record_transfer(
            by=coordinator,
            source=at_limit,
            destination=fresh[members[-2].pk],
            minutes=gap,
            category=Category.CARE,
            reason="Respite care while recovering",
            at=december + datetime.timedelta(days=20),
        )
    elif gap < 0:
        actions.record_transfer(
            by=coordinator,
            source=fresh[members[-2].pk],
            destination=at_limit,
            minutes=-gap,
            category=Category.CARE,
            at=december + datetime.timedelta(days=20),
        )


def _listings(members: list[Account]) -> None:
    """Open offers and requests, open for ninety days from when the demo is built."""
    today = max(REFERENCE_DATE, timezone.localdate())
    at = datetime.datetime.combine(today, datetime.time(9), tzinfo=datetime.UTC)
    for number, (kind, title, category, description) in enumerate(OFFERS):
        account = Account.objects.select_related("bank", "user").get(pk=members[2 + number * 7].pk)
        assert account.user is not None
        actions.post_listing(
            by=account.user,
            account=account,
            kind=kind,
            title=title,
            description=description,
            category=category,
            expires_on=today + datetime.timedelta(days=90),
            area=account.neighbourhood,
            group_activity=False,
            at=at,
        )
