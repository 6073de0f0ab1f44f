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
def test_a_role_with_both_an_organisation_and_a_place_is_refused_with_a_message(
    signed_in_client, persona, places
):
    client = signed_in_client(Role.ADMINISTRATOR)
    someone = persona(Role.RESIDENT)
    response = client.post(
        f"/access/users/{someone.pk}/",
        {"role": "facilitator", "organisation": places.vcse.pk, "area": places.north.pk},
    )
    assert response.status_code == 400
    assert "Choose an organisation or a place, not both" in response.content.decode()
    assert someone.role_assignments.count() == 1


@pytest.mark.django_db
def test_an_administrator_removes_a_role(signed_in_client, persona):
    client = signed_in_client(Role.ADMINISTRATOR)
    someone = persona(Role.LINK_WORKER)
    assignment = someone.role_assignments.get()
    # The Remove button asks first, and nothing changes until the administrator says yes.
    asked = client.post(f"/access/users/{someone.pk}/", {"revoke": assignment.pk})
    assert asked.status_code == 200
    assert "Yes, remove the role" in asked.content.decode()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert not AuditEvent.objects.filter(action="accounts.revoke_role").exists()
    client.post(f"/access/users/{someone.pk}/", {"revoke": assignment.pk, "confirm": "yes"})
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


@pytest.mark.django_db
def test_an_administrators_look_at_an_account_shows_on_the_persons_who_has_looked(signed_in_client, persona):
    # Finding 5: the view of /access/users/<id>/ was logged against the account, but the person's page
    # listed only views of their person record.
    from django.test import Client

    from tests.factories import PersonFactory

    admin_client = signed_in_client(Role.ADMINISTRATOR, full_name="Ada Admin")
    resident = persona(Role.RESIDENT)
    PersonFactory.create(user=resident)
    admin_client.get(f"/access/users/{resident.pk}/")
    own = Client()
    own.force_login(resident)
    page = own.get("/me/who-has-looked/").content.decode()
    assert "Ada Admin" in page
    assert "Ada Admin" in own.get("/me/").content.decode()


@pytest.mark.django_db
def test_an_administrator_resets_a_lost_factor_audited_and_the_person_is_told(
    signed_in_client, persona, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.test import Client
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from commonweal.accounts import actions, factors

    admin_client = signed_in_client(Role.ADMINISTRATOR, full_name="Ada Admin")
    worker = persona(Role.LINK_WORKER, full_name="Lena Worker")
    device = actions.start_authenticator(user=worker, by=worker)
    actions.confirm_authenticator(device=device, code=factors.next_code(device), by=worker)
    their_session = Client()
    their_session.force_login(worker)
    assert "Two-step sign-in is on" in admin_client.get(f"/access/users/{worker.pk}/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/access/users/{worker.pk}/", {"reset_factors": "1"}, follow=True)
    assert "sign-in factors are reset" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert not StaticDevice.objects.filter(user=worker).exists()
    assert their_session.get("/account/")["Location"].startswith("/sign-in/")
    event = AuditEvent.objects.get(action="accounts.reset_second_factors", target_id=worker.pk)
    assert event.actor.full_name == "Ada Admin"
    assert [message.to for message in mail.outbox] == [[worker.email]]
    assert "Ada Admin" in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in Role if role != Role.ADMINISTRATOR])
def test_only_an_administrator_resets_someone_elses_factors(signed_in_client, persona, role):
    from django.core.exceptions import PermissionDenied
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from commonweal.accounts import actions, factors

    client = signed_in_client(role)
    worker = persona(Role.LINK_WORKER)
    device = actions.start_authenticator(user=worker, by=worker)
    actions.confirm_authenticator(device=device, code=factors.next_code(device), by=worker)
    assert client.post(f"/access/users/{worker.pk}/", {"reset_factors": "1"}).status_code == 403
    actor = client.session["_auth_user_id"]
    from commonweal.accounts.models import User

    with pytest.raises(PermissionDenied):
        actions.reset_second_factors(user=worker, by=User.objects.get(pk=actor))
    assert TOTPDevice.objects.filter(user=worker, confirmed=True).exists()
    assert not AuditEvent.objects.filter(action="accounts.reset_second_factors").exists()
