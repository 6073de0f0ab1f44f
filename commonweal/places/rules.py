"""Who may do what with places: named predicates, no writes.

Places sit below `accounts`, so they ask Django's permission API, which accounts answers from roles
(`accounts/backends.py`).
"""

from __future__ import annotations

from typing import Any

DRAW_NEIGHBOURHOODS = "commonweal.draw_neighbourhoods"


def may_draw_neighbourhoods(user: Any) -> bool:
    """Community organisers and administrators draw and redraw neighbourhoods."""
    return bool(user.is_authenticated and user.has_perm(DRAW_NEIGHBOURHOODS))
