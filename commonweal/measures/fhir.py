"""FHIR export of instruments, responses and scores, validated by the `fhir.resources` R4B models (no Django).

R4B's Questionnaire, QuestionnaireResponse and Observation have the same elements as R4's for what we
use (docs/decisions/0500-measures-fhir-r4b.md); `fhir.resources` 8 has no R4 package. The models
check structure and types only, not UK Core profiles.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import pluralize
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from commonweal.measures.definitions import (
    DEFAULT_LANGUAGE,
    Coding,
    InstrumentDefinition,
    Item,
    ScoreDefinition,
)
from commonweal.measures.scoring import Answers, ScoreResult, check_answers

DEFAULT_CANONICAL_BASE = "https://commonweal.example/fhir"
ORDINAL_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
MAX_DECIMAL_PLACES_URL = "http://hl7.org/fhir/StructureDefinition/maxDecimalPlaces"
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
UCUM = "http://unitsofmeasure.org"


class FhirMappingError(ValueError):
    """Raised when a FHIR resource cannot be read back as answers to a definition."""


def questionnaire_url(definition: InstrumentDefinition, canonical_base: str = DEFAULT_CANONICAL_BASE) -> str:
    """Return the canonical URL of a definition's Questionnaire."""
    return f"{canonical_base}/Questionnaire/{definition.code}"


def answer_system(
    definition: InstrumentDefinition, item: Item, canonical_base: str = DEFAULT_CANONICAL_BASE
) -> str:
    """Return the code system used for one item's answers (one per response set)."""
    return f"{canonical_base}/CodeSystem/{definition.code}-{item.response_set}"


def score_system(definition: InstrumentDefinition, canonical_base: str = DEFAULT_CANONICAL_BASE) -> str:
    """Return the code system naming a definition's scores."""
    return f"{canonical_base}/CodeSystem/{definition.code}-scores"


def _fhir_name(short_name: str) -> str:
    # FHIR asks for a machine name: a capital letter, then letters, digits and underscores.
    cleaned = "".join(character if character.isalnum() else "_" for character in short_name).strip("_")
    cleaned = cleaned.upper() if cleaned[:1].isdigit() else cleaned
    return cleaned if cleaned[:1].isalpha() and cleaned[:1].isupper() else f"M{cleaned}"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _coding(coding: Coding) -> dict[str, str]:
    return {"system": coding.system, "code": coding.code, "display": coding.display}


def _question_item(
    definition: InstrumentDefinition, item: Item, language: str, canonical_base: str
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "linkId": item.item_id,
        "text": item.wording(language),
        "required": item.required,
    }
    if item.item_type == "choice":
        entry["type"] = "choice"
        entry["answerOption"] = [
            {
                "valueCoding": {
                    "system": answer_system(definition, item, canonical_base),
                    "code": str(option.value),
                    "display": option.label.in_language(language),
                    "extension": [{"url": ORDINAL_VALUE_URL, "valueDecimal": option.value}],
                }
            }
            for option in item.options
        ]
    elif item.item_type == "integer":
        assert item.minimum is not None and item.maximum is not None
        entry["type"] = "integer"
        entry["extension"] = [
            {"url": MIN_VALUE_URL, "valueInteger": int(item.minimum)},
            {"url": MAX_VALUE_URL, "valueInteger": int(item.maximum)},
        ]
    else:
        assert item.minimum is not None and item.maximum is not None
        entry["type"] = "decimal"
        entry["extension"] = [
            {"url": MIN_VALUE_URL, "valueDecimal": _number(item.minimum)},
            {"url": MAX_VALUE_URL, "valueDecimal": _number(item.maximum)},
            {"url": MAX_DECIMAL_PLACES_URL, "valueInteger": item.decimals},
        ]
    return entry


