"""Erasure on request: an administrator anonymises a person's data, keeps what must be kept, audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commonweal.accounts.models import Role, User
from commonweal.audit.actions import AccessGrant, record_access
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.audit.queries import chain_break
from commonweal.people.models import Person, SafeguardingConcern
from commonweal.privacy.actions import erase_person
from commonweal.referrals import actions as journey
from commonweal.referrals.models import ContactLogEntry
from commonweal.referrals.tests.factories import open_case
from tests.factories import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def rosa_on_a_caseload(world: Any) -> dict[str, Any]:
    case = open_case(world)
    journey.log_contact(
        referral=case,
        kind=ContactLogEntry.Kind.choices[0][0],
        outcome=ContactLogEntry.Outcome.choices[0][0],
        note="Rosa talked about her late husband",
        happened_at=datetime.datetime(2026, 1, 5, 10, tzinfo=datetime.UTC),
        by=world.link_worker,
    )
    SafeguardingConcern.objects.create(
        person=world.rosa, concern="Neglect at home", recorded_by=world.link_worker
    )
    record_access(
        viewer=world.link_worker,
        subject=world.rosa,
        subject_user=world.resident,
        grant=AccessGrant("caseload"),
    )
    return {"case": case, "admin": make_persona(Role.ADMINISTRATOR, world.places)}


def test_an_administrator_erases_a_person_and_what_must_be_kept_is_kept(
    world: Any, rosa_on_a_caseload: dict[str, Any]
) -> None:
    report = erase_person(
        world.rosa, by=rosa_on_a_caseload["admin"], reason="Request of 3 March 2026 (Art. 17)"
    )
    rosa = Person.objects.get(pk=world.rosa.pk)
    assert (rosa.given_name, rosa.family_name, rosa.nhs_number, rosa.phone, rosa.what_matters) == (
        "",
        "",
        None,
        "",
        "",
    )
    assert rosa.date_of_birth == datetime.date(1950, 1, 1)  # kept to the year for counts by age
    assert rosa.interests == []
    assert ContactLogEntry.objects.get(referral=rosa_on_a_caseload["case"]).note == ""
    account = User.objects.get(pk=world.resident.pk)
    assert account.email == f"erased-{account.pk}@erased.invalid"
    assert (account.full_name, account.is_active, account.has_usable_password()) == ("", False, False)
    # Kept: the safeguarding record and the audit.
    assert SafeguardingConcern.objects.get(person=rosa).concern == "Neglect at home"
    assert "people.SafeguardingConcern" in report.kept
    assert RecordAccess.objects.filter(subject_user=account).count() == 1
    assert report.anonymised["people.Person"] == 1
    event = AuditEvent.objects.get(action="privacy.erase_person", target_id=rosa.pk)
    assert event.actor == rosa_on_a_caseload["admin"]
    assert event.detail["reason"] == "Request of 3 March 2026 (Art. 17)"
    assert chain_break(AuditEvent) is None
    assert chain_break(RecordAccess) is None


def test_anyone_but_an_administrator_is_refused_and_nothing_changes(
    world: Any, rosa_on_a_caseload: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        erase_person(world.rosa, by=world.link_worker, reason="asked")
    assert Person.objects.get(pk=world.rosa.pk).given_name == "Rosa"
    assert not AuditEvent.objects.filter(action="privacy.erase_person").exists()


def test_an_erasure_without_a_reason_is_refused_with_a_message(
    world: Any, rosa_on_a_caseload: dict[str, Any]
) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        erase_person(world.rosa, by=rosa_on_a_caseload["admin"], reason="  ")
    assert Person.objects.get(pk=world.rosa.pk).given_name == "Rosa"
