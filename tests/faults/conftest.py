"""The fault tests share one site (database, server, workers) for the package, on the pass's database.

On CI's SQLite pass the site uses a SQLite file of its own; on its PostgreSQL pass, a throwaway
PostgreSQL cluster of its own (never the shared server). The tests are marked `faults` and grouped on
one test process (`--dist loadgroup` in the Makefile), so the site is built once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.faults.harness import Site, running_site


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    grouped = config.pluginmanager.hasplugin("xdist")
    for item in items:
        if "tests/faults/" in item.nodeid:
            item.add_marker(pytest.mark.faults)
            if grouped:
                item.add_marker(pytest.mark.xdist_group("faults"))


def _vendor() -> str:
    # FAULTS_DATABASE=postgresql|sqlite chooses directly (e.g. the PostgreSQL cases on a SQLite pass).
    chosen = os.environ.get("FAULTS_DATABASE", "")
    if chosen:
        return chosen
    return "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


@pytest.fixture(scope="package")
def site() -> Iterator[Site]:
    with running_site(_vendor()) as started:
        yield started
