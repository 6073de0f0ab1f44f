"""The directory actions write the time they are given (`at=`), and their audit events carry it."""

from __future__ import annotations

import datetime

import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.directory import actions
from commonweal.directory.models import ServiceVersion
from tests.factories import make_persona

pytestmark = pytest.mark.django_db

LISTED = datetime.datetime(2025, 5, 2, 11, 0, tzinfo=datetime.UTC)
CHECKED = datetime.datetime(2025, 11, 2, 8, 30, tzinfo=datetime.UTC)


def test_an_entry_added_and_checked_at_given_times_is_dated_then(places, taxonomy):
    steward = make_persona(Role.COMMUNITY_ORGANISER, places)
    service = actions.create_service(
        by=steward,
        organisation_name="Sale Allotment Society",
        fields={"name": "Allotment open days", "description": "Come and dig"},
        at=LISTED,
    )
    service.refresh_from_db()
    assert (service.created_at, service.last_modified, service.last_checked_at) == (LISTED, LISTED, LISTED)
    actions.confirm_checked(service=service, by=steward, at=CHECKED)
    service.refresh_from_db()
    assert service.last_checked_at == CHECKED
    assert list(
        ServiceVersion.objects.filter(service=service).order_by("number").values_list("changed_at", flat=True)
    ) == [
        LISTED,
        CHECKED,
    ]
    assert list(
        AuditEvent.objects.filter(target_id=service.pk, action__startswith="directory.")
        .order_by("pk")
        .values_list("action", "occurred_at")
    ) == [("directory.create_service", LISTED), ("directory.confirm_checked", CHECKED)]
