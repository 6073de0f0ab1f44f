"""Two-step sign-in in a real browser: enrolment at first sign-in, codes, recovery codes and passkeys
(Chromium's virtual authenticator), and the page without scripts."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from commonweal.accounts import actions
from commonweal.accounts.models import Passkey, Role, User
from commonweal.organisations.models import Organisation
from tests.browser.conftest import DEMO_PASSWORD, authenticator_code, sign_in

ADMIN = "admin@demo.commonweal.invalid"


def new_link_worker(email: str) -> User:
    user = User.objects.create_user(email, DEMO_PASSWORD, full_name="Nia Newstart")
    practice = Organisation.objects.filter(kind=Organisation.Kind.PCN).order_by("pk").first()
    actions.grant_role(user=user, role=Role.LINK_WORKER, organisation=practice, by=None)
    return user


def password_step(page: Page, email: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_new_member_of_staff_sets_up_an_authenticator_at_first_sign_in(
    page: Page, check_accessibility: Callable[[Page], None]
):
    new_link_worker("nia@example.org")
    password_step(page, "nia@example.org")
    expect(page).to_have_url(re.compile(r"/sign-in/set-up/$"))
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    check_accessibility(page)
    # As someone who cannot scan would: type the key shown into an app, which then shows codes.
    secret = page.locator("#authenticator-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your app").fill(str(TOTP(key).token()).zfill(6))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    check_accessibility(page)
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_staff_sign_in_with_a_code_from_their_app(page: Page, check_accessibility: Callable[[Page], None]):
    password_step(page, ADMIN)
    expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
    expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()  # no passkey yet
    check_accessibility(page)
    page.get_by_label("Code", exact=True).fill(authenticator_code(ADMIN))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home/$"))


def test_a_recovery_code_signs_in_once(new_page: Callable[[], Page]):
    user = new_link_worker("nia@example.org")
    device = actions.start_authenticator(user=user, by=user)
    from commonweal.accounts.factors import next_code

    codes = actions.confirm_authenticator(device=device, code=next_code(device), by=user)
    assert codes
    first = new_page()
    password_step(first, "nia@example.org")
    first.get_by_label("Code", exact=True).fill(codes[0])
    first.get_by_role("button", name="Continue").click()
    expect(first).to_have_url(re.compile(r"/home/$"))
    expect(first.get_by_text("You signed in with a recovery code. You have 9 left")).to_be_visible()

    second = new_page()
    password_step(second, "nia@example.org")
    second.get_by_label("Code", exact=True).fill(codes[0])
    second.get_by_role("button", name="Continue").click()
    expect(second.get_by_text("Enter a correct code").first).to_be_visible()
    expect(second).to_have_url(re.compile(r"/sign-in/verify/$"))


def test_a_passkey_is_added_and_then_signs_in(page: Page, check_accessibility: Callable[[Page], None]):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    sign_in(page, ADMIN)
    page.goto("/account/two-step/")
    check_accessibility(page)
    page.get_by_label("Name this passkey").fill("Work laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Passkey “Work laptop” added")).to_be_visible()
    # The demo's administrator had no recovery codes yet: they are made with the first passkey.
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("button", name="I have saved my codes").click()
    expect(page.get_by_role("cell", name="Work laptop", exact=True)).to_be_visible()
    assert Passkey.objects.filter(user__email=ADMIN, name="Work laptop").count() == 1

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    password_step(page, ADMIN)
    page.get_by_role("button", name="Use a passkey").click()
    expect(page).to_have_url(re.compile(r"/home/$"))
    assert Passkey.objects.get(user__email=ADMIN).last_used_at is not None


def test_without_scripts_the_passkey_option_is_hidden_and_codes_still_work(browser, demo_site: str):
    user = User.objects.get(email=ADMIN)
    Passkey.objects.create(user=user, name="Phone", credential_id="AAAA", public_key=b"x")
    context = browser.new_context(base_url=demo_site, java_script_enabled=False)
    try:
        page = context.new_page()
        password_step(page, ADMIN)
        expect(page.get_by_role("heading", name="Confirm it is you")).to_be_visible()
        expect(page.get_by_role("button", name="Use a passkey")).to_be_hidden()
        page.get_by_label("Code", exact=True).fill(authenticator_code(ADMIN))
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/home/$"))
    finally:
        context.close()
