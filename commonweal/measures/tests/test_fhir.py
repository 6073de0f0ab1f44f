"""FHIR export: definitions as Questionnaires, answers as QuestionnaireResponses, scores as Observations.

Each resource is built through the `fhir.resources` R4B models (which validate it) and then parsed
back from its JSON, so what we publish is what a FHIR client reads.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from commonweal.measures import fhir
from commonweal.measures.definitions import builtin_instruments, load_instrument
from commonweal.measures.scoring import AnswerError, score

AUTHORED = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
PHQ9_ANSWERS = {"phq9_1": 2, "phq9_2": 2, "phq9_3": 1, "phq9_4": 3, "phq9_5": 0, "phq9_6": 1}
PHQ9_ANSWERS |= {"phq9_7": 2, "phq9_8": 0, "phq9_9": 1, "phq9_10": 2}


@pytest.mark.parametrize("definition", builtin_instruments(), ids=lambda d: d.code)
def test_every_definition_exports_as_a_questionnaire_that_round_trips(definition):
    questionnaire = fhir.questionnaire(definition)
    parsed = Questionnaire.model_validate_json(fhir.resource_json(questionnaire))
    assert parsed == questionnaire
    assert parsed.url == f"https://commonweal.example/fhir/Questionnaire/{definition.code}"
    assert parsed.version == definition.version
    questions = [item for item in parsed.item if item.type != "display"]
    assert [item.linkId for item in questions] == [item.item_id for item in definition.items]


def test_the_phq9_questionnaire_carries_its_loinc_panel_code_text_and_answer_values():
    questionnaire = fhir.questionnaire(load_instrument("phq-9"))
    assert [(c.system, c.code) for c in questionnaire.code] == [("http://loinc.org", "44249-1")]
    preamble, first = questionnaire.item[0], questionnaire.item[1]
    assert (preamble.type, preamble.text) == (
        "display",
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    )
    assert (first.linkId, first.type, first.text, first.required) == (
        "phq9_1",
        "choice",
        "Little interest or pleasure in doing things",
        True,
    )
    assert [
        (o.valueCoding.code, o.valueCoding.display, o.valueCoding.extension[0].valueDecimal)
        for o in first.answerOption
    ] == [
        ("0", "Not at all", 0),
        ("1", "Several days", 1),
        ("2", "More than half the days", 2),
        ("3", "Nearly every day", 3),
    ]
    assert questionnaire.copyright.startswith("PHQ-9 copyright © Pfizer Inc.")


def test_the_gad7_questionnaire_has_no_unverified_panel_code():
    assert fhir.questionnaire(load_instrument("gad-7")).code is None


def test_a_score_entry_questionnaire_shows_labels_and_limits_only():
    questionnaire = fhir.questionnaire(load_instrument("swemwbs"))
    (field,) = questionnaire.item
    assert (field.linkId, field.type) == ("metric_score", "decimal")
    assert field.text == "SWEMWBS metric score, from your licensed SWEMWBS scoring (7.00 to 35.00)"
    assert [(e.url.rsplit("/", 1)[1], e.valueDecimal or e.valueInteger) for e in field.extension] == [
        ("minValue", 7),
        ("maxValue", 35),
        ("maxDecimalPlaces", 2),
    ]


def test_the_ons4_questionnaire_asks_for_whole_numbers_from_0_to_10():
    questionnaire = fhir.questionnaire(load_instrument("ons4"))
    anxiety = questionnaire.item[-1]
    assert (anxiety.linkId, anxiety.type) == ("anxiety", "integer")
    assert [(e.url.rsplit("/", 1)[1], e.valueInteger) for e in anxiety.extension] == [
        ("minValue", 0),
        ("maxValue", 10),
    ]


def test_answers_round_trip_through_a_questionnaire_response():
    definition = load_instrument("phq-9")
    response = fhir.questionnaire_response(
        definition, PHQ9_ANSWERS, subject_reference="Patient/p1", authored=AUTHORED, response_id="r1"
    )
    parsed = QuestionnaireResponse.model_validate_json(fhir.resource_json(response))
    assert parsed.questionnaire == "https://commonweal.example/fhir/Questionnaire/phq-9|1.0"
    assert (parsed.status, parsed.subject.reference, parsed.authored) == ("completed", "Patient/p1", AUTHORED)
    assert fhir.answers_from_questionnaire_response(definition, parsed) == {
        key: Decimal(value) for key, value in PHQ9_ANSWERS.items()
    }


def test_a_partly_answered_response_leaves_unanswered_items_out():
    definition = load_instrument("ons4")
    response = fhir.questionnaire_response(
        definition,
        {"life_satisfaction": 6, "anxiety": None},
        subject_reference="Patient/p1",
        authored=AUTHORED,
        status="in-progress",
    )
    assert [(i.linkId, i.answer[0].valueInteger) for i in response.item] == [("life_satisfaction", 6)]
    assert response.status == "in-progress"


def test_entered_decimal_scores_round_trip():
    definition = load_instrument("pam")
    response = fhir.questionnaire_response(
        definition, {"score": Decimal("58.1"), "level": 3}, subject_reference="Patient/p1", authored=AUTHORED
    )
    parsed = QuestionnaireResponse.model_validate_json(fhir.resource_json(response))
    assert fhir.answers_from_questionnaire_response(definition, parsed) == {
        "score": Decimal("58.1"),
        "level": Decimal(3),
    }


def test_a_response_is_not_built_from_bad_answers():
    with pytest.raises(AnswerError) as caught:
        fhir.questionnaire_response(
            load_instrument("gad-7"), {"gad7_1": 9}, subject_reference="Patient/p1", authored=AUTHORED
        )
    assert caught.value.problems == ("'gad7_1': 9 is not one of the allowed answers (0, 1, 2, 3).",)


def test_a_response_to_another_questionnaire_is_refused():
    response = fhir.questionnaire_response(
        load_instrument("gad-7"), {"gad7_1": 1}, subject_reference="Patient/p1", authored=AUTHORED
    )
    with pytest.raises(fhir.FhirMappingError) as caught:
        fhir.answers_from_questionnaire_response(load_instrument("phq-9"), response)
    assert str(caught.value) == (
        "The response answers https://commonweal.example/fhir/Questionnaire/gad-7|1.0, "
        "not https://commonweal.example/fhir/Questionnaire/phq-9|1.0."
    )


def test_a_response_with_an_unknown_answer_code_is_refused():
    definition = load_instrument("gad-7")
    data = fhir.as_mapping(
        fhir.questionnaire_response(
            definition, {"gad7_1": 1}, subject_reference="Patient/p1", authored=AUTHORED
        )
    )
    data["item"][0]["answer"][0]["valueCoding"]["code"] = "often"
    with pytest.raises(fhir.FhirMappingError) as caught:
        fhir.answers_from_questionnaire_response(definition, QuestionnaireResponse.model_validate(data))
    assert str(caught.value) == "'gad7_1': 'often' is not an answer code."


def test_scores_export_as_observations_with_verified_loinc_codes():
    definition = load_instrument("phq-9")
    result = score(definition, PHQ9_ANSWERS)
    (observation,) = fhir.score_observations(
        definition,
        result,
        subject_reference="Patient/p1",
        effective=AUTHORED,
        derived_from_reference="QuestionnaireResponse/r1",
    )
    parsed = Observation.model_validate_json(fhir.resource_json(observation))
    assert [(c.system, c.code) for c in parsed.code.coding] == [
        ("http://loinc.org", "44261-6"),
        ("https://commonweal.example/fhir/CodeSystem/phq-9-scores", "total"),
    ]
    assert (parsed.valueQuantity.value, parsed.valueQuantity.code) == (Decimal(12), "{score}")
    assert parsed.interpretation[0].text == "Moderate"
    assert parsed.derivedFrom[0].reference == "QuestionnaireResponse/r1"
    assert parsed.category[0].coding[0].code == "survey"
    assert parsed.note is None


def test_ons4_exports_four_observations_and_leaves_out_the_unanswered_one():
    definition = load_instrument("ons4")
    result = score(definition, {"life_satisfaction": 9, "worthwhile": 4, "happiness": 7})
    observations = fhir.score_observations(
        definition, result, subject_reference="Patient/p1", effective=date(2026, 11, 23)
    )
    assert [
        (o.code.coding[0].code, o.valueQuantity.value, o.interpretation[0].text) for o in observations
    ] == [
        ("life_satisfaction", 9, "Very high"),
        ("worthwhile", 4, "Low"),
        ("happiness", 7, "High"),
    ]
    assert observations[0].effectiveDateTime == date(2026, 11, 23)


def test_an_unverified_band_is_noted_on_the_observation():
    definition = load_instrument("ucla-3")
    result = score(definition, {"lack_companionship": 3, "left_out": 2, "isolated": 2})
    (observation,) = fhir.score_observations(
        definition, result, subject_reference="Patient/p1", effective=AUTHORED
    )
    assert observation.interpretation[0].text == "Lonely"
    assert [note.text for note in observation.note] == [
        "The band is from a convention not yet verified against a primary source."
    ]


def test_the_fhir_models_refuse_an_invalid_resource():
    # The models check structure and types (not value sets): an item without its linkId is refused.
    data = fhir.as_mapping(fhir.questionnaire(load_instrument("gad-7")))
    del data["item"][1]["linkId"]
    with pytest.raises(ValidationError, match=r"item\.1\.linkId"):
        Questionnaire.model_validate(data)
