"""Issue 12, finding 11: 1 MiB of text in a story is refused with a clear message, nothing stored."""

from __future__ import annotations

import datetime

import pytest

from commonweal.evidence import actions
from commonweal.evidence.actions import EvidenceError
from commonweal.evidence.models import Story
from commonweal.evidence.tests.test_stories_and_alliances import STORY

pytestmark = pytest.mark.django_db

MEBIBYTE = "I go to the walking group. " + "x" * (1 << 20)


def test_a_mebibyte_story_is_refused_on_the_page_keeping_the_title(commissioner_client):
    response = commissioner_client.post("/evidence/stories/new/", {**STORY, "text": MEBIBYTE})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in page
    assert 'value="Out of the house again"' in page
    assert Story.objects.count() == 0


def test_the_action_refuses_a_mebibyte_story_too(system):
    fields = {
        "dashboard": "uptake",
        "title": "Long",
        "text": MEBIBYTE,
        "source": "journey",
        "told_on": datetime.date(2025, 3, 1),
        "consent_method": "written",
        "consent_given_on": datetime.date(2025, 3, 1),
    }
    with pytest.raises(EvidenceError, match="5,000 characters or fewer"):
        actions.add_story(fields=fields, by=system.commissioner)
    assert Story.objects.count() == 0
