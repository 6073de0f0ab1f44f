"""Write use cases for accounts: each takes the actor as `by=` and records an audit event."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweal.accounts import factors, queries, rules
from commonweal.accounts.models import ApiToken, Passkey, Role, RoleAssignment, User
from commonweal.accounts.permissions import must_use_second_factor
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
    if organisation is not None and area is not None:
        raise RoleScopeError("Choose an organisation or a place, not both: a role is held in one of them.")
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
        user=user,
        name=name,
        digest=ApiToken.digest_of(secret),
        prefix=secret[:8],
        created_at=at,
        expires_at=at + datetime.timedelta(days=settings.API_TOKEN_DAYS),
        credential_epoch=user.credential_epoch,
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


# --- Second factors and sessions ---


class FactorError(ValueError):
    """A change to a person's factors that would leave them unable to sign in as their roles require."""


def _own_factors(user: User, by: User) -> None:
    if not rules.may_change_own_factors(by, user):
        raise PermissionDenied("People change only their own sign-in factors.")


def start_authenticator(*, user: User, by: User) -> TOTPDevice:
    """Make a new authenticator-app secret for the user to scan (kept, unconfirmed, until confirmed)."""
    _own_factors(user, by)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=factors.AUTHENTICATOR_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=factors.RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(factors.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_authenticator(
    *, device: TOTPDevice, code: str, by: User, at: datetime.datetime | None = None
) -> list[str] | None:
    """Confirm a new authenticator app with a code from it; it replaces any earlier one.

    Returns None when the code is wrong, else the new recovery codes (an empty list when the person
    already had some: they keep theirs)."""
    user = device.user
    _own_factors(user, by)
    token = factors.normalise_code(code)
    allowed, _ = device.verify_is_allowed()
    if not token.isdigit() or not allowed or not device.verify_token(token):
        return None
    replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk)
    replacing = replaced.filter(confirmed=True).exists()
    replaced.delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = [] if factors.recovery_codes_left(user) else _new_recovery_codes(user)
    record_event(
        by=by,
        action="accounts.replace_authenticator" if replacing else "accounts.add_authenticator",
        target=user,
        at=at or timezone.now(),
    )
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User, by: User, at: datetime.datetime | None = None) -> list[str]:
    """Replace every recovery code with a new set (the old ones stop working)."""
    _own_factors(user, by)
    codes = _new_recovery_codes(user)
    record_event(by=by, action="accounts.regenerate_recovery_codes", target=user, at=at or timezone.now())
    return codes


@transaction.atomic
def add_passkey(
    *,
    user: User,
    name: str,
    credential_id: str,
    public_key: bytes,
    sign_count: int,
    by: User,
    at: datetime.datetime | None = None,
) -> tuple[Passkey, list[str]]:
    """Keep a passkey the user registered; returns it and new recovery codes if they had none."""
    _own_factors(user, by)
    at = at or timezone.now()
    passkey = Passkey.objects.create(
        user=user,
        name=name,
        credential_id=credential_id,
        public_key=public_key,
        sign_count=sign_count,
        created_at=at,
    )
    codes = [] if factors.recovery_codes_left(user) else _new_recovery_codes(user)
    record_event(by=by, action="accounts.add_passkey", target=user, at=at, passkey=passkey.pk, name=name)
    return passkey, codes


@transaction.atomic
def remove_passkey(*, passkey: Passkey, by: User, at: datetime.datetime | None = None) -> None:
    """Remove one of the user's passkeys; staff must keep at least one factor."""
    user = passkey.user
    _own_factors(user, by)
    if must_use_second_factor(user) and not (
        factors.authenticator_of(user) or user.passkeys.exclude(pk=passkey.pk).exists()
    ):
        raise FactorError(
            "Your roles need a second factor: add another passkey or an authenticator app first."
        )
    record_event(
        by=by, action="accounts.remove_passkey", target=user, at=at or timezone.now(), name=passkey.name
    )
    passkey.delete()


@transaction.atomic
def turn_off_second_factor(*, user: User, by: User, at: datetime.datetime | None = None) -> None:
    """A resident turns two-step sign-in off: every factor and recovery code goes."""
    _own_factors(user, by)
    if must_use_second_factor(user):
        raise FactorError("Your roles need two-step sign-in: it cannot be turned off.")
    _remove_every_factor(user)
    record_event(by=by, action="accounts.turn_off_second_factor", target=user, at=at or timezone.now())


def _remove_every_factor(user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    user.passkeys.all().delete()


def _new_epoch(user: User) -> None:
    User.objects.filter(pk=user.pk).update(credential_epoch=F("credential_epoch") + 1)
    user.refresh_from_db(fields=["credential_epoch"])


@transaction.atomic
def reset_second_factors(*, user: User, by: User, at: datetime.datetime | None = None) -> None:
    """An administrator removes a person's lost factors: they enrol again at their next sign-in.

    Their sessions and API tokens end too (someone may hold the lost device), and they are told by e-mail.
    """
    if not rules.may_reset_factors(by, user):
        raise PermissionDenied("Only administrators reset another person's sign-in factors.")
    at = at or timezone.now()
    _remove_every_factor(user)
    _new_epoch(user)
    record_event(by=by, action="accounts.reset_second_factors", target=user, at=at)
    context = {"user": user, "by": by, "service": settings.COMMONWEAL_SERVICE_NAME}
    transaction.on_commit(
        lambda: send_mail(
            f"Your {settings.COMMONWEAL_SERVICE_NAME} sign-in was reset",
            render_to_string("accounts/factors_reset_email.txt", context),
            None,
            [user.email],
        )
    )


@transaction.atomic
def sign_out_everywhere(*, user: User, by: User, at: datetime.datetime | None = None) -> None:
    """End every session of the user, on every device, and stop their API tokens."""
    _own_factors(user, by)
    _new_epoch(user)
    record_event(by=by, action="accounts.sign_out_everywhere", target=user, at=at or timezone.now())


def note_password_reset_email(*, user: User, at: datetime.datetime | None = None) -> None:
    """Record that a password-reset e-mail is going to the user (the hourly limit counts these)."""
    record_event(by=None, action=queries.PASSWORD_RESET_EMAIL, target=user, at=at or timezone.now())
