"""Shared test set-up: the real geography is loaded once per test session; personas come from factories."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from commonweal.places.loading import load_geography
from commonweal.reference_data import shared_data_dir
from tests.demo_database import QUICK_PASSWORD_HASHERS


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # The shared geography (ONS/MHCLG files) is read-only reference data every test may use.
    with django_db_blocker.unblock():
        load_geography(shared_data_dir() / "geo")
    yield


@pytest.fixture(autouse=True)
def _quick_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    # Argon2 is deliberately slow (about 0.1 s a hash) and the tests make thousands of users; the
    # production hasher is under test only where a test is marked `argon2`.
    if request.node.get_closest_marker("argon2") is None:
        settings.PASSWORD_HASHERS = QUICK_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: Any) -> None:
    # Tests run background tasks inside the call that enqueues them; `make run` uses the database queue.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="module")
def module_transaction(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Hold one transaction open for a whole test module and roll it back after the module.

    Rows that a module-scoped fixture writes inside it are seen by every test of the module, and each
    test still runs in a savepoint of its own, rolled back after it: costly worlds are built once per
    module instead of once per test. Only for modules whose tests read those rows, or change them
    through the database alone (objects held in Python are shared between the tests).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def demo_borough(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo borough for a whole test module, then the database as it was.

    The demo is built once per test process and copied back for each module that asks
    (tests/demo_database.py); as with `module_transaction`, each test runs in a savepoint of its own.
    A module that takes it must not build another demo in any of its tests.
    """
    from tests.demo_database import DEMO

    with django_db_blocker.unblock():
        DEMO.put_in_place()
        try:
            with transaction.atomic():
                yield
                transaction.set_rollback(True)
        finally:
            DEMO.clear()


@pytest.fixture(scope="module")
def module_places(module_transaction: None) -> Any:
    """The `places` tree, built once for a test module (see `module_transaction`)."""
    from tests.factories import build_places

    return build_places()


@pytest.fixture
def places(db: Any) -> Any:
    """Greater Manchester → Trafford → two neighbourhoods, on the real Trafford LSOAs."""
    from tests.factories import build_places

    return build_places()


@pytest.fixture
def persona(places: Any) -> Callable[..., Any]:
    """Make a user holding one role, scoped as the demo scopes it: persona(Role.LINK_WORKER)."""
    from tests.factories import make_persona

    return lambda role, **kwargs: make_persona(role, places, **kwargs)


@pytest.fixture
def signed_in_client(persona: Callable[..., Any]) -> Callable[..., Client]:
    """Return a client signed in as a new persona with the given role."""

    def make(role: Any, **kwargs: Any) -> Client:
        client = Client()
        client.force_login(persona(role, **kwargs))
        return client

    return make


# Fixtures through which a test reaches the test database (pytest-django's own, and ours below).
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}


def _may_use_the_database(item: pytest.Item) -> bool:
    """Whether a test can reach the database: marked for it, or given a fixture that opens it."""
    if item.get_closest_marker("django_db") is not None:
        return True
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return True
    for name, definitions in info.name2fixturedefs.items():
        if name in _DATABASE_FIXTURES or name == "live_server":
            return True
        for definition in definitions:
            # Our own fixtures that unblock the database themselves (module_transaction, demo_borough…).
            own = not getattr(definition.func, "__module__", "").startswith("pytest_django")
            if own and "django_db_blocker" in definition.argnames:
                return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI's PostgreSQL pass sets DATABASE_TESTS_ONLY: a test that cannot reach a database ran on the
    # SQLite pass already and would give the same result, so that pass runs only the others.
    if os.environ.get("DATABASE_TESTS_ONLY", "").lower() not in {"1", "true", "yes"}:
        return
    kept = [item for item in items if _may_use_the_database(item)]
    left_out = [item for item in items if not _may_use_the_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
