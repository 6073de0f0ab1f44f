"""The households tests' world, built once per module (tests/factories.py's places underneath)."""

from __future__ import annotations

from typing import Any

import pytest

from commonweal.households.tests.world import World, build_world


@pytest.fixture(scope="module")
def world(module_places: Any) -> World:
    return build_world(module_places)
