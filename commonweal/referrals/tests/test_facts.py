"""One set of facts about a referral feeds the message back and the FHIR export, so they agree."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.task import Task

from commonweal.people import actions as people_actions
from commonweal.referrals import actions, fhir, queries
from commonweal.referrals.models import JourneyCode, MessageBack
from commonweal.referrals.tests.factories import connection_for, open_case

SNOMED = "http://snomed.info/sct"


def _closed_journey(world, gp_sharing):
    referral = open_case(world)
    people_actions.update_record(person=world.rosa, by=world.link_worker, gp_sharing=gp_sharing)
    actions.log_contact(
        referral=referral, kind="call", outcome="spoke", happened_at=timezone.now(), by=world.link_worker
    )
    actions.move_connection(connection=connection_for(world, referral), to_status="accepted", by=world.member)
    return actions.close_referral(
        referral=referral, reason="goals_met", note="Joined the walking group", by=world.link_worker
    )


def _journey_codings(bundle):
    task = next(
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["id"].startswith("referral-task-")
    )
    return [
        coding
        for output in task.get("output", [])
        if output["type"]["text"] == fhir.JOURNEY_CODE_OUTPUT
        for coding in output["valueCodeableConcept"]["coding"]
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("gp_sharing", ["codes_only", "full_summary"])
def test_the_fhir_bundle_carries_every_snomed_code_the_journey_recorded(world, client_for, gp_sharing):
    referral = _closed_journey(world, gp_sharing)
    recorded = list(JourneyCode.objects.filter(referral=referral).order_by("recorded_at", "pk"))
    assert [code.code for code in recorded] == [
        "871691000000100",
        "871731000000106",
        "1362931000000106",
        "1362721000000106",
    ]
    response = client_for(world.referrer).get(f"/referrals/{referral.pk}/fhir.json")
    bundle = response.json()
    assert _journey_codings(bundle) == [
        {"system": SNOMED, "code": code.code, "display": code.term} for code in recorded
    ]
    parsed = Bundle.model_validate_json(json.dumps(bundle))
    task = next(
        entry.resource for entry in parsed.entry if entry.resource.id == f"referral-task-{referral.pk}"
    )
    assert isinstance(task, Task)
    assert [output.valueCodeableConcept.coding[0].system for output in task.output] == [SNOMED] * 4


@pytest.mark.django_db
def test_the_message_back_and_the_fhir_bundle_tell_the_same_codes_and_consent(world):
    referral = _closed_journey(world, "codes_only")
    message = MessageBack.objects.get(referral=referral, event="closed")
    facts = queries.referral_facts(referral)
    bundle = fhir.referral_bundle(facts)
    assert facts.codes_only is world.rosa.shares_codes_only is message.codes_only is True
    assert [(entry["code"], entry["display"]) for entry in message.document["snomed_ct_codes"]] == [
        (coding["code"], coding["display"]) for coding in _journey_codings(bundle)
    ]
    assert [entry["resource"]["resourceType"] for entry in bundle["entry"]] == [
        "Patient",
        "ServiceRequest",
        "Task",
    ]


@pytest.mark.django_db
def test_shares_codes_only_reads_the_persons_choice(world):
    world.rosa.gp_sharing = "full_summary"
    assert world.rosa.shares_codes_only is False
    world.rosa.gp_sharing = "codes_only"
    assert world.rosa.shares_codes_only is True
