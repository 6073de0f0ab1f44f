"""Validating documents against the Open Referral UK 3.0 JSON schemas shipped in `data/oruk-3.0/`.

The schemas refer to each other by file name (and the published OpenAPI document by GitHub URL), so a
local registry answers every reference from the shipped copies: validation never needs the network.
Formats are checked (uuid, uri, email, date-time), as the ORUK validator does; jsonschema alone skips
uri and email without optional packages, so those two checks are defined here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "data" / "oruk-3.0"
OPENAPI_PATH = SCHEMA_DIR / "openapi.json"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$")

# Which schema each kind of document is checked against (paths inside SCHEMA_DIR).
SCHEMA_FILES = {
    "service": "compiled/service.json",
    "service_list_item": "compiled/service_list.json",
    "service_at_location_list_item": "compiled/service_at_location_list.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
    "organization": "organization.json",
}


@dataclass(frozen=True)
class Problem:
    """One way a document breaks its schema: where (a JSON path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _load(name: str) -> Any:
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _retrieve(uri: str) -> Resource:
    # "attribute.json", "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/taxonomy.json"
    # and ".../schema/compiled/service.json" all name shipped files.
    tail = uri.split("/schema/", 1)[-1] if "/schema/" in uri else uri.rsplit("/", 1)[-1]
    return Resource.from_contents(_load(tail), default_specification=DRAFT202012)


FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc or parts.path) and " " not in value


@FORMAT_CHECKER.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL.match(value))


@FORMAT_CHECKER.checks("date-time")
def _is_date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@cache
def registry() -> Registry:
    """Return the registry that resolves every reference from the shipped schemas."""
    return Registry(retrieve=_retrieve)  # type: ignore[call-arg]


@cache
def _validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(_load(SCHEMA_FILES[kind]), format_checker=FORMAT_CHECKER, registry=registry())


def problems(document: Any, kind: str) -> list[Problem]:
    """Return every way `document` breaks the UK 3.0 schema for `kind` (empty when it is valid)."""
    found = []
    for error in sorted(_validator(kind).iter_errors(document), key=lambda error: list(error.absolute_path)):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        found.append(Problem(path.lstrip("."), error.message))
    return found


@cache
def openapi_document() -> dict[str, Any]:
    """Return the published ORUK 3.0 OpenAPI document, as shipped."""
    loaded: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    return loaded


def inline_openapi_document() -> dict[str, Any]:
    """Return the OpenAPI document with its GitHub schema references replaced by the shipped schemas.

    Tools that cannot fetch URLs (this machine has no network) get a self-contained document; nothing
    else in it is changed.
    """

    def resolve(node: Any, base: str) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref")
            if isinstance(reference, str) and not reference.startswith("#"):
                target = reference.split("/schema/", 1)[-1] if "/schema/" in reference else reference
                if "/" not in target and "/" in base:
                    target = base.rsplit("/", 1)[0] + "/" + target
                resolved = resolve(_load(target), target)
                return {key: value for key, value in resolved.items() if key not in {"$schema", "$id"}}
            return {key: resolve(value, base) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item, base) for item in node]
        return node

    resolved: dict[str, Any] = resolve(openapi_document(), "openapi.json")
    return resolved
