"""Rank volunteers for one buddy request, with the reasons for each score shown.

The documented rules (decision record 1400):

Excluded (shown with the reason, never ranked):
- the person asked for a volunteer of a given sex and the volunteer is not;
- the volunteer is farther than the request's maximum distance;
- the volunteer already supports as many people as they offered to (capacity).

Scored, highest first:
- each of the request's needs met by one of the volunteer's skills: 3 points;
- each interest they share: 2 points;
- the volunteer speaks the person's language: 4 points (English speakers share English);
- each time of the week both are free: 1 point;
- nearness: 5 points less half a point a kilometre (great-circle distance), never below 0.

Ties go to the volunteer supporting fewer people now (fair allocation: not always the same volunteer),
then to the lower volunteer id, so a ranking is reproducible. Scores are rounded to 2 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)
NEED_POINTS = 3.0
INTEREST_POINTS = 2.0
LANGUAGE_POINTS = 4.0
TIME_POINTS = 1.0
NEARNESS_POINTS = 5.0
NEARNESS_LOSS_PER_KM = 0.5


@dataclass(frozen=True)
class Request:
    """What the link worker asked for, in plain data."""

    needs: frozenset[str]
    interests: frozenset[str]
    language: str
    times: frozenset[str]
    latitude: float | None
    longitude: float | None
    preferred_sex: str = ""  # "" for no preference
    max_distance_km: float = 10.0


@dataclass(frozen=True)
class Candidate:
    """One volunteer who could be matched, in plain data."""

    volunteer_id: int
    name: str
    sex: str
    skills: frozenset[str]
    interests: frozenset[str]
    languages: frozenset[str]
    times: frozenset[str]
    latitude: float | None
    longitude: float | None
    current_matches: int = 0
    capacity: int = 1


@dataclass(frozen=True)
class Ranked:
    """A candidate's place: score, distance and the reasons behind the score."""

    volunteer_id: int
    name: str
    score: float
    distance_km: float | None
    reasons: tuple[str, ...]
    current_matches: int
    rank: int = 0


@dataclass(frozen=True)
class Excluded:
    """A candidate left out, and why."""

    volunteer_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class Ranking:
    """The ranked candidates, best first, and those left out."""

    ranked: list[Ranked] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


def _fold(words: Iterable[str]) -> frozenset[str]:
    return frozenset(word.strip().casefold() for word in words if word.strip())


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle (haversine) distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True)
class _Folded:
    """The request's words folded once (case-insensitive), not once per candidate."""

    needs: frozenset[str]
    interests: frozenset[str]
    language: str


def _points_and_reasons(
    request: Request, folded: _Folded, candidate: Candidate, distance: float | None, explain: bool = True
) -> tuple[float, list[str]]:
    score = 0.0
    reasons: list[str] = []
    needs = sorted(folded.needs & _fold(candidate.skills))
    if needs:
        points = NEED_POINTS * len(needs)
        score += points
        if explain:
            reasons.append(f"Can help with {', '.join(needs)} (+{points:g})")
    interests = sorted(folded.interests & _fold(candidate.interests))
    if interests:
        points = INTEREST_POINTS * len(interests)
        score += points
        if explain:
            reasons.append(f"Shares an interest in {', '.join(interests)} (+{points:g})")
    if folded.language in _fold(candidate.languages):
        score += LANGUAGE_POINTS
        if explain:
            reasons.append(f"Speaks {request.language.strip()} (+{LANGUAGE_POINTS:g})")
    times = sorted(request.times & candidate.times)
    if times:
        points = TIME_POINTS * len(times)
        score += points
        if explain:
            reasons.append(
                f"Free at the same times: {', '.join(t.replace('_', ' ') for t in times)} (+{points:g})"
            )
    if distance is not None:
        points = max(0.0, NEARNESS_POINTS - NEARNESS_LOSS_PER_KM * distance)
        score += points
        if explain:
            reasons.append(f"{distance:.1f} km away (+{points:.2f})")
    return round(score, 2), reasons


def rank(request: Request, candidates: Iterable[Candidate], limit: int | None = None) -> Ranking:
    """Rank the candidates for a request by the documented rules; return them best first (the first
    `limit` of them when given), with every candidate left out and why."""
    scored: list[tuple[float, Candidate, float | None]] = []
    excluded: list[Excluded] = []
    folded = _Folded(_fold(request.needs), _fold(request.interests), request.language.strip().casefold())
    for candidate in candidates:
        if request.preferred_sex and candidate.sex != request.preferred_sex:
            excluded.append(
                Excluded(
                    candidate.volunteer_id,
                    candidate.name,
                    f"The person asked for a {request.preferred_sex} volunteer.",
                )
            )
            continue
        if candidate.current_matches >= candidate.capacity:
            excluded.append(
                Excluded(
                    candidate.volunteer_id,
                    candidate.name,
                    f"Already supports {candidate.current_matches} (offered {candidate.capacity}).",
                )
            )
            continue
        distance = None
        if None not in (request.latitude, request.longitude, candidate.latitude, candidate.longitude):
            distance = distance_km(
                request.latitude,  # type: ignore[arg-type]
                request.longitude,  # type: ignore[arg-type]
                candidate.latitude,  # type: ignore[arg-type]
                candidate.longitude,  # type: ignore[arg-type]
            )
            if distance > request.max_distance_km:
                excluded.append(
                    Excluded(
                        candidate.volunteer_id,
                        candidate.name,
                        f"{distance:.1f} km away, farther than {request.max_distance_km:g} km.",
                    )
                )
                continue
        score, _ = _points_and_reasons(request, folded, candidate, distance, explain=False)
        scored.append((score, candidate, distance))
    scored.sort(key=lambda row: (-row[0], row[1].current_matches, row[1].volunteer_id))
    # Reasons are worded only for the candidates returned (a page shows the first few of thousands).
    chosen = scored if limit is None else scored[:limit]
    ranked = []
    for place, (score, candidate, distance) in enumerate(chosen, start=1):
        _, reasons = _points_and_reasons(request, folded, candidate, distance)
        ranked.append(
            Ranked(
                candidate.volunteer_id,
                candidate.name,
                score,
                distance,
                tuple(reasons),
                candidate.current_matches,
                place,
            )
        )
    return Ranking(ranked=ranked, excluded=excluded)
