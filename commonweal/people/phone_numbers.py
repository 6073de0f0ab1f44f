"""UK phone numbers: read as typed, stored in one form (pure: no Django).

Accepted: national numbers (0 and 9 or 10 more digits) and international ones for the UK (+44 or 0044,
with or without the 0 in brackets), with spaces, hyphens, dots and brackets anywhere; digits of any
script are read as the digits they are. Letters and anything else are refused. Stored in the usual
spaced national form, e.g. 0161 496 0000, 020 7946 0000, 07700 900456, so one number is one text.
"""

from __future__ import annotations

import re

from commonweal.people.nhs_number import ascii_digits


class InvalidPhoneNumberError(ValueError):
    """The text is not a UK phone number; the message says why."""


_PUNCTUATION = re.compile(r"[().]")


def normalise_phone_number(text: str) -> str:
    """Return the UK phone number in its spaced national form, or raise InvalidPhoneNumberError."""
    compact = _PUNCTUATION.sub("", ascii_digits(text or ""))
    compact = compact.replace("+44(0)", "+44").replace("+440", "+44")
    if compact.startswith("+44"):
        compact = "0" + compact[3:]
    elif compact.startswith("0044"):
        compact = "0" + compact[4:].removeprefix("0")
    if not re.fullmatch(r"[0-9+]*", compact, flags=re.ASCII):
        raise InvalidPhoneNumberError(
            "Enter a phone number using numbers only, like 01632 960 001 or 07700 900 982"
        )
    if compact.startswith("+"):
        raise InvalidPhoneNumberError("Enter a UK phone number, starting 0 or +44")
    if not re.fullmatch(r"0[1-9][0-9]{8,9}", compact, flags=re.ASCII):
        raise InvalidPhoneNumberError(
            "Enter a UK phone number with 10 or 11 digits, like 01632 960 001 or 07700 900 982"
        )
    return spaced(compact)


def spaced(digits: str) -> str:
    """Return national digits grouped as they are usually written."""
    if len(digits) == 10:
        return f"{digits[:5]} {digits[5:]}"
    if digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits.startswith(("011", "03", "08", "09")) or digits[:4] in {f"01{n}1" for n in range(10)}:
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"
