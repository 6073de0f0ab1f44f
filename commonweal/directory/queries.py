"""Reusable reads: directory search, places to search from, stale entries and pending suggestions."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.directory.models import (
    SearchDocument,
    SearchIndexState,
    SearchVocabulary,
    Service,
    Suggestion,
    TaxonomyTerm,
)
from commonweal.directory.search.geo import Point, bounding_box
from commonweal.directory.search.ranking import (
    Concept,
    DocumentFacts,
    Filters,
    Ranked,
    TermInfo,
    Vocabulary,
    rank,
)
from commonweal.directory.search.schedule import PARTS_OF_DAY, unpack
from commonweal.places.gazetteer import find_named_place, suggest_places
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.places.queries import point_of

CANDIDATE_LIMIT = 400
PER_TOKEN_LIMIT = 400
PLACE_LIMIT = 3000
INTERSECT_LIMIT = 5000
POSTING_TABLE = "directory_searchposting"
DOCUMENT_TABLE = "directory_searchdocument"
DEFAULT_STALE_AFTER_DAYS = 365


@dataclass(frozen=True)
class SearchRequest:
    """A directory search: free text and every filter."""

    text: str = ""
    term_ids: frozenset[int] = frozenset()
    centre: Point | None = None
    centre_label: str = ""
    radius_km: float | None = None
    day: str = ""
    window: tuple[int, int] | None = None
    part_of_day: str = ""
    free_only: bool = False
    max_cost: Decimal | None = None
    accepting_only: bool = False
    languages: frozenset[str] = frozenset()
    accessibility: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SearchResults:
    """Ranked results (best first), how many matched, and how the text was read."""

    results: list[Ranked]
    total: int
    concepts: list[Concept] = field(default_factory=list)
    truncated: bool = False


_cache_lock = threading.Lock()
_cache: dict[str, Any] = {"version": None, "vocabulary": None}


def index_version() -> int:
    """Return the search index's change counter."""
    found = SearchIndexState.objects.filter(pk=1).values_list("version", flat=True).first()
    return int(found or 0)


def vocabulary() -> Vocabulary:
    """Return the synonyms and indexed words, reloaded only when the index has changed."""
    version = index_version()
    with _cache_lock:
        if _cache["version"] != version or _cache["vocabulary"] is None:
            terms = [
                TermInfo(term_id, name, parent_id, tuple(synonyms or ()))
                for term_id, name, parent_id, synonyms in TaxonomyTerm.objects.values_list(
                    "pk", "name", "parent_id", "synonyms"
                )
            ]
            words = SearchVocabulary.objects.values_list("token", flat=True)
            _cache["vocabulary"] = Vocabulary(terms, words)
            _cache["version"] = version
        found: Vocabulary = _cache["vocabulary"]
        return found


def _facet_groups(request: SearchRequest, words: Vocabulary) -> list[list[str]]:
    groups: list[list[str]] = []
    if request.term_ids:
        groups.append([f"t:{term_id}" for term_id in sorted(words.with_descendants(request.term_ids))])
    if request.free_only:
        groups.append(["f:free"])
    if request.accepting_only:
        groups.append(["f:referrals"])
    groups.extend([f"l:{language}"] for language in sorted(request.languages))
    groups.extend([f"a:{feature}"] for feature in sorted(request.accessibility))
    if request.day:
        groups.append(
            [f"o:{request.day}:{request.part_of_day}" if request.part_of_day else f"o:{request.day}"]
        )
    return groups


def _exists(tokens: list[str], key: str) -> str:
    marks = ", ".join(["%s"] * len(tokens))
    # Only constant table names and placeholders are formatted in; values go as parameters.
    return f"EXISTS (SELECT 1 FROM {POSTING_TABLE} f WHERE f.token IN ({marks}) AND f.service_id = {key})"  # noqa: S608


def _ids(sql: str, parameters: list[Any]) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return [row[0] for row in cursor.fetchall()]


def _concept_tokens(concept: Concept) -> list[str]:
    return sorted({token[:60] for token in concept.tokens} | {f"t:{term_id}" for term_id in concept.term_ids})


