"""The platform's JSON API: wiring of each app's router, authentication and error bodies."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from commonweal.accounts.api import router as accounts_router
from commonweal.accounts.api_auth import API_AUTH
from commonweal.measures.api import router as measures_router
from commonweal.organisations.api import router as organisations_router
from commonweal.places.api import router as places_router
from commonweal.places.postcodes import MalformedPostcodeError
from commonweal.places.queries import PostcodeNotInAreaError

api = NinjaAPI(
    title="Commonweal API",
    version="1",
    description="The platform's own API. Authenticate with `Authorization: Bearer <token>` "
    "(create a token on your account's API tokens page) or a signed-in browser session.",
    auth=API_AUTH,
    urls_namespace="api",
)
api.add_router("/", places_router)
api.add_router("/", accounts_router)
api.add_router("/", organisations_router)
api.add_router("/", measures_router)


def _error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    return api.create_response(request, {"error": code, "detail": message}, status=status)


@api.exception_handler(MalformedPostcodeError)
def malformed_postcode(request: HttpRequest, error: MalformedPostcodeError) -> HttpResponse:
    return _error(request, 400, "malformed_postcode", str(error))


@api.exception_handler(PostcodeNotInAreaError)
def postcode_not_in_area(request: HttpRequest, error: PostcodeNotInAreaError) -> HttpResponse:
    return _error(request, 404, "postcode_not_in_area", str(error))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return _error(
        request,
        401,
        "unauthenticated",
        "Send a valid API token as 'Authorization: Bearer <token>', or sign in.",
    )


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(error) or "Your roles do not allow this.")


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", str(error) or "Nothing was found at this address.")


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = "; ".join(
        f"{'.'.join(str(part) for part in item.get('loc', [])[1:])}: {item.get('msg', '')}"
        for item in error.errors
    )
    return _error(request, 422, "invalid_request", f"The request is not valid: {problems}")


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
    # Never show a stack trace to a client; the server log keeps it for operators.
    logging.getLogger("commonweal.api").exception("Unhandled API error", exc_info=error)
    return _error(request, 500, "server_error", "Something went wrong on our side. Nothing was changed.")
