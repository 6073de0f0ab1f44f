import pytest
from django.test import Client

from commonweal.accounts.actions import create_api_token
from commonweal.accounts.models import Role


@pytest.fixture
def token_client(persona):
    user = persona(Role.REFERRER)
    _token, secret = create_api_token(user=user, name="tests", by=user)
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.mark.django_db
def test_the_api_gives_a_postcodes_lsoa_and_imd_decile(token_client):
    response = token_client.get("/api/postcodes/m337aa")
    assert response.status_code == 200
    body = response.json()
    assert body["postcode"] == "M33 7AA"
    assert body["lsoa_code"] == "E01006161"
    assert body["lsoa_name"] == "Trafford 015C"
    assert body["local_authority_name"] == "Trafford"
    assert isinstance(body["imd_decile"], int)


@pytest.mark.django_db
def test_the_api_answers_a_malformed_postcode_with_400_and_a_message(token_client):
    response = token_client.get("/api/postcodes/M33%207")
    assert response.status_code == 400
    assert response.json()["error"] == "malformed_postcode"
    assert response.json()["detail"].startswith("“M33 7” is not a valid UK postcode.")


@pytest.mark.django_db
def test_the_api_answers_a_postcode_outside_the_area_with_404_and_a_message(token_client, places):
    response = token_client.get("/api/postcodes/SW1A%201AA")
    assert response.status_code == 404
    assert response.json() == {
        "error": "postcode_not_in_area",
        "detail": "SW1A 1AA is a valid postcode, but it is not in Trafford, the area this service covers. "
        "Check the postcode, or contact the service in the area where the person lives.",
    }


@pytest.mark.django_db
def test_the_api_refuses_a_request_without_a_token():
    response = Client().get("/api/postcodes/M33%207AA")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


@pytest.mark.django_db
def test_the_api_refuses_a_revoked_token(persona):
    from commonweal.accounts.actions import revoke_api_token

    user = persona(Role.REFERRER)
    token, secret = create_api_token(user=user, name="old", by=user)
    revoke_api_token(token=token, by=user)
    response = Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/postcodes/M33%207AA")
    assert response.status_code == 401


@pytest.mark.django_db
def test_a_signed_in_browser_session_can_use_the_api(signed_in_client):
    response = signed_in_client(Role.RESIDENT).get("/api/postcodes/M33%207AA")
    assert response.status_code == 200


@pytest.mark.django_db
def test_an_unknown_api_address_is_a_json_404(token_client):
    response = token_client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@pytest.mark.django_db
def test_the_openapi_document_is_served():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Commonweal API"
    assert "/api/postcodes/{postcode}" in document["paths"]
    assert "BearerToken" in document["components"]["securitySchemes"]
