"""Why a member of staff may see a person's measures: the journey's relationships, or break-glass."""

from __future__ import annotations

from django.http import HttpRequest

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.audit.actions import AccessGrant
from commonweal.people import access
from commonweal.people.models import Person


def staff_grant(request: HttpRequest, user: User, person: Person) -> AccessGrant | None:
    """Return the reason a user who records measures may see this person's answers, or None.

    Organisation members may have a relationship through a connection, but they see only what the
    person agreed to share, and answers to questionnaires are never among it.
    """
    if not can(user, Capability.RECORD_MEASURES):
        return None
    return access.relationship_grant(user, person) or (
        access.break_glass_grant(request, person) if can(user, Capability.BREAK_GLASS) else None
    )
