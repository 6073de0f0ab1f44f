"""A small timebank for the tests: a coordinator, members, an organisation, the chest."""

from __future__ import annotations

import datetime
import importlib
from dataclasses import dataclass

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.timebank import actions
from commonweal.timebank.core.policies import LimitMode, RecordingPolicy
from commonweal.timebank.models import Account, Bank
from tests.factories import Places, UserFactory, make_persona

# The migration's own SQLite trigger refusing to delete a movement, which the test set-up takes off the
# test database so that flush can empty it (conftest.py); the refusal tests put it back.
_LEDGER_TRIGGERS = importlib.import_module("commonweal.timebank.migrations.0002_ledger_triggers")
NO_DELETE = next(sql for sql in _LEDGER_TRIGGERS.SQLITE_CREATE if "timebank_movement_no_delete" in sql)

START = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@dataclass
class World:
    places: Places
    coordinator: User
    bank: Bank
    chest: Account
    ann: Account  # members
    bob: Account
    cat: Account
    group: Account  # an organisation's account
    group_member: User  # holds the organisation member role there
    guardian: User
    applicant: Account


def member(bank: Bank, coordinator: User, places: Places, name: str, **fields: object) -> Account:
    """A resident who has joined the bank (interview and references recorded)."""
    user = make_persona(Role.RESIDENT, places, full_name=name)
    account = actions.apply_to_join(by=user, bank=bank, neighbourhood=places.north, at=START, **fields)  # type: ignore[arg-type]
    return actions.record_joining(
        by=coordinator,
        account=account,
        interviewed_at=START,
        interview_notes="Keen to help with gardening.",
        references="Two neighbours, by phone",
        at=START,
    )


def build_world(
    places: Places,
    *,
    recording: RecordingPolicy = RecordingPolicy.PROVIDER_RECORDS,
    limit_mode: LimitMode = LimitMode.BLOCK,
    limit: int = 600,
    slug: str = "test-bank",
) -> World:
    """Build one bank in the test places with three members, an organisation and an applicant."""
    coordinator = make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Cora Coordinator")
    bank = actions.open_bank(
        by=coordinator,
        name="Test Timebank",
        slug=slug,
        area=places.north,
        recording_policy=recording,
        limit_mode=limit_mode,
        default_limit_minutes=limit,
        at=START,
    )
    ann = member(bank, coordinator, places, "Ann Apple", phone="07700 900001")
    bob = member(bank, coordinator, places, "Bob Birch", phone="07700 900002")
    cat = member(bank, coordinator, places, "Cat Cedar")
    group = actions.add_organisation(by=coordinator, bank=bank, organisation=places.vcse, at=START)
    group_member = UserFactory.create(full_name="Gus Group")
    grant_role(user=group_member, role=Role.ORGANISATION_MEMBER, organisation=places.vcse, by=None)
    guardian = make_persona(Role.RESIDENT, places, full_name="Gwen Guardian")
    applicant_user = make_persona(Role.RESIDENT, places, full_name="Pat Pending")
    applicant = actions.apply_to_join(by=applicant_user, bank=bank, at=START)
    return World(
        places=places,
        coordinator=coordinator,
        bank=bank,
        chest=actions.chest_of(bank),
        ann=ann,
        bob=bob,
        cat=cat,
        group=group,
        group_member=group_member,
        guardian=guardian,
        applicant=applicant,
    )
