"""A licence holder's definition file loads and is administered like a built-in; none ships with us."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.measures import fhir
from commonweal.measures.definitions import (
    BUILT_IN_DIR,
    DefinitionError,
    builtin_instruments,
    load_licensed_definition,
    load_licensed_directory,
)
from commonweal.measures.scoring import change, score
from commonweal.measures.tests.fakes import fake_definition, write_definition
from commonweal.reference_data import REPOSITORY_ROOT


def test_a_licence_holders_file_loads_and_is_scored_like_a_built_in(tmp_path: Path) -> None:
    definition = load_licensed_definition(write_definition(tmp_path, fake_definition()))
    assert (definition.code, definition.version, definition.licensed) == ("fake-wellbeing", "2.1", True)
    assert definition.item("q1").wording() == "Synthetic statement one"
    baseline = score(definition, {"q1": 1, "q2": 2, "q3": 1, "q4": 2})
    follow_up = score(definition, {"q1": 3, "q2": 3, "q3": 2, "q4": 2})
    assert (baseline.get("total").value, baseline.get("total").band_id) == (Decimal(6), "low")
    assert (follow_up.get("total").value, follow_up.get("total").band_id) == (Decimal(10), "high")
    (total_change,) = change(definition, baseline, follow_up)
    assert (total_change.difference, total_change.outcome) == (Decimal(4), "reliable improvement")


def test_a_licence_holders_file_exports_to_fhir(tmp_path: Path) -> None:
    definition = load_licensed_definition(write_definition(tmp_path, fake_definition()))
    questionnaire = fhir.questionnaire(definition)
    assert questionnaire.copyright == "Fake wellbeing scale © Example Licence Holder Ltd."
    response = fhir.questionnaire_response(
        definition,
        {"q1": 2, "q2": 2, "q3": 2, "q4": 1},
        subject_reference="Patient/p1",
        authored=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    assert fhir.answers_from_questionnaire_response(definition, response) == {
        "q1": Decimal(2),
        "q2": Decimal(2),
        "q3": Decimal(2),
        "q4": Decimal(1),
    }


def test_a_file_not_marked_licensed_is_refused_by_the_licensed_loader(tmp_path: Path) -> None:
    path = write_definition(tmp_path, fake_definition(licensed=False))
    with pytest.raises(DefinitionError) as caught:
        load_licensed_definition(path)
    assert str(caught.value) == (
        'fake-wellbeing_2.1.json: $.licensed: a licence holder\'s file must say "licensed": true; '
        "built-in files live in the code"
    )


def test_a_folder_of_licensed_files_loads_each_file_and_refuses_a_misnamed_one(tmp_path: Path) -> None:
    write_definition(tmp_path, fake_definition())
    write_definition(tmp_path, fake_definition(version="2.2"))
    assert [d.key for d in load_licensed_directory(tmp_path)] == [
        ("fake-wellbeing", "2.1"),
        ("fake-wellbeing", "2.2"),
    ]
    write_definition(tmp_path, fake_definition(), name="copy.json")
    with pytest.raises(DefinitionError) as caught:
        load_licensed_directory(tmp_path)
    # copy.json is refused for its name before any duplicate could be counted.
    assert str(caught.value) == (
        "copy.json: $: the file must be named fake-wellbeing_2.1.json (code_version.json)"
    )


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as caught:
        load_licensed_directory(tmp_path / "nowhere")
    assert str(caught.value) == f"{tmp_path / 'nowhere'}: $: is not a folder"


SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "staticfiles", "__pycache__"}


def _repository_json_files() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(REPOSITORY_ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED_FOLDERS]
        found += [Path(folder) / name for name in files if name.endswith(".json")]
    return found


def test_no_licensed_definition_ships_in_the_repository() -> None:
    definition_like = []
    for path in _repository_json_files():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(data, dict) and {"schema_version", "licence", "items"} <= data.keys():
            definition_like.append(path)
            assert data.get("licensed") is False, f"{path} is a licensed definition"
    # Every definition found is one of the built-ins: nothing licensed hides elsewhere.
    assert sorted(definition_like) == sorted(BUILT_IN_DIR.glob("*.json"))


def test_licensed_instruments_ship_no_item_text() -> None:
    for definition in builtin_instruments():
        if not definition.licence.instrument_requires_licence:
            continue
        raw = definition.raw
        assert "preamble" not in raw, definition.code
        assert all("text" not in item for item in raw["items"]), definition.code
        # Answer labels are our own ("Level 1"...), never the instrument's response wording.
        for options in raw["response_sets"].values():
            assert all(option["label"]["en-GB"].startswith("Level ") for option in options), definition.code
