"""Every households page and endpoint, every role: a role that must be refused gets 403 and nothing changes.

Mirrors tests/test_permission_matrix.py for this app, and adds the rule beyond roles: a community health
worker cannot open, visit or change a household outside their patch (refused, and the refusal logged).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.households import actions
from commonweal.households.models import Household, MemberCheck, Patch, StopVisitsRequest, Visit
from commonweal.households.tests.world import World, build_world
from tests.factories import make_persona

R = Role
CHW = frozenset({R.COMMUNITY_HEALTH_WORKER})
ADMIN = frozenset({R.ADMINISTRATOR})


@pytest.fixture(scope="module")
def world(module_places: Any) -> World:
    built = build_world(module_places)
    # A visit for the review page to be refused on (a supervisor of its patch may review it).
    actions.record_visit(household=built.home, outcome="done", reasons=["periodic"], by=built.chw)
    return built


def _pages(world: World) -> list[tuple[str, str, frozenset[Role], dict[str, Any]]]:
    home = world.home.pk
    visit = {"client_id": str(uuid.uuid4()), "outcome": "done", "reasons": "periodic"}
    api_visit = {
        "client_id": str(uuid.uuid4()),
        "household_id": home,
        "outcome": "done",
        "reasons": ["periodic"],
    }
    return [
        ("GET", "/households/agenda/", CHW, {}),
        ("GET", f"/households/{home}/", CHW, {}),
        ("GET", f"/households/{home}/visit/", CHW, {}),
        ("POST", f"/households/{home}/visit/", CHW, visit),
        ("POST", f"/households/{home}/status/", CHW, {"status": "muted", "reason": "matrix"}),
        ("GET", "/households/supervision/", CHW, {}),
        ("POST", f"/households/visits/{Visit.objects.get(household=world.home).pk}/review/", CHW, {}),
        ("GET", "/households/manage/", ADMIN, {}),
        ("POST", "/households/manage/", ADMIN, {"kind": "households"}),
        ("GET", "/api/households", CHW, {}),
        ("GET", "/api/households/tasks", CHW, {}),
        ("GET", f"/api/households/{home}", CHW, {}),
        ("GET", f"/api/households/{home}/visits", CHW, {}),
        ("POST", "/api/households/visits", CHW, api_visit),
    ]


def _snapshot() -> dict[str, Any]:
    return {
        "visits": Visit.objects.count(),
        "checks": MemberCheck.objects.count(),
        "households": list(Household.objects.values_list("status", "patch_id").order_by("pk")),
        "patches": Patch.objects.count(),
        "stops": StopVisitsRequest.objects.count(),
        "accesses": RecordAccess.objects.count(),
        "events": AuditEvent.objects.exclude(
            action__in=["households.open_refused", "households.visit_refused"]
        ).count(),
    }


def _send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    if method == "GET":
        return client.get(path)
    if path.startswith("/api/"):
        return client.post(path, json.dumps(data), content_type="application/json")
    return client.post(path, data)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_role_that_must_be_refused_gets_403_and_nothing_changes(world: World, role: Role) -> None:
    client = Client()
    client.force_login(make_persona(role, world.places))
    for method, path, allowed, data in _pages(world):
        if role in allowed:
            continue
        before = _snapshot()
        response = _send(client, method, path, data)
        assert response.status_code == 403, (method, path, role)
        assert _snapshot() == before, (method, path, role)


@pytest.mark.django_db
def test_a_worker_cannot_reach_a_household_outside_their_patch_and_each_refusal_is_logged(
    world: World,
) -> None:
    client = Client()
    client.force_login(world.other_chw)  # holds Birch; the home is in Ash
    household_pages = [
        page
        for page in _pages(world)
        if (f"/{world.home.pk}" in page[1] and "review" not in page[1]) or page[1] == "/api/households/visits"
    ]
    assert len(household_pages) == 7
    for method, path, _, data in household_pages:
        before = _snapshot()
        response = _send(client, method, path, data)
        assert response.status_code == 403, (method, path)
        assert _snapshot() == before, (method, path)
    # The POST of a visit through the API is refused by the action, the others when opening: all logged.
    refusals = AuditEvent.objects.filter(actor=world.other_chw, target_id=world.home.pk)
    assert sorted(refusals.values_list("action", flat=True)) == ["households.open_refused"] * 6 + [
        "households.visit_refused"
    ]


@pytest.mark.django_db
def test_a_worker_who_supervises_nothing_cannot_review_a_visit(world: World) -> None:
    from commonweal.households import actions

    visit = actions.record_visit(
        household=world.home, outcome="done", reasons=["periodic"], by=world.chw
    ).visit
    client = Client()
    for user in (world.chw, world.other_supervisor):
        client.force_login(user)
        assert client.post(f"/households/visits/{visit.pk}/review/").status_code == 403
    visit.refresh_from_db()
    assert visit.reviewed_at is None


@pytest.mark.django_db
def test_someone_outside_the_household_cannot_ask_to_stop_its_visits(world: World) -> None:
    client = Client()
    client.force_login(make_persona(R.RESIDENT, world.places))
    before = _snapshot()
    assert client.post("/households/mine/stop/", {"note": ""}).status_code == 403
    assert _snapshot() == before


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in_or_refused_by_the_api(world: World) -> None:
    client = Client()
    pages = [
        *_pages(world),
        ("GET", "/households/mine/", frozenset(), {}),
        ("POST", "/households/mine/stop/", frozenset(), {}),
    ]
    for method, path, _, data in pages:
        before = _snapshot()
        response = _send(client, method, path, data)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next="), path
        assert _snapshot() == before
