"""A story, an SROI analysis, or an input or outcome of one, sent twice with the form's one-time token is
added once: a second input or outcome would change the analysis's ratio."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from commonweal.evidence.models import SroiAnalysis, SroiInput, SroiOutcome, SroiStakeholder, Story
from commonweal.evidence.tests.test_sroi_pages import OUTCOME, analysis  # noqa: F401
from commonweal.evidence.tests.test_stories_and_alliances import STORY
from commonweal.ui.idempotency import ALREADY_SENT

pytestmark = pytest.mark.django_db
TOKEN = {"form_token": "a-one-time-token-from-the-form"}


def test_a_story_sent_twice_is_added_once(commissioner_client, system):
    data = {**STORY, "form_token": "a-one-time-token-from-the-form"}
    first = commissioner_client.post("/evidence/stories/new/", data)
    second = commissioner_client.post("/evidence/stories/new/", data)
    assert first["Location"] == second["Location"] == "/evidence/uptake/#deprivation"
    assert Story.objects.count() == 1


# (where it is sent, what it sends, the records it makes)
SROI_FORMS = {
    "analysis": (
        "/evidence/sroi/new/",
        {
            "name": "Walking groups in Sale",
            "scope": "Led walks for older people",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "discount_rate": "3.5",
        },
        SroiAnalysis.objects.filter(name="Walking groups in Sale"),
    ),
    "input": (
        "/evidence/sroi/{analysis}/inputs/new/",
        {"stakeholder": "{residents}", "description": "Walk leaders' time", "value": "3000"},
        SroiInput.objects.filter(description="Walk leaders' time"),
    ),
    "outcome": (
        "/evidence/sroi/{analysis}/outcomes/new/",
        {**OUTCOME, "name": "Fitter", "stakeholder": "{residents}"},
        SroiOutcome.objects.filter(name="Fitter"),
    ),
}


@pytest.mark.parametrize("name", SROI_FORMS)
def test_every_sroi_form_that_makes_a_record_sent_twice_makes_one(commissioner_client, analysis, name):  # noqa: F811
    path, data, made = SROI_FORMS[name]
    names = {"analysis": analysis.pk, "residents": SroiStakeholder.objects.get(name="Residents").pk}
    path = path.format(**names)
    data = {key: value.format(**names) for key, value in data.items()}
    assert 'name="form_token"' in commissioner_client.get(path).content.decode()
    first, second = (
        commissioner_client.post(path, {**data, **TOKEN}),
        commissioner_client.post(path, {**data, **TOKEN}),
    )
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    assert made.count() == 1
