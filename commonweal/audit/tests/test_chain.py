"""The access log and the write log are hash-chained; `verify_audit` names the first broken link."""

from __future__ import annotations

import datetime
import io
import itertools
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from commonweal.audit.actions import AccessGrant, record_access, record_event
from commonweal.audit.chain import GENESIS
from commonweal.audit.models import AuditEvent, ChainHead, RecordAccess
from commonweal.audit.queries import chain_break

pytestmark = pytest.mark.django_db

AT = datetime.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC)


@pytest.fixture
def logged(django_user_model: Any) -> dict[str, list[Any]]:
    viewer = django_user_model.objects.create_user(email="viewer@example.invalid", password="x" * 12)
    subject = django_user_model.objects.create_user(email="subject@example.invalid", password="x" * 12)
    accesses = [
        record_access(
            viewer=viewer,
            subject=subject,
            subject_user=subject,
            grant=AccessGrant("break_glass", f"reason {n}"),
            path=f"/people/{n}/",
        )
        for n in range(4)
    ]
    events = [
        record_event(by=viewer, action=f"tests.action_{n}", target=subject, at=AT, n=n) for n in range(4)
    ]
    return {"accesses": accesses, "events": events}


def verify() -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as error:
        return f"FAILED {error}\n{err.getvalue()}"
    return out.getvalue()


def test_appended_rows_link_to_each_other_and_the_head_follows(logged: dict[str, list[Any]]) -> None:
    events = AuditEvent.objects.order_by("pk")
    assert events[0].prev_hash == GENESIS or AuditEvent.objects.filter(pk__lt=events[0].pk).exists()
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.row_hash
    head = ChainHead.objects.get(chain="audit.AuditEvent")
    last = list(events)[-1]
    assert (head.last_id, head.last_hash) == (last.pk, last.row_hash)
    assert verify().startswith("ok ")
    assert "FAILED" not in verify()


def test_a_row_altered_with_raw_sql_is_named(logged: dict[str, list[Any]]) -> None:
    altered = logged["accesses"][2]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {RecordAccess._meta.db_table} SET detail = %s WHERE id = %s",  # noqa: S608
            ["nothing to see", altered.pk],
        )
    report = verify()
    assert report.startswith("FAILED")
    assert f"audit_recordaccess, row id {altered.pk}: its content does not match its hash" in report


def test_a_json_detail_altered_with_raw_sql_is_named(logged: dict[str, list[Any]]) -> None:
    altered = logged["events"][1]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET action = %s WHERE id = %s",  # noqa: S608
            ["tests.harmless", altered.pk],
        )
    assert f"audit_auditevent, row id {altered.pk}: its content does not match" in verify()


def test_a_row_deleted_from_the_middle_is_found_at_the_next_link(logged: dict[str, list[Any]]) -> None:
    deleted, following = logged["events"][1], logged["events"][2]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [deleted.pk])  # noqa: S608
    report = verify()
    assert f"audit_auditevent, row id {following.pk}: its link does not match row id " in report
    assert "deleted or altered" in report


def test_the_last_row_deleted_is_found_at_the_head(logged: dict[str, list[Any]]) -> None:
    last = logged["accesses"][-1]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RecordAccess._meta.db_table} WHERE id = %s", [last.pk])  # noqa: S608
    report = verify()
    assert "audit_recordaccess, chain head: the head says" in report
    assert f"ending at id {last.pk}" in report


def test_a_rewritten_hash_is_found_at_the_next_link(logged: dict[str, list[Any]]) -> None:
    # Someone alters a row and recomputes its own hash: the next row's link no longer matches.
    from commonweal.audit.chain import content_of, digest
    from commonweal.audit.models import _content_type_key

    altered, following = logged["events"][0], logged["events"][1]
    altered.action = "tests.rewritten"
    forged = digest(altered.prev_hash, content_of("audit.AuditEvent", altered, _content_type_key))
    AuditEvent.objects.filter(pk=altered.pk).update(action="tests.rewritten", row_hash=forged)
    assert f"row id {following.pk}: its link does not match row id {altered.pk}" in verify()


def test_an_audit_row_cannot_be_changed_through_the_model(logged: dict[str, list[Any]]) -> None:
    event = logged["events"][0]
    event.action = "tests.changed"
    with pytest.raises(ValueError, match="never changed"):
        event.save()


def test_bulk_created_rows_are_chained_too() -> None:
    AuditEvent.objects.bulk_create([AuditEvent(action=f"tests.bulk_{n}") for n in range(3)])
    assert chain_break(AuditEvent) is None


def test_the_migration_chains_rows_written_before_it(logged: dict[str, list[Any]]) -> None:
    from importlib import import_module

    migration = import_module("commonweal.audit.migrations.0002_hash_chains")
    AuditEvent.objects.update(prev_hash="", row_hash="")
    RecordAccess.objects.update(prev_hash="", row_hash="")
    ChainHead.objects.all().delete()
    assert chain_break(AuditEvent) is not None

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection  # type: ignore[attr-defined]
    migration.chain_existing_rows(apps, editor)
    assert chain_break(AuditEvent) is None
    assert chain_break(RecordAccess) is None
    assert ChainHead.objects.get(chain="audit.RecordAccess").length == RecordAccess.objects.count()
