"""Who may do what with accounts: named predicates, no writes.

`by=None` on `grant_role` is the system's own seeding (the demo, a deployment's first administrator);
a person granting or taking away a role must manage access.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import ApiToken, User
from commonweal.accounts.permissions import Capability, can


def may_manage_access(user: User | AnonymousUser | None) -> bool:
    """Administrators grant and take away roles."""
    return user is not None and can(user, Capability.MANAGE_ACCESS)


def may_issue_token(user: User | AnonymousUser, holder: User) -> bool:
    """Staff issue API tokens for themselves, never for someone else."""
    return user.is_authenticated and user.pk == holder.pk and can(user, Capability.USE_API_TOKENS)


def may_revoke_token(user: User | AnonymousUser, token: ApiToken) -> bool:
    """A token's holder may revoke it (even after losing the role that let them issue it)."""
    return user.is_authenticated and user.pk == token.user_id


def may_change_own_factors(user: User | AnonymousUser, holder: User) -> bool:
    """People add, replace and remove their own sign-in factors, and sign themselves out everywhere."""
    return user.is_authenticated and user.pk == holder.pk


def may_reset_factors(user: User | AnonymousUser, holder: User) -> bool:
    """Administrators reset the lost factors of anyone (themselves included, by another's hand or not)."""
    return may_manage_access(user)
