"""A story sent twice with the form's one-time token is added once."""

from __future__ import annotations

import pytest

from commonweal.evidence.models import Story
from commonweal.evidence.tests.test_stories_and_alliances import STORY

pytestmark = pytest.mark.django_db


def test_a_story_sent_twice_is_added_once(commissioner_client, system):
    data = {**STORY, "form_token": "a-one-time-token-from-the-form"}
    first = commissioner_client.post("/evidence/stories/new/", data)
    second = commissioner_client.post("/evidence/stories/new/", data)
    assert first["Location"] == second["Location"] == "/evidence/uptake/#deprivation"
    assert Story.objects.count() == 1
