"""FHIR over the JSON API: instruments as Questionnaires, responses as QuestionnaireResponse + Observations.

Reading a response is reading a person's record, so it is authorised and logged exactly as the pages are.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from commonweal.accounts.models import User
from commonweal.audit.actions import record_access
from commonweal.measures import conf, fhir, queries, registry, rules
from commonweal.measures.definitions import UnknownInstrumentError
from commonweal.measures.models import Response
from commonweal.measures.scoring import score

router = Router(tags=["measures"])
FHIR_JSON = "application/fhir+json"


class InstrumentOut(Schema):
    code: str
    version: str
    title: str
    short_name: str
    kind: str
    licensed: bool
    languages: list[str]
    unverified: list[str]
    questionnaire_url: str


@router.get("/measures/instruments", response=list[InstrumentOut], summary="List the instruments available")
def list_instruments(request: HttpRequest) -> list[InstrumentOut]:
    """Return every instrument definition this deployment can administer, with what is still unverified."""
    base = conf.fhir_base()
    return [
        InstrumentOut(
            code=definition.code,
            version=definition.version,
            title=definition.title.in_language(),
            short_name=definition.short_name,
            kind=definition.kind,
            licensed=definition.licensed,
            languages=list(definition.languages),
            unverified=list(definition.unverified_claims()),
            questionnaire_url=fhir.questionnaire_url(definition, base),
        )
        for definition in registry.definitions()
    ]


@router.get(
    "/measures/instruments/{code}/questionnaire",
    summary="An instrument as a FHIR R4 Questionnaire",
    description="Validated with the fhir.resources R4B models (docs/decisions/0500-measures-fhir-r4b.md).",
)
def instrument_questionnaire(
    request: HttpRequest, code: str, version: str | None = None, language: str = "en-GB"
) -> HttpResponse:
    """Return one instrument definition (its latest version unless one is named) as a Questionnaire."""
    try:
        definition = registry.definition(code, version)
    except UnknownInstrumentError as error:
        raise Http404(str(error)) from error
    resource = fhir.questionnaire(definition, language=language, canonical_base=conf.fhir_base())
    return HttpResponse(fhir.resource_json(resource), content_type=FHIR_JSON)


@router.get(
    "/measures/responses/{response_id}/fhir",
    summary="A response as a FHIR Bundle: the QuestionnaireResponse and one Observation per score",
)
def response_bundle(request: HttpRequest, response_id: int) -> HttpResponse:
    """Return a response (the person's own, or one staff may see: the read is logged) as a FHIR Bundle."""
    response = get_object_or_404(Response.objects.select_related("person__user"), pk=response_id)
    person = response.person
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied("Sign in to read responses.")
    if person.user_id != user.pk:
        grant = rules.staff_grant(request, user, person)
        if grant is None:
            raise PermissionDenied("You have no recorded reason to see this person's answers.")
        record_access(
            viewer=user, subject=person, subject_user=person.user, grant=grant, path=request.get_full_path()
        )
    definition = queries.definition_of(response)
    if definition is None:
        raise Http404(
            f"{response.instrument_code} {response.instrument_version} is no longer available here."
        )
    base = conf.fhir_base()
    subject = f"Patient/{person.pk}"
    authored = response.submitted_at or response.started_at
    questionnaire_response = fhir.questionnaire_response(
        definition,
        response.answer_values(),
        subject_reference=subject,
        authored=authored,
        response_id=str(response.pk),
        status="completed" if response.is_submitted else "in-progress",
        canonical_base=base,
    )
    observations = (
        fhir.score_observations(
            definition,
            score(definition, response.answer_values()),
            subject_reference=subject,
            effective=authored,
            derived_from_reference=f"QuestionnaireResponse/{response.pk}",
            canonical_base=base,
        )
        if response.is_submitted
        else []
    )
    bundle = fhir.response_bundle(
        questionnaire_response, observations, timestamp=timezone.now(), canonical_base=base
    )
    return HttpResponse(fhir.resource_json(bundle), content_type=FHIR_JSON)
