"""Volunteer roles and what each needs before anyone may be assigned to it (reviewed data, in code).

A DBS level names the lowest level that will do: an enhanced check satisfies a role asking for a
standard one. Training is named by course code; a record counts until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass

# DBS levels, lowest first (Disclosure and Barring Service).
DBS_LEVELS = ("basic", "standard", "enhanced", "enhanced_barred")
DBS_LABELS = {
    "basic": "Basic",
    "standard": "Standard",
    "enhanced": "Enhanced",
    "enhanced_barred": "Enhanced with barred list (adults)",
}

TRAINING_COURSES = {
    "induction": "Volunteer induction",
    "safeguarding_adults": "Safeguarding adults (level 1)",
    "boundaries": "Boundaries and lone working",
    "peer_support": "Peer support skills",
    "mental_health_first_aid": "Mental health first aid",
    "making_every_contact_count": "Making Every Contact Count",
    "group_facilitation": "Group facilitation",
    "driver_assessment": "Driver assessment and passenger safety",
}


@dataclass(frozen=True)
class RoleDefinition:
    """A volunteer role and the checks and training it needs."""

    code: str
    label: str
    dbs_level: str | None
    training: tuple[str, ...]


ROLES: dict[str, RoleDefinition] = {
    role.code: role
    for role in (
        RoleDefinition(
            "buddy", "Buddy", "enhanced_barred", ("induction", "safeguarding_adults", "boundaries")
        ),
        RoleDefinition(
            "peer_supporter",
            "Peer supporter",
            "enhanced",
            ("induction", "safeguarding_adults", "peer_support"),
        ),
        RoleDefinition("befriender", "Befriender", "enhanced_barred", ("induction", "safeguarding_adults")),
        RoleDefinition(
            "health_champion", "Health champion", None, ("induction", "making_every_contact_count")
        ),
        RoleDefinition("community_ambassador", "Community ambassador", None, ("induction",)),
        RoleDefinition(
            "group_facilitator", "Group facilitator", "standard", ("induction", "group_facilitation")
        ),
        RoleDefinition(
            "driver", "Driver", "enhanced_barred", ("induction", "safeguarding_adults", "driver_assessment")
        ),
    )
}


def level_satisfies(held: str, needed: str) -> bool:
    """Tell whether a DBS check at level `held` meets a role asking for `needed`."""
    return DBS_LEVELS.index(held) >= DBS_LEVELS.index(needed)
