"""The pages and the JSON API, each used by the role it is for: happy paths and bad input."""

from __future__ import annotations

import calendar
import json
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commonweal.audit.models import RecordAccess
from commonweal.households import actions
from commonweal.households.models import Household, Visit
from commonweal.households.tests.world import World, client_for

pytestmark = pytest.mark.django_db


def test_the_agenda_lists_the_households_due_with_their_tasks(world: World) -> None:
    response = client_for(world.chw).get("/households/agenda/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Rose Cottage, 1 Ash Lane" in text and "Monthly visit" in text
    assert "The Birches" not in text  # another worker's patch
    filtered = client_for(world.chw).get("/households/agenda/", {"street": "Nowhere"})
    assert "Nothing due with these filters." in filtered.content.decode()


def test_the_household_page_shows_members_and_logs_each_read_as_household(world: World) -> None:
    response = client_for(world.chw).get(f"/households/{world.home.pk}/")
    assert response.status_code == 200
    assert "Alice Testperson" in response.content.decode()
    assert f'href="/households/{world.home.pk}/visit/"' in response.content.decode()
    assert sorted(
        RecordAccess.objects.filter(viewer=world.chw).values_list("subject_id", "reason")
    ) == sorted([(world.alice.pk, "household"), (world.bob.pk, "household")])
    # Alice reads it in her own "who has looked".
    looked = client_for(world.resident).get("/me/who-has-looked/").content.decode()
    assert "Chris Worker" in looked and "Their household is in my care" in looked


def test_the_person_record_opens_through_the_household_relationship_without_break_glass(world: World) -> None:
    response = client_for(world.chw).get(f"/people/{world.bob.pk}/")
    assert response.status_code == 200
    assert (
        RecordAccess.objects.filter(viewer=world.chw, subject_id=world.bob.pk, reason="household").count()
        == 1
    )


def _visit_form(world: World, **extra: Any) -> dict[str, Any]:
    data = {"client_id": str(uuid.uuid4()), "outcome": "done", "reasons": ["periodic"], "note": "All well"}
    data.update(extra)
    return data


def test_recording_a_visit_with_a_need_makes_a_referral_and_sending_it_again_makes_nothing(
    world: World,
) -> None:
    bob = f"m{world.bob.pk}"
    data = _visit_form(
        world,
        **{
            f"{bob}-seen": "on",
            f"{bob}-lonely": "Often or always",
            f"{bob}-need": "on",
            f"{bob}-refer": "on",
            f"{bob}-consent": "on",
        },
    )
    client = client_for(world.chw)
    response = client.post(f"/households/{world.home.pk}/visit/", data)
    assert (response.status_code, response["Location"]) == (302, f"/households/{world.home.pk}/")
    again = client.post(f"/households/{world.home.pk}/visit/", data, follow=True)
    assert "This visit was already recorded, so nothing new was made." in again.content.decode()
    [visit] = Visit.objects.all()
    assert [(c.person, c.answers, c.referral is not None) for c in visit.checks.all()] == [
        (world.bob, {"lonely": "Often or always"}, True)
    ]


def test_a_visit_form_with_problems_says_what_and_keeps_what_was_typed(world: World) -> None:
    bob = f"m{world.bob.pk}"
    data = _visit_form(
        world,
        reasons=[],
        note="Kept text",
        **{f"{bob}-seen": "on", f"{bob}-refer": "on", f"{bob}-anxious": "12"},
    )
    response = client_for(world.chw).post(f"/households/{world.home.pk}/visit/", data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one reason for the visit." in text
    assert "Ask Bob Testperson first: a referral needs their consent." in text
    assert "Kept text" in text
    assert Visit.objects.count() == 0
    response = client_for(world.chw).post(
        f"/households/{world.home.pk}/visit/",
        _visit_form(world, **{f"{bob}-seen": "on", f"{bob}-anxious": "12"}),
    )
    assert "anxious: Enter a number from 0 to 10" in response.content.decode()
    assert Visit.objects.count() == 0


def test_muting_from_the_household_page_needs_a_reason(world: World) -> None:
    client = client_for(world.chw)
    response = client.post(
        f"/households/{world.home.pk}/status/", {"status": "muted", "reason": ""}, follow=True
    )
    assert "Give a reason" in response.content.decode()
    client.post(f"/households/{world.home.pk}/status/", {"status": "muted", "reason": "In hospital"})
    world.home.refresh_from_db()
    assert (world.home.status, world.home.status_reason) == ("muted", "In hospital")


def test_the_supervisor_sees_the_month_the_csv_and_marks_a_visit_reviewed(world: World) -> None:
    visit = actions.record_visit(
        household=world.home, outcome="refused", reasons=["periodic"], by=world.chw
    ).visit
    client = client_for(world.supervisor)
    text = client.get("/households/supervision/").content.decode()
    assert "Ash (1 households)" in text and "Chris Worker" in text and "Review queue (1)" in text
    csv_text = client.get("/households/supervision/", {"format": "csv"}).content.decode()
    # The goal so far: 150 in proportion to the days of the month gone, rounded down.
    today = timezone.localdate()
    so_far = 150 * today.day // calendar.monthrange(today.year, today.month)[1]
    assert csv_text.splitlines() == [
        "patch,worker,households,visited_this_month,goal,not_visited_30_days,refusals,needs_found,referrals,"
        "expected_by_now,shadow_visits",
        f"Ash,Chris Worker,1,0,150,1,1,0,0,{so_far},0",
    ]
    assert client.post(f"/households/visits/{visit.pk}/review/").status_code == 302
    visit.refresh_from_db()
    assert visit.reviewed_by == world.supervisor


def test_an_administrator_imports_a_file_and_sees_the_report(world: World) -> None:
    client = client_for(world.administrator)
    upload = SimpleUploadedFile("h.csv", b"reference,address,street,postcode\nH9,9 Elm St,Elm St,ZZ1 1ZZ\n")
    text = client.post("/households/manage/", {"kind": "households", "file": upload}).content.decode()
    assert (
        "Nothing was imported" in text and "ZZ1 1ZZ is not a postcode in the area this service covers" in text
    )
    assert not Household.objects.filter(reference="H9").exists()
    upload = SimpleUploadedFile(
        "h.csv", b"reference,address,street,postcode,patch\nH9,9 Elm St,Elm St,M33 7AA,Ash\n"
    )
    text = client.post("/households/manage/", {"kind": "households", "file": upload}).content.decode()
    assert "Imported 1 rows." in text
    assert Household.objects.get(reference="H9").patch == world.ash


def test_a_resident_sees_the_visits_to_their_household_and_stops_them(world: World) -> None:
    actions.record_visit(household=world.home, outcome="nobody_in", reasons=["periodic"], by=world.chw)
    client = client_for(world.resident)
    text = client.get("/households/mine/").content.decode()
    assert "Rose Cottage, 1 Ash Lane" in text and "Nobody in" in text
    response = client.post("/households/mine/stop/", {"note": "We are fine, thank you"}, follow=True)
    assert "We will not visit your household again" in response.content.decode()
    world.home.refresh_from_db()
    assert (world.home.status, world.home.consents_to_visits) == ("refused", False)


# ------------------------------------------------------------------------------------------- API


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/households/visits", json.dumps(body), content_type="application/json")


def test_the_api_lists_households_tasks_and_posts_a_visit_once(world: World) -> None:
    client = client_for(world.chw)
    assert [h["reference"] for h in client.get("/api/households").json()] == ["H1"]
    [entry] = client.get("/api/households/tasks").json()
    assert (entry["household"]["reference"], [t["rule"] for t in entry["tasks"]]) == ("H1", ["monthly-visit"])
    detail = client.get(f"/api/households/{world.home.pk}").json()
    assert [m["name"] for m in detail["members"]] == ["Alice Testperson", "Bob Testperson"]
    body = {
        "client_id": str(uuid.uuid4()),
        "household_id": world.home.pk,
        "outcome": "done",
        "reasons": ["periodic"],
        "seen": [{"person_id": world.alice.pk, "answers": {"happy": "8"}}],
    }
    first, second = _post(client, body), _post(client, body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Visit.objects.count() == 1
    assert [v["outcome"] for v in client.get(f"/api/households/{world.home.pk}/visits").json()] == ["done"]


def test_the_api_says_what_is_wrong_with_a_bad_visit(world: World) -> None:
    client = client_for(world.chw)
    body = {"client_id": str(uuid.uuid4()), "household_id": world.home.pk, "outcome": "done", "reasons": []}
    response = _post(client, body)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid_visit", "detail": "Choose at least one reason for the visit."},
    )
    response = _post(client, {**body, "client_id": "not-a-uuid"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"
    assert Visit.objects.count() == 0
