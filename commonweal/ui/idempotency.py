"""One-time tokens for forms that create something: a second submit shows the first result.

A create form carries a hidden `form_token` (`{% form_token %}` from the `idempotency` tag library)
and its view is decorated with `@submitted_once`. A POST runs the view in one transaction; when the
view answers with a redirect (it made something and sends the person to it), the token is recorded
with that address in the same transaction. A later submit of the same token (a double click, a form
sent again after a timeout, the back button) is redirected there with a message and makes nothing.
Two submits racing each other: the second's token insert fails on the unique index and its whole
transaction, the row it made included, is rolled back (docs/decisions/1205).

A browser does not always keep the token: after the back button Chromium may fetch the form again
(a new token) and put back what was typed, so the same answers arrive under a new token. A view
decorated with `@submitted_once_per_session` also remembers, in the browser's session, a keyed hash
of the answers each successful submit sent, and answers the same answers sent again from that
session as it answers a used token. Only the sender's own session is asked, so nobody learns what
someone else sent.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils import timezone
from django.utils.crypto import salted_hmac

from commonweal.ui.models import UsedFormToken

FIELD = "form_token"
ALREADY_SENT = "This form was already sent, so nothing new was made: this is what it made."
SAME_ANSWERS_SENT = "You already sent this form with these answers, so nothing new was made."
TOKEN_LENGTH = 64
SESSION_KEY = "answers_sent"
# The session ends 30 idle minutes after the last request (SESSION_IDLE_MINUTES) or with the browser.
ANSWERS_KEPT = 20

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


def _answers_of(request: HttpRequest) -> str:
    """A keyed hash of what a form sent (without its tokens) and where: personal data never sits in
    the session as typed."""
    answers = sorted(
        (name, value)
        for name in request.POST
        if name not in (FIELD, "csrfmiddlewaretoken")
        for value in request.POST.getlist(name)
    )
    return salted_hmac(__name__, json.dumps([request.path, answers])).hexdigest()


def _replay_answers(request: HttpRequest) -> HttpResponse | None:
    """If this session already sent these answers successfully, go to what they made."""
    url = dict(request.session.get(SESSION_KEY, [])).get(_answers_of(request))
    if url is None:
        return None
    messages.info(request, SAME_ANSWERS_SENT)
    return HttpResponseRedirect(url)


def _remember_answers(request: HttpRequest, url: str) -> None:
    kept = [pair for pair in request.session.get(SESSION_KEY, []) if pair[0] != _answers_of(request)]
    request.session[SESSION_KEY] = [*kept, [_answers_of(request), url]][-ANSWERS_KEPT:]


def submitted_once(view: View) -> View:
    """Make a create form's view safe against a second submit of the same form."""
    return _once(view, same_answers=False)


def submitted_once_per_session(view: View) -> View:
    """Like submitted_once, and the same answers sent again from the same session make nothing new.

    For forms where the same answers twice can only be a mistake (a self-referral), not for forms
    where they can be two real events (two equal time-bank exchanges).
    """
    return _once(view, same_answers=True)


def _once(view: View, *, same_answers: bool) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if same_answers and request.method == "POST":
            done = replay(request) or _replay_answers(request)
            if done is not None:
                return done
            response = _once_by_token(view, request, *args, **kwargs)
            if 300 <= response.status_code < 400 and response.get("Location"):
                _remember_answers(request, response["Location"][:500])
            return response
        return _once_by_token(view, request, *args, **kwargs)

    return cast(View, wrapper)


def _once_by_token(view: View, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Run the view once per token: a used token goes to what its first submit made."""
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
