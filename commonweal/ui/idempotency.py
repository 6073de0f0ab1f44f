"""One-time tokens for forms that create something: a second submit shows the first result.

A create form carries a hidden `form_token` (`{% form_token %}` from the `idempotency` tag library)
and its view is decorated with `@submitted_once`. A POST runs the view in one transaction; when the
view answers with a redirect (it made something and sends the person to it), the token is recorded
with that address in the same transaction. A later submit of the same token (a double click, a form
sent again after a timeout, the back button) is redirected there with a message and makes nothing.
Two submits racing each other: the second's token insert fails on the unique index and its whole
transaction, the row it made included, is rolled back (docs/decisions/1205).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils import timezone

from commonweal.ui.models import UsedFormToken

FIELD = "form_token"
ALREADY_SENT = "This form was already sent, so nothing new was made: this is what it made."
TOKEN_LENGTH = 64

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


class _AlreadySubmittedError(Exception):
    """Another submit of the same form recorded the token first."""


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_of(request: HttpRequest) -> str:
    """The token a submitted form carries ('' for none or one that is not ours)."""
    token = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return token if 0 < len(token) <= TOKEN_LENGTH else ""


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def replay(request: HttpRequest) -> HttpResponse | None:
    """If this submit's token was used before (by the same person), go to what it made."""
    token = token_of(request)
    if not token:
        return None
    used = UsedFormToken.objects.filter(token=token).first()
    if used is None or used.user_id != _user_id(request):
        return None
    messages.info(request, ALREADY_SENT)
    return HttpResponseRedirect(used.url)


def submitted_once(view: View) -> View:
    """Make a create form's view safe against a second submit of the same form."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token = token_of(request)
        if not token:
            return view(request, *args, **kwargs)
        done = replay(request)
        if done is not None:
            return done
        try:
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if 300 <= response.status_code < 400 and response.get("Location"):
                    try:
                        with transaction.atomic():
                            UsedFormToken.objects.create(
                                token=token,
                                user_id=_user_id(request),
                                url=response["Location"][:500],
                                used_at=timezone.now(),
                            )
                    except IntegrityError as error:
                        raise _AlreadySubmittedError from error
        except _AlreadySubmittedError:
            # The other submit made it; what this one made is rolled back. Its success message too.
            list(messages.get_messages(request))
            return replay(request) or HttpResponseRedirect(request.path)
        return response

    return cast(View, wrapper)
