"""Suggest directory services for a person, each with plain reasons (pure: no Django).

A service is suggested when it matches something the person said matters to them or interests them
(or, if they have said nothing yet, on the other facts alone). It then gains or loses points for being
near home, meeting their accessibility needs, being offered in their language, running when they are
free and having room. A service that is not taking referrals, or whose age range leaves them out, is
never suggested. Every point comes with the sentence that explains it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from commonweal.directory.search.geo import Point, distance_km
from commonweal.directory.search.text import tokens

# When a person is free, as (days, start minute, end minute) windows.
FREE_TIME_WINDOWS: dict[str, tuple[frozenset[str], int, int]] = {
    "weekday_morning": (frozenset({"MO", "TU", "WE", "TH", "FR"}), 6 * 60, 12 * 60),
    "weekday_afternoon": (frozenset({"MO", "TU", "WE", "TH", "FR"}), 12 * 60, 17 * 60),
    "weekday_evening": (frozenset({"MO", "TU", "WE", "TH", "FR"}), 17 * 60, 23 * 60),
    "weekend": (frozenset({"SA", "SU"}), 0, 24 * 60),
}
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
NEAR_KM = 1.5
REACHABLE_KM = 5.0


@dataclass(frozen=True)
class PersonProfile:
    """What we know about a person that helps choose a service."""

    interests: tuple[str, ...] = ()
    what_matters: str = ""
    needs: tuple[str, ...] = ()
    accessibility_needs: frozenset[str] = frozenset()
    accessibility_labels: dict[str, str] = field(default_factory=dict)
    language: str = "English"
    needs_interpreter: bool = False
    free_times: frozenset[str] = frozenset()
    home: Point | None = None
    age: int | None = None


@dataclass(frozen=True)
class Session:
    """A weekly session of a service: day (iCal two letters) and opening minutes after midnight."""

    day: str
    opens: int
    closes: int


@dataclass(frozen=True)
class ServiceFacts:
    """What the directory says about a service, as the suggester needs it."""

    service_id: int
    name: str
    text: str
    accessibility: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    sessions: tuple[Session, ...] = ()
    locations: tuple[Point, ...] = ()
    accepting: str = "yes"
    waiting_band_label: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """A suggested service, how well it fits, and why (and what to check)."""

    service_id: int
    name: str
    score: int
    reasons: tuple[str, ...]
    cautions: tuple[str, ...]
    distance_km: float | None


def _person_words(profile: PersonProfile) -> dict[str, str]:
    """Map each search token to the phrase the person used, interests first."""
    found: dict[str, str] = {}
    for phrase in (*profile.interests, *profile.needs):
        for token in tokens(phrase):
            found.setdefault(token, phrase)
    for word in profile.what_matters.split():
        for token in tokens(word):
            found.setdefault(token, word.strip(".,;:!?\"'()").lower())
    return found


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _free_session(profile: PersonProfile, sessions: tuple[Session, ...]) -> Session | None:
    for session in sessions:
        for key in sorted(profile.free_times):
            days, start, end = FREE_TIME_WINDOWS[key]
            if session.day in days and session.opens < end and start < session.closes:
                return session
    return None


def suggest(profile: PersonProfile, services: list[ServiceFacts], limit: int = 10) -> list[Suggestion]:
    """Return up to `limit` services for a person, best first, each with its reasons and cautions."""
    wanted = _person_words(profile)
    suggestions = []
    for service in services:
        if service.accepting == "no":
            continue
        if profile.age is not None and (
            (service.minimum_age is not None and profile.age < service.minimum_age)
            or (service.maximum_age is not None and profile.age > service.maximum_age)
        ):
            continue
        score = 0
        reasons: list[str] = []
        cautions: list[str] = []
        service_tokens = set(tokens(service.text))
        matched = [phrase for token, phrase in wanted.items() if token in service_tokens]
        matched = list(dict.fromkeys(matched))
        if wanted and not matched:
            continue
        if matched:
            score += 3 * min(len(matched), 3)
            reasons.append(f"Matches what they told us: {', '.join(matched[:3])}")
        nearest: float | None = None
        if profile.home is not None and service.locations:
            nearest = min(distance_km(profile.home, location) for location in service.locations)
            if nearest <= NEAR_KM:
                score += 3
                reasons.append(f"Close to home ({nearest:.1f} km)")
            elif nearest <= REACHABLE_KM:
                score += 1
                reasons.append(f"{nearest:.1f} km from home")
            else:
                score -= 1
                cautions.append(f"{nearest:.1f} km from home: check how they would get there")
        if profile.accessibility_needs:
            met = profile.accessibility_needs & service.accessibility
            missing = profile.accessibility_needs - service.accessibility
            labels = profile.accessibility_labels
            if met:
                score += 2 * len(met)
                reasons.append("Has " + ", ".join(labels.get(need, need).lower() for need in sorted(met)))
            if missing:
                score -= 2 * len(missing)
                cautions.append(
                    "Check for " + ", ".join(labels.get(need, need).lower() for need in sorted(missing))
                )
        if profile.language and profile.language.lower() != "english":
            if profile.language.lower() in {language.lower() for language in service.languages}:
                score += 3
                reasons.append(f"Offered in {profile.language}")
            elif profile.needs_interpreter:
                score -= 2
                cautions.append(f"Not offered in {profile.language}: an interpreter will be needed")
        if profile.free_times and service.sessions:
            session = _free_session(profile, service.sessions)
            if session is not None:
                score += 2
                reasons.append(f"Runs when they are free ({DAY_NAMES[session.day]} {_clock(session.opens)})")
            else:
                score -= 2
                cautions.append("Runs only at times they said they are not free")
        if service.accepting == "waiting_list":
            score -= 1
            cautions.append(f"Waiting list: {service.waiting_band_label.lower() or 'length unknown'}")
        else:
            score += 1
            reasons.append("Taking referrals now")
        suggestions.append(
            Suggestion(service.service_id, service.name, score, tuple(reasons), tuple(cautions), nearest)
        )
    suggestions.sort(
        key=lambda item: (-item.score, item.distance_km if item.distance_km is not None else 1e9, item.name)
    )
    return suggestions[:limit]
