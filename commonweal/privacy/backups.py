"""Backups and restores of the whole database, each with a manifest of row counts and checksums.

SQLite is copied with its online backup API (a consistent copy while the server writes); PostgreSQL
with `pg_dump -Fc` inside an exported snapshot, so the manifest and the dump see the same data, and
restored with `pg_restore --clean --if-exists`. The manifest (`PATH.manifest.json`) holds the file's
SHA-256 and, per table, the row count and an order-independent checksum of the rows; a restore checks
the file before it touches the database and the tables after.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import environ

FORMAT = "commonweal-backup/1"
MODULUS = 2**256


class BackupError(Exception):
    """A backup or restore that could not be made or does not check out; the message says why."""


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(row[0] for row in cursor.fetchall())


# Each row is read as text the database itself writes, so the checksum does not depend on the driver's
# type conversions: SQLite's quote() of each column, PostgreSQL's row-to-text with fixed session formats.
PG_TEXT_SETTINGS = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'iso_8601'",
    "SET LOCAL extra_float_digits = 3",
    "SET LOCAL bytea_output = 'hex'",
)


def _row_texts_query(cursor: Any, vendor: str, table: str) -> str:
    if vendor == "sqlite":
        cursor.execute(f'PRAGMA table_info("{table}")')
        columns = [row[1] for row in cursor.fetchall()]
        return "SELECT " + " || ',' || ".join(f'quote("{column}")' for column in columns) + f' FROM "{table}"'  # noqa: S608
    return f'SELECT row_to_json(t)::text FROM "{table}" AS t'  # noqa: S608 - names read from the catalogue


def table_manifest(cursor: Any, vendor: str) -> dict[str, dict[str, Any]]:
    """Per table: its row count and the sum of its rows' SHA-256 (so row order does not matter)."""
    if vendor != "sqlite":
        for statement in PG_TEXT_SETTINGS:
            cursor.execute(statement)
    tables: dict[str, dict[str, Any]] = {}
    for table in _tables(cursor, vendor):
        cursor.execute(_row_texts_query(cursor, vendor, table))
        count, total = 0, 0
        while rows := cursor.fetchmany(2000):
            for (text,) in rows:
                total = (total + int.from_bytes(hashlib.sha256(str(text).encode()).digest(), "big")) % MODULUS
                count += 1
        tables[table] = {"rows": count, "checksum": f"{total:064x}"}
    return tables


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into: its engine and connection settings."""

    vendor: str
    settings: dict[str, Any]

    @classmethod
    def from_url(cls, url: str) -> Target:
        config = environ.Env.db_url_config(url)
        return cls(_vendor(config["ENGINE"]), config)

    @classmethod
    def from_alias(cls, alias: str = "default") -> Target:
        from django.db import connections

        connection = connections[alias]
        return cls(connection.vendor, dict(connection.settings_dict))

    def pg_environment(self) -> dict[str, str]:
        config = self.settings
        environment = dict(os.environ)
        for key, name in (
            ("HOST", "PGHOST"),
            ("PORT", "PGPORT"),
            ("USER", "PGUSER"),
            ("PASSWORD", "PGPASSWORD"),
        ):
            if config.get(key):
                environment[name] = str(config[key])
        environment["PGDATABASE"] = str(config["NAME"])
        return environment

    def pg_connect(self) -> Any:
        import psycopg

        config = self.settings
        return psycopg.connect(
            dbname=config["NAME"],
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
        )


def _vendor(engine: str) -> str:
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgres" in engine:
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _write_manifest(path: Path, vendor: str, tables: dict[str, dict[str, Any]]) -> dict[str, Any]:
    manifest = {
        "format": FORMAT,
        "vendor": vendor,
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "file": path.name,
        "sha256": file_sha256(path),
        "tables": tables,
    }
    manifest_path(path).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection, *, in_transaction: bool) -> None:
    """Copy a SQLite database with the online backup API, consistent while others write.

    The backup API reports the source busy for as long as the source connection itself holds a write
    transaction (and Python's sqlite3 waits for ever); a caller inside a transaction (the tests, whose
    test runs in one) gets a copy of what that transaction sees, through an in-memory image instead.
    """
    if not in_transaction:
        source.backup(target)
        return
    image = sqlite3.connect(":memory:")
    try:
        image.deserialize(source.serialize())
        image.backup(target)
    finally:
        image.close()


def backup(path: Path, *, alias: str = "default") -> dict[str, Any]:
    """Write a consistent copy of the database to `path` and its manifest beside it."""
    target = Target.from_alias(alias)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    if target.vendor == "sqlite":
        from django.db import connections

        connection = connections[alias]
        connection.ensure_connection()
        copy = sqlite3.connect(partial)
        try:
            copy_sqlite(connection.connection, copy, in_transaction=connection.in_atomic_block)
            tables = table_manifest(copy.cursor(), "sqlite")
        finally:
            copy.close()
    else:
        tables = _pg_dump(target, partial)
    partial.replace(path)
    return _write_manifest(path, target.vendor, tables)


def _pg_dump(target: Target, path: Path) -> dict[str, dict[str, Any]]:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump was not found: install the PostgreSQL client programs.")
    with target.pg_connect() as source:
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = source.execute("SELECT pg_export_snapshot()").fetchone()[0]
        # The dump and the manifest read the same snapshot, whatever is written meanwhile.
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [pg_dump, "-Fc", f"--snapshot={snapshot}", "--no-owner", "-f", str(path)],
            env=target.pg_environment(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        tables = table_manifest(source.cursor(), "postgresql")
        source.rollback()
    return tables


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest of a backup, after checking that the backup file is the one it describes."""
    if not path.is_file():
        raise BackupError(f"There is no backup at {path}.")
    try:
        manifest = json.loads(manifest_path(path).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"The manifest {manifest_path(path)} is missing.") from error
    except json.JSONDecodeError as error:
        raise BackupError(f"The manifest {manifest_path(path)} is not valid JSON: {error}.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"The manifest is not a {FORMAT} manifest.")
    if file_sha256(path) != manifest["sha256"]:
        raise BackupError(f"{path} does not match its manifest's SHA-256: it was changed or cut short.")
    return manifest


def differences(expected: dict[str, dict[str, Any]], found: dict[str, dict[str, Any]]) -> list[str]:
    """What differs between two table manifests, one line per table."""
    lines = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            lines.append(f"{table}: missing after the restore")
        elif table not in expected:
            lines.append(f"{table}: not in the backup")
        elif expected[table] != found[table]:
            lines.append(
                f"{table}: {expected[table]['rows']} rows expected, {found[table]['rows']} found"
                + ("" if expected[table]["rows"] != found[table]["rows"] else " (checksums differ)")
            )
    return lines


def restore(path: Path, *, into: str | None = None, alias: str = "default") -> dict[str, Any]:
    """Replace the database (or the one at URL `into`) with the backup at `path`; check every table."""
    manifest = read_manifest(path)
    target = Target.from_url(into) if into else Target.from_alias(alias)
    if manifest["vendor"] != target.vendor:
        raise BackupError(f"This is a {manifest['vendor']} backup; the target is {target.vendor}.")
    if target.vendor == "sqlite":
        found = _restore_sqlite(path, target, into=into, alias=alias)
    else:
        found = _pg_restore(path, target)
    problems = differences(manifest["tables"], found)
    if problems:
        raise BackupError("The restored database differs from the backup:\n" + "\n".join(problems))
    return manifest


def _restore_sqlite(path: Path, target: Target, *, into: str | None, alias: str) -> dict[str, Any]:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        if into:
            destination = sqlite3.connect(target.settings["NAME"])
            try:
                source.backup(destination)
                return table_manifest(destination.cursor(), "sqlite")
            finally:
                destination.close()
        from django.db import connections

        connection = connections[alias]
        connection.ensure_connection()
        source.backup(connection.connection)
        with connection.cursor() as cursor:
            return table_manifest(cursor, "sqlite")
    finally:
        source.close()


def _pg_restore(path: Path, target: Target) -> dict[str, Any]:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore was not found: install the PostgreSQL client programs.")
    done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "-d",
            str(target.settings["NAME"]),
            str(path),
        ],
        env=target.pg_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    with target.pg_connect() as connection:
        return table_manifest(connection.cursor(), "postgresql")
