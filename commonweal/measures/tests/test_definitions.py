"""Loading and checking instrument definitions: the built-ins, and the messages a bad file gets."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from commonweal.measures.definitions import (
    BUILT_IN_DIR,
    DefinitionError,
    UnknownInstrumentError,
    builtin_instruments,
    load_definition_file,
    load_instrument,
    parse_definition,
)
from commonweal.measures.tests.fakes import fake_definition, write_definition

BUILT_IN_CODES = (
    "eq-5d-5l",
    "gad-7",
    "hcs",
    "ons-loneliness",
    "ons4",
    "pam",
    "phq-9",
    "swemwbs",
    "ucla-3",
    "wemwbs",
)


def test_every_built_in_definition_loads_once() -> None:
    assert tuple(definition.code for definition in builtin_instruments()) == BUILT_IN_CODES
    assert len(list(BUILT_IN_DIR.glob("*.json"))) == len(BUILT_IN_CODES)


def test_the_instruments_the_issue_names_are_built_in_as_questionnaires() -> None:
    for code in ("ons4", "ons-loneliness", "ucla-3", "phq-9", "gad-7"):
        definition = load_instrument(code)
        assert definition.kind == "questionnaire"
        assert definition.licence.item_text_included is True
        assert all(item.text is not None for item in definition.items)


def test_licensed_instruments_are_score_entry_only() -> None:
    for code in ("swemwbs", "wemwbs", "pam", "hcs", "eq-5d-5l"):
        definition = load_instrument(code)
        assert definition.kind == "score-entry"
        assert definition.licence.instrument_requires_licence is True
        assert definition.licence.item_text_included is False
        assert definition.preamble is None


def test_every_definition_says_who_wrote_it_and_when_to_review_it() -> None:
    for definition in builtin_instruments():
        assert definition.review.authored_by
        assert definition.review.reviewed_on == "2026-11-23"
        assert definition.review.next_review_due == "2027-11-23"
        # Nobody independent has checked them yet, and the product must be able to say so.
        assert definition.review.is_checked is False


def test_every_definition_has_welsh_and_polish_translation_slots() -> None:
    for definition in builtin_instruments():
        assert definition.languages == ("en-GB",)
        assert {(slot.language, slot.status) for slot in definition.translations} == {
            ("cy", "not-available"),
            ("pl", "not-available"),
        }


def test_text_falls_back_to_english_where_no_translation_exists() -> None:
    phq9 = load_instrument("phq-9")
    assert phq9.item("phq9_4").wording("cy") == "Feeling tired or having little energy"


def test_a_definition_with_a_translation_shows_it() -> None:
    data = fake_definition(
        languages=["en-GB", "cy"], translations=[{"language": "cy", "status": "available"}]
    )
    for text in _all_texts(data):
        text["cy"] = "Cymraeg: " + text["en-GB"]
    definition = parse_definition(data, source="fake.json")
    assert definition.item("q1").wording("cy") == "Cymraeg: Synthetic statement one"
    assert definition.item("q1").wording("pl") == "Synthetic statement one"


def test_unverified_claims_are_listed_for_display() -> None:
    assert load_instrument("ucla-3").unverified_claims() == (
        "licence terms",
        "UCLA-3 loneliness score: scoring",
        "UCLA-3 loneliness score: rule for unanswered items",
        "UCLA-3 loneliness score: bands",
        "UCLA-3 loneliness score: reliable change",
    )
    assert load_instrument("swemwbs").unverified_claims() == ()


def test_loinc_codes_appear_only_where_verified() -> None:
    phq9 = load_instrument("phq-9")
    assert phq9.code_for_questionnaire is not None
    assert (phq9.code_for_questionnaire.code, phq9.code_for_questionnaire.verification.status) == (
        "44249-1",
        "verified",
    )
    total = phq9.score_definition("total")
    assert total.code is not None and (total.code.code, total.code.verification.status) == (
        "44261-6",
        "verified",
    )
    gad7 = load_instrument("gad-7")
    # The GAD-7 panel code 69737-5 was not found on a LOINC page, so it is left out.
    assert gad7.code_for_questionnaire is None
    gad_total = gad7.score_definition("total")
    assert gad_total.code is not None and gad_total.code.code == "70274-6"


def test_load_instrument_picks_a_version_or_the_latest() -> None:
    assert load_instrument("phq-9", "1.0").version == "1.0"
    assert load_instrument("phq-9").key == ("phq-9", "1.0")


def test_an_unknown_instrument_is_refused_with_the_known_codes() -> None:
    with pytest.raises(UnknownInstrumentError) as caught:
        load_instrument("phq-8")
    assert str(caught.value) == (
        "There is no built-in instrument 'phq-8'. Known instruments: eq-5d-5l, gad-7, hcs, ons-loneliness, "
        "ons4, pam, phq-9, swemwbs, ucla-3, wemwbs."
    )
    with pytest.raises(UnknownInstrumentError) as caught:
        load_instrument("phq-9", "2.0")
    assert str(caught.value) == "phq-9 has no version 2.0. Versions: 1.0."


def test_decimal_limits_keep_their_exact_value() -> None:
    item = load_instrument("swemwbs").item("metric_score")
    assert (item.minimum, item.maximum, item.decimals) == (Decimal("7.0"), Decimal("35.0"), 2)


def _all_texts(node: object) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    if isinstance(node, dict):
        if "en-GB" in node:
            found.append(node)
        else:
            for value in node.values():
                found += _all_texts(value)
    elif isinstance(node, list):
        for value in node:
            found += _all_texts(value)
    return found


def _problems(data: object) -> tuple[tuple[str, str], ...]:
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, source="broken.json")
    assert caught.value.source == "broken.json"
    return caught.value.problems


def test_a_missing_field_is_named_with_its_path() -> None:
    data = fake_definition()
    del data["scores"][0]["bands"]
    assert _problems(data) == (("$.scores[0]", "'bands' is a required property"),)


def test_a_wrong_type_is_named_with_its_path() -> None:
    data = fake_definition()
    data["items"][2]["scored"] = "yes"
    assert _problems(data) == (("$.items[2].scored", "'yes' is not of type 'boolean'"),)


def test_the_message_names_the_file_and_every_problem() -> None:
    data = fake_definition(code="Fake Code")
    data["review"]["reviewed_on"] = "1 January 2026"
    with pytest.raises(DefinitionError) as caught:
        parse_definition(data, source="broken.json")
    assert str(caught.value) == (
        "broken.json: $.code: 'Fake Code' does not match '^[a-z0-9]+(-[a-z0-9]+)*$'\n"
        "broken.json: $.review.reviewed_on: '1 January 2026' does not match '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"
    )


def test_a_choice_item_needs_a_known_response_set() -> None:
    data = fake_definition()
    data["items"][1]["response_set"] = "agreemnet"
    assert _problems(data) == (
        ("$.items[1].response_set", "'agreemnet' is not one of the response sets (known: agreement)"),
    )


def test_bands_with_a_gap_are_refused() -> None:
    data = fake_definition()
    data["scores"][0]["bands"]["bands"][1]["minimum"] = 11
    assert _problems(data) == (
        ("$.scores[0].bands.bands[1].minimum", "is 11; the bands must run on from 10, no gap or overlap"),
    )


def test_bands_that_stop_short_of_the_maximum_are_refused() -> None:
    data = fake_definition()
    data["scores"][0]["bands"]["bands"][1]["maximum"] = 15
    assert _problems(data) == (
        ("$.scores[0].bands.bands[1].maximum", "the last band must end at the score's maximum, 16"),
    )


def test_a_score_range_that_the_items_cannot_give_is_refused() -> None:
    data = fake_definition()
    data["scores"][0]["maximum"] = 20
    data["scores"][0]["bands"]["bands"][1]["maximum"] = 20
    assert _problems(data) == (
        ("$.scores[0].minimum", "the items give scores from 4 to 16, but the score says 4 to 20"),
    )


def test_a_score_naming_an_unknown_item_is_refused() -> None:
    data = fake_definition()
    data["scores"][0]["items"] = ["q1", "q2", "q3", "q5"]
    assert _problems(data) == (("$.scores[0].items", "not items of this instrument: q5"),)


def test_a_verification_must_cite_a_listed_source() -> None:
    data = fake_definition()
    data["scores"][0]["bands"]["verification"]["sources"] = ["kroenke2001"]
    assert _problems(data) == (
        ("$.scores[0].bands.verification.sources", "'kroenke2001' is not one of the citations"),
    )


def test_a_verified_claim_needs_a_source() -> None:
    data = fake_definition()
    data["scores"][0]["reliable_change"]["verification"]["sources"] = []
    assert _problems(data) == (
        ("$.scores[0].reliable_change.verification.sources", "[] should be non-empty"),
    )


def test_no_threshold_needs_a_reason() -> None:
    data = fake_definition()
    data["scores"][0]["reliable_change"] = {
        "threshold": None,
        "verification": {"status": "unverified", "sources": []},
    }
    assert _problems(data) == (("$.scores[0].reliable_change", "'reason' is a required property"),)


def test_item_text_is_refused_where_the_licence_does_not_allow_it() -> None:
    data = fake_definition(licensed=False)
    data["licence"]["item_text_included"] = False
    assert _problems(data) == tuple(
        (f"$.items[{index}].text", "the licence does not allow item text; use a label in our own words")
        for index in range(4)
    )


def test_a_risk_rule_on_an_impossible_answer_is_refused() -> None:
    data = fake_definition()
    data["risk_rules"][0]["value"] = [7]
    assert _problems(data) == (("$.risk_rules[0].value", "7 is outside the answers 'q4' accepts"),)


def test_a_listed_language_must_be_given_for_every_text() -> None:
    data = fake_definition(
        languages=["en-GB", "cy"], translations=[{"language": "cy", "status": "available"}]
    )
    problems = _problems(data)
    assert ("$.items[0].text", "has no 'cy' text although the definition lists that language") in problems
    assert len(problems) == len(_all_texts(data))


def test_a_bad_file_is_named_in_the_message(tmp_path: Path) -> None:
    path = tmp_path / "fake-wellbeing_2.1.json"
    path.write_text('{"code": "fake-wellbeing",', encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    assert str(caught.value) == (
        "fake-wellbeing_2.1.json: $: is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 27"
    )


def test_a_file_must_be_named_after_its_code_and_version(tmp_path: Path) -> None:
    path = write_definition(tmp_path, fake_definition(), name="wellbeing.json")
    with pytest.raises(DefinitionError) as caught:
        load_definition_file(path)
    assert (
        str(caught.value)
        == "wellbeing.json: $: the file must be named fake-wellbeing_2.1.json (code_version.json)"
    )


def _refuse_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert duplicates == [], f"duplicate keys: {duplicates}"
    return dict(pairs)


def test_the_built_in_files_have_no_duplicate_keys_hiding_values() -> None:
    for path in sorted(BUILT_IN_DIR.glob("*.json")):
        json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_refuse_duplicate_keys)


def test_parsing_does_not_change_the_data_given() -> None:
    data = fake_definition()
    before = copy.deepcopy(data)
    parse_definition(data, source="fake.json")
    assert data == before
