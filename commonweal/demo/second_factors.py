"""Two-step sign-in for the demo's staff logins, so a newcomer can still try every role in minutes.

Every demo staff account gets an authenticator-app secret derived from its address (as public as the
demo password: the demo holds only fictional people). `commonweal demo_code <login>` prints the code
such an app would show now, for these accounts only; the browser tests sign in with the same codes.
"""

from __future__ import annotations

import hashlib

from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweal.accounts.factors import next_code
from commonweal.accounts.models import Role, User
from commonweal.demo.builder import DEMO_EMAIL_DOMAIN, DEMO_LOGINS
from commonweal.demokit import DemoContext

DEMO_DEVICE_NAME = "Demo authenticator (codes from `commonweal demo_code`)"


class NotADemoAccount(LookupError):
    """The account was not made, or not enrolled, by the demo."""


def demo_secret(email: str) -> str:
    """The demo account's authenticator secret (hex, 20 bytes), the same on every demo database."""
    return hashlib.sha256(f"commonweal-demo-authenticator:{email}".encode()).hexdigest()[:40]


def enrol_demo_staff(context: DemoContext) -> bool:
    """Give each demo staff login (every role but resident) its demo authenticator, once."""
    added = False
    for login in DEMO_LOGINS:
        if login.role == Role.RESIDENT:
            continue
        user = context.users[login.role]
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(
                user=user, name=DEMO_DEVICE_NAME, key=demo_secret(user.email), confirmed=True
            )
            added = True
    return added


def demo_code(login: str) -> str:
    """The current code of a demo staff login, named by its address or the part before the @."""
    email = login if "@" in login else f"{login}@{DEMO_EMAIL_DOMAIN}"
    if email not in {demo.email for demo in DEMO_LOGINS}:
        raise NotADemoAccount(f"{login} is not one of the demo's logins.")
    device = TOTPDevice.objects.filter(
        user__in=User.objects.filter(email=email), confirmed=True, key=demo_secret(email)
    ).first()
    if device is None:
        raise NotADemoAccount(
            f"{email} has no demo authenticator (a resident signs in with the password alone; an account "
            "whose sign-in was reset, or that the demo did not make, gets no code from here)."
        )
    return next_code(device)
