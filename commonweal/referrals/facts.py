"""A referral's facts as the outside world is told them (pure: no Django).

`queries.referral_facts` reads them once from the database; the message back to the GP
(`message_back.message_input`) and the FHIR export (`fhir.referral_bundle`) both build from them, so
what the GP hears and what another system receives cannot drift apart. `codes_only` is the person's
consent (`Person.shares_codes_only`): each consumer leaves out every descriptive part when it is set.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CodeFacts:
    """A SNOMED CT code the journey recorded for the GP record, and when."""

    code: str
    term: str
    recorded_at: datetime.datetime
    # The day in the service's own time zone, as the GP record shows it.
    recorded_on: datetime.date


@dataclass(frozen=True)
class GoalFacts:
    """One of the person's goals, in their words, and how far it got."""

    description: str
    progress: str


@dataclass(frozen=True)
class ConnectionFacts:
    """One connection to a community service made within the referral."""

    connection_id: int
    service: str
    organisation: str
    status: str
    status_reason: str
    requested_at: datetime.datetime
    changed_at: datetime.datetime
    requested_by: str
    sessions_attended: int


@dataclass(frozen=True)
class ReferralFacts:
    """A referral and the person it is about, as the message back and the FHIR export need them."""

    referral_id: int
    person_id: int
    nhs_number: str | None
    given_name: str
    family_name: str
    birth_date: datetime.date
    gender: str  # FHIR administrative gender: male, female, other or unknown (people.Sex.fhir_gender)
    status: str
    received_at: datetime.datetime
    # The day it arrived in the service's own time zone.
    received_on: datetime.date
    changed_at: datetime.datetime
    urgency: str
    source: str
    requester: str
    requester_organisation: str
    requester_ods_code: str
    gp_practice_id: int | None
    gp_practice: str
    gp_practice_ods_code: str
    team: str
    link_worker: str
    codes_only: bool
    codes: list[CodeFacts] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    reason_detail: str = ""
    # Why the referral was closed or declined, in words ("" while it is waiting or open).
    status_reason: str = ""
    closure_note: str = ""
    what_matters: str = ""
    goals: list[GoalFacts] = field(default_factory=list)
    connections: list[ConnectionFacts] = field(default_factory=list)

    @property
    def person_name(self) -> str:
        """Return the name the person is known by."""
        return f"{self.given_name} {self.family_name}"
