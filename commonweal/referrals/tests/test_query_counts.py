"""The caseload, person and inbox pages run the same number of SQL queries however many cases there are."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection as db_connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commonweal.people import actions as people_actions
from commonweal.referrals import actions
from commonweal.referrals.tests.factories import connection_for, open_case
from tests.factories import PersonFactory


def _queries(client, path: str) -> int:
    # A first request fills per-process caches (content types), which are not part of the page's cost.
    client.get(path)
    with CaptureQueriesContext(db_connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def _end(referral, world):
    for connection in referral.connections.filter(status="requested"):
        actions.move_connection(
            connection=connection, to_status="cancelled", note="Case ending", by=world.link_worker
        )
    actions.close_referral(referral=referral, reason="goals_met", by=world.link_worker)


def _busy_case(world, person=None):
    referral = open_case(world, person)
    when = timezone.now() - datetime.timedelta(days=1)
    actions.log_contact(
        referral=referral, kind="call", outcome="spoke", happened_at=when, by=world.link_worker
    )
    actions.record_conversation(
        referral=referral,
        kind=1,
        held_on=timezone.localdate(),
        participants="Them and me",
        summary="Wants to get out more",
        what_matters="Friends",
        by=world.link_worker,
    )
    actions.record_conversation(
        referral=referral,
        kind=2,
        held_on=timezone.localdate(),
        participants="Them and me",
        summary="No money for the meter",
        emergency_actions=[
            actions.EmergencyActionInput("Food bank voucher", "Link worker", timezone.localdate())
        ],
        by=world.link_worker,
    )
    actions.request_small_sum(referral=referral, amount=20, purpose="Meter top-up", by=world.link_worker)
    connection = connection_for(world, referral)
    actions.move_connection(
        connection=connection, to_status="rejected", rejection_reason="at-capacity", by=world.member
    )
    connection_for(world, referral, world.food)
    people_actions.set_goal(person=referral.person, description="Walk every week", by=world.link_worker)
    return referral


def _cases(world, count):
    return [_busy_case(world, PersonFactory.create()) for _ in range(count)]


@pytest.mark.django_db
def test_the_caseload_page_does_not_grow_with_the_caseload(world, client_for):
    client = client_for(world.link_worker)
    _cases(world, 2)
    small = _queries(client, "/caseload/")
    _cases(world, 12)
    large = _queries(client, "/caseload/")
    assert small == large
    assert _queries(client, "/caseload/?sort=last_contact&alerts=on") == large


@pytest.mark.django_db
def test_the_team_page_does_not_grow_with_the_caseloads(world, client_for):
    client = client_for(world.supervisor)
    _cases(world, 2)
    small = _queries(client, f"/caseload/team/{world.team.pk}/?worker={world.link_worker.pk}")
    _cases(world, 8)
    assert _queries(client, f"/caseload/team/{world.team.pk}/?worker={world.link_worker.pk}") == small


@pytest.mark.django_db
def test_the_person_and_case_pages_do_not_grow_with_the_journey(world, client_for):
    client = client_for(world.link_worker)
    first = _busy_case(world)
    small_person = _queries(client, f"/people/{world.rosa.pk}/")
    small_case = _queries(client, f"/referrals/{first.pk}/")
    # Three earlier episodes, each with its conversations, contacts, money and connections.
    for _ in range(3):
        _end(first, world)
        first = _busy_case(world)
    assert _queries(client, f"/people/{world.rosa.pk}/") == small_person
    assert _queries(client, f"/referrals/{first.pk}/") == small_case


@pytest.mark.django_db
def test_the_inbox_does_not_grow_with_the_connections(world, client_for):
    client = client_for(world.member)
    _cases(world, 2)
    small = {view: _queries(client, f"/inbox/?view={view}") for view in ("new", "current", "finished")}
    _cases(world, 12)
    assert {
        view: _queries(client, f"/inbox/?view={view}") for view in ("new", "current", "finished")
    } == small


@pytest.mark.django_db
def test_the_persons_own_record_does_not_grow_with_the_journey(world, client_for):
    client = client_for(world.resident)
    first = _busy_case(world)
    small = _queries(client, "/me/")
    small_json = _queries(client, "/me/download.json")
    for _ in range(3):
        _end(first, world)
        first = _busy_case(world)
    assert _queries(client, "/me/") == small
    assert _queries(client, "/me/download.json") == small_json
