"""Two-step sign-in (issue 12, item 1; finding 1): the password step alone never signs staff in."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweal.accounts import actions, factors
from commonweal.accounts.models import Passkey, Role
from commonweal.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD


def password_step(client, user):
    return client.post("/sign-in/", {"username": user.email, "password": TEST_PASSWORD})


def enrol(user):
    """Give the user a confirmed authenticator app; return it and their recovery codes."""
    device = actions.start_authenticator(user=user, by=user)
    codes = actions.confirm_authenticator(device=device, code=factors.next_code(device), by=user)
    device.refresh_from_db()
    return device, codes


@pytest.mark.django_db
@pytest.mark.parametrize("role", [role for role in Role if role != Role.RESIDENT])
def test_every_staff_role_without_a_factor_must_set_one_up_before_the_session_starts(client, persona, role):
    user = persona(role)
    response = password_step(client, user)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/set-up/"
    assert SESSION_KEY not in client.session
    # Nothing behind sign-in opens half-way through.
    assert client.get("/account/")["Location"].startswith("/sign-in/")


@pytest.mark.django_db
def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes_once(client, persona):
    user = persona(Role.LINK_WORKER)
    password_step(client, user)
    page = client.get("/sign-in/set-up/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert "<svg" in page and "QR code" in page
    assert factors.secret_as_text(device) in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]

    wrong = client.post(
        "/sign-in/set-up/", {"code": "000000" if factors.next_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert "Enter the newest 6-digit code your app shows" in wrong.content.decode()
    assert SESSION_KEY not in client.session

    device.refresh_from_db()
    device.throttle_reset()
    response = client.post("/sign-in/set-up/", {"code": factors.next_code(device)})
    assert response["Location"] == "/account/two-step/recovery-codes/"
    assert client.session[SESSION_KEY] == str(user.pk)
    codes_page = client.get("/account/two-step/recovery-codes/")
    codes = re.findall(r"<li><code>(\w+)</code></li>", codes_page.content.decode())
    assert len(codes) == factors.RECOVERY_CODE_COUNT
    assert 'href="/home/"' in codes_page.content.decode()
    assert client.get("/account/two-step/recovery-codes/").status_code == 302  # shown once only
    assert AuditEvent.objects.filter(action="accounts.add_authenticator", target_id=user.pk).count() == 1


@pytest.mark.django_db
def test_a_staff_member_with_an_app_signs_in_with_its_code_in_a_new_session(client, persona):
    user = persona(Role.ADMINISTRATOR)
    device, _codes = enrol(user)
    password_step(client, user)
    before = client.session.session_key
    assert SESSION_KEY not in client.session
    page = client.get("/sign-in/verify/").content.decode()
    assert "Confirm it is you" in page
    assert "Use a passkey" not in page  # no passkeys: the option is not offered
    response = client.post("/sign-in/verify/", {"code": factors.next_code(device)})
    assert response["Location"] == "/home/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != before


@pytest.mark.django_db
def test_the_set_up_page_never_adds_a_factor_for_someone_who_has_one(client, persona):
    user = persona(Role.ADMINISTRATOR)
    enrol(user)
    password_step(client, user)
    response = client.get("/sign-in/set-up/")
    assert response["Location"] == "/sign-in/"
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_a_recovery_code_works_once(persona):
    user = persona(Role.COMMUNITY_HEALTH_WORKER)
    _device, codes = enrol(user)
    first = Client()
    password_step(first, user)
    response = first.post("/sign-in/verify/", {"code": codes[0].upper()})
    assert response["Location"] == "/home/"
    assert "9 left" in first.get("/home/", follow=True).content.decode()

    second = Client()
    password_step(second, user)
    again = second.post("/sign-in/verify/", {"code": codes[0]})
    assert again.status_code == 400
    assert "Enter a correct code" in again.content.decode()
    assert SESSION_KEY not in second.session


@pytest.mark.django_db
def test_code_guessing_is_throttled(client, persona, settings):
    assert settings.OTP_TOTP_THROTTLE_FACTOR >= 1 and settings.OTP_STATIC_THROTTLE_FACTOR >= 1
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 600  # no clock in the test
    user = persona(Role.COMMISSIONER)
    device, _codes = enrol(user)
    password_step(client, user)
    client.post("/sign-in/verify/", {"code": "12345"})
    client.post("/sign-in/verify/", {"code": "zzzzzzzz"})
    refused = client.post("/sign-in/verify/", {"code": factors.next_code(device)})
    assert "wait a few seconds" in refused.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_accounts_lock_out(client, persona, settings):
    user = persona(Role.COMMISSIONER)
    enrol(user)
    password_step(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        last = client.post("/sign-in/verify/", {"code": "not-a-code"})
    assert last.status_code == 429
    assert '<form method="post" action="/sign-in/"' in last.content.decode()  # back to the password step
    assert client.get("/sign-in/verify/")["Location"] == "/sign-in/"
    response = Client().post("/sign-in/", {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()


@pytest.mark.django_db
def test_the_second_step_runs_out_of_time(client, persona):
    user = persona(Role.ADMINISTRATOR)
    device, _codes = enrol(user)
    password_step(client, user)
    session = client.session
    session["commonweal_pending_sign_in"]["until"] = 0
    session.save()
    response = client.post("/sign-in/verify/", {"code": factors.next_code(device)})
    assert response["Location"] == "/sign-in/"
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_a_bad_passkey_answer_gets_a_message_not_an_error(client, persona, settings):
    settings.AXES_FAILURE_LIMIT = 100  # each refused answer counts towards the lock-out
    user = persona(Role.ADMINISTRATOR)
    enrol(user)
    password_step(client, user)
    Passkey.objects.create(user=user, name="Phone", credential_id="AAAA", public_key=b"x")
    answers = [
        "not json",
        '{"id": "abc"}',
        "[]",
        '{"id": 5, "response": null}',
        '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}',
        '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {"clientDataJSON": "e30",'
        ' "authenticatorData": "AAAA", "signature": "AAAA"}}',
    ]
    for answer in answers:
        client.get("/sign-in/verify/")  # a challenge is in the session, as when the page was shown
        response = client.post("/sign-in/verify/", {"passkey_response": answer})
        assert response.status_code == 400, answer
        assert "passkey" in response.content.decode()
    assert SESSION_KEY not in client.session


@pytest.mark.django_db
def test_a_bad_passkey_registration_gets_a_message_not_an_error(persona):
    user = persona(Role.RESIDENT)
    client = Client()
    client.force_login(user)
    malformed = '{"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}'
    for answer in ["", "not json", "{}", malformed]:
        client.get("/account/two-step/")
        response = client.post("/account/two-step/", {"name": "My phone", "passkey_response": answer})
        assert response.status_code == 400, answer
        page = response.content.decode()
        assert "passkey" in page
        assert 'value="My phone"' in page  # what was typed is kept
    response = client.post("/account/two-step/", {"name": "", "passkey_response": "{}"})
    assert "Enter a name for the passkey" in response.content.decode()
    assert not Passkey.objects.filter(user=user).exists()


@pytest.mark.django_db
def test_a_resident_signs_in_with_a_password_and_may_turn_two_step_on_and_off(persona):
    user = persona(Role.RESIDENT)
    client = Client()
    assert password_step(client, user)["Location"] == "/home/"
    page = client.get("/account/two-step/authenticator/").content.decode()
    assert "Set up an authenticator app" in page
    device = TOTPDevice.objects.get(user=user)
    response = client.post("/account/two-step/authenticator/", {"code": factors.next_code(device)})
    assert response["Location"] == "/account/two-step/recovery-codes/"
    assert "Two-step sign-in is on" in client.get("/account/two-step/").content.decode()

    later = Client()
    assert password_step(later, user)["Location"] == "/sign-in/verify/"

    client.post("/account/two-step/", {"turn_off": "1"})
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="accounts.turn_off_second_factor", target_id=user.pk).exists()


@pytest.mark.django_db
def test_staff_cannot_turn_two_step_off_or_remove_their_last_factor(persona):
    user = persona(Role.LINK_WORKER)
    enrol(user)
    client = Client()
    client.force_login(user)
    assert "Turn off two-step sign-in" not in client.get("/account/two-step/").content.decode()
    page = client.post("/account/two-step/", {"turn_off": "1"}, follow=True).content.decode()
    assert "cannot be turned off" in page
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.mark.django_db
def test_replacing_the_app_and_new_recovery_codes_are_audited(persona):
    user = persona(Role.ADMINISTRATOR)
    _old, codes = enrol(user)
    client = Client()
    client.force_login(user)
    client.get("/account/two-step/authenticator/")
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/two-step/authenticator/", {"code": factors.next_code(new)})
    assert response["Location"] == "/account/two-step/"
    assert list(TOTPDevice.objects.filter(user=user).values_list("pk", flat=True)) == [new.pk]
    client.post("/account/two-step/", {"regenerate": "1"})
    assert not StaticDevice.objects.filter(user=user, token_set__token=codes[0]).exists()
    assert factors.recovery_codes_left(user) == factors.RECOVERY_CODE_COUNT
    assert set(AuditEvent.objects.filter(target_id=user.pk).values_list("action", flat=True)) >= {
        "accounts.add_authenticator",
        "accounts.replace_authenticator",
        "accounts.regenerate_recovery_codes",
    }


@pytest.mark.django_db
def test_the_django_admin_signs_in_through_the_two_step_sign_in(client):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fdjango-admin%2F"
    assert client.get("/django-admin/", follow=True).redirect_chain[-1][0].startswith("/sign-in/")
