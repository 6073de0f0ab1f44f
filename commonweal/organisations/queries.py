"""Reusable reads about organisations."""

from __future__ import annotations

from typing import Any


def organisation_ids_of(user: Any, *roles: str) -> frozenset[int]:
    """Return the organisations in which the user holds any of the given roles (any role if none given)."""
    if not user.is_authenticated:
        return frozenset()
    assignments = user.role_assignments.filter(organisation__isnull=False)
    if roles:
        assignments = assignments.filter(role__in=roles)
    return frozenset(assignments.values_list("organisation_id", flat=True))
