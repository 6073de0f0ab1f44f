"""Which instrument definitions this deployment can administer: the built-ins and any licence holder's files.

A licence holder's definitions live outside the repository, in the folder named by
`MEASURES_LICENSED_DIR`; they are loaded with the same checks as the built-ins and then administered
exactly like them. A broken licensed file stops start-up (see `checks.py`); should the folder change
while the site runs, the problem is shown on the instruments page and the built-ins stay usable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from commonweal.measures import conf
from commonweal.measures.definitions import (
    DEFAULT_LANGUAGE,
    DefinitionError,
    InstrumentDefinition,
    UnknownInstrumentError,
    builtin_instruments,
    load_licensed_directory,
)

logger = logging.getLogger("commonweal.measures")

# The languages a person may name on their record (Person.language is free text), as language tags.
LANGUAGE_TAGS = {
    "english": "en-GB",
    "en": "en-GB",
    "en-gb": "en-GB",
    "welsh": "cy",
    "cymraeg": "cy",
    "cy": "cy",
    "polish": "pl",
    "polski": "pl",
    "pl": "pl",
}
LANGUAGE_NAMES = {"en-GB": "English", "cy": "Cymraeg (Welsh)", "pl": "Polski (Polish)"}


@dataclass(frozen=True)
class Catalogue:
    """Every definition available here, and the problem with the licensed folder if it could not be read."""

    definitions: tuple[InstrumentDefinition, ...]
    licensed_problem: str = ""


@cache
def _licensed(folder: str) -> tuple[tuple[InstrumentDefinition, ...], str]:
    try:
        return load_licensed_directory(Path(folder)), ""
    except DefinitionError as error:
        logger.error("Licensed measure definitions could not be loaded: %s", error)
        return (), str(error)


def catalogue() -> Catalogue:
    """Return the built-in definitions and those a licence holder supplied."""
    folder = conf.licensed_dir()
    licensed: tuple[InstrumentDefinition, ...] = ()
    problem = ""
    if folder is not None:
        licensed, problem = _licensed(str(folder))
    built_in = builtin_instruments()
    clashes = {d.key for d in licensed} & {d.key for d in built_in}
    if clashes:
        problem = "A licensed file redefines a built-in instrument: " + ", ".join(
            f"{code} {version}" for code, version in sorted(clashes)
        )
        licensed = tuple(d for d in licensed if d.key not in clashes)
    return Catalogue(built_in + licensed, problem)


def clear_cache() -> None:
    """Forget the licensed definitions read so far (after a licence holder changes their files)."""
    _licensed.cache_clear()


def definitions() -> tuple[InstrumentDefinition, ...]:
    """Return every definition available, built-in first."""
    return catalogue().definitions


def latest_definitions() -> tuple[InstrumentDefinition, ...]:
    """Return the latest version of each instrument, ordered by title."""
    latest: dict[str, InstrumentDefinition] = {}
    for definition in definitions():
        latest[definition.code] = definition  # ordered by version within a code
    return tuple(sorted(latest.values(), key=lambda d: d.title.in_language().lower()))


def definition(code: str, version: str | None = None) -> InstrumentDefinition:
    """Return a definition by code, at `version` or at its latest version (UnknownInstrumentError if none)."""
    matching = [found for found in definitions() if found.code == code]
    if not matching:
        raise UnknownInstrumentError(f"There is no instrument '{code}' here.")
    if version is None:
        return matching[-1]
    for found in matching:
        if found.version == version:
            return found
    raise UnknownInstrumentError(f"{code} has no version {version} here.")


def is_answerable(found: InstrumentDefinition) -> bool:
    """Tell whether a person may answer this definition themselves (it carries its questions' wording)."""
    return found.kind == "questionnaire" and found.licence.item_text_included


def language_tag(language: str) -> str:
    """Return the language tag for what a person's record says (a name such as "Welsh", or a tag)."""
    return LANGUAGE_TAGS.get(language.strip().lower(), language.strip() or DEFAULT_LANGUAGE)


def language_for(found: InstrumentDefinition, preferred: str) -> str:
    """Return the language to show a definition in: the preferred one where translated, else en-GB."""
    tag = language_tag(preferred)
    return tag if tag in found.languages else DEFAULT_LANGUAGE


def language_name(tag: str) -> str:
    """Return a language's name for display."""
    return LANGUAGE_NAMES.get(tag, tag)
