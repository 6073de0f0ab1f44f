"""The built-in taxonomy (from the reviewed `data/taxonomy.toml`), the capacity terms, and term imports."""

from __future__ import annotations

import csv
import io
import tomllib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from commonweal.directory.models import Service, Taxonomy, TaxonomyTerm
from commonweal.directory.search_index import bump_version

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy.toml"
CAPACITY_TAXONOMY_ID = uuid.UUID("8d7c1f7e-3b7a-4f0e-9a51-0c4f3e2b9a10")
CAPACITY_TERMS = {
    "accepting-referrals": "Accepting referrals",
    "not-accepting-referrals": "Not accepting referrals",
    "waiting-list-under-1-month": "Waiting list: under 1 month",
    "waiting-list-1-to-3-months": "Waiting list: 1 to 3 months",
    "waiting-list-over-3-months": "Waiting list: over 3 months",
    "waiting-list-unknown": "Waiting list: length unknown",
}
_BAND_CODES = {
    Service.WaitingBand.UNDER_1_MONTH: "waiting-list-under-1-month",
    Service.WaitingBand.ONE_TO_3_MONTHS: "waiting-list-1-to-3-months",
    Service.WaitingBand.OVER_3_MONTHS: "waiting-list-over-3-months",
    Service.WaitingBand.UNKNOWN: "waiting-list-unknown",
}


def builtin_definition() -> dict[str, Any]:
    """Return the reviewed taxonomy file's contents."""
    with TAXONOMY_FILE.open("rb") as handle:
        return tomllib.load(handle)


def term_uuid(taxonomy_id: uuid.UUID, code: str) -> uuid.UUID:
    """Return the stable ORUK id of a built-in term (the same on every deployment)."""
    return uuid.uuid5(taxonomy_id, code)


def builtin_taxonomy() -> Taxonomy | None:
    """Return the built-in taxonomy if it has been loaded."""
    return Taxonomy.objects.filter(is_builtin=True, oruk_id=builtin_definition()["meta"]["id"]).first()


@transaction.atomic
def ensure_builtin_taxonomies() -> Taxonomy:
    """Load or refresh the built-in taxonomy and the capacity terms; safe to call any number of times."""
    definition = builtin_definition()
    meta = definition["meta"]
    taxonomy_id = uuid.UUID(meta["id"])
    taxonomy, _ = Taxonomy.objects.update_or_create(
        oruk_id=taxonomy_id,
        defaults={
            "name": meta["name"],
            "description": meta["description"],
            "version": meta["version"],
            "is_builtin": True,
        },
    )
    by_code: dict[str, TaxonomyTerm] = {}
    for entry in definition["term"]:
        term, _ = TaxonomyTerm.objects.update_or_create(
            oruk_id=term_uuid(taxonomy_id, entry["code"]),
            defaults={
                "taxonomy": taxonomy,
                "code": entry["code"],
                "name": entry["name"],
                "description": entry["description"],
                "synonyms": list(entry.get("synonyms", [])),
                "parent": by_code.get(entry.get("parent", "")),
            },
        )
        by_code[entry["code"]] = term
    capacity, _ = Taxonomy.objects.update_or_create(
        oruk_id=CAPACITY_TAXONOMY_ID,
        defaults={
            "name": "Commonweal service capacity",
            "description": "Whether a service is accepting referrals, and how long its waiting list is.",
            "version": "1",
            "is_builtin": True,
        },
    )
    for code, name in CAPACITY_TERMS.items():
        TaxonomyTerm.objects.update_or_create(
            oruk_id=term_uuid(CAPACITY_TAXONOMY_ID, code),
            defaults={"taxonomy": capacity, "code": code, "name": name, "description": name},
        )
    bump_version()  # synonyms may have changed: searches reload them
    return taxonomy


def capacity_from_code(code: str) -> tuple[str, str] | None:
    """Return (accepting_referrals, waiting_list_band) for a capacity term code, or None."""
    if code == "accepting-referrals":
        return Service.Referrals.YES, ""
    if code == "not-accepting-referrals":
        return Service.Referrals.NO, ""
    for band, band_code in _BAND_CODES.items():
        if band_code == code:
            return Service.Referrals.WAITING_LIST, band
    return None


@dataclass(frozen=True)
class TermRow:
    """One row of a taxonomy-terms file, as read."""

    line: int
    code: str
    name: str
    description: str
    parent: str
    uri: str


class TaxonomyFileError(ValueError):
    """A taxonomy file that cannot be read at all; the message says why."""


def read_term_rows(text: str) -> list[TermRow]:
    """Read terms from CSV: HSDS 3.0 `taxonomy_terms.csv`, HSDS 1.1 `taxonomy.csv`, or code,name,… columns."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = set(reader.fieldnames or [])
    if "name" not in columns or not ({"code", "id"} & columns):
        raise TaxonomyFileError(
            "The file needs a header row with a 'name' column and a 'code' or 'id' column "
            f"(found: {', '.join(sorted(columns)) or 'no header'})."
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        rows.append(
            TermRow(
                line=line,
                code=(row.get("code") or row.get("id") or "").strip(),
                name=(row.get("name") or "").strip(),
                description=(row.get("description") or "").strip(),
                parent=(row.get("parent_id") or row.get("parent") or row.get("parent_code") or "").strip(),
                uri=(row.get("term_uri") or row.get("uri") or "").strip(),
            )
        )
    return rows
