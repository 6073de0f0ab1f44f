"""The busiest measures pages make the same number of SQL queries however much they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonweal.measures import actions, registry
from commonweal.measures.models import Response
from commonweal.measures.tests.conftest import PHQ9_RISK, PHQ9_SAFE, client_for, open_case
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _answer(person, by, answers) -> Response:
    response = actions.start_response(
        person=person, definition=registry.definition("phq-9"), mode=Response.Mode.CONVERSATION, by=by
    )
    actions.save_answers(response=response, answers=answers, by=by)
    actions.submit_response(response=response, by=by)
    return response


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_person_page_costs_the_same_with_two_or_eight_responses(cast):
    client = client_for(cast.lena)
    for _ in range(2):
        _answer(cast.rosa, cast.lena, PHQ9_SAFE)
    _queries(client, f"/measures/people/{cast.rosa.pk}/")  # warms the content-type cache
    small = _queries(client, f"/measures/people/{cast.rosa.pk}/")
    for _ in range(5):
        _answer(cast.rosa, cast.lena, PHQ9_SAFE)
    actions.correct_response(
        response=Response.objects.order_by("pk").first(),
        answers=PHQ9_SAFE | {"phq9_1": 3},
        reason="Recorded the first answer wrongly",
        by=cast.lena,
    )
    assert _queries(client, f"/measures/people/{cast.rosa.pk}/") == small


def test_the_alerts_and_due_pages_cost_the_same_with_one_or_six_people(cast):
    client = client_for(cast.lena)
    _answer(cast.rosa, cast.lena, PHQ9_RISK)
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=cast.case.received_at.date(),
        follow_up_weeks=[6],
        by=None,
    )
    small = (_queries(client, "/measures/alerts/"), _queries(client, "/measures/due/"))
    for _ in range(5):
        person = PersonFactory.create()
        open_case(person, cast.lena, cast.team)
        _answer(person, cast.lena, PHQ9_RISK)
        actions.schedule_measures(
            person=person,
            instruments=["phq-9"],
            baseline_on=cast.case.received_at.date(),
            follow_up_weeks=[6],
            by=None,
        )
    assert (_queries(client, "/measures/alerts/"), _queries(client, "/measures/due/")) == small
