"""The ORUK 3.0 API: shapes validated against the UK schemas, CORS, pagination, filters, clear errors;
and schemathesis run against a live server with the published OpenAPI document."""

from __future__ import annotations

import pytest
from django.test import Client

from commonweal.directory import schemas
from commonweal.directory.models import Service
from commonweal.directory.tests.conftest import term


@pytest.mark.django_db
def test_the_root_describes_the_api_and_allows_any_origin(client: Client):
    response = client.get("/openreferral/", HTTP_ORIGIN="https://finder.example")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "version": "HSDS-UK-3.0",
        "profile": "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md",
        "openapi_url": "http://testserver/openreferral/openapi.json",
    }
    preflight = client.options("/openreferral/services", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert (preflight.status_code, preflight["Access-Control-Allow-Methods"]) == (204, "GET, HEAD, OPTIONS")


@pytest.mark.django_db
def test_every_list_and_detail_answer_validates_against_the_uk_schemas(client: Client, entries):
    listing = client.get("/openreferral/services?per_page=2").json()
    assert {key: listing[key] for key in listing if key != "contents"} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert [item["name"] for item in listing["contents"]] == ["Friendship Café", "Sale Community Garden"]
    for item in listing["contents"]:
        assert schemas.problems(item, "service_list_item") == []
    garden = entries["garden"]
    full = client.get(f"/openreferral/services/{garden.oruk_id}").json()
    assert schemas.problems(full, "service") == []
    assert [attribute["taxonomy_term"]["name"] for attribute in full["attributes"]] == [
        "Meeting people and making friends",
        "Community gardens and allotments",
    ]
    links = client.get("/openreferral/service_at_locations").json()
    for item in links["contents"]:
        assert schemas.problems(item, "service_at_location_list_item") == []
    for item in client.get("/openreferral/taxonomies").json()["contents"]:
        assert schemas.problems(item, "taxonomy") == []
    for item in client.get("/openreferral/taxonomy_terms?per_page=200").json()["contents"]:
        assert schemas.problems(item, "taxonomy_term") == []


@pytest.mark.django_db
def test_filters_search_day_time_taxonomy_and_proximity(client: Client, entries):
    def names(query: str) -> list[str]:
        return [item["name"] for item in client.get(f"/openreferral/services?{query}").json()["contents"]]

    assert names("search=gardning") == ["Sale Community Garden"]
    assert names("search=lonely") == ["Friendship Café", "Sale Community Garden"]
    assert names(f"taxonomy_term_id={term('dance').oruk_id}") == ["Tea Dance"]
    assert names("day=Thursday&start_time=17:00&end_time=21:00") == ["Friendship Café"]
    assert names(f"taxonomy_term_id={term('mental-wellbeing').oruk_id}") == []
    near = client.get("/openreferral/service_at_locations?postcode=M33 7AA&proximity=100").json()
    assert [item["service"]["name"] for item in near["contents"]] == ["Sale Community Garden"]


@pytest.mark.django_db
def test_bad_parameters_get_a_json_error_naming_the_parameter(client: Client, entries):
    response = client.get("/openreferral/services?page=two")
    assert response.status_code == 400
    assert response.json() == {"error": "bad_parameter", "detail": "page: “two” is not a whole number."}
    response = client.get("/openreferral/services?minimum_age=old")
    assert response.json() == {"error": "bad_parameter", "detail": "minimum_age: “old” is not a number."}
    # `day` and `proximity` are free strings in the document: a value that is no day matches no service.
    assert client.get("/openreferral/services?day=someday").json()["total_items"] == 0
    missing = client.get("/openreferral/services/not-an-id")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    refused = client.post("/openreferral/services")
    assert (refused.status_code, refused["Allow"]) == (405, "GET, HEAD, OPTIONS")
    assert Service.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_failures_against_the_published_document(live_server, places, taxonomy):
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import CHECKS, load_all_checks, status_code_conformance

    from commonweal.directory.tests.conftest import make_entries

    make_entries(places)
    document = schemas.inline_openapi_document()
    # The published document types start_time and end_time as "time", which is not a JSON Schema type;
    # schemathesis refuses it, so the test reads it as the string with format "time" it was meant to be.
    for name in ("start_time", "end_time"):
        assert document["components"]["parameters"][name]["schema"] == {"type": "time"}
        document["components"]["parameters"][name]["schema"] = {"type": "string", "format": "time"}
    load_all_checks()
    # Every check schemathesis has, the optional ones too (issue 12, item 9).
    every_check = CHECKS.get_all()
    schema = schemathesis.openapi.from_dict(document)
    schema.config.update(base_url=f"{live_server.url}/openreferral")
    failures = []

    def checker(api_operation):
        by_id = "{id}" in api_operation.path

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=api_operation.as_strategy())
        def check(case):
            if not by_id:
                case.call_and_validate(checks=every_check)
                return
            # The published document lists only 200 for /…/{id}; a random id that names nothing gets a
            # 404, which is right, so for these paths that one check is replaced by an exact one of our own.
            response = case.call()
            case.validate_response(
                response, checks=[check for check in every_check if check is not status_code_conformance]
            )
            assert response.status_code in {200, 404}
            if response.status_code == 404:
                assert response.json()["error"] == "not_found"

        return check

    for operation in schema.get_all_operations():
        api_operation = operation.ok()
        try:
            checker(api_operation)()
        except Exception as error:  # collect every operation's failure, then report them together
            failures.append(f"{api_operation.label}: {error}")
    assert failures == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/openreferral/services", "/openreferral/service_at_locations"])
@pytest.mark.parametrize("value", ["abc", "25:00", "9", "12:61"])
def test_a_start_or_end_time_that_is_not_a_time_is_a_400_naming_it(client: Client, entries, path, value):
    for name in ("start_time", "end_time"):
        response = client.get(path, {name: value})
        assert response.status_code == 400, (name, value, response.content)
        assert response.json()["error"] == "bad_parameter"
        assert response.json()["detail"].startswith(f"{name}: ")


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "QUERY"])
def test_a_method_the_api_does_not_offer_is_a_json_405_even_without_a_csrf_token(entries, method):
    # A real client sends no CSRF token; the check must not turn the 405 into Django's bare 403 page.
    client = Client(enforce_csrf_checks=True)
    response = client.generic(method, "/openreferral/services", b"{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response.json() == {"error": "method_not_allowed", "detail": "This API is read-only: use GET."}
    assert Service.objects.count() == 3
