"""UK postcode normalisation (pure: no Django).

People type postcodes in every shape ("m33 7aa", "M337AA", " M33  7AA "); we store and compare one
form: upper case, a single space before the three-character inward code.
"""

from __future__ import annotations

import re

# Outward code: area (1–2 letters), district (digit, then optional digit or letter); inward code:
# sector digit and two unit letters. This is the shape the Royal Mail's PAF uses; GIR 0AA is the one
# historical exception.
_POSTCODE_SHAPE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")


class MalformedPostcodeError(ValueError):
    """The text is not shaped like a UK postcode."""

    def __init__(self, text: str) -> None:
        self.text = text
        shown = text.strip() or "an empty value"
        super().__init__(
            f"“{shown}” is not a valid UK postcode. A postcode looks like M33 7AA: "
            "letters and numbers, then a space, then a number and two letters."
        )


def normalise_postcode(text: str) -> str:
    """Return the postcode in its standard form ("M33 7AA"), or raise MalformedPostcodeError."""
    compact = re.sub(r"\s+", "", text or "").upper()
    if not _POSTCODE_SHAPE.fullmatch(compact):
        raise MalformedPostcodeError(text)
    return f"{compact[:-3]} {compact[-3:]}"
