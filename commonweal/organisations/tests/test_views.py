import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.organisations.models import Organisation
from tests.blank_values import blank_values


@pytest.mark.django_db
def test_an_administrator_adds_an_organisation(signed_in_client, places):
    client = signed_in_client(Role.ADMINISTRATOR)
    response = client.post(
        "/organisations/new/",
        {
            "kind": "gp_practice",
            "name": "Brookside Surgery",
            "ods_code": "P91999",
            "parent": "",
            "area": "",
            "website": "brookside.example.org",
        },
    )
    created = Organisation.objects.get(name="Brookside Surgery")
    assert response["Location"] == f"/organisations/{created.pk}/"
    assert (created.kind, created.ods_code, created.website) == (
        "gp_practice",
        "P91999",
        "https://brookside.example.org",
    )
    assert AuditEvent.objects.filter(action="organisations.register", target_id=created.pk).count() == 1


@pytest.mark.django_db
def test_a_malformed_ods_code_gets_a_message_and_keeps_the_name(signed_in_client, places):
    client = signed_in_client(Role.ADMINISTRATOR)
    before = Organisation.objects.count()
    response = client.post(
        "/organisations/new/", {"kind": "gp_practice", "name": "Brookside Surgery", "ods_code": "p9-1"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "An ODS code is 3 to 6 capital letters and digits, for example P91004." in page
    assert 'value="Brookside Surgery"' in page
    assert Organisation.objects.count() == before


@pytest.mark.django_db
def test_a_duplicate_ods_code_is_refused(signed_in_client, places):
    client = signed_in_client(Role.ADMINISTRATOR)
    response = client.post(
        "/organisations/new/", {"kind": "gp_practice", "name": "Copy", "ods_code": "ZZ9999"}
    )
    assert response.status_code == 400
    assert "An organisation with this ODS code is already registered." in response.content.decode()


@pytest.mark.django_db
def test_staff_search_organisations_by_name_and_kind(signed_in_client, places):
    client = signed_in_client(Role.LINK_WORKER)
    page = client.get("/organisations/", {"q": "walking"}).content.decode()
    assert "Test Walking Group" in page
    assert "Test Surgery" not in page
    page = client.get("/organisations/", {"kind": "gp_practice"}).content.decode()
    assert "Test Surgery" in page
    assert "Test Walking Group" not in page


@pytest.mark.django_db
def test_a_member_sees_their_own_organisation_but_not_another(signed_in_client, places):
    client = signed_in_client(Role.ORGANISATION_MEMBER)
    assert "Test Walking Group" in client.get("/organisations/mine/").content.decode()
    assert client.get(f"/organisations/{places.vcse.pk}/").status_code == 200
    assert client.get(f"/organisations/{places.practice.pk}/").status_code == 403


@pytest.mark.django_db
def test_the_api_lists_organisations_for_staff_and_refuses_residents(signed_in_client, places):
    response = signed_in_client(Role.REFERRER).get("/api/organisations", {"kind": "gp_practice"})
    assert [o["name"] for o in response.json()] == ["Test Surgery"]
    refused = signed_in_client(Role.RESIDENT).get("/api/organisations")
    assert refused.status_code == 403
    assert refused.json() == {
        "error": "forbidden",
        "detail": "Your roles do not allow listing organisations.",
    }


@pytest.mark.django_db
def test_the_api_explains_an_unknown_kind(signed_in_client, places):
    response = signed_in_client(Role.REFERRER).get("/api/organisations", {"kind": "castle"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert "kind" in response.json()["detail"]


@pytest.mark.django_db
def test_an_organisation_with_no_ods_code_or_contact_says_not_recorded_rather_than_none(
    signed_in_client, places
):
    # Issue 20: a facilitator opening their organisation read "ODS code None" and a blank contact.
    client = signed_in_client(Role.ORGANISATION_MEMBER)
    page = client.get(f"/organisations/{places.vcse.pk}/").content.decode()
    assert blank_values(page) == []
    assert (
        '<dt class="nhsuk-summary-list__key">ODS code</dt>'
        '<dd class="nhsuk-summary-list__value">Not recorded</dd>'
    ) in page
    assert (
        '<dt class="nhsuk-summary-list__key">Contact</dt>'
        '<dd class="nhsuk-summary-list__value">Not recorded</dd>'
    ) in page


@pytest.mark.django_db
def test_an_organisations_contact_shows_its_email_and_phone(signed_in_client, places):
    Organisation.objects.filter(pk=places.vcse.pk).update(
        email="hello@walking.example", phone="0161 496 0000"
    )
    page = (
        signed_in_client(Role.ORGANISATION_MEMBER).get(f"/organisations/{places.vcse.pk}/").content.decode()
    )
    assert ('<dd class="nhsuk-summary-list__value">hello@walking.example<br>0161 496 0000</dd>') in page


@pytest.mark.django_db
def test_the_organisation_list_says_not_recorded_for_a_missing_ods_code(signed_in_client, places):
    page = signed_in_client(Role.LINK_WORKER).get("/organisations/", {"q": "walking"}).content.decode()
    assert blank_values(page) == []
    assert '<td class="nhsuk-table__cell">Not recorded</td>' in page
