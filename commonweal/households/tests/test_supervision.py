"""Supervision by exception: shadow visits, the patches that fall behind, and the e-mailed digest."""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from commonweal.audit.models import AuditEvent
from commonweal.households import actions, queries
from commonweal.households.actions import HouseholdError
from commonweal.households.models import Patch, Visit
from commonweal.households.tests.world import World, client_for

pytestmark = pytest.mark.django_db
MID_NOVEMBER = datetime.date(2026, 11, 15)  # 15 of November's 30 days gone: half the month's goal is due
VISITED = datetime.datetime(2026, 11, 10, 10, 0, tzinfo=datetime.UTC)


def test_a_worker_records_a_shadow_visit_and_the_supervisor_sees_it_counted(world: World) -> None:
    client = client_for(world.chw)
    client_id = str(uuid.uuid4())
    data = {"client_id": client_id, "outcome": "done", "reasons": ["periodic"], "shadowed": "on"}
    assert client.post(f"/households/{world.home.pk}/visit/", data).status_code == 302
    assert Visit.objects.get(client_id=client_id).shadowed_by == world.supervisor
    lines = client_for(world.supervisor).get("/households/supervision/", {"format": "csv"}).content.decode()
    header, ash = lines.lstrip("\ufeff").splitlines()
    assert header.endswith(",expected_by_now,shadow_visits") and ash.endswith(",1")


def test_a_shadow_visit_names_only_the_patchs_own_supervisor(world: World) -> None:
    with pytest.raises(HouseholdError, match="Only the supervisor of the patch"):
        actions.record_visit(
            household=world.home,
            outcome="done",
            reasons=["periodic"],
            shadowed_by=world.other_supervisor,
            by=world.chw,
        )
    assert not Visit.objects.filter(household=world.home).exists()


def test_a_patch_without_a_supervisor_refuses_a_shadow_visit_keeping_what_was_typed(world: World) -> None:
    actions.reassign_patch(patch=world.ash, chw=world.chw, supervisor=None, by=world.administrator)
    data = {
        "client_id": str(uuid.uuid4()),
        "outcome": "done",
        "reasons": ["periodic"],
        "note": "Kept",
        "shadowed": "on",
    }
    response = client_for(world.chw).post(f"/households/{world.home.pk}/visit/", data)
    text = response.content.decode()
    assert (
        response.status_code == 200 and "This patch has no supervisor to record as coming with you." in text
    )
    assert "Kept</textarea>" in text
    assert not Visit.objects.filter(household=world.home).exists()


def test_the_digest_names_the_patch_behind_and_its_households_waiting_longest(world: World) -> None:
    # Birch: goal 2, so 1 is expected by the 15th of 30 days; its one household was visited on the 10th.
    Patch.objects.filter(pk=world.birch.pk).update(monthly_goal=2)
    actions.record_visit(
        household=world.away, outcome="done", reasons=["periodic"], visited_at=VISITED, by=world.other_chw
    )
    # Ash: goal 150, so 75 are expected by the 15th; its one household has never been visited.
    entries = queries.digest(list(Patch.objects.filter(pk__in=[world.ash.pk, world.birch.pk])), MID_NOVEMBER)
    assert [(entry.row.patch.name, entry.reasons) for entry in entries] == [
        (
            "Ash",
            (
                "0 households visited this month; 75 expected by now (goal 150)",
                "1 household not visited for 30 days or more",
            ),
        )
    ]
    assert [line.household for line in entries[0].longest_unvisited] == [world.home]


def test_each_supervisor_is_emailed_their_digest_without_any_address(world: World, settings: Any) -> None:
    settings.SITE_URL = "https://commonweal.example"
    call_command("households_digest")
    assert [message.to for message in mail.outbox] == [
        [world.supervisor.email],
        [world.other_supervisor.email],
    ]
    ash = mail.outbox[0].body
    assert "Ash (Chris Worker):" in ash and "1 household not visited for 30 days or more" in ash
    assert "https://commonweal.example/households/supervision/" in ash
    assert "Rose Cottage" not in ash and "Alice" not in ash
    assert AuditEvent.objects.filter(action="households.digest_sent").count() == 2


def test_the_supervision_page_says_what_needs_attention(world: World) -> None:
    text = client_for(world.supervisor).get("/households/supervision/").content.decode()
    assert "Needs your attention" in text and "1 household not visited for 30 days or more" in text
    assert f'href="/households/{world.home.pk}/"' in text and "never visited" in text


def test_a_shadow_visit_sent_later_from_the_offline_queue_names_the_supervisor_of_that_day(
    world: World,
) -> None:
    """Visited with Sam on the 10th, sent on the 20th after Tess took over the patch: Sam came along."""
    actions.reassign_patch(
        patch=world.ash,
        chw=world.chw,
        supervisor=world.other_supervisor,
        by=world.administrator,
        at=datetime.datetime(2026, 11, 15, 9, 0, tzinfo=datetime.UTC),
    )
    client_id = str(uuid.uuid4())
    body = {
        "client_id": client_id,
        "household_id": world.home.pk,
        "outcome": "done",
        "reasons": ["periodic"],
        "visited_at": VISITED.isoformat(),
        "chw_patch_id": world.ash.pk,
        "shadowed": True,
    }
    client = client_for(world.chw)
    response = client.post("/api/households/visits", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    assert Visit.objects.get(client_id=client_id).shadowed_by == world.supervisor


def test_a_former_supervisor_gets_no_digest(world: World, settings: Any) -> None:
    from commonweal.accounts.actions import revoke_role
    from commonweal.accounts.models import RoleAssignment

    settings.SITE_URL = "https://commonweal.example"
    for assignment in RoleAssignment.objects.filter(user=world.other_supervisor):
        revoke_role(assignment=assignment, by=world.administrator)
    call_command("households_digest")
    assert [message.to for message in mail.outbox] == [[world.supervisor.email]]
