"""Directory actions refuse whoever the rules refuse, and change nothing when they do.

Alice (the test group's member) owns the garden; Bob is a member of another group; Rosa is a resident;
Sam is a steward (community organiser).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.directory import actions
from commonweal.directory.models import (
    DirectoryOrganisation,
    ImportRun,
    Service,
    ServiceVersion,
    Suggestion,
)
from tests.factories import OrganisationFactory, make_persona


def _snapshot() -> dict[str, object]:
    return {
        "services": list(
            Service.objects.order_by("pk").values_list(
                "name", "description", "owner_id", "last_checked_at", "last_checked_by"
            )
        ),
        "organisations": DirectoryOrganisation.objects.count(),
        "versions": ServiceVersion.objects.count(),
        "suggestions": list(Suggestion.objects.order_by("pk").values_list("kind", "state", "reviewed_by")),
        "events": AuditEvent.objects.count(),
        "runs": ImportRun.objects.count(),
    }


@pytest.mark.django_db
def test_a_resident_cannot_add_an_entry(entries, places):
    rosa = make_persona(Role.RESIDENT, places)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.create_service(by=rosa, organisation_name="Rosa's Club", fields={"name": "Rosa's Club"})
    assert _snapshot() == before
    assert before["services"] and len(before["services"]) == 3


@pytest.mark.django_db
def test_an_organisation_cannot_add_an_entry_owned_by_another_organisation(entries, places):
    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    other = OrganisationFactory.create(name="Other Group")
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.create_service(by=alice, organisation_name="Other Group", fields={"name": "X"}, owner=other)
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_member_of_another_organisation_cannot_change_or_confirm_the_garden(entries, places):
    bob = make_persona(Role.ORGANISATION_MEMBER, places)
    bob.role_assignments.update(organisation=OrganisationFactory.create(name="Bob's Group"))
    garden = entries["garden"]
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.update_service(service=garden, by=bob, fields={"description": "Changed by Bob"})
    with pytest.raises(PermissionDenied):
        actions.confirm_checked(service=garden, by=bob)
    assert _snapshot() == before
    garden.refresh_from_db()
    assert garden.description == "Grow vegetables together."


@pytest.mark.django_db
def test_an_inactive_account_cannot_suggest_anything(entries, places):
    rosa = make_persona(Role.RESIDENT, places, is_active=False)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.suggest(by=rosa, kind=Suggestion.Kind.NEW, fields={"name": "Rosa's Club"})
    assert _snapshot() == before
    assert Suggestion.objects.count() == 0


@pytest.mark.django_db
def test_a_resident_cannot_claim_an_entry(entries, places):
    rosa = make_persona(Role.RESIDENT, places)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.claim(service=entries["cafe"], organisation=places.vcse, by=rosa)
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_organisation_cannot_claim_an_entry_it_already_owns(entries, places):
    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.claim(service=entries["garden"], organisation=places.vcse, by=alice)
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_organisation_asks_to_look_after_an_entry_only_once(entries, places):
    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    first = actions.claim(service=entries["cafe"], organisation=places.vcse, by=alice)
    before = _snapshot()
    with pytest.raises(actions.AlreadyClaimedError, match="already asked to look after this entry"):
        actions.claim(service=entries["cafe"], organisation=places.vcse, by=alice)
    assert _snapshot() == before
    assert list(Suggestion.objects.values_list("pk", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_only_a_steward_reviews_a_suggestion(entries, places):
    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    rosa = make_persona(Role.RESIDENT, places)
    suggestion = actions.suggest(
        by=rosa, kind=Suggestion.Kind.CHANGE, fields={"description": "Now weekly"}, service=entries["garden"]
    )
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.review_suggestion(suggestion=suggestion, by=alice, accept=True)
    assert _snapshot() == before
    suggestion.refresh_from_db()
    assert (suggestion.state, suggestion.reviewed_by_id) == ("pending", None)


@pytest.mark.django_db
def test_only_a_steward_queues_an_import(places, taxonomy, django_capture_on_commit_callbacks):
    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    before = _snapshot()
    with django_capture_on_commit_callbacks() as queued, pytest.raises(PermissionDenied):
        actions.queue_import(by=alice, format=ImportRun.Format.ORUK3_JSON, source="x.json", payload=b"[]")
    assert queued == []
    assert _snapshot() == before
    assert ImportRun.objects.count() == 0


@pytest.mark.django_db
def test_only_a_steward_records_an_import_run(places, taxonomy):
    from commonweal.directory.importers import start_import

    rosa = make_persona(Role.RESIDENT, places)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        start_import(by=rosa, format=ImportRun.Format.ORUK3_JSON, source="x.json", payload=b"[]")
    assert _snapshot() == before
    assert ImportRun.objects.count() == 0
