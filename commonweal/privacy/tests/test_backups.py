"""`commonweal backup` and `commonweal restore`: the demo backed up, restored into an empty database,
and every table identical in rows and checksum. SQLite restores into a new file; PostgreSQL (the CI
pass on PostgreSQL) restores into a throwaway cluster, never the shared server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.audit.queries import chain_break
from commonweal.privacy.backups import manifest_path, table_manifest
from commonweal.privacy.tests.pg_cluster import throwaway_cluster


def _source_tables() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return table_manifest(cursor, connection.vendor)


def _restored_tables(url: str) -> dict[str, dict[str, Any]]:
    from commonweal.privacy.backups import Target

    target = Target.from_url(url)
    if target.vendor == "sqlite":
        import sqlite3

        with sqlite3.connect(target.settings["NAME"]) as restored:
            return table_manifest(restored.cursor(), "sqlite")
    with target.pg_connect() as restored:
        return table_manifest(restored.cursor(), "postgresql")


def test_the_demo_backed_up_and_restored_into_an_empty_database_is_identical(
    demo_borough: None, tmp_path: Path
) -> None:
    backup_file = tmp_path / "demo.backup"
    call_command("backup", str(backup_file))
    manifest = json.loads(manifest_path(backup_file).read_text())
    source = _source_tables()
    assert manifest["tables"] == source
    assert source["people_person"]["rows"] > 0
    assert source["audit_auditevent"]["rows"] > 0
    # The demo's audit chains hold, so a restored copy can be checked with verify_audit too.
    assert chain_break(AuditEvent) is None
    assert chain_break(RecordAccess) is None

    def restore_and_compare(url: str) -> None:
        call_command("restore", str(backup_file), into=url)
        restored = _restored_tables(url)
        assert {name: table["rows"] for name, table in restored.items()} == {
            name: table["rows"] for name, table in source.items()
        }
        assert restored == source

    if connection.vendor == "sqlite":
        empty = tmp_path / "empty.sqlite3"
        restore_and_compare(f"sqlite:///{empty}")
    else:
        with throwaway_cluster() as url:
            restore_and_compare(url)


@pytest.mark.django_db
def test_a_backup_changed_after_it_was_made_is_refused(tmp_path: Path) -> None:
    backup_file = tmp_path / "db.backup"
    call_command("backup", str(backup_file))
    with backup_file.open("r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00tampered\x00")
    with pytest.raises(CommandError, match="does not match its manifest's SHA-256"):
        call_command("restore", str(backup_file), into=f"sqlite:///{tmp_path / 'target.sqlite3'}")


@pytest.mark.django_db
def test_a_backup_without_its_manifest_is_refused(tmp_path: Path) -> None:
    backup_file = tmp_path / "db.backup"
    call_command("backup", str(backup_file))
    manifest_path(backup_file).unlink()
    with pytest.raises(CommandError, match=r"manifest .* is missing"):
        call_command("restore", str(backup_file), into=f"sqlite:///{tmp_path / 'target.sqlite3'}")


def test_a_missing_backup_file_gives_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no backup at"):
        call_command("restore", str(tmp_path / "nothing.backup"), into=f"sqlite:///{tmp_path / 't.sqlite3'}")
