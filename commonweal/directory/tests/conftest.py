"""Directory test set-up: the built-in taxonomy and a few entries owned by the test organisation."""

from __future__ import annotations

from typing import Any

import pytest

from commonweal.accounts.models import Role
from commonweal.directory import actions
from commonweal.directory.models import Service, TaxonomyTerm
from commonweal.directory.taxonomy import ensure_builtin_taxonomies
from tests.factories import make_persona


@pytest.fixture
def taxonomy(db: Any) -> Any:
    return ensure_builtin_taxonomies()


def term(code: str) -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(taxonomy__is_builtin=True, code=code)


@pytest.fixture
def entries(places: Any, taxonomy: Any) -> dict[str, Service]:
    """Three entries near Sale: a free garden owned by the test group, a café and a paid dance class."""
    return make_entries(places)


def make_entries(places: Any) -> dict[str, Service]:
    """Create the three test entries (the taxonomy must be loaded)."""
    steward = make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Setup Steward")
    garden = actions.create_service(
        by=steward,
        organisation_name=places.vcse.name,
        owner=places.vcse,
        fields={
            "name": "Sale Community Garden",
            "description": "Grow vegetables together.",
            "terms": [term("community-gardens").pk, term("social-connection").pk],
            "postcode": "M33 7AA",
            "location_name": "Sale Library",
            "sessions": "Wednesday 10:00-13:00",
            "cost": "0",
            "accessibility": ["wheelchair"],
            "languages": "English, Polish",
            "accepting_referrals": "yes",
        },
    )
    cafe = actions.create_service(
        by=steward,
        organisation_name="Sale Moor Friends",
        fields={
            "name": "Friendship Café",
            "description": "Tea and a chat.",
            "terms": [term("community-cafes").pk],
            "postcode": "M33 7AB",
            "sessions": "Thursday 18:00-20:00",
            "cost": "0",
            "accepting_referrals": "waiting_list",
            "waiting_list_band": "1_to_3_months",
        },
    )
    dance = actions.create_service(
        by=steward,
        organisation_name="Sale Moor Friends",
        fields={
            "name": "Tea Dance",
            "description": "Ballroom dancing.",
            "terms": [term("dance").pk],
            "postcode": "M33 7AD",
            "sessions": "Friday 14:00-16:00",
            "cost": "3.50",
        },
    )
    return {"garden": garden, "cafe": cafe, "dance": dance}
