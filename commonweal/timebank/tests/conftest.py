from __future__ import annotations

from typing import Any

import pytest

from commonweal.timebank.models import Account, Bank
from commonweal.timebank.tests.world import World, build_world


@pytest.fixture(scope="module")
def module_world(module_places: Any) -> World:
    """One bank (provider records, block at ten hours) built once for the module."""
    return build_world(module_places)


@pytest.fixture
def world(module_world: World, db: Any) -> World:
    """The module's world, read afresh from the database: a test's changes to its objects stay its own."""
    bank = Bank.objects.get(pk=module_world.bank.pk)

    def fresh(account: Account) -> Account:
        account = Account.objects.select_related("user").get(pk=account.pk)
        account.bank = bank
        return account

    return World(
        places=module_world.places,
        coordinator=module_world.coordinator,
        bank=bank,
        chest=fresh(module_world.chest),
        ann=fresh(module_world.ann),
        bob=fresh(module_world.bob),
        cat=fresh(module_world.cat),
        group=fresh(module_world.group),
        group_member=module_world.group_member,
        guardian=module_world.guardian,
        applicant=fresh(module_world.applicant),
    )
