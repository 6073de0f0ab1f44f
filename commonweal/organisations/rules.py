"""Who may do what with organisations: named predicates, no writes.

Organisations sit below `accounts`, so they ask Django's permission API, which accounts answers from
roles (`accounts/backends.py`).
"""

from __future__ import annotations

from typing import Any

from commonweal.organisations.models import Organisation
from commonweal.organisations.queries import organisation_ids_of

VIEW_ORGANISATIONS = "commonweal.view_organisations"
VIEW_OWN_ORGANISATION = "commonweal.view_own_organisation"
MANAGE_ORGANISATIONS = "commonweal.manage_organisations"


def may_list_organisations(user: Any) -> bool:
    """Staff see the list of every organisation."""
    return bool(user.is_authenticated and user.has_perm(VIEW_ORGANISATIONS))


def may_view_organisation(user: Any, organisation: Organisation) -> bool:
    """Staff may see every organisation; members see their own."""
    if may_list_organisations(user):
        return True
    return bool(
        user.is_authenticated
        and user.has_perm(VIEW_OWN_ORGANISATION)
        and organisation.pk in organisation_ids_of(user)
    )


def may_register_organisation(user: Any) -> bool:
    """Administrators add organisations."""
    return bool(user.is_authenticated and user.has_perm(MANAGE_ORGANISATIONS))
