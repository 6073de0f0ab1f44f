"""Assemblies built through the actions, for the tests of the pages and the actions."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from typing import Any

import pytest

from commonweal.accounts.models import Role
from commonweal.assemblies import actions
from commonweal.assemblies.models import Assembly, Registration

FEATURES = ["age", "sex", "disability"]
AGE_BANDS = ["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]


@pytest.fixture
def organiser(persona: Callable[..., Any]) -> Any:
    """A community organiser scoped to North Trafford, as the personas are."""
    return persona(Role.COMMUNITY_ORGANISER)


@pytest.fixture
def make_assembly(places: Any, organiser: Any) -> Callable[..., Assembly]:
    def make(**fields: Any) -> Assembly:
        values: dict[str, Any] = {
            "place": places.north,
            "name": "North Trafford Health Assembly",
            "remit": "How should we spend the neighbourhood's prevention budget?",
            "panel_size": 6,
            "quota_features": FEATURES,
            "responsible_organisation": places.icb,
            "by": organiser,
        }
        values.update(fields)
        return actions.create_assembly(**values)

    return make


def answers_for(index: int) -> dict[str, str]:
    """A spread of answers: sex alternates, disability every third, age bands in turn."""
    return {
        "age": AGE_BANDS[index % len(AGE_BANDS)],
        "sex": "female" if index % 2 else "male",
        "ethnicity": "white" if index % 4 else "asian",
        "disability": "yes" if index % 3 == 0 else "no",
    }


@pytest.fixture
def fill_pool(organiser: Any) -> Callable[..., list[Registration]]:
    """Draw invitations and register `count` volunteers, one per letter, with a spread of answers."""

    def fill(assembly: Assembly, count: int, *, seed: int = 7) -> list[Registration]:
        invitation_round = actions.draw_invitations(
            assembly=assembly,
            postcodes=count,
            letters_per_postcode=1,
            seed=seed,
            by=organiser,
            code_source=random.Random(seed),
        )
        registrations = []
        for index, invitation in enumerate(invitation_round.invitations.order_by("pk")[:count]):
            registrations.append(
                actions.register_volunteer(
                    assembly=assembly,
                    code=invitation.code,
                    postcode=invitation.postcode.postcode,
                    full_name=f"Volunteer Person {index}",
                    email=f"volunteer{index}@example.org",
                    phone="",
                    answers=answers_for(index),
                    consent=True,
                )
            )
        return registrations

    return fill


@pytest.fixture
def closed_pool(organiser, make_assembly, fill_pool):
    """An assembly of 6 with 30 volunteers, quotas set and registration closed."""
    assembly = make_assembly()
    fill_pool(assembly, 30)
    actions.set_quotas(
        assembly=assembly, rows=share_rows(), tolerance_seats=0, source_name="t.csv", by=organiser
    )
    actions.close_registration(assembly=assembly, by=organiser)
    return assembly


@pytest.fixture
def selected(organiser, closed_pool):
    queued = actions.request_selection(assembly=closed_pool, method="leximin", seed=99, by=organiser)
    actions.carry_out_selection(request_id=queued.pk)
    closed_pool.refresh_from_db()
    return closed_pool


SHARES_CSV = (
    "feature,value,share\n"
    "age,16-24,0.14\nage,25-34,0.15\nage,35-44,0.15\nage,45-54,0.15\nage,55-64,0.14\nage,65-74,0.14\nage,75+,0.13\n"
    "sex,female,0.5\nsex,male,0.5\n"
    "disability,yes,0.2\ndisability,no,0.8\n"
)


def share_rows(text: str = SHARES_CSV) -> list[dict[str, str]]:
    """Parse a shares table as the upload form does."""
    return list(csv.DictReader(io.StringIO(text)))
