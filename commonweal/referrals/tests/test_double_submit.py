"""A create form sent twice with its one-time token makes one thing; the second submit is shown it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from commonweal.people.models import BreakGlassOpening, Goal, GoalReview, NetworkMember, SafeguardingConcern
from commonweal.referrals import actions
from commonweal.referrals.models import (
    Attendance,
    Connection,
    ConnectionTransition,
    ContactLogEntry,
    Conversation,
    Referral,
    SmallSum,
)
from commonweal.referrals.tests.factories import connection_for, open_case
from commonweal.referrals.tests.test_pages import _self_referral
from commonweal.ui.idempotency import ALREADY_SENT, SAME_ANSWERS_SENT

pytestmark = pytest.mark.django_db
TOKEN = {"form_token": "a-one-time-token-from-the-form"}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_forms_carry_a_fresh_token_each_time(world, client_for):
    first, second = Client().get("/refer/yourself/"), Client().get("/refer/yourself/")
    assert 'name="form_token"' in first.content.decode()
    assert first.context["request"] is not None
    token = first.content.decode().split('name="form_token" value="')[1].split('"')[0]
    assert token and token not in second.content.decode()
    assert 'name="form_token"' in client_for(world.referrer).get("/refer/").content.decode()


def test_a_self_referral_sent_twice_makes_one_referral(world):
    client = Client()
    data = {**_self_referral(), **TOKEN}
    first = client.post("/refer/yourself/", data)
    second = client.post("/refer/yourself/", data)
    assert first["Location"] == second["Location"] == "/refer/yourself/sent/"
    assert ALREADY_SENT in _messages(second)
    assert Referral.objects.count() == 1


def test_a_self_referral_sent_again_after_the_back_button_gave_it_a_new_token_makes_one_referral(world):
    client = Client()
    first = client.post("/refer/yourself/", {**_self_referral(), "form_token": "the-token-of-the-first-page"})
    # The back button fetched the form again: a new token, and the browser put back what was typed.
    second = client.post(
        "/refer/yourself/", {**_self_referral(), "form_token": "the-token-of-the-page-again"}
    )
    assert first["Location"] == second["Location"] == "/refer/yourself/sent/"
    assert _messages(second) == [SAME_ANSWERS_SENT]
    assert SAME_ANSWERS_SENT == "You already sent this form with these answers, so nothing new was made."
    assert Referral.objects.count() == 1


def test_the_same_answers_from_another_browser_are_not_told_anything_was_sent(world):
    Client().post("/refer/yourself/", {**_self_referral(), "form_token": "one-browser"})
    other = Client().post("/refer/yourself/", {**_self_referral(), "form_token": "another-browser"})
    assert other["Location"] == "/refer/yourself/sent/"
    assert _messages(other) == []
    assert Referral.objects.count() == 2


def test_a_self_referral_that_failed_keeps_its_token_and_can_be_sent_again(world):
    client = Client()
    refused = client.post("/refer/yourself/", {**_self_referral(privacy=None), **TOKEN})
    assert refused.status_code == 400
    assert TOKEN["form_token"] in refused.content.decode()
    assert client.post("/refer/yourself/", {**_self_referral(), **TOKEN}).status_code == 302
    assert Referral.objects.count() == 1


def test_a_referral_sent_twice_makes_one_referral(world, client_for):
    client = client_for(world.referrer)
    data = {
        "nhs_number": "401 023 2137",
        "given_name": "Ivan",
        "family_name": "Brookhouse",
        "date_of_birth": "1961-07-14",
        "sex": "male",
        "postcode": "M33 7AA",
        "phone": "0161 496 0001",
        "gp_practice": world.places.practice.pk,
        "team": world.team.pk,
        "source": "gp",
        "reasons": ["loneliness"],
        "urgency": "soon",
        "person_agreed": "on",
        **TOKEN,
    }
    first, second = client.post("/refer/", data), client.post("/refer/", data)
    assert first["Location"] == second["Location"] == "/referrals/mine/"
    assert ALREADY_SENT in _messages(second)
    assert Referral.objects.count() == 1


def test_a_token_used_by_someone_else_does_not_show_them_the_result(world, client_for):
    data = {**_self_referral(), **TOKEN}
    Client().post("/refer/yourself/", data)
    # A signed-in person sending the same token is not sent to what the anonymous form made.
    response = client_for(world.referrer).post("/refer/", TOKEN)
    assert response.status_code == 400


def test_accepting_a_connection_twice_moves_it_once(world, client_for):
    connection = connection_for(world, open_case(world))
    client = client_for(world.member)
    data = {"to_status": "accepted", "note": "See you Tuesday", **TOKEN}
    path = f"/connections/{connection.pk}/"
    first, second = client.post(path, data), client.post(path, data)
    assert first["Location"] == second["Location"] == path
    assert ALREADY_SENT in _messages(second)
    assert Connection.objects.get(pk=connection.pk).status == "accepted"
    assert ConnectionTransition.objects.filter(connection=connection, to_status="accepted").count() == 1


def test_attendance_recorded_twice_is_one_record(world, client_for):
    connection = connection_for(world, open_case(world))
    client = client_for(world.member)
    client.post(f"/connections/{connection.pk}/", {"to_status": "accepted"})
    # The session is on the day the connection was made: a session before it is refused.
    made_on = timezone.localdate(connection.requested_at)
    data = {"session_on": made_on.isoformat(), "attended": "yes", **TOKEN}
    path = f"/connections/{connection.pk}/attendance/"
    first, second = client.post(path, data), client.post(path, data)
    assert first.status_code == second.status_code == 302
    assert Attendance.objects.filter(connection=connection).count() == 1


def _closed_case(world):
    referral = open_case(world)
    return actions.close_referral(referral=referral, reason="goals_met", by=world.link_worker)


# Every other form that makes a record in referrals and people: (who, path, data, what it makes).
CREATE_FORMS = {
    "contact": (
        "link_worker",
        "/referrals/{case}/contacts/new/",
        {"kind": "call", "outcome": "spoke", "happened_at": "2026-03-02T10:00", "note": "Booked a visit"},
        ContactLogEntry,
    ),
    "conversation": (
        "link_worker",
        "/referrals/{case}/conversations/1/new/",
        {"held_on": "2026-03-02", "participants": "Rosa and Alice", "summary": "Wants to grow things"},
        Conversation,
    ),
    "small sum": (
        "link_worker",
        "/referrals/{case}/small-sums/new/",
        {"amount": "40", "purpose": "Meter"},
        SmallSum,
    ),
    "connection": (
        "link_worker",
        "/referrals/{case}/connect/",
        {"service": "{walking}", "shared_fields": ["what_matters"], "person_agreed": "on"},
        Connection,
    ),
    "own connection": ("resident", "/me/connect/{walking}/", {"person_agreed": "on"}, Connection),
    "goal": ("link_worker", "/people/{rosa}/goals/new/", {"description": "Sing in a choir"}, Goal),
    "own goal": ("resident", "/me/goals/new/", {"description": "Sing in a choir"}, Goal),
    "network": ("link_worker", "/people/{rosa}/network/", {"kind": "family", "name": "Jess"}, NetworkMember),
    "safeguarding": (
        "link_worker",
        "/people/{rosa}/safeguarding/",
        {"concern": "Bruising noticed"},
        SafeguardingConcern,
    ),
    "break-glass": (
        "outsider_worker",
        "/people/{rosa}/break-glass/",
        {"reason": "Welfare check requested by a neighbour today"},
        BreakGlassOpening,
    ),
}


@pytest.mark.parametrize("name", CREATE_FORMS)
def test_every_form_that_makes_a_record_sent_twice_makes_one(world, client_for, name):
    who, path, data, model = CREATE_FORMS[name]
    case = open_case(world) if who != "outsider_worker" else None
    names = {"case": case.pk if case else 0, "rosa": world.rosa.pk, "walking": world.walking.pk}
    path = path.format(**names)
    data = {key: value.format(**names) if isinstance(value, str) else value for key, value in data.items()}
    client = client_for(getattr(world, who))
    # The connect page shows its form once a service is chosen.
    page = client.get(path, {"service": data["service"]} if "service" in data else {}).content.decode()
    assert 'name="form_token"' in page
    first = client.post(path, {**data, **TOKEN})
    second = client.post(path, {**data, **TOKEN})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in _messages(second)
    assert model.objects.count() == 1


def test_a_goal_update_sent_twice_is_one_review(world, client_for):
    open_case(world)
    goal = Goal.objects.create(person=world.rosa, description="Sing in a choir", set_by=world.resident)
    client = client_for(world.resident)
    data = {"progress": "started", "note": "First rehearsal", **TOKEN}
    first, second = client.post(f"/me/goals/{goal.pk}/", data), client.post(f"/me/goals/{goal.pk}/", data)
    assert first["Location"] == second["Location"] == "/me/"
    assert GoalReview.objects.filter(goal=goal).count() == 1


def test_referring_yourself_again_sent_twice_makes_one_referral(world, client_for):
    closed = _closed_case(world)
    client = client_for(world.resident)
    data = {"reason_detail": "Low again", "urgency": "soon", **TOKEN}
    path = f"/referrals/{closed.pk}/refer-again/"
    first, second = client.post(path, data), client.post(path, data)
    assert first["Location"] == second["Location"] == "/me/"
    assert ALREADY_SENT in _messages(second)
    assert Referral.objects.filter(previous_referral=closed).count() == 1
