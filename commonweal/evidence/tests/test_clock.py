"""The evidence actions write the time they are given (`at=`), and their audit events carry it."""

from __future__ import annotations

import datetime

import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.evidence import actions
from commonweal.evidence.models import Story

pytestmark = pytest.mark.django_db

ADDED = datetime.datetime(2025, 7, 1, 12, 0, tzinfo=datetime.UTC)
WITHDRAWN = datetime.datetime(2025, 8, 15, 9, 45, tzinfo=datetime.UTC)


def test_a_story_added_and_withdrawn_at_given_times_is_dated_then(places, persona):
    commissioner = persona(Role.COMMISSIONER)
    story = actions.add_story(
        fields={
            "dashboard": "uptake",
            "chart": "funnel",
            "title": "Back at the allotment",
            "text": "Lena found me a place at the community garden.",
            "source": Story.Source.JOURNEY,
            "place": places.north,
            "told_on": datetime.date(2025, 6, 12),
            "consent_method": Story.ConsentMethod.WRITTEN,
            "consent_given_on": datetime.date(2025, 6, 12),
        },
        by=commissioner,
        at=ADDED,
    )
    actions.withdraw_story(
        story=story, note="The person asked us to take it down", by=commissioner, at=WITHDRAWN
    )
    story.refresh_from_db()
    assert (story.created_at, story.withdrawn_at) == (ADDED, WITHDRAWN)
    assert list(
        AuditEvent.objects.filter(target_id=story.pk, action__endswith="_story")
        .order_by("pk")
        .values_list("action", "occurred_at")
    ) == [("evidence.add_story", ADDED), ("evidence.withdraw_story", WITHDRAWN)]


def test_consent_given_after_the_clock_of_the_action_is_refused(places, persona):
    commissioner = persona(Role.COMMISSIONER)
    with pytest.raises(actions.EvidenceError, match="in the future"):
        actions.add_story(
            fields={
                "dashboard": "uptake",
                "chart": "funnel",
                "title": "Too early",
                "text": "Not yet told.",
                "source": Story.Source.JOURNEY,
                "place": places.north,
                "told_on": datetime.date(2025, 7, 2),
                "consent_method": Story.ConsentMethod.WRITTEN,
                "consent_given_on": datetime.date(2025, 7, 2),
            },
            by=commissioner,
            at=ADDED,
        )
    assert Story.objects.count() == 0
