"""The measures part of a person's record: on their own page and download, and on the staff record page."""

from __future__ import annotations

import json

import pytest

from commonweal.measures import actions, registry
from commonweal.measures.models import Response
from commonweal.measures.tests.conftest import PHQ9_RISK, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(cast) -> Response:
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("phq-9"),
        mode=Response.Mode.OWN_ACCOUNT,
        by=cast.rosa.user,
    )
    actions.save_answers(response=response, answers=PHQ9_RISK, by=cast.rosa.user)
    actions.submit_response(response=response, by=cast.rosa.user)
    return response


def test_the_person_sees_their_latest_score_on_their_record(cast, answered):
    page = client_for(cast.rosa.user).get("/me/").content.decode()
    assert "Your wellbeing questionnaires" in page
    assert "PHQ-9 total score: 10 (Moderate) on " in page


def test_the_download_holds_every_answer_and_alert(cast, answered):
    document = json.loads(client_for(cast.rosa.user).get("/me/download.json").content)
    measures = document["measures"]
    assert [(q["instrument"], q["status"], q["answers"]["phq9_9"]) for q in measures["questionnaires"]] == [
        ("phq-9", "Submitted", "2")
    ]
    assert [(a["reason"], a["status"]) for a in measures["safety_alerts"]] == [
        (registry.definition("phq-9").risk_rules[0].reason.in_language(), "Waiting for acknowledgement")
    ]


def test_the_staff_record_shows_the_open_alert_and_links_to_the_measures_page(cast, answered):
    page = client_for(cast.lena).get(f"/people/{cast.rosa.pk}/").content.decode()
    assert "1 safety alert waiting" in page
    assert f'href="/measures/people/{cast.rosa.pk}/"' in page
