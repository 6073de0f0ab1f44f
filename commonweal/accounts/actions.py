"""Write use cases for accounts: each takes the actor as `by=` and records an audit event."""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from commonweal.accounts import rules
from commonweal.accounts.models import ApiToken, Role, RoleAssignment, User
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area


class RoleScopeError(ValueError):
    """A role was granted without an organisation or place to hold it in."""


@transaction.atomic
def grant_role(
    *,
    user: User,
    role: Role,
    organisation: Organisation | None = None,
    area: Area | None = None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> RoleAssignment:
    """Give a user a role in an organisation or a place (granting the same role twice changes nothing)."""
    if by is not None and not rules.may_manage_access(by):
        raise PermissionDenied("Only administrators grant roles.")
    at = at or timezone.now()
    if organisation is None and area is None:
        raise RoleScopeError("Choose the organisation or the place this role is held in.")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        organisation=organisation,
        area=area,
        defaults={"granted_by": by, "granted_at": at},
    )
    if created:
        record_event(
            by=by,
            action="accounts.grant_role",
            target=user,
            at=at,
            role=role.value,
            assignment=assignment.pk,
        )
    return assignment


@transaction.atomic
def revoke_role(*, assignment: RoleAssignment, by: User, at: datetime.datetime | None = None) -> None:
    """Take a role away from a user."""
    if not rules.may_manage_access(by):
        raise PermissionDenied("Only administrators take roles away.")
    record_event(
        by=by,
        action="accounts.revoke_role",
        target=assignment.user,
        at=at or timezone.now(),
        role=assignment.role,
        organisation=assignment.organisation_id,
        area=assignment.area_id,
    )
    assignment.delete()


@transaction.atomic
def create_api_token(
    *, user: User, name: str, by: User, at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a bearer token; the secret is returned once and only its digest is kept."""
    if not rules.may_issue_token(by, user):
        raise PermissionDenied("Staff issue API tokens for themselves only.")
    at = at or timezone.now()
    secret = "cw_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(secret), prefix=secret[:8], created_at=at
    )
    record_event(by=by, action="accounts.create_api_token", target=token, at=at, name=name)
    return token, secret


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: User, at: datetime.datetime | None = None) -> None:
    """Stop a token from working; it stays listed as revoked."""
    if not rules.may_revoke_token(by, token):
        raise PermissionDenied("Only the token's holder revokes it.")
    at = at or timezone.now()
    if token.revoked_at is None:
        token.revoked_at = at
        token.save(update_fields=["revoked_at"])
        record_event(by=by, action="accounts.revoke_api_token", target=token, at=at)
