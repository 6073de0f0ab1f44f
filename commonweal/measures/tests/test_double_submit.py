"""Planning someone's questionnaires, sent twice with the form's one-time token (a double click, the
form sent again), plans them once: a second plan would send the person every reminder twice."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from commonweal.measures.models import MeasureSchedule, ScheduledMeasure
from commonweal.measures.tests.conftest import client_for
from commonweal.ui.idempotency import ALREADY_SENT

pytestmark = pytest.mark.django_db
TOKEN = {"form_token": "a-one-time-token-from-the-form"}


def test_questionnaires_planned_twice_are_planned_once(cast):
    client = client_for(cast.lena)
    path = f"/measures/people/{cast.rosa.pk}/schedule/"
    assert 'name="form_token"' in client.get(path).content.decode()
    data = {
        "instruments": ["phq-9", "ons4"],
        "baseline_on": "2026-03-02",
        "follow_up_weeks": "6, 12",
        **TOKEN,
    }
    first, second = client.post(path, data), client.post(path, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ALREADY_SENT in [str(message) for message in get_messages(second.wsgi_request)]
    assert MeasureSchedule.objects.filter(person=cast.rosa).count() == 1
    assert ScheduledMeasure.objects.filter(person=cast.rosa).count() == 6
