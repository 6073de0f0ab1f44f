"""Instrument definitions: load a reviewed JSON file, check it, and return plain dataclasses (no Django).

A definition is checked twice: against `schema/instrument.schema.json` (shape), then by the rules a
schema cannot express (items that scores name exist, bands cover the score's range without gaps,
citations that verifications name exist, no item text where the licence forbids it). Every problem is
reported with the file it came from and the path inside the file, e.g.
`phq-9_1.0.json: $.scores[0].bands.bands[2].minimum: ...`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jsonschema

PACKAGE_DIR = Path(__file__).resolve().parent
BUILT_IN_DIR = PACKAGE_DIR / "instruments"
SCHEMA_PATH = PACKAGE_DIR / "schema" / "instrument.schema.json"
DEFAULT_LANGUAGE = "en-GB"

VerificationStatus = Literal["verified", "unverified", "local-policy"]
ItemType = Literal["choice", "integer", "decimal"]
ScoreMethod = Literal["sum", "item"]
MissingRule = Literal["require-all", "prorate"]
RiskOperator = Literal["gt", "gte", "eq", "in"]


class DefinitionError(ValueError):
    """Raised when a definition file cannot be read or breaks a rule; names the file and every problem."""

    def __init__(self, source: str, problems: Iterable[tuple[str, str]]) -> None:
        self.source = source
        self.problems: tuple[tuple[str, str], ...] = tuple(problems)
        lines = [f"{source}: {path}: {message}" for path, message in self.problems]
        super().__init__("\n".join(lines))


class UnknownInstrumentError(LookupError):
    """Raised when no built-in definition has the code (and version) asked for."""


@dataclass(frozen=True)
class LocalisedText:
    """The same words in several languages, keyed by language tag (en-GB always present)."""

    by_language: Mapping[str, str]

    def in_language(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return the words in `language`, falling back to en-GB where no translation exists."""
        return self.by_language.get(language) or self.by_language[DEFAULT_LANGUAGE]

    def __str__(self) -> str:
        return self.in_language(DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Verification:
    """Whether a claim was checked against a primary source, and which."""

    status: VerificationStatus
    sources: tuple[str, ...]
    note: str = ""

    @property
    def is_verified(self) -> bool:
        """Return True when the claim was checked against a cited primary source."""
        return self.status == "verified"


@dataclass(frozen=True)
class Citation:
    """A source the definition relies on."""

    citation_id: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Licence:
    """Who holds the rights and what Commonweal may ship."""

    holder: str
    summary: str
    instrument_requires_licence: bool
    item_text_included: bool
    verification: Verification
    notice: str = ""
    url: str = ""


@dataclass(frozen=True)
class Review:
    """Who wrote and who checked the definition, and when it is next due for review."""

    authored_by: str
    checked_by: str | None
    reviewed_on: str
    next_review_due: str
    notes: str = ""

    @property
    def is_checked(self) -> bool:
        """Return True once someone other than the author has checked the definition."""
        return self.checked_by is not None


@dataclass(frozen=True)
class Translation:
    """One translation slot: a language and whether a checked translation exists."""

    language: str
    status: Literal["available", "not-available"]
    source: str = ""
    note: str = ""


@dataclass(frozen=True)
class Coding:
    """A code from a terminology (e.g. LOINC), with whether it was verified."""

    system: str
    code: str
    display: str
    verification: Verification


@dataclass(frozen=True)
class ResponseOption:
    """One answer a person can choose, and the value it scores."""

    value: int
    label: LocalisedText


@dataclass(frozen=True)
class Item:
    """One question (or, for score entry, one field for a score from a licensed tool)."""

    item_id: str
    item_type: ItemType
    scored: bool
    required: bool
    text: LocalisedText | None = None
    label: LocalisedText | None = None
    options: tuple[ResponseOption, ...] = ()
    response_set: str | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    decimals: int = 0
    anchor_minimum: LocalisedText | None = None
    anchor_maximum: LocalisedText | None = None

    def wording(self, language: str = DEFAULT_LANGUAGE) -> str:
        """Return what to show for this item: its text where shipped, otherwise Commonweal's label."""
        shown = self.text if self.text is not None else self.label
        assert shown is not None  # the schema requires one of them
        return shown.in_language(language)

    def allowed_values(self) -> tuple[int, ...]:
        """Return the values a choice item accepts, in the order shown."""
        return tuple(option.value for option in self.options)

    def option_for(self, value: int) -> ResponseOption | None:
        """Return the option with this value, or None."""
        for option in self.options:
            if option.value == value:
                return option
        return None

    def lowest(self) -> Decimal:
        """Return the smallest value this item can take."""
        if self.item_type == "choice":
            return Decimal(min(self.allowed_values()))
        assert self.minimum is not None
        return self.minimum

    def highest(self) -> Decimal:
        """Return the largest value this item can take."""
        if self.item_type == "choice":
            return Decimal(max(self.allowed_values()))
        assert self.maximum is not None
        return self.maximum


@dataclass(frozen=True)
class Band:
    """A named range of scores, inclusive at both ends."""

    band_id: str
    label: LocalisedText
    minimum: int
    maximum: int

    def contains(self, value: Decimal | int | float) -> bool:
        """Return True when the score falls inside this band."""
        return Decimal(self.minimum) <= Decimal(str(value)) <= Decimal(self.maximum)


@dataclass(frozen=True)
class Bands:
    """The bands of one score, and whether they were verified."""

    bands: tuple[Band, ...]
    verification: Verification

    def band_for(self, value: Decimal | int | float) -> Band | None:
        """Return the band a score falls in (None if it falls in none)."""
        for band in self.bands:
            if band.contains(value):
                return band
        return None


@dataclass(frozen=True)
class ReliableChange:
    """The smallest change that counts as reliable for one person, or why there is none."""

    threshold: Decimal | None
    verification: Verification
    reason: str = ""


@dataclass(frozen=True)
class MissingItems:
    """What to do when some of a score's items are unanswered."""

    rule: MissingRule
    verification: Verification
    max_missing: int = 0
    rounding: Literal["none", "nearest-integer"] = "none"


@dataclass(frozen=True)
class ScoreDefinition:
    """How one score is computed from the items, and how it is read."""

    score_id: str
    label: LocalisedText
    method: ScoreMethod
    item_ids: tuple[str, ...]
    minimum: Decimal
    maximum: Decimal
    higher_is_better: bool
    measurement: Literal["interval", "ordinal"]
    missing: MissingItems
    scoring_verification: Verification
    bands: Bands | None
    reliable_change: ReliableChange
    code: Coding | None = None


@dataclass(frozen=True)
class RiskRule:
    """An answer that must alert a person's link worker at once (e.g. PHQ-9 item 9 above zero)."""

    rule_id: str
    item_id: str
    operator: RiskOperator
    value: Decimal | tuple[Decimal, ...]
    reason: LocalisedText
    verification: Verification

    def matches(self, answer: Decimal) -> bool:
        """Return True when this answer triggers the rule."""
        if isinstance(self.value, tuple):
            return answer in self.value
        if self.operator == "gt":
            return answer > self.value
        if self.operator == "gte":
            return answer >= self.value
        return answer == self.value


@dataclass(frozen=True)
class InstrumentDefinition:
    """One reviewed version of one instrument, ready to administer, score and export."""

    code: str
    version: str
    title: LocalisedText
    short_name: str
    kind: Literal["questionnaire", "score-entry"]
    licensed: bool
    licence: Licence
    citations: tuple[Citation, ...]
    review: Review
    languages: tuple[str, ...]
    translations: tuple[Translation, ...]
    items: tuple[Item, ...]
    scores: tuple[ScoreDefinition, ...]
    risk_rules: tuple[RiskRule, ...]
    source: str
    preamble: LocalisedText | None = None
    item_text_verification: Verification | None = None
    code_for_questionnaire: Coding | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """Return (code, version), which identifies the definition."""
        return (self.code, self.version)

    def item(self, item_id: str) -> Item:
        """Return the item with this identifier (KeyError if there is none)."""
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise KeyError(item_id)

    def score_definition(self, score_id: str) -> ScoreDefinition:
        """Return the score with this identifier (KeyError if there is none)."""
        for score in self.scores:
            if score.score_id == score_id:
                return score
        raise KeyError(score_id)

    def citation(self, citation_id: str) -> Citation:
        """Return the citation with this identifier (KeyError if there is none)."""
        for citation in self.citations:
            if citation.citation_id == citation_id:
                return citation
        raise KeyError(citation_id)

    def unverified_claims(self) -> tuple[str, ...]:
        """Return a plain description of every claim still marked unverified, for display."""
        found: list[str] = []
        if self.licence.verification.status == "unverified":
            found.append("licence terms")
        if self.item_text_verification is not None and self.item_text_verification.status == "unverified":
            found.append("item wording")
        for score in self.scores:
            name = score.label.in_language()
            if score.scoring_verification.status == "unverified":
                found.append(f"{name}: scoring")
            if score.missing.verification.status == "unverified":
                found.append(f"{name}: rule for unanswered items")
            if score.bands is not None and score.bands.verification.status == "unverified":
                found.append(f"{name}: bands")
            if score.reliable_change.verification.status == "unverified":
                found.append(f"{name}: reliable change")
        for rule in self.risk_rules:
            if rule.verification.status == "unverified":
                found.append(f"risk rule {rule.rule_id}")
        return tuple(found)

    def unverified_scoring(self) -> tuple[str, ...]:
        """Return the unverified claims that bear on reading a score (not its licence or wording)."""
        return tuple(
            claim for claim in self.unverified_claims() if claim not in ("licence terms", "item wording")
        )


@cache
def _schema_validator() -> Any:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def _json_path(parts: Iterable[str | int]) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _schema_problems(data: Any) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    for error in _schema_validator().iter_errors(data):
        # A failed anyOf/oneOf says little on its own; its deepest sub-error names the real fault.
        leaf = error
        while leaf.context:
            leaf = min(leaf.context, key=lambda sub: (-len(sub.absolute_path), str(sub.message)))
        path = _json_path(leaf.absolute_path)
        message = (
            leaf.message if leaf is error else f"{error.message.split(' is not valid')[0]}: {leaf.message}"
        )
        problems.append((path, message))
    return sorted(set(problems))


def parse_definition(data: Any, *, source: str) -> InstrumentDefinition:
    """Check a decoded definition against the schema and the cross-field rules, and build it."""
    problems = _schema_problems(data)
    if problems:
        raise DefinitionError(source, problems)
    definition = _build(data, source)
    problems = _rule_problems(definition, data)
    if problems:
        raise DefinitionError(source, problems)
    return definition


def load_definition_file(path: Path) -> InstrumentDefinition:
    """Read, check and build the definition in one JSON file."""
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DefinitionError(source, [("$", f"cannot be read ({error.strerror or error})")]) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DefinitionError(
            source, [("$", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")]
        ) from error
    definition = parse_definition(data, source=source)
    expected_name = f"{definition.code}_{definition.version}.json"
    if path.name != expected_name:
        raise DefinitionError(source, [("$", f"the file must be named {expected_name} (code_version.json)")])
    return definition


def load_licensed_definition(path: Path) -> InstrumentDefinition:
    """Load a definition a licence holder supplies (same schema; it must say `licensed: true`)."""
    definition = load_definition_file(path)
    if not definition.licensed:
        raise DefinitionError(
            path.name,
            [
                (
                    "$.licensed",
                    'a licence holder\'s file must say "licensed": true; built-in files live in the code',
                )
            ],
        )
    return definition


def load_licensed_directory(directory: Path) -> tuple[InstrumentDefinition, ...]:
    """Load every licence holder's definition (*.json) in a folder, refusing two of the same version."""
    if not directory.is_dir():
        raise DefinitionError(str(directory), [("$", "is not a folder")])
    definitions = tuple(load_licensed_definition(path) for path in sorted(directory.glob("*.json")))
    _refuse_duplicates(definitions)
    return definitions


def _refuse_duplicates(definitions: Iterable[InstrumentDefinition]) -> None:
    seen: dict[tuple[str, str], str] = {}
    for definition in definitions:
        if definition.key in seen:
            raise DefinitionError(
                definition.source,
                [
                    (
                        "$.version",
                        f"{definition.code} {definition.version} is also defined in {seen[definition.key]}",
                    )
                ],
            )
        seen[definition.key] = definition.source


@cache
def builtin_instruments() -> tuple[InstrumentDefinition, ...]:
    """Return every built-in definition shipped in `instruments/`, ordered by code then version."""
    definitions = [load_definition_file(path) for path in sorted(BUILT_IN_DIR.glob("*.json"))]
    _refuse_duplicates(definitions)
    for definition in definitions:
        if definition.licensed:
            raise DefinitionError(
                definition.source, [("$.licensed", "licensed material must never ship in the repository")]
            )
    return tuple(sorted(definitions, key=lambda d: (d.code, _version_key(d.version))))


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def load_instrument(code: str, version: str | None = None) -> InstrumentDefinition:
    """Return a built-in definition by code, at `version` or, when None, at its latest version."""
    matching = [definition for definition in builtin_instruments() if definition.code == code]
    if not matching:
        known = ", ".join(sorted({definition.code for definition in builtin_instruments()}))
        raise UnknownInstrumentError(f"There is no built-in instrument '{code}'. Known instruments: {known}.")
    if version is None:
        return matching[-1]
    for definition in matching:
        if definition.version == version:
            return definition
    versions = ", ".join(definition.version for definition in matching)
    raise UnknownInstrumentError(f"{code} has no version {version}. Versions: {versions}.")


def _text(data: Mapping[str, str] | None) -> LocalisedText | None:
    return None if data is None else LocalisedText(dict(data))


def _required_text(data: Mapping[str, str]) -> LocalisedText:
    return LocalisedText(dict(data))


def _verification(data: Mapping[str, Any]) -> Verification:
    return Verification(status=data["status"], sources=tuple(data["sources"]), note=data.get("note", ""))


def _coding(data: Mapping[str, Any] | None) -> Coding | None:
    if data is None:
        return None
    return Coding(
        system=data["system"],
        code=data["code"],
        display=data["display"],
        verification=_verification(data["verification"]),
    )


def _decimal(value: float | int | None) -> Decimal | None:
    # Through str() so that 35.0 in JSON becomes Decimal("35.0"), not a binary fraction.
    return None if value is None else Decimal(str(value))


def _item(raw: Mapping[str, Any], response_sets: Mapping[str, tuple[ResponseOption, ...]]) -> Item:
    anchors = raw.get("anchors")
    return Item(
        item_id=raw["id"],
        item_type=raw["type"],
        scored=raw["scored"],
        required=raw.get("required", raw["scored"]),
        text=_text(raw.get("text")),
        label=_text(raw.get("label")),
        options=response_sets.get(raw.get("response_set", ""), ()),
        response_set=raw.get("response_set"),
        minimum=_decimal(raw.get("minimum")),
        maximum=_decimal(raw.get("maximum")),
        decimals=raw.get("decimals", 0),
        anchor_minimum=_text(anchors["minimum"]) if anchors else None,
        anchor_maximum=_text(anchors["maximum"]) if anchors else None,
    )


def _bands(bands: Mapping[str, Any] | None) -> Bands | None:
    if bands is None:
        return None
    return Bands(
        bands=tuple(
            Band(
                band_id=band["id"],
                label=_required_text(band["label"]),
                minimum=band["minimum"],
                maximum=band["maximum"],
            )
            for band in bands["bands"]
        ),
        verification=_verification(bands["verification"]),
    )


def _score(raw: Mapping[str, Any]) -> ScoreDefinition:
    missing = raw["missing"]
    change = raw["reliable_change"]
    return ScoreDefinition(
        score_id=raw["id"],
        label=_required_text(raw["label"]),
        method=raw["method"],
        item_ids=tuple(raw["items"]),
        minimum=Decimal(str(raw["minimum"])),
        maximum=Decimal(str(raw["maximum"])),
        higher_is_better=raw["higher_is_better"],
        measurement=raw["measurement"],
        missing=MissingItems(
            rule=missing["rule"],
            verification=_verification(missing["verification"]),
            max_missing=missing.get("max_missing", 0),
            rounding=missing.get("rounding", "none"),
        ),
        scoring_verification=_verification(raw["scoring_verification"]),
        bands=_bands(raw["bands"]),
        reliable_change=ReliableChange(
            threshold=_decimal(change["threshold"]),
            verification=_verification(change["verification"]),
            reason=change.get("reason", ""),
        ),
        code=_coding(raw.get("code")),
    )


def _risk_rule(raw: Mapping[str, Any]) -> RiskRule:
    return RiskRule(
        rule_id=raw["id"],
        item_id=raw["item"],
        operator=raw["operator"],
        value=tuple(Decimal(str(v)) for v in raw["value"])
        if isinstance(raw["value"], list)
        else Decimal(str(raw["value"])),
        reason=_required_text(raw["reason"]),
        verification=_verification(raw["verification"]),
    )


def _build(data: Mapping[str, Any], source: str) -> InstrumentDefinition:
    response_sets = {
        name: tuple(
            ResponseOption(value=option["value"], label=_required_text(option["label"])) for option in options
        )
        for name, options in data["response_sets"].items()
    }
    licence = data["licence"]
    review = data["review"]
    return InstrumentDefinition(
        code=data["code"],
        version=data["version"],
        title=_required_text(data["title"]),
        short_name=data["short_name"],
        kind=data["kind"],
        licensed=data["licensed"],
        licence=Licence(
            holder=licence["holder"],
            summary=licence["summary"],
            instrument_requires_licence=licence["instrument_requires_licence"],
            item_text_included=licence["item_text_included"],
            verification=_verification(licence["verification"]),
            notice=licence.get("notice", ""),
            url=licence.get("url", ""),
        ),
        citations=tuple(
            Citation(citation_id=raw["id"], text=raw["text"], url=raw.get("url", ""))
            for raw in data["citations"]
        ),
        review=Review(
            authored_by=review["authored_by"],
            checked_by=review["checked_by"],
            reviewed_on=review["reviewed_on"],
            next_review_due=review["next_review_due"],
            notes=review.get("notes", ""),
        ),
        languages=tuple(data["languages"]),
        translations=tuple(
            Translation(
                language=raw["language"],
                status=raw["status"],
                source=raw.get("source", ""),
                note=raw.get("note", ""),
            )
            for raw in data["translations"]
        ),
        items=tuple(_item(raw, response_sets) for raw in data["items"]),
        scores=tuple(_score(raw) for raw in data["scores"]),
        risk_rules=tuple(_risk_rule(raw) for raw in data["risk_rules"]),
        source=source,
        preamble=_text(data.get("preamble")),
        item_text_verification=_verification(data["item_text_verification"])
        if "item_text_verification" in data
        else None,
        code_for_questionnaire=_coding(data.get("code_for_questionnaire")),
        raw=data,
    )


def _texts_in(data: Any, path: str) -> Iterable[tuple[str, Mapping[str, str]]]:
    """Yield (path, text object) for every localised text in the raw definition."""
    text_keys = {"title", "preamble", "text", "label", "reason", "minimum", "maximum"}
    if isinstance(data, Mapping):
        for key, value in data.items():
            child = f"{path}.{key}"
            if key in text_keys and isinstance(value, Mapping) and "en-GB" in value:
                yield child, value
            else:
                yield from _texts_in(value, child)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _texts_in(value, f"{path}[{index}]")


def _citation_problems(definition: InstrumentDefinition, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Citation ids used twice, and verifications that cite a source that is not among the citations."""
    problems: list[tuple[str, str]] = []
    citation_ids = [citation.citation_id for citation in definition.citations]
    problems += [
        ("$.citations", f"the citation id '{cid}' is used twice")
        for cid in sorted({c for c in citation_ids if citation_ids.count(c) > 1})
    ]

    def check_sources(path: str, verification: Mapping[str, Any]) -> None:
        for source_id in verification["sources"]:
            if source_id not in citation_ids:
                problems.append((f"{path}.sources", f"'{source_id}' is not one of the citations"))

    def walk_verifications(node: Any, path: str) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                child = f"{path}.{key}"
                if key in {"verification", "scoring_verification", "item_text_verification"}:
                    check_sources(child, value)
                else:
                    walk_verifications(value, child)
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk_verifications(value, f"{path}[{index}]")

    walk_verifications(data, "$")
    return problems


def _item_problems(definition: InstrumentDefinition, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Item ids used twice, unknown or ambiguous response sets, and numeric limits that make no sense."""
    problems: list[tuple[str, str]] = []
    item_ids = [item.item_id for item in definition.items]
    for index, item in enumerate(definition.items):
        path = f"$.items[{index}]"
        if item_ids.count(item.item_id) > 1:
            problems.append((f"{path}.id", f"the item id '{item.item_id}' is used twice"))
        if item.item_type == "choice":
            if item.response_set not in data["response_sets"]:
                known = ", ".join(sorted(data["response_sets"])) or "none"
                problems.append(
                    (
                        f"{path}.response_set",
                        f"'{item.response_set}' is not one of the response sets (known: {known})",
                    )
                )
            elif len(set(item.allowed_values())) != len(item.options):
                problems.append((f"$.response_sets.{item.response_set}", "two answers have the same value"))
        else:
            assert item.minimum is not None and item.maximum is not None  # the schema requires both
            if item.minimum >= item.maximum:
                problems.append((f"{path}.maximum", "must be greater than the minimum"))
            if item.item_type == "integer" and any(
                limit != limit.to_integral_value() for limit in (item.minimum, item.maximum)
            ):
                problems.append((f"{path}.minimum", "an integer item needs whole-number limits"))
    return problems


def _wording_problems(definition: InstrumentDefinition, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Item text or a preamble the licence does not allow, or item text with no record of its source."""
    problems: list[tuple[str, str]] = []
    if not definition.licence.item_text_included:
        for index, raw in enumerate(data["items"]):
            if "text" in raw:
                problems.append(
                    (
                        f"$.items[{index}].text",
                        "the licence does not allow item text; use a label in our own words",
                    )
                )
        if "preamble" in data:
            problems.append(("$.preamble", "the licence does not allow the instrument's own wording"))
    has_text = any(item.text is not None for item in definition.items)
    if has_text and definition.item_text_verification is None:
        problems.append(("$.item_text_verification", "is required when items carry their wording"))
    if definition.kind == "score-entry":
        for index, item in enumerate(definition.items):
            if item.text is not None:
                problems.append(
                    (f"$.items[{index}].text", "a score-entry definition ships labels, never item text")
                )
    return problems


def _risk_rule_problems(definition: InstrumentDefinition) -> list[tuple[str, str]]:
    """Risk rules on items that do not exist, or on answers the item does not accept."""
    problems: list[tuple[str, str]] = []
    item_ids = [item.item_id for item in definition.items]
    for index, rule in enumerate(definition.risk_rules):
        path = f"$.risk_rules[{index}]"
        if rule.item_id not in item_ids:
            problems.append((f"{path}.item", f"'{rule.item_id}' is not one of the items"))
            continue
        item = definition.item(rule.item_id)
        values = rule.value if isinstance(rule.value, tuple) else (rule.value,)
        for value in values:
            if not item.lowest() <= value <= item.highest():
                problems.append((f"{path}.value", f"{value} is outside the answers '{item.item_id}' accepts"))
    return problems


def _language_problems(definition: InstrumentDefinition, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Languages missing en-GB or a translation slot, and texts missing a listed language."""
    problems: list[tuple[str, str]] = []
    if DEFAULT_LANGUAGE not in definition.languages:
        problems.append(("$.languages", "must include en-GB"))
    slots = [translation.language for translation in definition.translations]
    for index, translation in enumerate(definition.translations):
        path = f"$.translations[{index}]"
        if slots.count(translation.language) > 1:
            problems.append((f"{path}.language", f"'{translation.language}' has two slots"))
        listed = translation.language in definition.languages
        if translation.status == "available" and not listed:
            problems.append(
                (f"{path}.status", f"'{translation.language}' is available but not listed in languages")
            )
        if translation.status == "not-available" and listed:
            problems.append(
                (f"{path}.status", f"'{translation.language}' is listed in languages but marked missing")
            )
    for language in definition.languages:
        if language != DEFAULT_LANGUAGE and language not in slots:
            problems.append(
                ("$.languages", f"'{language}' needs a translation slot saying where it came from")
            )
    for path, text in _texts_in(data, "$"):
        for language in definition.languages:
            if language not in text:
                problems.append(
                    (path, f"has no '{language}' text although the definition lists that language")
                )
    return problems


def _rule_problems(definition: InstrumentDefinition, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        *_citation_problems(definition, data),
        *_item_problems(definition, data),
        *_wording_problems(definition, data),
        *_score_problems(definition),
        *_risk_rule_problems(definition),
        *_language_problems(definition, data),
    ]


def _score_problems(definition: InstrumentDefinition) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    item_ids = {item.item_id for item in definition.items}
    score_ids = [score.score_id for score in definition.scores]
    for index, score in enumerate(definition.scores):
        path = f"$.scores[{index}]"
        if score_ids.count(score.score_id) > 1:
            problems.append((f"{path}.id", f"the score id '{score.score_id}' is used twice"))
        unknown = [item_id for item_id in score.item_ids if item_id not in item_ids]
        if unknown:
            problems.append((f"{path}.items", f"not items of this instrument: {', '.join(unknown)}"))
            continue
        items = [definition.item(item_id) for item_id in score.item_ids]
        if any(item.item_type == "choice" and not item.options for item in items):
            continue  # the item's own problem is already reported
        if any(not item.scored for item in items):
            problems.append((f"{path}.items", "a score may only use items marked scored"))
        if score.method == "item" and len(items) != 1:
            problems.append((f"{path}.items", "an 'item' score names exactly one item"))
            continue
        lowest = sum((item.lowest() for item in items), Decimal(0))
        highest = sum((item.highest() for item in items), Decimal(0))
        if score.minimum != lowest or score.maximum != highest:
            problems.append(
                (
                    f"{path}.minimum",
                    f"the items give scores from {lowest} to {highest}, "
                    f"but the score says {score.minimum} to {score.maximum}",
                )
            )
        if score.missing.rule == "prorate" and score.missing.max_missing >= len(items):
            problems.append((f"{path}.missing.max_missing", "must leave at least one item answered"))
        if score.bands is not None:
            problems += _band_problems(score, items, f"{path}.bands.bands")
    return problems


def _band_problems(score: ScoreDefinition, items: list[Item], path: str) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    assert score.bands is not None
    if any(item.item_type == "decimal" for item in items):
        return [(path, "bands need a whole-number score; this score can take fractions")]
    bands = score.bands.bands
    band_ids = [band.band_id for band in bands]
    expected_minimum = score.minimum
    for index, band in enumerate(bands):
        if band_ids.count(band.band_id) > 1:
            problems.append((f"{path}[{index}].id", f"the band id '{band.band_id}' is used twice"))
        if band.minimum > band.maximum:
            problems.append((f"{path}[{index}].maximum", "is below the band's minimum"))
        if Decimal(band.minimum) != expected_minimum:
            problems.append(
                (
                    f"{path}[{index}].minimum",
                    f"is {band.minimum}; the bands must run on from {expected_minimum}, no gap or overlap",
                )
            )
        expected_minimum = Decimal(band.maximum) + 1
    if bands and Decimal(bands[-1].maximum) != score.maximum:
        problems.append(
            (
                f"{path}[{len(bands) - 1}].maximum",
                f"the last band must end at the score's maximum, {score.maximum}",
            )
        )
    return problems
