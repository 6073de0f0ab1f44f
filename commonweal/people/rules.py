"""Who may see and change a person's record: named predicates and the reasons staff have to look.

Actions call the predicates and raise PermissionDenied when one says no (the authoritative check);
views call the same predicates for an early refusal. Role capabilities (`can`) stay in
accounts/permissions.py. Nothing here writes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can, roles_of
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.people.models import BreakGlassOpening, Person

# Where the break-glass reasons a viewer gave are kept for the rest of their session.
BREAK_GLASS_SESSION_KEY = "break_glass_reasons"

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


def break_glass_grant(request: HttpRequest, person: Person) -> AccessGrant | None:
    """Return the break-glass reason given earlier in this session for this person, if any."""
    reason = request.session.get(BREAK_GLASS_SESSION_KEY, {}).get(str(person.pk))
    return AccessGrant(RecordAccess.Reason.BREAK_GLASS, reason) if reason else None


def staff_grant(request: HttpRequest, user: User, person: Person) -> AccessGrant | None:
    """Return why a member of staff may open a person's record: a relationship, else a break-glass
    reason given this session by someone whose role lets them break glass; None when neither."""
    grant = relationship_grant(user, person)
    if grant is None and can(user, Capability.BREAK_GLASS):
        grant = break_glass_grant(request, person)
    return grant


def _is_the_person(user: User, person: Person) -> bool:
    return person.user_id is not None and person.user_id == user.pk


def _has_on_caseload(user: User, person: Person) -> bool:
    grant = relationship_grant(user, person)
    return grant is not None and grant.reason == RecordAccess.Reason.CASELOAD


def may_add_person(user: User | None) -> bool:
    """Tell whether someone may add a person to Commonweal: a referrer, or the public self-referral
    form (`user` None), which adds the resident filling it in."""
    return user is None or can(user, Capability.MAKE_REFERRALS)


def may_edit_person(user: User, person: Person) -> bool:
    """Tell whether a user may change a person's record, plan, goals or network: the person themselves,
    or the staff who have them on their caseload (their link worker, or a supervisor of the team)."""
    return _is_the_person(user, person) or _has_on_caseload(user, person)


def may_record_safeguarding_concern(user: User, person: Person) -> bool:
    """Tell whether a user may record a safeguarding concern about a person: staff who have them on
    their caseload (never the person, who does not see these notes)."""
    return not _is_the_person(user, person) and _has_on_caseload(user, person)


def break_glass_limit() -> int:
    """Return how many records one user may open by break-glass in an hour (BREAK_GLASS_PER_HOUR)."""
    return int(getattr(settings, "BREAK_GLASS_PER_HOUR", 3))


def may_break_glass_again(user: User, at: datetime.datetime) -> bool:
    """Tell whether the user has break-glass openings left in the hour before `at`."""
    recent = BreakGlassOpening.objects.filter(
        opened_by=user, opened_at__gt=at - datetime.timedelta(hours=1), opened_at__lte=at
    )
    return recent.count() < break_glass_limit()


def may_review_break_glass(user: User, opening: BreakGlassOpening | None = None) -> bool:
    """Tell whether a user may review break-glass openings: an administrator, never of their own."""
    if Role.ADMINISTRATOR not in roles_of(user):
        return False
    return opening is None or opening.opened_by_id != user.pk


def may_break_glass(user: User, person: Person) -> bool:
    """Tell whether a user may open a person's record with no relationship, giving a reason: staff
    whose role allows it, about someone other than themselves."""
    return can(user, Capability.BREAK_GLASS) and not _is_the_person(user, person)
