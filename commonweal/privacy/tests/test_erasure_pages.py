"""The erasure pages: find by NHS number, see what is removed and kept, confirm with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.people.models import Person
from tests.factories import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world: Any) -> Client:
    client = Client()
    client.force_login(make_persona(Role.ADMINISTRATOR, world.places))
    return client


def test_finding_by_nhs_number_leads_to_the_erasure_page(world: Any, admin: Client) -> None:
    response = admin.get("/privacy/erasure/", {"nhs_number": "943 476 5919"})
    assert response.status_code == 302
    assert response["Location"] == f"/privacy/erasure/people/{world.rosa.pk}/"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "An NHS number is 10 digits"),
        ("401 023 2137", "No one with this NHS number has a record here"),
    ],
)
def test_a_wrong_or_unknown_nhs_number_gets_a_clear_message(admin: Client, typed: str, message: str) -> None:
    response = admin.get("/privacy/erasure/", {"nhs_number": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'value="{typed}"' in response.content.decode()


def test_the_page_shows_what_is_removed_and_kept_and_logs_the_access(world: Any, admin: Client) -> None:
    response = admin.get(f"/privacy/erasure/people/{world.rosa.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "people.Person" in page
    assert "the access log and the write log are kept whole" in page
    assert RecordAccess.objects.filter(subject_id=world.rosa.pk, reason="administration").count() == 1
    assert Person.objects.get(pk=world.rosa.pk).given_name == "Rosa"


def test_without_a_reason_and_confirmation_nothing_is_erased_and_the_text_stays(
    world: Any, admin: Client
) -> None:
    response = admin.post(f"/privacy/erasure/people/{world.rosa.pk}/", {"reason": "Asked by phone"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Confirm that the details will be removed for good" in page
    assert "Asked by phone" in page
    assert Person.objects.get(pk=world.rosa.pk).given_name == "Rosa"
    assert not AuditEvent.objects.filter(action="privacy.erase_person").exists()


def test_confirmed_with_a_reason_the_data_is_erased_and_audited(world: Any, admin: Client) -> None:
    response = admin.post(
        f"/privacy/erasure/people/{world.rosa.pk}/", {"reason": "Letter of 2 May 2026", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "Data erased" in response.content.decode()
    assert Person.objects.get(pk=world.rosa.pk).given_name == ""
    assert AuditEvent.objects.get(action="privacy.erase_person").detail["reason"] == "Letter of 2 May 2026"


def test_a_link_worker_is_refused(world: Any) -> None:
    client = Client()
    client.force_login(world.link_worker)
    assert client.get(f"/privacy/erasure/people/{world.rosa.pk}/").status_code == 403
    assert (
        client.post(f"/privacy/erasure/people/{world.rosa.pk}/", {"reason": "x", "confirm": "on"}).status_code
        == 403
    )
    assert Person.objects.get(pk=world.rosa.pk).given_name == "Rosa"
