"""Fixtures for the budgeting tests (the rounds themselves are built by budgeting_helpers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from commonweal.accounts.models import Role


@pytest.fixture
def organiser(persona: Callable[..., Any]) -> Any:
    """A community organiser scoped to North Trafford, as the personas are."""
    return persona(Role.COMMUNITY_ORGANISER)
