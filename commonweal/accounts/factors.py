"""Second factors: authenticator-app codes (TOTP) and recovery codes through django-otp, passkeys
through py_webauthn. Reads and checks only; the writes that change a person's factors are in actions.py.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from commonweal.accounts.models import Passkey, User

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
PASSKEY_CHALLENGE = "commonweal_passkey_challenge"


class PasskeyError(ValueError):
    """A passkey response that cannot be accepted (the message says what to do)."""


def authenticator_of(user: User) -> TOTPDevice | None:
    """Return the user's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    """Count the user's unused recovery codes."""
    return sum(device.token_set.count() for device in StaticDevice.objects.filter(user=user, confirmed=True))


def has_second_factor(user: User) -> bool:
    """Tell whether the user has an authenticator app or a passkey (recovery codes only back them up)."""
    return authenticator_of(user) is not None or user.passkeys.exists()


def normalise_code(code: str) -> str:
    """Codes are typed with spaces or dashes and in either case; compare them without."""
    return "".join(character for character in code if character.isalnum()).lower()


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of checking a typed code against all of a user's code devices."""

    device: TOTPDevice | StaticDevice | None
    throttled: bool = False

    @property
    def ok(self) -> bool:
        return self.device is not None


def check_code(user: User, code: str) -> CodeCheck:
    """Check an authenticator code or a recovery code (a used recovery code is gone); a device that has
    failed recently is not asked (django-otp's throttling: 1 s, 2 s, 4 s… after successive failures)."""
    token = normalise_code(code)
    throttled = False
    devices: list[TOTPDevice | StaticDevice] = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        if isinstance(device, TOTPDevice) and not token.isdigit():
            continue
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if device.verify_token(token):
            return CodeCheck(device)
    return CodeCheck(None, throttled=throttled)


def next_code(device: TOTPDevice) -> str:
    """The code the device accepts next: the current one, or the next step's if the current one was used
    (it accepts one step either side). For the demo's `demo_code` command and the tests, not for sign-in."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step * (device.last_t + 1 - totp.t())
    return str(totp.token()).zfill(device.digits)


def qr_code_svg(device: TOTPDevice) -> str:
    """The enrolment QR code as inline SVG (made here: no outside service sees the secret)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return str(svg).replace(
        "<svg ", '<svg role="img" aria-label="QR code to scan with your authenticator app" ', 1
    )


def secret_as_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for people who type it instead of scanning."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


# --- Passkeys (WebAuthn) ---


def relying_party_id(request: HttpRequest) -> str:
    """The host name passkeys are bound to: WEBAUTHN_RP_ID, else the host of the request."""
    return settings.WEBAUTHN_RP_ID or request.get_host().rsplit(":", 1)[0]


def expected_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id)) for key in user.passkeys.all()
    ]


def registration_options(request: HttpRequest, user: User) -> dict[str, Any]:
    """Options for `navigator.credentials.create`; the challenge is kept in the session."""
    options = generate_registration_options(
        rp_id=relying_party_id(request),
        rp_name=settings.COMMONWEAL_SERVICE_NAME,
        user_id=str(user.pk).encode("ascii"),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    request.session[PASSKEY_CHALLENGE] = bytes_to_base64url(options.challenge)
    return dict(json.loads(options_to_json(options)))


def authentication_options(request: HttpRequest, user: User) -> dict[str, Any]:
    """Options for `navigator.credentials.get` with the user's passkeys; the challenge is kept."""
    options = generate_authentication_options(
        rp_id=relying_party_id(request),
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    request.session[PASSKEY_CHALLENGE] = bytes_to_base64url(options.challenge)
    return dict(json.loads(options_to_json(options)))


def _challenge(request: HttpRequest) -> bytes:
    challenge = request.session.pop(PASSKEY_CHALLENGE, None)
    if not isinstance(challenge, str):
        raise PasskeyError("The passkey request ran out of time. Try again.")
    return base64url_to_bytes(challenge)


def verify_new_passkey(request: HttpRequest, response: str) -> tuple[str, bytes, int]:
    """Check a registration response; return the credential id (base64url), public key and counter."""
    try:
        verified = verify_registration_response(
            credential=response,
            expected_challenge=_challenge(request),
            expected_rp_id=relying_party_id(request),
            expected_origin=expected_origin(request),
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        if isinstance(error, PasskeyError):
            raise
        raise PasskeyError("Your passkey could not be added. Try again, or use another device.") from error
    return bytes_to_base64url(verified.credential_id), verified.credential_public_key, verified.sign_count


def verify_passkey(request: HttpRequest, user: User, response: str) -> Passkey:
    """Check a sign-in response against the user's passkeys; return the one used (counter updated)."""
    try:
        credential_id = json.loads(response)["id"]
    except (ValueError, KeyError, TypeError) as error:
        raise PasskeyError("Your passkey's answer could not be read. Try again.") from error
    passkey = user.passkeys.filter(credential_id=credential_id).first()
    challenge = _challenge(request)
    if passkey is None:
        raise PasskeyError("That passkey is not one of yours. Use another, or a code.")
    try:
        verified = verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=relying_party_id(request),
            expected_origin=expected_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyError("Your passkey could not be checked. Try again, or use a code.") from error
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = timezone.now()
    passkey.save(update_fields=["sign_count", "last_used_at"])
    return passkey