def questionnaire(
    definition: InstrumentDefinition,
    *,
    language: str = DEFAULT_LANGUAGE,
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> Questionnaire:
    """Return the definition as a validated FHIR Questionnaire, in `language` where translated."""
    items: list[dict[str, Any]] = []
    if definition.preamble is not None:
        items.append(
            {"linkId": "preamble", "type": "display", "text": definition.preamble.in_language(language)}
        )
    items += [_question_item(definition, item, language, canonical_base) for item in definition.items]
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": f"{definition.code}-{definition.version}".replace(".", "-"),
        "url": questionnaire_url(definition, canonical_base),
        "version": definition.version,
        "name": _fhir_name(definition.short_name),
        "title": definition.title.in_language(language),
        "status": "active",
        "experimental": False,
        "subjectType": ["Patient"],
        "language": language if language in definition.languages else DEFAULT_LANGUAGE,
        "publisher": "Commonweal",
        "description": definition.licence.summary,
        "lastReviewDate": definition.review.reviewed_on,
        "item": items,
    }
    if definition.licence.notice:
        resource["copyright"] = definition.licence.notice
    if (
        definition.code_for_questionnaire is not None
        and definition.code_for_questionnaire.verification.is_verified
    ):
        resource["code"] = [_coding(definition.code_for_questionnaire)]
    return Questionnaire.model_validate(resource)


def _answer(
    definition: InstrumentDefinition, item: Item, value: Decimal, canonical_base: str
) -> dict[str, Any]:
    if item.item_type == "choice":
        option = item.option_for(int(value))
        assert option is not None  # check_answers has refused anything else
        return {
            "valueCoding": {
                "system": answer_system(definition, item, canonical_base),
                "code": str(option.value),
                "display": option.label.in_language(),
            }
        }
    if item.item_type == "integer":
        return {"valueInteger": int(value)}
    return {"valueDecimal": float(value)}


def questionnaire_response(
    definition: InstrumentDefinition,
    answers: Answers,
    *,
    subject_reference: str,
    authored: datetime,
    response_id: str | None = None,
    status: str = "completed",
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> QuestionnaireResponse:
    """Return one person's answers as a validated FHIR QuestionnaireResponse (unanswered items left out)."""
    answered = check_answers(definition, answers)
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{questionnaire_url(definition, canonical_base)}|{definition.version}",
        "status": status,
        "subject": {"reference": subject_reference},
        "authored": authored.isoformat(),
        "item": [
            {
                "linkId": item.item_id,
                "text": item.wording(),
                "answer": [_answer(definition, item, answered[item.item_id], canonical_base)],
            }
            for item in definition.items
            if item.item_id in answered
        ],
    }
    if response_id is not None:
        resource["id"] = response_id
    return QuestionnaireResponse.model_validate(resource)


