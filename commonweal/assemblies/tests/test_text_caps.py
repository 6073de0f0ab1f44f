"""Issue 12, finding 11: 1 MiB of session notes is refused with a clear message, nothing stored."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from commonweal.assemblies import actions
from commonweal.assemblies.actions import AssemblyError
from commonweal.assemblies.models import Session
from commonweal.assemblies.tests.test_deliberation_pages import group  # noqa: F401

pytestmark = pytest.mark.django_db

MEBIBYTE = "We heard from residents. " + "x" * (1 << 20)


def test_mebibyte_session_notes_are_refused_on_the_page_keeping_the_title(organiser, group):  # noqa: F811
    client = Client()
    client.force_login(organiser)
    response = client.post(
        f"/participation/bodies/{group.pk}/sessions/new/",
        {"title": "Session 1", "held_on": "2026-01-20", "venue": "", "agenda": MEBIBYTE, "notes": MEBIBYTE},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value has at most 5000 characters" in page
    assert 'value="Session 1"' in page
    assert Session.objects.filter(body=group).count() == 0


def test_the_action_refuses_mebibyte_notes_too(organiser, group):  # noqa: F811
    with pytest.raises(AssemblyError, match="5,000 characters or fewer"):
        actions.record_session(
            body=group,
            title="Session 1",
            held_on=datetime.date(2026, 1, 20),
            venue="",
            agenda="Welcome",
            notes=MEBIBYTE,
            by=organiser,
        )
    assert Session.objects.filter(body=group).count() == 0
