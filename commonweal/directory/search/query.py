"""Reading what a person typed into the one search box (pure: no Django).

"lonely, like gardening, near M33 7AA, free" becomes the words "lonely, like gardening", the postcode
M33 7AA and the filter "free"; "tai chi on tuesday evening" becomes "tai chi" open on Tuesday evening.
Whatever is taken out of the text is shown back to the person as a filter they can remove.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_POSTCODE = re.compile(
    r"\b(?:(?:near|nr|around|in|at|close to)\s+)?([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\b", re.IGNORECASE
)
_FREE = re.compile(r"\b(?:for\s+)?(?:free(?:\s+of\s+charge)?|no\s+cost|costs?\s+nothing)\b", re.IGNORECASE)
_LOW_COST = re.compile(r"\b(?:low[\s-]cost|cheap|affordable|inexpensive)\b", re.IGNORECASE)
_NEAR_HOME = re.compile(r"\b(?:near|close to)\s+(?:me|my\s+home|home|where\s+i\s+live)\b", re.IGNORECASE)
_WEEKDAYS = {
    "monday": "MO",
    "mon": "MO",
    "mondays": "MO",
    "tuesday": "TU",
    "tue": "TU",
    "tues": "TU",
    "tuesdays": "TU",
    "wednesday": "WE",
    "wed": "WE",
    "wednesdays": "WE",
    "thursday": "TH",
    "thu": "TH",
    "thurs": "TH",
    "thursdays": "TH",
    "friday": "FR",
    "fri": "FR",
    "fridays": "FR",
    "saturday": "SA",
    "sat": "SA",
    "saturdays": "SA",
    "sunday": "SU",
    "sun": "SU",
    "sundays": "SU",
}
_DAY_NAMES = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
_DAY = re.compile(r"\b(?:on\s+)?(" + _DAY_NAMES + r")\b", re.IGNORECASE)
_PART = re.compile(r"\b(?:in\s+the\s+|on\s+a\s+)?(morning|afternoon|evening)s?\b", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedQuery:
    """What the search box said: the remaining words and any filters recognised in them."""

    text: str
    postcode: str = ""
    near_home: bool = False
    free: bool = False
    low_cost: bool = False
    day: str = ""
    part_of_day: str = ""
    recognised: tuple[str, ...] = field(default_factory=tuple)


def _tidy(text: str) -> str:
    text = re.sub(r"\s*,\s*(,\s*)+", ", ", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip(" ,.;")


def parse_query(raw: str) -> ParsedQuery:
    """Split a resident's search into words and the filters it names (postcode, free, day, time)."""
    text = raw or ""
    recognised: list[str] = []
    postcode = ""
    match = _POSTCODE.search(text)
    if match:
        compact = re.sub(r"\s+", "", match.group(1)).upper()
        postcode = f"{compact[:-3]} {compact[-3:]}"
        recognised.append(f"near {postcode}")
        text = text[: match.start()] + " " + text[match.end() :]
    near_home = False
    if _NEAR_HOME.search(text):
        near_home = True
        recognised.append("near your home")
        text = _NEAR_HOME.sub(" ", text)
    free = bool(_FREE.search(text))
    if free:
        recognised.append("free")
        text = _FREE.sub(" ", text)
    low_cost = bool(_LOW_COST.search(text))
    if low_cost:
        recognised.append("low cost")
        text = _LOW_COST.sub(" ", text)
    day = ""
    day_match = _DAY.search(text)
    if day_match:
        day = _WEEKDAYS[day_match.group(1).lower()]
        recognised.append(f"open on {day_match.group(1).capitalize()}")
        text = text[: day_match.start()] + " " + text[day_match.end() :]
    part = ""
    part_match = _PART.search(text)
    if part_match:
        part = part_match.group(1).lower()
        recognised.append(f"in the {part}")
        text = text[: part_match.start()] + " " + text[part_match.end() :]
    return ParsedQuery(
        text=_tidy(text),
        postcode=postcode,
        near_home=near_home,
        free=free,
        low_cost=low_cost,
        day=day,
        part_of_day=part,
        recognised=tuple(recognised),
    )