def answers_from_questionnaire_response(
    definition: InstrumentDefinition,
    response: QuestionnaireResponse,
    *,
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> dict[str, Decimal]:
    """Read a QuestionnaireResponse for this definition back into checked answers."""
    expected = f"{questionnaire_url(definition, canonical_base)}|{definition.version}"
    if response.questionnaire != expected:
        raise FhirMappingError(f"The response answers {response.questionnaire}, not {expected}.")
    raw: dict[str, int | float | Decimal | None] = {}
    for entry in response.item or []:
        try:
            item = definition.item(entry.linkId or "")
        except KeyError as error:
            raise FhirMappingError(f"'{entry.linkId}' is not an item of {definition.short_name}.") from error
        if not entry.answer or len(entry.answer) != 1:
            raise FhirMappingError(f"'{entry.linkId}' must have exactly one answer.")
        answer = entry.answer[0]
        if item.item_type == "choice":
            coding = answer.valueCoding
            if coding is None or coding.system != answer_system(definition, item, canonical_base):
                raise FhirMappingError(f"'{entry.linkId}' needs a coded answer from its response set.")
            try:
                raw[item.item_id] = int(coding.code or "")
            except ValueError as error:
                raise FhirMappingError(f"'{entry.linkId}': '{coding.code}' is not an answer code.") from error
        elif item.item_type == "integer":
            raw[item.item_id] = answer.valueInteger
        else:
            raw[item.item_id] = None if answer.valueDecimal is None else Decimal(str(answer.valueDecimal))
    return check_answers(definition, raw)


def _observation_code(
    definition: InstrumentDefinition, score: ScoreDefinition, canonical_base: str
) -> dict[str, Any]:
    codings = []
    if score.code is not None and score.code.verification.is_verified:
        codings.append(_coding(score.code))
    codings.append(
        {
            "system": score_system(definition, canonical_base),
            "code": score.score_id,
            "display": score.label.in_language(),
        }
    )
    return {"coding": codings, "text": f"{definition.short_name}: {score.label.in_language()}"}


def score_observations(
    definition: InstrumentDefinition,
    result: ScoreResult,
    *,
    subject_reference: str,
    effective: datetime | date,
    derived_from_reference: str | None = None,
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> list[Observation]:
    """Return one validated FHIR Observation per score that has a value (unscored ones are left out)."""
    if result.instrument_code != definition.code:
        raise FhirMappingError(f"The result is for {result.instrument_code}, not {definition.code}.")
    observations = []
    for score_definition in definition.scores:
        score = result.get(score_definition.score_id)
        if score.value is None:
            continue
        resource: dict[str, Any] = {
            "resourceType": "Observation",
            "status": "final",
            "category": [
                {"coding": [{"system": OBSERVATION_CATEGORY_SYSTEM, "code": "survey", "display": "Survey"}]}
            ],
            "code": _observation_code(definition, score_definition, canonical_base),
            "subject": {"reference": subject_reference},
            "effectiveDateTime": effective.isoformat(),
            "valueQuantity": {
                "value": _number(score.value),
                "unit": "{score}",
                "system": UCUM,
                "code": "{score}",
            },
        }
        notes = []
        if score.band is not None:
            resource["interpretation"] = [{"text": score.band.label.in_language()}]
            if score.bands_verification is not None and not score.bands_verification.is_verified:
                notes.append("The band is from a convention not yet verified against a primary source.")
        if score.status == "prorated":
            unanswered = len(score.missing_items)
            notes.append(f"Prorated: {unanswered} item{pluralize(unanswered)} unanswered.")
        if notes:
            resource["note"] = [{"text": note} for note in notes]
        if derived_from_reference is not None:
            resource["derivedFrom"] = [{"reference": derived_from_reference}]
        observations.append(Observation.model_validate(resource))
    return observations


def response_bundle(
    response: QuestionnaireResponse,
    observations: list[Observation],
    *,
    timestamp: datetime,
    canonical_base: str = DEFAULT_CANONICAL_BASE,
) -> Bundle:
    """Return a response and the Observations scored from it as a validated FHIR `collection` Bundle."""
    if response.id is None:
        raise FhirMappingError("The QuestionnaireResponse needs an id to be placed in a Bundle.")
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": f"{canonical_base}/QuestionnaireResponse/{response.id}",
            "resource": as_mapping(response),
        }
    ]
    for index, observation in enumerate(observations, start=1):
        observation_id = observation.id or f"{response.id}-score-{index}"
        entries.append(
            {
                "fullUrl": f"{canonical_base}/Observation/{observation_id}",
                "resource": {**as_mapping(observation), "id": observation_id},
            }
        )
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": f"{response.id}-bundle",
            "type": "collection",
            "timestamp": timestamp.isoformat(),
            "entry": entries,
        }
    )


def resource_json(resource: Questionnaire | QuestionnaireResponse | Observation | Bundle) -> str:
    """Return a resource as FHIR JSON."""
    return resource.model_dump_json(exclude_none=True)


def as_mapping(resource: Questionnaire | QuestionnaireResponse | Observation | Bundle) -> Mapping[str, Any]:
    """Return a resource as a plain JSON-compatible mapping."""
    return resource.model_dump(mode="json", exclude_none=True)
