"""The fault tests share one site (database, server, workers) per test process, on the pass's database.

On CI's SQLite pass the site uses a SQLite file of its own; on its PostgreSQL pass, a throwaway
PostgreSQL cluster of its own (never the shared server). The tests are marked `faults` and grouped on
one test process (`--dist loadgroup` in the Makefile), so the site is built once. The group only
holds because the root conftest names xdist groups itself (`_name_xdist_groups`: pytest-xdist 3.8 no
longer can under pytest 9); without it each worker built a site of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.conf import settings

from tests.faults.harness import Site, running_site


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # First, so that the root conftest's DATABASE_TESTS_ONLY filter sees the marker: these tests reach
    # a database (their own), and CI's PostgreSQL pass runs them on a throwaway PostgreSQL cluster.
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


@pytest.fixture(scope="session")
def site(request: pytest.FixtureRequest) -> Iterator[Site]:
    vendor = _vendor()
    if vendor == "sqlite":
        # The run's test database first: its migrated copy (tests/shared_start.py), copied to the
        # site's own file, spares the seed its migration. The test database itself is not used.
        request.getfixturevalue("django_db_setup")
    with running_site(vendor) as started:
        yield started
