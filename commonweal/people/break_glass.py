"""Whether a break-glass reason says something (pure: no Django).

A reason is read by the person and by the administrator who reviews the opening, so it must explain:
long enough, several real words, not one character or word repeated, and not the text given last time
(a reason copied from one opening to the next explains neither).
"""

from __future__ import annotations

import re

MINIMUM_LENGTH = 20
MINIMUM_WORDS = 4


def _words(text: str) -> list[str]:
    return [word.casefold() for word in re.findall(r"[^\W\d_]{2,}", text)]


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def reason_problem(reason: str, previous: str | None = None) -> str | None:
    """Return why the reason does not do, in words to show beside it, or None when it does."""
    text = reason.strip()
    if len(text) < MINIMUM_LENGTH:
        return f"Give a fuller reason (at least {MINIMUM_LENGTH} characters), so it can be reviewed"
    words = _words(text)
    compact = re.sub(r"\s", "", text)
    if len(set(compact.casefold())) < 5 or len(set(words)) < MINIMUM_WORDS:
        return (
            f"Say in words why you need this record (at least {MINIMUM_WORDS} different words), "
            "so the person and the reviewer can understand it"
        )
    if previous is not None and _normal(previous) == _normal(text):
        return "This is the same reason you gave last time. Say why you need this record"
    return None
