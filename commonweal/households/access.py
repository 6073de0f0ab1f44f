"""Opening a household: the rule is asked, a refusal is logged, and each member's record read is logged.

A household page shows its members' names, tasks and prevention gaps: reading it is reading each
member's record, so each read appears in that person's "who has looked" with the reason "household".
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from commonweal.accounts.models import User
from commonweal.audit.actions import record_access
from commonweal.households import actions, rules
from commonweal.households.models import Household, Member


def open_household(user: User, household: Household, path: str = "") -> list[Member]:
    """Return the household's members for a worker or supervisor, logging each record read; refuse (and
    log the refusal) for anyone else."""
    if not rules.may_see_household(user, household):
        actions.log_refused_opening(household=household, by=user, path=path)
        raise PermissionDenied("This household is not in your patch.")
    members = list(
        Member.objects.filter(household=household, left_at__isnull=True).select_related("person__user")
    )
    for member in members:
        grant = rules.household_relationship(user, member.person)
        if grant is None:  # pragma: no cover - may_see_household implies a relationship
            raise PermissionDenied("This household is not in your patch.")
        record_access(
            viewer=user, subject=member.person, subject_user=member.person.user, grant=grant, path=path
        )
    return members
