"""NHS number validation (pure: no Django).

An NHS number is ten digits; the tenth is a modulus-11 check digit over the first nine with weights
10 down to 2 (NHS Data Dictionary, "NHS Number"). A remainder giving check digit 10 is never issued.
"""

from __future__ import annotations

import re


class InvalidNhsNumberError(ValueError):
    """The text is not a valid NHS number; the message says why."""


def normalise_nhs_number(text: str) -> str:
    """Return the ten digits of a valid NHS number, or raise InvalidNhsNumberError."""
    digits = re.sub(r"[\s-]", "", text or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise InvalidNhsNumberError("An NHS number is 10 digits, for example 943 476 5919.")
    if check_digit(digits[:9]) != int(digits[9]):
        raise InvalidNhsNumberError("This is not a valid NHS number: its check digit does not match.")
    return digits


def check_digit(first_nine: str) -> int | None:
    """Return the check digit for nine digits, or None when no valid number starts with them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return None if check == 10 else check


def format_nhs_number(digits: str) -> str:
    """Return an NHS number in its displayed form, 3-3-4 (e.g. 943 476 5919)."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
