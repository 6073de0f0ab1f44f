"""Django's permission API answered from Commonweal's roles.

`user.has_perm("commonweal.draw_neighbourhoods")` is true when one of the user's roles grants that
capability. Apps below `accounts` (places, organisations) guard their pages this way, through
`django.contrib.auth`, so they need not import `accounts` and the app graph keeps no cycle.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from commonweal.accounts.permissions import Capability, can

PERMISSION_PREFIX = "commonweal."


class RoleCapabilityBackend(BaseBackend):
    """Grants `commonweal.<capability>` permissions from the user's roles; authenticates no one."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if not perm.startswith(PERMISSION_PREFIX) or not user_obj.is_active:
            return False
        try:
            capability = Capability(perm.removeprefix(PERMISSION_PREFIX))
        except ValueError:
            return False
        return can(user_obj, capability)
