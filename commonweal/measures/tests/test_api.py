"""FHIR through the JSON API: instruments as Questionnaires, responses as a Bundle of QuestionnaireResponse
and Observations (read back with the fhir.resources models), authorised and logged like the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire

from commonweal.accounts.models import Role
from commonweal.audit.models import RecordAccess
from commonweal.measures import actions, fhir, registry
from commonweal.measures.models import Response
from commonweal.measures.tests.conftest import PHQ9_RISK, client_for
from tests.factories import make_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(cast) -> Response:
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("phq-9"),
        mode=Response.Mode.CONVERSATION,
        by=cast.lena,
    )
    actions.save_answers(response=response, answers=PHQ9_RISK, by=cast.lena)
    actions.submit_response(response=response, by=cast.lena)
    return Response.objects.get(pk=response.pk)


def test_an_instrument_is_served_as_a_valid_questionnaire(cast, settings):
    settings.MEASURES_FHIR_BASE = "https://fhir.example.org/fhir"
    response = client_for(cast.lena).get("/api/measures/instruments/phq-9/questionnaire")
    assert (response.status_code, response["Content-Type"]) == (200, "application/fhir+json")
    questionnaire = Questionnaire.model_validate(json.loads(response.content))
    assert (questionnaire.url, questionnaire.version) == (
        "https://fhir.example.org/fhir/Questionnaire/phq-9",
        "1.0",
    )
    assert [item.linkId for item in questionnaire.item][:2] == ["preamble", "phq9_1"]


def test_an_unknown_instrument_is_a_404_with_a_json_error(cast):
    response = client_for(cast.lena).get("/api/measures/instruments/nope/questionnaire")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "There is no instrument 'nope' here."}


def test_the_instrument_list_names_what_is_unverified(cast):
    listed = {row["code"]: row for row in client_for(cast.rosa.user).get("/api/measures/instruments").json()}
    assert listed["phq-9"]["unverified"] == [
        "PHQ-9 total score: rule for unanswered items",
        "PHQ-9 total score: reliable change",
    ]
    assert listed["pam"]["kind"] == "score-entry"


def test_a_response_is_served_as_a_bundle_that_reads_back_to_the_same_answers(cast, settings, submitted):
    settings.MEASURES_FHIR_BASE = "https://fhir.example.org/fhir"
    reply = client_for(cast.lena).get(f"/api/measures/responses/{submitted.pk}/fhir")
    assert reply.status_code == 200
    bundle = Bundle.model_validate(json.loads(reply.content))
    kinds = [entry.resource.get_resource_type() for entry in bundle.entry]
    assert (bundle.type, kinds) == ("collection", ["QuestionnaireResponse", "Observation"])
    questionnaire_response = bundle.entry[0].resource
    assert questionnaire_response.status == "completed"
    read_back = fhir.answers_from_questionnaire_response(
        registry.definition("phq-9"), questionnaire_response, canonical_base="https://fhir.example.org/fhir"
    )
    assert read_back == {key: Decimal(value) for key, value in PHQ9_RISK.items()}
    observation = bundle.entry[1].resource
    assert (observation.valueQuantity.value, observation.derivedFrom[0].reference) == (
        Decimal(10),
        f"QuestionnaireResponse/{submitted.pk}",
    )
    assert RecordAccess.objects.get().viewer == cast.lena


def test_the_person_reads_their_own_response_without_it_being_logged(cast, submitted):
    assert client_for(cast.rosa.user).get(f"/api/measures/responses/{submitted.pk}/fhir").status_code == 200
    assert RecordAccess.objects.count() == 0


@pytest.mark.parametrize("role", [role for role in Role if role != Role.LINK_WORKER])
def test_anyone_else_is_refused_and_nothing_is_logged(places, submitted, role):
    reply = client_for(make_persona(role, places)).get(f"/api/measures/responses/{submitted.pk}/fhir")
    assert reply.status_code == 403
    assert reply.json()["error"] == "forbidden"
    assert RecordAccess.objects.count() == 0


def test_a_link_worker_with_no_relationship_is_refused(cast, submitted):
    reply = client_for(cast.vic).get(f"/api/measures/responses/{submitted.pk}/fhir")
    assert (reply.status_code, reply.json()["detail"]) == (
        403,
        "You have no recorded reason to see this person's answers.",
    )


def test_an_anonymous_caller_gets_401(submitted):
    assert Client().get(f"/api/measures/responses/{submitted.pk}/fhir").status_code == 401
