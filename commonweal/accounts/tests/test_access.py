import pytest
from django.core.checks import run_checks
from django.test import override_settings

from commonweal.accounts.models import Role, RoleAssignment
from commonweal.audit.models import AuditEvent, RecordAccess


@pytest.mark.django_db
def test_an_administrator_grants_a_role_and_it_is_recorded(signed_in_client, persona, places):
    client = signed_in_client(Role.ADMINISTRATOR)
    someone = persona(Role.RESIDENT)
    response = client.post(
        f"/access/users/{someone.pk}/", {"role": "facilitator", "organisation": places.vcse.pk}
    )
    assert response.status_code == 302
    assert set(someone.role_assignments.values_list("role", flat=True)) == {"resident", "facilitator"}
    granted = AuditEvent.objects.filter(
        action="accounts.grant_role", target_id=someone.pk, detail__role="facilitator"
    )
    assert [event.actor.role_assignments.get().role for event in granted] == ["administrator"]


@pytest.mark.django_db
def test_a_role_without_a_scope_is_refused_with_a_message(signed_in_client, persona):
    client = signed_in_client(Role.ADMINISTRATOR)
    someone = persona(Role.RESIDENT)
    response = client.post(f"/access/users/{someone.pk}/", {"role": "facilitator"})
    assert response.status_code == 400
    assert "Choose the organisation or the place this role is held in" in response.content.decode()
    assert someone.role_assignments.count() == 1


@pytest.mark.django_db
def test_an_administrator_removes_a_role(signed_in_client, persona):
    client = signed_in_client(Role.ADMINISTRATOR)
    someone = persona(Role.LINK_WORKER)
    assignment = someone.role_assignments.get()
    client.post(f"/access/users/{someone.pk}/", {"revoke": assignment.pk})
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEvent.objects.filter(action="accounts.revoke_role", target_id=someone.pk).count() == 1


@pytest.mark.django_db
def test_an_administrator_opening_a_users_page_is_logged_and_the_user_sees_it(signed_in_client, persona):
    admin_client = signed_in_client(Role.ADMINISTRATOR, full_name="Ada Admin")
    someone = persona(Role.RESIDENT)
    admin_client.get(f"/access/users/{someone.pk}/")
    access = RecordAccess.objects.get(subject_user=someone)
    assert access.viewer.full_name == "Ada Admin"
    assert access.reason == RecordAccess.Reason.ADMINISTRATION
    assert access.path == f"/access/users/{someone.pk}/"


@pytest.mark.django_db
def test_opening_your_own_access_page_is_not_logged(persona):
    from django.test import Client

    admin = persona(Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    assert client.get(f"/access/users/{admin.pk}/").status_code == 200
    assert RecordAccess.objects.count() == 0


def test_a_person_url_served_by_an_unaudited_view_stops_the_system_check():
    with override_settings(ROOT_URLCONF="commonweal.accounts.tests.unaudited_urls"):
        errors = [error for error in run_checks() if error.id == "commonweal.E001"]
    assert [error.msg for error in errors] == [
        "The URL 'people-leak/<int:person_id>/' names a person but its view does not log access."
    ]


def test_the_real_urls_pass_the_audit_check():
    assert [error for error in run_checks() if error.id == "commonweal.E001"] == []


@pytest.mark.django_db
def test_an_api_token_is_shown_once_and_stored_only_as_a_digest(signed_in_client):
    from commonweal.accounts.models import ApiToken

    client = signed_in_client(Role.REFERRER)
    page = client.post("/account/api-tokens/", {"name": "nightly export"}).content.decode()
    token = ApiToken.objects.get(name="nightly export")
    secret = page.split('<code id="new-token">')[1].split("</code>")[0]
    assert secret.startswith("cw_")
    assert token.digest == ApiToken.digest_of(secret)
    assert secret not in (token.digest, token.prefix)
    assert secret not in client.get("/account/api-tokens/").content.decode()


@pytest.mark.django_db
def test_an_api_token_without_a_name_gets_a_message(signed_in_client):
    page = signed_in_client(Role.REFERRER).post("/account/api-tokens/", {"name": ""}).content.decode()
    assert "Enter what the token is for" in page
