"""An audit event is dated by the clock of the action that records it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from commonweal.audit.actions import record_event

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2025, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)


def test_an_event_recorded_at_a_given_time_carries_exactly_that_time():
    event = record_event(by=None, action="tests.something", at=AT, detail="kept")
    event.refresh_from_db()
    assert event.occurred_at == AT
    assert event.detail == {"detail": "kept"}


def test_an_event_recorded_without_a_time_is_dated_now():
    before = timezone.now()
    event = record_event(by=None, action="tests.something")
    assert before <= event.occurred_at <= timezone.now()
