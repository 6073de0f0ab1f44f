"""Who may do what with households: named predicates, read only.

A community health worker reaches a household, and its members' records, only while they hold the patch
the household is in; the patch's supervisor sees it too. Actions call these and raise PermissionDenied.
"""

from __future__ import annotations

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can, roles_of
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.households.models import Household, Member, Patch, Visit
from commonweal.people.models import Person


def holds_patch(user: User, patch_id: int | None) -> bool:
    """Tell whether the user is the community health worker holding this patch now."""
    return patch_id is not None and Patch.objects.filter(pk=patch_id, chw=user).exists()


def supervises_patch(user: User, patch_id: int | None) -> bool:
    """Tell whether the user supervises this patch now."""
    return patch_id is not None and Patch.objects.filter(pk=patch_id, supervisor=user).exists()


def may_visit(user: User, household: Household) -> bool:
    """Tell whether a user may open and visit a household: the community health worker holding its patch."""
    return can(user, Capability.VISIT_HOUSEHOLDS) and holds_patch(user, household.patch_id)


def may_see_household(user: User, household: Household) -> bool:
    """Tell whether a user may open a household: its worker, or the supervisor of its patch."""
    return may_visit(user, household) or (
        can(user, Capability.SUPERVISE_HOUSEHOLDS) and supervises_patch(user, household.patch_id)
    )


def is_member(user: User, household: Household) -> bool:
    """Tell whether the user is a current member of the household (a resident seeing their own)."""
    return Member.objects.filter(household=household, person__user=user, left_at__isnull=True).exists()


def may_ask_to_stop_visits(user: User, household: Household) -> bool:
    """Tell whether a user may ask for visits to stop: a current member of the household."""
    return is_member(user, household)


def may_review_visit(user: User, visit: Visit) -> bool:
    """Tell whether a user may mark a visit reviewed or resolve it: a supervisor of either patch involved."""
    if not can(user, Capability.SUPERVISE_HOUSEHOLDS):
        return False
    patch_ids = [pk for pk in (visit.patch_id, visit.chw_patch_id) if pk is not None]
    return Patch.objects.filter(pk__in=patch_ids, supervisor=user).exists()


def may_manage_households(user: User) -> bool:
    """Tell whether a user may onboard households, set up patches and reassign them: an administrator."""
    return can(user, Capability.MANAGE_HOUSEHOLDS)


def may_change_status(user: User, household: Household) -> bool:
    """Tell whether a user may change a household's status (moved, refused, muted): its worker, its
    supervisor, or an administrator."""
    return may_see_household(user, household) or may_manage_households(user)


def household_relationship(user: User, person: Person) -> AccessGrant | None:
    """Return why a community health worker may open a person's record: a current member of a household
    in the patch they hold (or supervise), only while they do."""
    if Role.COMMUNITY_HEALTH_WORKER not in roles_of(user):
        return None
    memberships = Member.objects.filter(person=person, left_at__isnull=True, household__patch__isnull=False)
    if memberships.filter(household__patch__chw=user).exists():
        return AccessGrant(RecordAccess.Reason.HOUSEHOLD)
    if memberships.filter(household__patch__supervisor=user).exists():
        return AccessGrant(RecordAccess.Reason.HOUSEHOLD, "Supervising the patch")
    return None
