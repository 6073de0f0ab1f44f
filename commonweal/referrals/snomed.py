"""SNOMED CT codes recorded as a person's social prescribing journey moves (pure: no Django).

Codes and terms are those of the NHS England social prescribing link worker codelist
(shared/standards/snomed_social_prescribing.csv; a test checks every one against that file).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class JourneyEvent(StrEnum):
    """A moment in the journey that the GP record should hear about."""

    OFFERED = "offered"
    REFERRED = "referred"
    DECLINED = "declined"
    SEEN = "seen"
    CLOSED = "closed"


@dataclass(frozen=True)
class Concept:
    """A SNOMED CT concept: its identifier and preferred term."""

    code: str
    term: str

    system: str = "http://snomed.info/sct"


JOURNEY_CODES: dict[JourneyEvent, Concept] = {
    # Recorded when the referrer offers social prescribing and the person agrees to be referred.
    JourneyEvent.OFFERED: Concept("871691000000100", "Social prescribing offered"),
    # NHS England: "use when an individual accepts a referral to the SPLW; first interaction in an
    # episode of care only" — so it is recorded once, when triage accepts the referral.
    JourneyEvent.REFERRED: Concept("871731000000106", "Referral to social prescribing service"),
    JourneyEvent.DECLINED: Concept("871711000000103", "Social prescribing declined"),
    JourneyEvent.SEEN: Concept("1362931000000106", "Seen by social prescribing link worker"),
    JourneyEvent.CLOSED: Concept("1362721000000106", "Social prescribing case closed"),
}


def concept_for(event: JourneyEvent) -> Concept:
    """Return the SNOMED CT concept recorded for a journey event."""
    return JOURNEY_CODES[event]
