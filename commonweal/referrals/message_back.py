"""The message back to the GP and the referrer (pure: no Django).

Its sections follow the PRSB Social Prescribing Information Standard's "message back to GP and
referrer": who the person is, the referral, the social prescribing service, what matters to the
person, the activities they were connected to, the outcomes, and the SNOMED CT codes for the GP
record. When the person chose "codes only", every free-text and descriptive section is left out —
not blanked — so nothing the person did not agree to share can leak through an empty field.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from commonweal.referrals.facts import ReferralFacts
from commonweal.referrals.workflow import STATUS_LABELS, Status

STANDARD = "PRSB Social Prescribing Information Standard v1.1: message back to GP and referrer"


@dataclass(frozen=True)
class CodedEntry:
    """A SNOMED CT code recorded in the journey, with when it was recorded."""

    code: str
    term: str
    recorded_on: datetime.date


@dataclass(frozen=True)
class Activity:
    """A community service the person was connected to, and how it went."""

    service: str
    organisation: str
    status: str
    sessions_attended: int


@dataclass(frozen=True)
class GoalOutcome:
    """One of the person's goals, in their words, and how far it got."""

    goal: str
    progress: str


@dataclass(frozen=True)
class MessageInput:
    """Everything a message back may carry; `codes_only` decides what it does carry."""

    event: str
    event_label: str
    sent_on: datetime.date
    codes_only: bool
    person_name: str
    nhs_number: str | None
    date_of_birth: datetime.date
    gp_practice: str
    gp_practice_ods_code: str
    received_on: datetime.date
    source: str
    referrer: str
    referring_organisation: str
    team: str
    link_worker: str
    codes: list[CodedEntry]
    reasons: list[str] = field(default_factory=list)
    what_matters: str = ""
    activities: list[Activity] = field(default_factory=list)
    goals: list[GoalOutcome] = field(default_factory=list)
    outcome: str = ""


def message_input(
    facts: ReferralFacts, *, event: str, event_label: str, sent_on: datetime.date
) -> MessageInput:
    """Return what a message back about a referral may carry, from the referral's facts.

    Connections entered in error never happened as far as the GP is concerned, so they are left out.
    """
    if facts.status in ("closed", "declined"):
        outcome = facts.status_reason
    else:
        outcome = "Accepted for social prescribing"
    return MessageInput(
        event=event,
        event_label=event_label,
        sent_on=sent_on,
        codes_only=facts.codes_only,
        person_name=facts.person_name,
        nhs_number=facts.nhs_number,
        date_of_birth=facts.birth_date,
        gp_practice=facts.gp_practice,
        gp_practice_ods_code=facts.gp_practice_ods_code,
        received_on=facts.received_on,
        source=facts.source,
        referrer=facts.requester,
        referring_organisation=facts.requester_organisation,
        team=facts.team,
        link_worker=facts.link_worker,
        codes=[CodedEntry(code.code, code.term, code.recorded_on) for code in facts.codes],
        reasons=facts.reasons + ([facts.reason_detail] if facts.reason_detail else []),
        what_matters=facts.what_matters,
        activities=[
            Activity(
                service=connection.service,
                organisation=connection.organisation,
                status=STATUS_LABELS[Status(connection.status)],
                sessions_attended=connection.sessions_attended,
            )
            for connection in facts.connections
            if connection.status != Status.ENTERED_IN_ERROR
        ],
        goals=[GoalOutcome(goal.description, goal.progress) for goal in facts.goals],
        outcome=outcome + (f": {facts.closure_note}" if facts.closure_note else ""),
    )


def build_message(message: MessageInput) -> dict[str, Any]:
    """Return the message back as a JSON-ready document, honouring a "codes only" consent."""
    document: dict[str, Any] = {
        "standard": STANDARD,
        "event": message.event,
        "event_label": message.event_label,
        "sent_on": message.sent_on.isoformat(),
        "consent": "codes_only" if message.codes_only else "full_summary",
        "person": {
            "name": message.person_name,
            "nhs_number": message.nhs_number,
            "date_of_birth": message.date_of_birth.isoformat(),
            "gp_practice": message.gp_practice,
            "gp_practice_ods_code": message.gp_practice_ods_code,
        },
        "referral": {
            "received_on": message.received_on.isoformat(),
            "source": message.source,
            "referrer": message.referrer,
            "referring_organisation": message.referring_organisation,
        },
        "social_prescribing_service": {"team": message.team, "link_worker": message.link_worker},
        "snomed_ct_codes": [
            {
                "system": "http://snomed.info/sct",
                "code": entry.code,
                "display": entry.term,
                "recorded_on": entry.recorded_on.isoformat(),
            }
            for entry in message.codes
        ],
    }
    if message.codes_only:
        return document
    document["reasons_for_referral"] = list(message.reasons)
    document["what_matters_to_me"] = message.what_matters
    document["activities"] = [
        {
            "service": activity.service,
            "organisation": activity.organisation,
            "status": activity.status,
            "sessions_attended": activity.sessions_attended,
        }
        for activity in message.activities
    ]
    document["outcomes"] = {
        "summary": message.outcome,
        "goals": [{"goal": goal.goal, "progress": goal.progress} for goal in message.goals],
    }
    return document


# The keys a "codes only" message may hold; a test checks that nothing else is ever present.
CODES_ONLY_KEYS = frozenset(
    {
        "standard",
        "event",
        "event_label",
        "sent_on",
        "consent",
        "person",
        "referral",
        "social_prescribing_service",
        "snomed_ct_codes",
    }
)
