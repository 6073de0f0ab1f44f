"""The Health and Wellbeing Check as data: its items, their licences, and checking one member's answers."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KINDS = ("scale", "choice", "number")


class CheckDefinitionError(ValueError):
    """A check definition that cannot be used; the message names the item and the field."""


@dataclass(frozen=True)
class CheckItem:
    id: str
    text: str
    kind: str
    licence: str
    licence_verified: bool
    source: str = ""
    licence_note: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    need_when_at_most: float | None = None
    need_when_at_least: float | None = None
    need_when_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckDefinition:
    code: str
    version: str
    title: str
    items: tuple[CheckItem, ...]
    reviewed_on: datetime.date
    authored_by: str
    checked_by: str


def parse_check(data: dict[str, Any]) -> CheckDefinition:
    """Check and read a check definition (already parsed from TOML)."""
    review = data.get("review") or {}
    if not review.get("authored_by") or not isinstance(review.get("reviewed_on"), datetime.date):
        raise CheckDefinitionError("The check needs a [review] with authored_by and reviewed_on")
    items = []
    for raw in data.get("item", []):
        item_id = str(raw.get("id", ""))
        kind = raw.get("kind")
        if not item_id or kind not in KINDS:
            raise CheckDefinitionError(f"item {item_id or '?'}: needs an id and a kind ({', '.join(KINDS)})")
        if not raw.get("licence"):
            raise CheckDefinitionError(f"item {item_id}: record its licence (or 'not applicable')")
        choices = tuple(raw.get("choices", ()))
        if kind == "choice" and not choices:
            raise CheckDefinitionError(f"item {item_id}: a choice item lists its choices")
        if kind != "choice" and ("min" not in raw or "max" not in raw):
            raise CheckDefinitionError(f"item {item_id}: a {kind} item gives min and max")
        items.append(
            CheckItem(
                id=item_id,
                text=str(raw.get("text", "")),
                kind=kind,
                licence=str(raw["licence"]),
                licence_verified=bool(raw.get("licence_verified", False)),
                source=str(raw.get("source", "")),
                licence_note=str(raw.get("licence_note", "")),
                minimum=raw.get("min"),
                maximum=raw.get("max"),
                choices=choices,
                need_when_at_most=raw.get("need_when_at_most"),
                need_when_at_least=raw.get("need_when_at_least"),
                need_when_in=tuple(raw.get("need_when_in", ())),
            )
        )
    if not items:
        raise CheckDefinitionError("The check has no items")
    return CheckDefinition(
        code=str(data.get("code", "")),
        version=str(data.get("version", "")),
        title=str(data.get("title", "")),
        items=tuple(items),
        reviewed_on=review["reviewed_on"],
        authored_by=str(review["authored_by"]),
        checked_by=str(review.get("checked_by", "")),
    )


def load_check(path: Path) -> CheckDefinition:
    """Read and check a check definition file."""
    try:
        return parse_check(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as error:
        raise CheckDefinitionError(f"{path.name} is not valid TOML: {error}") from error


def clean_answers(definition: CheckDefinition, raw: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Turn typed answers into values; return (answers, problems by item id). Blank answers are left out."""
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for item in definition.items:
        text = str(raw.get(item.id, "")).strip()
        if not text:
            continue
        if item.kind == "choice":
            if text not in item.choices:
                problems[item.id] = f"Choose one of: {', '.join(item.choices)}"
            else:
                answers[item.id] = text
            continue
        try:
            value = float(text) if item.kind == "number" else int(text)
        except ValueError:
            problems[item.id] = "Enter a number" if item.kind == "number" else "Enter a whole number"
            continue
        if (item.minimum is not None and value < item.minimum) or (
            item.maximum is not None and value > item.maximum
        ):
            problems[item.id] = f"Enter a number from {item.minimum:g} to {item.maximum:g}"
            continue
        answers[item.id] = value
    return answers, problems


def flags(definition: CheckDefinition, answers: dict[str, Any]) -> list[str]:
    """Return the ids of the items whose answer suggests a need worth talking about."""
    found = []
    for item in definition.items:
        if item.id not in answers:
            continue
        value = answers[item.id]
        if item.kind == "choice":
            if value in item.need_when_in:
                found.append(item.id)
        elif (item.need_when_at_most is not None and value <= item.need_when_at_most) or (
            item.need_when_at_least is not None and value >= item.need_when_at_least
        ):
            found.append(item.id)
    return found
