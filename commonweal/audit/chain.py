"""The hash chains over the access log and the write log: canonical content, digests, verification.

Each row stores `prev_hash` (the previous row's `row_hash`, or GENESIS for the first) and `row_hash`
(SHA-256 of `prev_hash` and the row's canonical content). A `ChainHead` row per chain holds the last
row's id and hash and the chain's length, and is locked by every append, so appends are serialised on
SQLite and on PostgreSQL alike. Altering a row breaks its own hash; deleting a row breaks the next
row's link, or (for the last row) the head.

The functions here take plain values so the migration that chains existing rows uses the same code.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

# The fields each chain hashes, in order; content types are hashed by their natural key.
CHAINED_FIELDS: dict[str, tuple[str, ...]] = {
    "audit.RecordAccess": (
        "id",
        "viewer_id",
        "subject_type",
        "subject_id",
        "subject_user_id",
        "reason",
        "detail",
        "path",
        "accessed_at",
    ),
    "audit.AuditEvent": ("id", "actor_id", "action", "target_type", "target_id", "detail", "occurred_at"),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def canonical(content: Mapping[str, Any]) -> str:
    """The row's content as one JSON text: sorted keys, no spaces, datetimes in UTC ISO 8601."""
    plain = {key: _plain(value) for key, value in content.items()}
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def digest(prev_hash: str, content: Mapping[str, Any]) -> str:
    """SHA-256 of the previous hash and the canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(content)}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    """One row as the verifier reads it."""

    pk: int
    prev_hash: str
    row_hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True)
class Break:
    """The first broken link of a chain: which table, which row, what is wrong."""

    table: str
    pk: int | None
    problem: str

    def __str__(self) -> str:
        where = f"row id {self.pk}" if self.pk is not None else "chain head"
        return f"{self.table}, {where}: {self.problem}"


@dataclass(frozen=True)
class Head:
    """What the chain head says: the last row's id and hash, and how many rows there are."""

    last_id: int | None
    last_hash: str
    length: int


def first_break(table: str, rows: Iterable[ChainRow], head: Head | None) -> Break | None:
    """Walk the rows in id order and return the first broken link, or None when the chain holds."""
    previous_hash = GENESIS
    previous_pk: int | None = None
    count = 0
    for row in rows:
        count += 1
        if row.prev_hash != previous_hash:
            after = f"row id {previous_pk}" if previous_pk is not None else "the start of the chain"
            return Break(
                table,
                row.pk,
                f"its link does not match {after}: a row before it was deleted or altered "
                f"(prev_hash {row.prev_hash[:12]}…, expected {previous_hash[:12]}…)",
            )
        expected = digest(row.prev_hash, row.content)
        if row.row_hash != expected:
            return Break(
                table,
                row.pk,
                f"its content does not match its hash: the row was altered "
                f"(row_hash {row.row_hash[:12]}…, content hashes to {expected[:12]}…)",
            )
        previous_hash, previous_pk = row.row_hash, row.pk
    if head is None:
        if count:
            return Break(table, None, f"the chain head is missing but the table holds {count} rows")
        return None
    if head.length != count or head.last_id != previous_pk or head.last_hash != previous_hash:
        return Break(
            table,
            None,
            f"the head says {head.length} rows ending at id {head.last_id}, the table holds {count} "
            f"ending at id {previous_pk}: rows at the end were deleted, or the head was altered",
        )
    return None


def content_of(label: str, row: Any, content_type_key: Any) -> dict[str, Any]:
    """The hashed content of a row (a model instance, current or historical).

    `content_type_key(id)` gives "app_label.model" for a content type id (None for None); the write
    log's `detail` goes through JSON as the database stores it.
    """
    content: dict[str, Any] = {}
    for name in CHAINED_FIELDS[label]:
        if name in ("subject_type", "target_type"):
            content[name] = content_type_key(getattr(row, f"{name}_id"))
        elif name == "detail" and label == "audit.AuditEvent":
            content[name] = json.loads(json.dumps(row.detail))
        else:
            content[name] = getattr(row, name)
    return content
