"""Reusable reads about accounts and the scopes of their roles."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from commonweal.accounts.models import Role, User
from commonweal.audit.models import AuditEvent
from commonweal.places.queries import descendant_ids

PASSWORD_RESET_EMAIL = "accounts.password_reset_email"  # noqa: S105 - an audit action name


def place_ids_of(user: User | AnonymousUser | None, *roles: Role) -> frozenset[int]:
    """Return the places where the user holds any of the roles, with every place inside them.

    A role held in a place reaches that place; a role held in an organisation reaches the place the
    organisation serves.
    """
    if not isinstance(user, User):
        return frozenset()
    rows = user.role_assignments.filter(role__in=roles).values_list("area_id", "organisation__area_id")
    return descendant_ids({place_id for row in rows for place_id in row if place_id is not None})


def password_reset_emails_since(user: User, since: datetime.datetime) -> int:
    """Count the password-reset e-mails sent to the user since the given time."""
    return AuditEvent.objects.filter(
        action=PASSWORD_RESET_EMAIL,
        target_type=ContentType.objects.get_for_model(User),
        target_id=user.pk,
        occurred_at__gte=since,
    ).count()
