"""Schemathesis against the platform's own OpenAPI document (django-ninja's, /api/openapi.json) with every
check, signed in with a bearer token and anonymously (issue 12, item 9).

Every answer must be no server error, a status the document lists, the content type it lists, a body
matching its schema and the headers it promises. Bounded by examples per operation, never by time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from commonweal.accounts.actions import create_api_token
from commonweal.accounts.models import Role
from tests.factories import make_persona


def _failures(live_server: Any, headers: dict[str, str]) -> list[str]:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    every_check = CHECKS.get_all()
    assert {"not_a_server_error", "response_schema_conformance", "ignored_auth"} <= {
        check.__name__ for check in every_check
    }

    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/openapi.json")
    schema.config.update(base_url=live_server.url)
    failures = []

    def checker(operation: Any) -> Callable[[], None]:
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            # Every check schemathesis has, the default set and the optional ones.
            case.call_and_validate(headers=headers, checks=every_check)

        return check

    operations = [found.ok() for found in schema.get_all_operations()]
    assert len(operations) >= 6, "every operation of the document is fuzzed"
    for operation in operations:
        try:
            checker(operation)()
        except Exception as error:  # collect every operation's failure, then report them together
            failures.append(f"{operation.label}: {error}")
    return failures


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_its_own_document_for_a_token_holder(live_server, places):
    worker = make_persona(Role.LINK_WORKER, places)
    _, secret = create_api_token(user=worker, name="schemathesis", by=worker)
    assert _failures(live_server, {"Authorization": f"Bearer {secret}"}) == []


@pytest.mark.django_db(transaction=True)
def test_the_api_answers_its_own_document_anonymously(live_server, places):
    assert _failures(live_server, {}) == []


@pytest.mark.django_db
def test_the_document_lists_the_error_answers_and_the_postcode_shape(client):
    # What schemathesis found: /api/postcodes/0 answered 400, which the document did not list, for a
    # postcode the document's plain string allowed.
    document = client.get("/api/openapi.json").json()
    assert document["components"]["schemas"]["Error"]["required"] == ["error", "detail"]
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert {"200", "400", "401", "403", "404", "422"} <= set(operation["responses"]), path
    (parameter,) = document["paths"]["/api/postcodes/{postcode}"]["get"]["parameters"]
    assert re.fullmatch(parameter["schema"]["pattern"], "m33 7aa")
    assert re.fullmatch(parameter["schema"]["pattern"], "M337AA")
    assert not re.fullmatch(parameter["schema"]["pattern"], "0")


def test_no_operation_documents_a_status_twice():
    # A status written once as a number (by an operation) and once as text (the shared error answers)
    # became two equal keys in the JSON document, which Swagger UI refuses to read.
    from commonweal.config.api import api

    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            codes = [str(code) for code in operation.get("responses", {})]
            assert len(codes) == len(set(codes)), (path, method, codes)
