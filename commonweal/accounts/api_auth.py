"""Authentication for the JSON API: bearer tokens for machine clients, the session for the browser."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from commonweal.accounts.models import ApiToken, User


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token created on the account's API tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = (
            ApiToken.objects.select_related("user")
            .filter(
                digest=ApiToken.digest_of(token),
                revoked_at__isnull=True,
                user__is_active=True,
                expires_at__gt=timezone.now(),
                # A changed password, "sign out everywhere" or a reset of factors ends the token too.
                credential_epoch=F("user__credential_epoch"),
            )
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class SignedInSession(SessionAuth):
    """The browser's signed-in session (with CSRF protection on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return super().authenticate(request, key)


API_AUTH = [BearerToken(), SignedInSession()]
