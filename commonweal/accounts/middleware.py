"""The absolute session lifetime: a session ends some hours after sign-in, however busy it has been.

The idle timeout is Django's own (SESSION_COOKIE_AGE renewed on every request); "sign out everywhere"
and a changed password end sessions through the user's credential epoch (`User._get_session_auth_hash`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SIGNED_IN_AT = "commonweal_signed_in_at"


def remember_sign_in_time(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On `user_logged_in`: note when this session signed in."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = timezone.now().timestamp()


class SessionLifetimeMiddleware:
    """Sign out a session older than SESSION_ABSOLUTE_HOURS; the request goes on as an anonymous one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            signed_in_at = request.session.get(SIGNED_IN_AT)
            if not isinstance(signed_in_at, int | float):
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
                logout(request)
                messages.info(
                    request,
                    f"For your security you were signed out {settings.SESSION_ABSOLUTE_HOURS:g} hours after "
                    "signing in. Sign in again to carry on.",
                )
        return self.get_response(request)
