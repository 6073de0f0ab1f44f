"""Who may do what in a timebank.

- A resident (capability use_timebank) may apply to join, and acts for their own member account.
- A community organisation member acts for their organisation's account (its role is held there).
- A guardian recorded on a member's account may act for that member; everything they do says so.
- A coordinator is a community organiser or administrator (capability run_timebank) whose role's place
  holds the bank's place: they run joining (interview, references), limits, brokering, group sessions,
  reversals, referred transfers and reports.
Actions check these predicates and raise PermissionDenied; views call the same ones for an early refusal.
"""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can, roles_of
from commonweal.accounts.queries import place_ids_of
from commonweal.places.models import Area
from commonweal.timebank.models import Account, Bank

_COORDINATING_ROLES = (Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR)


def coordinated_place_ids(user: User | AnonymousUser | None) -> frozenset[int]:
    """Return the places whose timebanks the user coordinates, with every place inside them."""
    if user is None or not can(user, Capability.RUN_TIMEBANK):
        return frozenset()
    # Kept on the user object for its lifetime (a request, or a demo or benchmark run), as roles_of does.
    cached = getattr(user, "_timebank_place_ids", None)
    if cached is None:
        cached = place_ids_of(user, *_COORDINATING_ROLES)
        user._timebank_place_ids = cached  # type: ignore[union-attr]
    return cast(frozenset[int], cached)


def may_open_bank(user: User | AnonymousUser | None, area: Area) -> bool:
    """May the user open a timebank in this place?"""
    return area.pk in coordinated_place_ids(user)


def may_coordinate(user: User | AnonymousUser | None, bank: Bank) -> bool:
    """May the user coordinate this bank: members, limits, brokering, sessions, reversals, reports?"""
    return bank.area_id in coordinated_place_ids(user)


def may_join(user: User | AnonymousUser | None) -> bool:
    """May the user apply to join a timebank as a member?"""
    return isinstance(user, User) and can(user, Capability.USE_TIMEBANK) and Role.RESIDENT in roles_of(user)


def holds_account(user: User | AnonymousUser | None, account: Account) -> bool:
    """Is this the user's own account: their member account, or their organisation's?"""
    if not isinstance(user, User) or not can(user, Capability.USE_TIMEBANK):
        return False
    if account.kind == Account.Kind.MEMBER:
        return account.user_id == user.pk
    if account.kind == Account.Kind.ORGANISATION and account.organisation_id is not None:
        return user.role_assignments.filter(
            role=Role.ORGANISATION_MEMBER, organisation_id=account.organisation_id
        ).exists()
    return False


def is_guardian_of(user: User | AnonymousUser | None, account: Account) -> bool:
    """Is the user the recorded guardian of this member?"""
    return isinstance(user, User) and account.guardian_id is not None and account.guardian_id == user.pk


def may_act_for(user: User | AnonymousUser | None, account: Account) -> bool:
    """May the user record, confirm or post for this account (as its holder or its guardian)?"""
    return holds_account(user, account) or is_guardian_of(user, account)


def may_see_account(user: User | AnonymousUser | None, account: Account) -> bool:
    """May the user read this account's statement?"""
    return may_act_for(user, account) or may_coordinate(user, account.bank)


def may_use_bank(user: User | AnonymousUser | None, account: Account) -> bool:
    """May the user browse and answer the bank's offers and requests through this account?"""
    return account.status == Account.Status.ACTIVE and may_act_for(user, account)
