"""The platform's JSON API: wiring of each app's router, authentication and error bodies."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from commonweal.accounts.api import router as accounts_router
from commonweal.accounts.api_auth import API_AUTH
from commonweal.households.api import router as households_router
from commonweal.measures.api import router as measures_router
from commonweal.organisations.api import router as organisations_router
from commonweal.places.api import POSTCODE_SHAPE
from commonweal.places.api import router as places_router
from commonweal.places.postcodes import MalformedPostcodeError
from commonweal.places.queries import PostcodeNotInAreaError
from commonweal.timebank.api import router as timebank_router

# Every error body the handlers below write, and the statuses they answer with on any operation.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "A short code, e.g. not_found"},
        "detail": {"type": "string", "description": "What went wrong, for people"},
    },
    "required": ["error", "detail"],
}
ERROR_STATUSES = {
    "400": "The request is malformed (the detail names the part)",
    "401": "No valid token or session",
    "403": "Your roles do not allow this",
    "404": "Nothing was found at this address",
    "422": "A parameter is not valid (the detail names it)",
}
# Shapes of path parameters that a route's signature cannot state without changing how it answers.
PARAMETER_PATTERNS = {("/api/postcodes/{postcode}", "postcode"): POSTCODE_SHAPE}


class CommonwealAPI(NinjaAPI):
    """The API whose document lists the error answers every operation can give, with their body.

    django-ninja documents only each operation's success; schemathesis (tests/test_api_schemathesis.py)
    holds every answer to the document, so the shared error answers are added to every operation here.
    """

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    pattern = PARAMETER_PATTERNS.get((path, parameter.get("name")))
                    if pattern:
                        parameter["schema"]["pattern"] = pattern
                responses = operation.setdefault("responses", {})
                # An operation may document a status itself (django-ninja writes it as a number).
                documented = {str(code) for code in responses}
                for status, description in ERROR_STATUSES.items():
                    if status in documented:
                        continue
                    responses.setdefault(
                        status,
                        {
                            "description": description,
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                            },
                        },
                    )
        return schema


api = CommonwealAPI(
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
api.add_router("/", households_router)
api.add_router("/", timebank_router)


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


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    # django-ninja's own refusals (a session's failed CSRF check on a POST) in the documented error body.
    code = "forbidden" if error.status_code == 403 else "http_error"
    return _error(request, error.status_code, code, str(error))


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
