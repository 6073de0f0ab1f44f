"""Shared test set-up: the real geography is loaded once per test session; personas come from factories."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from commonweal import demokit
from commonweal.places.loading import load_geography
from commonweal.reference_data import shared_data_dir
from tests.demo_database import QUICK_PASSWORD_HASHERS
from tests.shared_start import START, clear_folder
from tests.static_files_once import install as read_static_files_once

read_static_files_once()

# Every process of a run builds the demo as of the same Monday: the first (the controller, before its
# workers start) chooses it from the clock, and the workers inherit it. A run that crosses a Monday keeps
# the Monday it started with.
os.environ.setdefault(demokit.AS_OF_VARIABLE, demokit.demo_as_of().date().isoformat())


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> Iterator[None]:
    # Runs just before pytest-django creates the test database: one migration per run (tests/shared_start.py).
    START.begin()
    yield


def let_flush_empty_the_timebank_ledger() -> None:
    """Let SQLite's test flush (DELETE, row by row) empty the timebank's movements.

    The movements' DELETE refusal (timebank migration 0002) is taken off this test database only, after
    the run's migrated copy was made; the timebank's refusal tests put it back inside their own
    transaction (decision record 1500). PostgreSQL flushes with TRUNCATE, which fires no row trigger.
    """
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS timebank_movement_no_delete")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # The shared geography (ONS/MHCLG files) is read-only reference data every test may use.
    with django_db_blocker.unblock():
        if not START.end():
            load_geography(shared_data_dir() / "geo")
            START.leave_copy()
        let_flush_empty_the_timebank_ledger()
    yield
    with django_db_blocker.unblock():
        START.remove_copy()


def pytest_sessionstart(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        clear_folder()


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not hasattr(session.config, "workerinput"):
        clear_folder()


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
    if item.get_closest_marker("faults") is not None:
        return True  # a database of their own, of the pass's kind (tests/faults/conftest.py)
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


def _name_xdist_groups(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give tests marked `xdist_group` their group's suffix, as pytest-xdist's `--dist loadgroup` means to.

    pytest 9 keeps a node's id in `_id`; pytest-xdist 3.8 still writes the suffix to `_nodeid`, where
    nothing reads it, so every group was spread over the workers (the fault tests built their site on
    each). Done here only where the suffix is missing, so a pytest-xdist that does it again wins.
    """
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if names and "@" not in item.nodeid.rpartition("]")[2]:
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _name_xdist_groups(config, items)
    # The fault tests (tests/faults, one group on one process) are the longest piece of work one
    # process does alone: hand them out first, so they run beside the rest rather than alone at the
    # end. They use no test database, so running before the others changes nothing for either.
    faults = [item for item in items if item.get_closest_marker("faults") is not None]
    if faults:
        items[:] = faults + [item for item in items if item.get_closest_marker("faults") is None]
    # CI's PostgreSQL pass sets DATABASE_TESTS_ONLY: a test that cannot reach a database ran on the
    # SQLite pass already and would give the same result, so that pass runs only the others.
    if os.environ.get("DATABASE_TESTS_ONLY", "").lower() not in {"1", "true", "yes"}:
        return
    kept = [item for item in items if _may_use_the_database(item)]
    left_out = [item for item in items if not _may_use_the_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