def _candidates(request: SearchRequest, concepts: list[Concept], words: Vocabulary) -> tuple[list[int], bool]:
    """Return candidate service ids from the index (SQL), and whether a limit cut them short.

    With a place, the bounding box drives: its documents are range-scanned on the (latitude,
    longitude) index and each facet, and "matches some word", is an indexed EXISTS. Without one,
    text drives: each concept's tokens are read from the (token, service) index, strongest postings
    (names and terms) first and capped, services matching every concept first of all. Ranking then
    reads only these candidates.
    """
    groups = _facet_groups(request, words)
    concept_tokens = [tokens for tokens in (_concept_tokens(concept) for concept in concepts) if tokens]
    every_token = sorted({token for tokens in concept_tokens for token in tokens})
    if request.centre is not None and request.radius_km is not None:
        box = bounding_box(request.centre, request.radius_km)
        where = ["d.latitude BETWEEN %s AND %s", "d.longitude BETWEEN %s AND %s"]
        parameters: list[Any] = [box.south, box.north, box.west, box.east]
        for group in [*groups, *([every_token] if every_token else [])]:
            where.append(_exists(group, "d.service_id"))
            parameters.extend(group)
        sql = (
            f"SELECT d.service_id FROM {DOCUMENT_TABLE} d WHERE {' AND '.join(where)} LIMIT {PLACE_LIMIT + 1}"  # noqa: S608
        )
        ids = _ids(sql, parameters)
        return ids[:PLACE_LIMIT], len(ids) > PLACE_LIMIT
    if not concept_tokens:
        where, parameters = [], []
        for group in groups:
            where.append(_exists(group, "d.service_id"))
            parameters.extend(group)
        condition = " AND ".join(where) or "1 = 1"
        sql = f"SELECT d.service_id FROM {DOCUMENT_TABLE} d WHERE {condition} LIMIT {CANDIDATE_LIMIT + 1}"  # noqa: S608
        ids = _ids(sql, parameters)
        return ids[:CANDIDATE_LIMIT], len(ids) > CANDIDATE_LIMIT
    found: dict[int, None] = {}
    truncated = False

    def collect(driving: list[str], extra_groups: list[list[str]], strength: str) -> None:
        nonlocal truncated
        marks = ", ".join(["%s"] * len(driving))
        where = [f"p.token IN ({marks})", strength]
        parameters: list[Any] = list(driving)
        for group in extra_groups:
            where.append(_exists(group, "p.service_id"))
            parameters.extend(group)
        condition = " AND ".join(where)
        sql = f"SELECT p.service_id FROM {POSTING_TABLE} p WHERE {condition} LIMIT {PER_TOKEN_LIMIT + 1}"  # noqa: S608
        ids = _ids(sql, parameters)
        truncated = truncated or len(ids) > PER_TOKEN_LIMIT
        for service_id in ids[:PER_TOKEN_LIMIT]:
            found.setdefault(service_id)

    if len(concept_tokens) > 1:
        # Services that match every concept are the best; find them first, intersecting capped index
        # reads in Python (an EXISTS per row can scan every posting of a common word when few match all).
        sets = []
        for tokens in concept_tokens:
            marks = ", ".join(["%s"] * len(tokens))
            limit = INTERSECT_LIMIT
            sql = f"SELECT p.service_id FROM {POSTING_TABLE} p WHERE p.token IN ({marks}) LIMIT {limit}"  # noqa: S608
            sets.append(set(_ids(sql, tokens)))
        for service_id in sorted(set.intersection(*sets))[:PER_TOKEN_LIMIT]:
            found.setdefault(service_id)
    for strength in ("p.weight >= 2", "p.weight < 2"):
        for tokens in concept_tokens:
            if len(found) >= CANDIDATE_LIMIT:
                break
            collect(tokens, groups, strength)
    return list(found)[:CANDIDATE_LIMIT], truncated or len(found) > CANDIDATE_LIMIT


def _facts(service_ids: list[int]) -> list[DocumentFacts]:
    rows = SearchDocument.objects.filter(service_id__in=service_ids).values_list(
        "service_id",
        "name",
        "name_tokens",
        "text_tokens",
        "terms",
        "latitude",
        "longitude",
        "sessions",
        "is_free",
        "lowest_cost",
        "accepting",
        "languages",
        "accessibility",
    )
    return [
        DocumentFacts(
            service_id=row[0],
            name=row[1],
            name_tokens=frozenset(row[2].split()),
            text_tokens=frozenset(row[3].split()),
            term_ids=frozenset(int(term) for term in row[4].split()),
            point=Point(row[5], row[6]) if row[5] is not None and row[6] is not None else None,
            sessions=tuple(unpack(row[7])),
            is_free=row[8],
            lowest_cost=row[9],
            accepting=row[10],
            languages=frozenset(row[11].split()),
            accessibility=frozenset(row[12].split()),
        )
        for row in rows
    ]


