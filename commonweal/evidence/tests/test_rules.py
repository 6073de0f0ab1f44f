"""Evidence actions refuse whoever the rules refuse, and change nothing when they do.

Cleo is a commissioner (she analyses evidence); Lena is a link worker, who does not.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.evidence import actions
from commonweal.evidence.models import (
    Alliance,
    SharedOutcome,
    SroiAnalysis,
    SroiInput,
    SroiOutcome,
    SroiStakeholder,
    Story,
    SummaryRefresh,
)
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ANALYSIS = {
    "name": "Link workers in Trafford",
    "scope": "Social prescribing for lonely adults",
    "organisation": None,
    "period_start": datetime.date(2025, 1, 1),
    "period_end": datetime.date(2025, 12, 31),
    "discount_rate": Decimal("3.5"),
}
STORY = {
    "dashboard": "uptake",
    "chart": "deprivation",
    "title": "Out of the house again",
    "text": "Now I go to the walking group every Tuesday.",
    "source": "journey",
    "place": None,
    "told_on": datetime.date(2025, 3, 1),
    "consent_method": "written",
    "consent_given_on": datetime.date(2025, 3, 1),
}


def _outcome_fields(stakeholder: SroiStakeholder) -> dict[str, object]:
    return {
        "stakeholder": stakeholder,
        "name": "Less lonely",
        "indicator": "UCLA-3 score down at follow-up",
        "measure": "",
        "improvement": None,
        "quantity": Decimal("50"),
        "proxy_value": Decimal("1200"),
        "proxy_source": "Illustrative value per person",
        "duration_years": 3,
        "deadweight": Decimal("25"),
        "displacement": Decimal("0"),
        "attribution": Decimal("20"),
        "drop_off": Decimal("10"),
    }


def _snapshot() -> dict[str, object]:
    return {
        "refreshes": SummaryRefresh.objects.count(),
        "stories": list(Story.objects.order_by("pk").values_list("title", "withdrawn_at")),
        "analyses": list(
            SroiAnalysis.objects.order_by("pk").values_list("name", "discount_rate", "updated_at")
        ),
        "stakeholders": list(SroiStakeholder.objects.order_by("pk").values_list("name", flat=True)),
        "inputs": list(SroiInput.objects.order_by("pk").values_list("description", "value")),
        "outcomes": list(SroiOutcome.objects.order_by("pk").values_list("name", "quantity")),
        "alliances": list(Alliance.objects.order_by("pk").values_list("name", "description")),
        "members": sorted(Alliance.members.through.objects.values_list("alliance_id", "organisation_id")),
        "shared": list(SharedOutcome.objects.order_by("pk").values_list("indicator", "target")),
        "events": AuditEvent.objects.count(),
    }


@pytest.fixture
def cleo(persona):
    return persona(Role.COMMISSIONER, full_name="Cleo Commissioner")


@pytest.fixture
def lena(persona):
    return persona(Role.LINK_WORKER, full_name="Lena Linkworker")


@pytest.fixture
def analysis(cleo) -> SroiAnalysis:
    found = actions.save_analysis(analysis=None, fields=dict(ANALYSIS), by=cleo)
    residents = actions.add_stakeholder(analysis=found, name="Residents", description="", by=cleo)
    actions.add_input(
        analysis=found, stakeholder=residents, description="Volunteer time", value=Decimal("5000"), by=cleo
    )
    actions.save_outcome(analysis=found, outcome=None, fields=_outcome_fields(residents), by=cleo)
    return found


@pytest.fixture
def alliance(cleo, places) -> Alliance:
    found = actions.save_alliance(
        alliance=None,
        name="Trafford Together",
        description="Working on loneliness",
        members=[places.vcse, places.practice],
        by=cleo,
    )
    actions.save_shared_outcome(
        alliance=found,
        shared_outcome=None,
        indicator="seen",
        target=Decimal("80"),
        neighbourhood=None,
        imd_quintile=None,
        agreed_on=datetime.date(2025, 4, 1),
        by=cleo,
    )
    return found


def test_a_link_worker_cannot_ask_for_a_refresh(lena, django_capture_on_commit_callbacks):
    before = _snapshot()
    with django_capture_on_commit_callbacks() as queued, pytest.raises(PermissionDenied):
        actions.request_refresh(by=lena)
    assert queued == []
    assert _snapshot() == before
    assert SummaryRefresh.objects.count() == 0


def test_a_link_worker_cannot_add_or_withdraw_a_story(cleo, lena):
    story = actions.add_story(fields=dict(STORY), by=cleo)
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.add_story(fields=dict(STORY, title="Another story"), by=lena)
    with pytest.raises(PermissionDenied):
        actions.withdraw_story(story=story, note="Asked by phone", by=lena)
    assert _snapshot() == before
    story.refresh_from_db()
    assert (story.withdrawn_at, story.withdrawn_by) == (None, None)


def test_a_link_worker_cannot_start_or_change_an_analysis(analysis, lena):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.save_analysis(analysis=None, fields=dict(ANALYSIS, name="Another"), by=lena)
    with pytest.raises(PermissionDenied):
        actions.save_analysis(analysis=analysis, fields=dict(ANALYSIS, discount_rate=Decimal("5")), by=lena)
    assert _snapshot() == before
    assert SroiAnalysis.objects.get().discount_rate == Decimal("3.5")


def test_a_link_worker_cannot_add_change_or_remove_an_analysis_entry(analysis, lena):
    residents = SroiStakeholder.objects.get()
    outcome = SroiOutcome.objects.get()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.add_stakeholder(analysis=analysis, name="Carers", description="", by=lena)
    with pytest.raises(PermissionDenied):
        actions.add_input(
            analysis=analysis, stakeholder=residents, description="Rooms", value=Decimal("100"), by=lena
        )
    with pytest.raises(PermissionDenied):
        actions.save_outcome(
            analysis=analysis,
            outcome=outcome,
            fields=_outcome_fields(residents) | {"quantity": Decimal("500")},
            by=lena,
        )
    with pytest.raises(PermissionDenied):
        actions.remove_item(analysis=analysis, item=SroiInput.objects.get(), by=lena)
    assert _snapshot() == before
    assert (SroiStakeholder.objects.count(), SroiInput.objects.count(), SroiOutcome.objects.count()) == (
        1,
        1,
        1,
    )


def test_a_link_worker_cannot_form_or_change_an_alliance_or_its_outcomes(alliance, lena, places):
    shared = SharedOutcome.objects.get()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        actions.save_alliance(
            alliance=None,
            name="Another alliance",
            description="",
            members=[places.vcse, OrganisationFactory.create()],
            by=lena,
        )
    with pytest.raises(PermissionDenied):
        actions.save_alliance(
            alliance=alliance, name="Renamed", description="", members=[places.vcse, places.icb], by=lena
        )
    with pytest.raises(PermissionDenied):
        actions.save_shared_outcome(
            alliance=alliance,
            shared_outcome=shared,
            indicator="seen",
            target=Decimal("90"),
            neighbourhood=None,
            imd_quintile=None,
            agreed_on=datetime.date(2025, 5, 1),
            by=lena,
        )
    with pytest.raises(PermissionDenied):
        actions.remove_shared_outcome(shared_outcome=shared, by=lena)
    assert _snapshot() == before
    assert list(SharedOutcome.objects.values_list("target", flat=True)) == [Decimal("80.00")]


def test_a_link_worker_cannot_rebuild_the_summaries(lena):
    from commonweal.evidence.summaries import refresh_summaries

    before = _snapshot()
    with pytest.raises(PermissionDenied):
        refresh_summaries(by=lena)
    assert _snapshot() == before
    assert SummaryRefresh.objects.count() == 0
