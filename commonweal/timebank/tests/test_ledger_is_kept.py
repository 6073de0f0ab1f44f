"""The database refuses to change the ledger, through the ORM and raw SQL, and the check command proves it.

SQLite's test database has the movements' DELETE refusal taken off so that Django's flush can empty it
(conftest.py, decision record 1500): each test here puts the migration's own trigger back inside its
transaction first, as every real database has it.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from commonweal.timebank import actions
from commonweal.timebank.models import Account, ImmutableMovementError, Movement, Transfer
from commonweal.timebank.tests.world import NO_DELETE


@pytest.fixture
def sealed(world):
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(NO_DELETE)
    transfer = actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=90)
    return transfer


def _refused(statement, *params):
    refusals = r"never updated or deleted|must match its transfer|never changed|needs its debit"
    with pytest.raises(IntegrityError, match=refusals), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


def _as_written(transfer):
    return list(
        Movement.objects.filter(transfer=transfer).order_by("leg").values_list("account", "minutes", "leg")
    )


def test_the_orm_cannot_update_or_delete_a_movement(world, sealed):
    before = _as_written(sealed)
    movement = Movement.objects.get(transfer=sealed, leg=1)
    movement.minutes = -1
    with pytest.raises(ImmutableMovementError):
        movement.save()
    with pytest.raises(ImmutableMovementError):
        movement.delete()
    with pytest.raises(IntegrityError, match="never updated or deleted"), transaction.atomic():
        Movement.objects.filter(pk=movement.pk).update(minutes=-1)
    with pytest.raises(IntegrityError, match="never updated or deleted"), transaction.atomic():
        Movement.objects.filter(transfer=sealed).delete()
    assert _as_written(sealed) == before


def test_raw_sql_cannot_update_or_delete_a_movement(world, sealed):
    before = _as_written(sealed)
    _refused("UPDATE timebank_movement SET minutes = -1 WHERE transfer_id = %s AND leg = 1", sealed.pk)
    _refused("UPDATE timebank_movement SET account_id = %s WHERE transfer_id = %s", world.cat.pk, sealed.pk)
    _refused("DELETE FROM timebank_movement WHERE transfer_id = %s", sealed.pk)
    _refused("DELETE FROM timebank_movement")
    assert _as_written(sealed) == before


def test_raw_sql_cannot_write_a_movement_that_does_not_match_its_transfer(world, sealed):
    pending = Transfer.objects.create(
        bank=world.bank,
        source=world.cat,
        destination=world.ann,
        minutes=30,
        status=Transfer.Status.PENDING,
        recorded_by=world.coordinator,
    )
    insert = "INSERT INTO timebank_movement (transfer_id, account_id, minutes, leg, at) VALUES (%s, %s, %s, %s, %s)"  # noqa: E501
    _refused(insert, pending.pk, world.bob.pk, -30, 1, "2026-03-02 10:00:00")  # not the source
    _refused(insert, pending.pk, world.cat.pk, -45, 1, "2026-03-02 10:00:00")  # not the minutes
    _refused(insert, pending.pk, world.ann.pk, 30, 2, "2026-03-02 10:00:00")  # a credit before its debit
    _refused("UPDATE timebank_transfer SET minutes = 1 WHERE id = %s", sealed.pk)
    assert Movement.objects.filter(transfer=pending).count() == 0


def test_the_database_refuses_zero_minutes_and_a_transfer_to_itself(world):
    for source, destination, minutes in ((world.ann, world.bob, 0), (world.ann, world.ann, 30)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.create(
                bank=world.bank,
                source=source,
                destination=destination,
                minutes=minutes,
                status=Transfer.Status.PENDING,
                recorded_by=world.coordinator,
            )


def test_the_check_command_proves_the_ledger_and_names_a_wrong_cached_balance(world, capsys):
    actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=90)
    actions.record_transfer(by=world.coordinator, source=world.bob, destination=world.chest, minutes=30)
    call_command("check_timebank")
    assert capsys.readouterr().out.startswith("ok 1 bank, 4 movements proved in")
    Account.objects.filter(pk=world.cat.pk).update(balance_minutes=15)
    with pytest.raises(
        CommandError, match="Cat Cedar has a cached balance of 15 minutes but its movements sum to 0"
    ):
        call_command("check_timebank")