def search_services(request: SearchRequest) -> SearchResults:
    """Search the directory: candidates from the index, then ranked and explained in Python."""
    words = vocabulary()
    concepts = words.concepts(request.text) if request.text.strip() else []
    ids, truncated = _candidates(request, concepts, words)
    window = request.window or (PARTS_OF_DAY.get(request.part_of_day) if request.part_of_day else None)
    filters = Filters(
        term_ids=request.term_ids,
        centre=request.centre,
        centre_label=request.centre_label,
        radius_km=request.radius_km,
        day=request.day,
        window=window,
        free_only=request.free_only,
        max_cost=request.max_cost,
        accepting_only=request.accepting_only,
        languages=request.languages,
        accessibility=request.accessibility,
    )
    ranked = rank(_facts(ids), concepts, filters, words)
    return SearchResults(results=ranked, total=len(ranked), concepts=concepts, truncated=truncated)


class PlaceNotFoundError(LookupError):
    """A place to search from that we cannot find; the message says what to try instead."""

    def __init__(self, message: str, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.suggestions = tuple(suggestions)


def find_place(text: str) -> tuple[Point, str]:
    """Return the point and label of a postcode, or of a place by name (an area, a town, ward or
    neighbourhood, an outward code such as M33); a near miss is told the names it may have meant."""
    cleaned = " ".join(text.split())
    try:
        postcode = normalise_postcode(cleaned)
    except MalformedPostcodeError:
        postcode = ""
    if postcode:
        point = point_of(postcode)
        if point is None:
            raise PlaceNotFoundError(
                f"We could not find {postcode}. Check the postcode, or type the name of a place instead."
            )
        return Point(point.latitude, point.longitude), postcode
    named = find_named_place(cleaned)
    if named is not None:
        return Point(named.latitude, named.longitude), named.label
    suggestions = suggest_places(cleaned)
    if suggestions:
        raise PlaceNotFoundError(
            f"We could not find a place called “{cleaned}”. Did you mean {_either(suggestions)}?",
            suggestions,
        )
    raise PlaceNotFoundError(
        f"We could not find a place called “{cleaned}”. Try a postcode such as M33 7AA, "
        "or the name of a town, neighbourhood or ward, such as Sale."
    )


def _either(names: Sequence[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def home_of(user: User | AnonymousUser) -> tuple[Point, str] | None:
    """Return the signed-in resident's home postcode as a place to search from, if we know it."""
    if not user.is_authenticated:
        return None
    postcode = User.objects.filter(pk=user.pk).values_list("person__postcode", flat=True).first()
    if not postcode:
        return None
    try:
        point, _ = find_place(postcode)
    except PlaceNotFoundError:
        return None
    return point, "your home"


def stale_after() -> datetime.timedelta:
    """Return how long an entry may go unchecked before it is stale (DIRECTORY_STALE_AFTER_DAYS)."""
    return datetime.timedelta(days=getattr(settings, "DIRECTORY_STALE_AFTER_DAYS", DEFAULT_STALE_AFTER_DAYS))


def is_stale(service: Service, now: datetime.datetime | None = None) -> bool:
    """Tell whether an entry has gone unchecked for longer than the stale period."""
    checked = service.last_checked_at or service.created_at
    return (now or timezone.now()) - checked > stale_after()


def stale_services(now: datetime.datetime | None = None) -> QuerySet[Service]:
    """Return active entries not checked within the stale period."""
    cutoff = (now or timezone.now()) - stale_after()
    return Service.objects.filter(status=Service.Status.ACTIVE).filter(
        Q(last_checked_at__lt=cutoff) | Q(last_checked_at__isnull=True, created_at__lt=cutoff)
    )


def low_cost_limit() -> Decimal:
    """Return the most a session may cost for a search that asks for low-cost things (in pounds)."""
    return Decimal(settings.DIRECTORY_LOW_COST_POUNDS)


def default_radius_km() -> float:
    """Return how far around a place a search looks when the person chose no distance."""
    return float(settings.DIRECTORY_SEARCH_RADIUS_KM)


def pending_claim_exists(service: Service, organisation_id: int) -> bool:
    """Tell whether the organisation has already asked to look after this entry, and is waiting."""
    return Suggestion.objects.filter(
        kind=Suggestion.Kind.CLAIM,
        service=service,
        claiming_organisation_id=organisation_id,
        state=Suggestion.State.PENDING,
    ).exists()


def pending_suggestions() -> QuerySet[Suggestion]:
    """Return suggestions waiting for a steward, oldest first."""
    return (
        Suggestion.objects.filter(state=Suggestion.State.PENDING)
        .select_related("service", "suggested_by", "claiming_organisation")
        .order_by("suggested_at", "pk")
    )
