"""NHS number validation (pure: no Django).

An NHS number is ten digits; the tenth is a modulus-11 check digit over the first nine with weights
10 down to 2 (NHS Data Dictionary, "NHS Number"). A remainder giving check digit 10 is never issued,
nor is a number of one digit repeated (0000000000 passes the check but belongs to no one).

Digits from any script (full-width, Arabic-Indic, Devanagari...) are read as the digits they are and
stored as ASCII, so one number typed four ways is one number; spaces and hyphens of any kind are
ignored. Anything else (letters, superscripts, dots) is refused.
"""

from __future__ import annotations

import re
import unicodedata

# Hyphens and dashes people type or paste between the groups of digits.
_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d")


class InvalidNhsNumberError(ValueError):
    """The text is not a valid NHS number; the message says why."""


def normalise_nhs_number(text: str) -> str:
    """Return the ten digits of a valid NHS number, or raise InvalidNhsNumberError."""
    digits = ascii_digits(text or "")
    if not re.fullmatch(r"[0-9]{10}", digits, flags=re.ASCII):
        raise InvalidNhsNumberError("An NHS number is 10 digits, for example 943 476 5919.")
    if check_digit(digits[:9]) != int(digits[9]):
        raise InvalidNhsNumberError("This is not a valid NHS number: its check digit does not match.")
    if len(set(digits)) == 1:
        raise InvalidNhsNumberError("This is not a valid NHS number: no number is one digit repeated.")
    return digits


def ascii_digits(text: str) -> str:
    """Return the text with decimal digits of any script made ASCII, and spaces, hyphens and invisible
    format characters (zero-width space, direction marks) left out.

    Other characters are kept as they are, so that the caller refuses them.
    """
    kept = []
    for char in text:
        if char.isspace() or char in _SEPARATORS or unicodedata.category(char) == "Cf":
            continue
        kept.append(str(unicodedata.decimal(char)) if char.isdecimal() else char)
    return "".join(kept)


def check_digit(first_nine: str) -> int | None:
    """Return the check digit for nine digits, or None when no valid number starts with them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return None if check == 10 else check


def format_nhs_number(digits: str) -> str:
    """Return an NHS number in its displayed form, 3-3-4 (e.g. 943 476 5919)."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
