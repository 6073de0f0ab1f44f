"""FHIR export of a referral: ServiceRequest + Task, in the Gravity closed-loop pattern (no Django).

The social prescribing referral is a ServiceRequest (SNOMED CT 871731000000106) with a Task that
tracks it; each connection to a community service is a ServiceRequest based on it, with a Task whose
status is the connection's Gravity status. Resources are built as dicts and validated by the
`fhir.resources` R4B models, as the measures export is (docs/decisions/0400-journey.md): R4B has the
same elements as R4 for what is used here. The models check structure, not UK Core or Gravity profiles.
The SNOMED CT codes the journey recorded for the GP record are the referral Task's outputs, so a
"codes only" person's export carries the coded referral, its Task and those codes, and nothing
descriptive.
"""

from __future__ import annotations

import datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from commonweal.referrals.facts import CodeFacts, ConnectionFacts, ReferralFacts

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
REFERRAL_CODE = ("871731000000106", "Referral to social prescribing service")
DEFAULT_BASE = "https://commonweal.example/fhir"
JOURNEY_CODE_OUTPUT = "SNOMED CT code recorded for the GP record"

# How the referral's own state reads as FHIR statuses.
REFERRAL_TASK_STATUS = {
    "awaiting_triage": "requested",
    "open": "in-progress",
    "declined": "rejected",
    "closed": "completed",
}
REFERRAL_REQUEST_STATUS = {
    "awaiting_triage": "active",
    "open": "active",
    "declined": "revoked",
    "closed": "completed",
}
CONNECTION_REQUEST_STATUS = {
    "requested": "active",
    "accepted": "active",
    "in-progress": "active",
    "on-hold": "on-hold",
    "completed": "completed",
    "failed": "revoked",
    "rejected": "revoked",
    "cancelled": "revoked",
    "entered-in-error": "entered-in-error",
}
PRIORITY = {"routine": "routine", "soon": "urgent", "urgent": "asap"}
# Patient.gender's required value set; the person stated gender code maps onto it one to one
# (people.Sex.fhir_gender, after HL7 UK's map).
ADMINISTRATIVE_GENDERS = ("male", "female", "other", "unknown")


def _instant(moment: datetime.datetime) -> str:
    return moment.isoformat()


def _patient(facts: ReferralFacts) -> dict[str, Any]:
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": f"person-{facts.person_id}",
        "name": [{"family": facts.family_name, "given": [facts.given_name]}],
        "birthDate": facts.birth_date.isoformat(),
        "gender": facts.gender if facts.gender in ADMINISTRATIVE_GENDERS else "unknown",
    }
    if facts.nhs_number:
        patient["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": facts.nhs_number}]
    return patient


def _requester(facts: ReferralFacts) -> dict[str, Any]:
    if facts.requester_ods_code:
        return {
            "display": f"{facts.requester}, {facts.requester_organisation}",
            "identifier": {"system": ODS_SYSTEM, "value": facts.requester_ods_code},
        }
    return {"display": ", ".join(part for part in (facts.requester, facts.requester_organisation) if part)}


def _referral_resources(facts: ReferralFacts, base: str) -> list[dict[str, Any]]:
    patient_ref = {"reference": f"Patient/person-{facts.person_id}"}
    request_id = f"referral-{facts.referral_id}"
    request: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "identifier": [{"system": f"{base}/referral", "value": str(facts.referral_id)}],
        "status": REFERRAL_REQUEST_STATUS[facts.status],
        "intent": "order",
        "priority": PRIORITY.get(facts.urgency, "routine"),
        "code": {"coding": [{"system": SNOMED, "code": REFERRAL_CODE[0], "display": REFERRAL_CODE[1]}]},
        "subject": patient_ref,
        "authoredOn": _instant(facts.received_at),
        "requester": _requester(facts),
        "performer": [{"display": facts.team}],
    }
    if not facts.codes_only:
        if facts.reasons:
            request["reasonCode"] = [{"text": reason} for reason in facts.reasons]
        if facts.reason_detail:
            request["note"] = [{"text": facts.reason_detail}]
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": f"referral-task-{facts.referral_id}",
        "status": REFERRAL_TASK_STATUS[facts.status],
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{request_id}"},
        "for": patient_ref,
        "authoredOn": _instant(facts.received_at),
        "lastModified": _instant(facts.changed_at),
        "requester": _requester(facts),
        "owner": {"display": facts.link_worker or facts.team},
    }
    if facts.status_reason:
        task["statusReason"] = {"text": facts.status_reason}
    if facts.codes:
        task["output"] = [_coded_output(code) for code in facts.codes]
    return [request, task]


def _coded_output(code: CodeFacts) -> dict[str, Any]:
    return {
        "type": {"text": JOURNEY_CODE_OUTPUT},
        "valueCodeableConcept": {"coding": [{"system": SNOMED, "code": code.code, "display": code.term}]},
    }


def _connection_resources(facts: ReferralFacts, connection: ConnectionFacts) -> list[dict[str, Any]]:
    patient_ref = {"reference": f"Patient/person-{facts.person_id}"}
    request_id = f"connection-{connection.connection_id}"
    request = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "status": CONNECTION_REQUEST_STATUS[connection.status],
        "intent": "order",
        "code": {"text": connection.service},
        "subject": patient_ref,
        "basedOn": [{"reference": f"ServiceRequest/referral-{facts.referral_id}"}],
        "authoredOn": _instant(connection.requested_at),
        "requester": {"display": connection.requested_by},
        "performer": [{"display": connection.organisation}],
    }
    task: dict[str, Any] = {
        "resourceType": "Task",
        "id": f"connection-task-{connection.connection_id}",
        "status": connection.status,
        "intent": "order",
        "code": {"coding": [{"system": TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{request_id}"},
        "for": patient_ref,
        "authoredOn": _instant(connection.requested_at),
        "lastModified": _instant(connection.changed_at),
        "requester": {"display": connection.requested_by},
        "owner": {"display": connection.organisation},
        "output": [
            {"type": {"text": "Sessions attended"}, "valueInteger": connection.sessions_attended},
        ],
    }
    if connection.status_reason:
        task["statusReason"] = {"text": connection.status_reason}
    return [request, task]


def referral_bundle(facts: ReferralFacts, base: str = DEFAULT_BASE) -> dict[str, Any]:
    """Return the referral as a validated FHIR collection Bundle (JSON-ready dict)."""
    resources = [_patient(facts), *_referral_resources(facts, base)]
    if not facts.codes_only:
        for connection in facts.connections:
            resources.extend(_connection_resources(facts, connection))
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }
    # Validate through the models, then hand back plain JSON (dates as the strings FHIR uses).
    validated = Bundle.model_validate(bundle)
    return dict(validated.model_dump(mode="json", exclude_none=True))
