"""Weekly sessions and whether a service is open at a day and time (pure: no Django).

Schedules follow iCal as HSDS 3.0 does: `freq` WEEKLY or MONTHLY, `byday` such as "MO,TH" or "2MO"
(the second Monday) or "-1FR" (the last Friday), `opens_at` and `closes_at` times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
# Parts of the day a person might ask for, as minutes after midnight [start, end).
PARTS_OF_DAY = {"morning": (6 * 60, 12 * 60), "afternoon": (12 * 60, 17 * 60), "evening": (17 * 60, 23 * 60)}
_BYDAY_PART = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")


class ScheduleError(ValueError):
    """A schedule value that cannot be understood; the message says which and why."""


@dataclass(frozen=True)
class Session:
    """One weekly (or monthly) session: the day, and opening and closing minutes after midnight."""

    day: str
    opens: int
    closes: int
    monthly: bool = False

    def overlaps(self, start: int, end: int) -> bool:
        """Tell whether the session is running at any moment of [start, end)."""
        return self.opens < end and start < self.closes

    def describe(self) -> str:
        """Say the session in plain English ("Tuesday 18:00–20:00")."""
        when = f"{DAY_NAMES[self.day]} {_clock(self.opens)}–{_clock(self.closes)}"
        return f"{when} (some weeks)" if self.monthly else when


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def minutes_of(text: str) -> int:
    """Read "18:30", "18:30:00" or "1830" as minutes after midnight."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{1,2}):?(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?", cleaned)
    if not match:
        raise ScheduleError(f"“{text}” is not a time of day; write it like 18:30.")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 24 or minutes > 59 or (hours == 24 and minutes):
        raise ScheduleError(f"“{text}” is not a time of day; write it like 18:30.")
    return hours * 60 + minutes


def parse_byday(byday: str) -> list[tuple[str, bool]]:
    """Return (day, is-an-occurrence-in-the-month) for each part of an iCal BYDAY value."""
    found = []
    for part in (piece.strip().upper() for piece in byday.split(",")):
        if not part:
            continue
        match = _BYDAY_PART.fullmatch(part)
        if not match:
            raise ScheduleError(f"“{part}” is not an iCal day such as MO, TH or 2MO.")
        found.append((match.group(2), match.group(1) is not None))
    return found


def sessions_from(freq: str, byday: str, opens_at: str, closes_at: str) -> list[Session]:
    """Turn one schedule row into sessions; a row without days or times gives none."""
    if not byday or not opens_at or not closes_at or freq.upper() not in {"WEEKLY", "MONTHLY", ""}:
        return []
    opens, closes = minutes_of(opens_at), minutes_of(closes_at)
    if closes <= opens:
        closes = 24 * 60  # runs past midnight: treat it as open until the end of the day
    return [
        Session(day, opens, closes, monthly=freq.upper() == "MONTHLY" or in_month)
        for day, in_month in parse_byday(byday)
    ]


def pack(sessions: list[Session]) -> str:
    """Write sessions compactly for the search document ("TU 1080 1200 w;…")."""
    return ";".join(f"{s.day} {s.opens} {s.closes} {'m' if s.monthly else 'w'}" for s in sessions)


def unpack(packed: str) -> list[Session]:
    """Read sessions written by `pack`."""
    found = []
    for part in packed.split(";"):
        if part:
            day, opens, closes, kind = part.split(" ")
            found.append(Session(day, int(opens), int(closes), kind == "m"))
    return found


def open_during(sessions: list[Session], day: str, start: int, end: int) -> Session | None:
    """Return the first session on `day` that runs at some moment of [start, end), or None."""
    for session in sessions:
        if session.day == day and session.overlaps(start, end):
            return session
    return None
