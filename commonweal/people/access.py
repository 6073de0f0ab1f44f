"""Why a member of staff may see a person's record."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from commonweal.accounts.models import User
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.people.models import Person

_BREAK_GLASS_SESSION_KEY = "break_glass_reasons"

RelationshipFinder = Callable[[User, Person], AccessGrant | None]
# Apps that create relationships (referrals: caseload, triage, connections; later households) register
# a finder here from their AppConfig.ready, because this app may not import them.
_relationship_finders: list[RelationshipFinder] = []


def register_relationship(finder: RelationshipFinder) -> None:
    """Add a way for staff to have a legitimate relationship with a person (registering twice is a no-op)."""
    if finder not in _relationship_finders:
        _relationship_finders.append(finder)


def relationship_grant(user: User, person: Person) -> AccessGrant | None:
    """Return the legitimate relationship (caseload, referral, connection, household) a user has.

    The first registered finder that knows of one wins; with none, staff reach a record only through a
    recorded break-glass reason.
    """
    for finder in _relationship_finders:
        grant = finder(user, person)
        if grant is not None:
            return grant
    return None


def remember_break_glass(request: HttpRequest, person: Person, reason: str) -> None:
    """Keep a break-glass reason for this person for the rest of the viewer's session."""
    reasons = dict(request.session.get(_BREAK_GLASS_SESSION_KEY, {}))
    reasons[str(person.pk)] = reason
    request.session[_BREAK_GLASS_SESSION_KEY] = reasons


def break_glass_grant(request: HttpRequest, person: Person) -> AccessGrant | None:
    """Return the break-glass reason given earlier in this session for this person, if any."""
    reason = request.session.get(_BREAK_GLASS_SESSION_KEY, {}).get(str(person.pk))
    return AccessGrant(RecordAccess.Reason.BREAK_GLASS, reason) if reason else None
