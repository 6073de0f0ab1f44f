"""The precomputed search index: one `SearchDocument` and its `SearchPosting` tokens per active service.

It works the same on SQLite and PostgreSQL: words and facets are rows in an indexed (token, service)
table, places are latitude and longitude columns with a composite index for the bounding-box prefilter,
and everything ranking needs is packed on the document row, so a search reads two tables.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Prefetch

from commonweal.directory.models import (
    Accessibility,
    SearchDocument,
    SearchIndexState,
    SearchPosting,
    SearchVocabulary,
    Service,
    ServiceAtLocation,
)
from commonweal.directory.search.schedule import (
    PARTS_OF_DAY,
    ScheduleError,
    Session,
    pack,
    sessions_from,
)
from commonweal.directory.search.text import fold, tokens

NAME_WEIGHT = 3.0
TERM_WEIGHT = 2.0
TEXT_WEIGHT = 1.0
FACET_WEIGHT = 0.0
BATCH = 5000


@dataclass(frozen=True)
class IndexEntry:
    """Everything the index holds about one service."""

    service_id: int
    name: str
    description: str
    term_ids: tuple[int, ...]
    latitude: float | None
    longitude: float | None
    sessions: tuple[Session, ...] = ()
    is_free: bool = False
    lowest_cost: Decimal | None = None
    accepting: str = "yes"
    languages: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    extra_text: str = ""
    last_checked_at: datetime.datetime | None = None
    name_tokens: tuple[str, ...] = field(default=())


def language_key(name: str) -> str:
    """Return the facet key of a language name ("Polish" → "polish")."""
    return fold(name).strip()


def postings_of(entry: IndexEntry) -> tuple[list[SearchPosting], list[str], list[str]]:
    """Return the posting rows, the name tokens and the text tokens of one entry."""
    weights: dict[str, float] = {}
    name_tokens = list(dict.fromkeys(tokens(entry.name)))
    text_tokens = list(dict.fromkeys(tokens(f"{entry.description} {entry.extra_text}")))
    for token in text_tokens:
        weights[token[:60]] = TEXT_WEIGHT
    for token in name_tokens:
        weights[token[:60]] = NAME_WEIGHT
    for term_id in entry.term_ids:
        weights[f"t:{term_id}"] = TERM_WEIGHT
    facets = []
    if entry.is_free:
        facets.append("f:free")
    if entry.accepting != Service.Referrals.NO:
        facets.append("f:referrals")
    facets.extend(f"l:{language}"[:60] for language in entry.languages)
    facets.extend(f"a:{feature}" for feature in entry.accessibility)
    for session in entry.sessions:
        facets.append(f"o:{session.day}")
        for part, (start, end) in PARTS_OF_DAY.items():
            if session.overlaps(start, end):
                facets.append(f"o:{session.day}:{part}")
    for facet in facets:
        weights.setdefault(facet, FACET_WEIGHT)
    postings = [
        SearchPosting(token=token, service_id=entry.service_id, weight=weight)
        for token, weight in weights.items()
    ]
    return postings, name_tokens, text_tokens


_DOCUMENT_COLUMNS = (
    "service_id",
    "name",
    "latitude",
    "longitude",
    "is_free",
    "lowest_cost",
    "accepting",
    "sessions",
    "terms",
    "languages",
    "accessibility",
    "name_tokens",
    "text_tokens",
    "last_checked_at",
)


def _copy_postgresql(documents: list[SearchDocument], postings: list[SearchPosting]) -> None:
    """Write rows with PostgreSQL's COPY: a national rebuild writes millions of postings."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg 3 cursor underneath Django's wrapper
        columns = ", ".join(_DOCUMENT_COLUMNS)
        with raw.copy(f"COPY {SearchDocument._meta.db_table} ({columns}) FROM STDIN") as copy:
            for document in documents:
                copy.write_row([getattr(document, column) for column in _DOCUMENT_COLUMNS])
        with raw.copy(f"COPY {SearchPosting._meta.db_table} (token, service_id, weight) FROM STDIN") as copy:
            for posting in postings:
                copy.write_row((posting.token, posting.service_id, posting.weight))


def write_entries(entries: Iterable[IndexEntry], *, replace: bool = True) -> int:
    """Write index rows for the entries (replacing what they had); return how many were written."""
    documents: list[SearchDocument] = []
    postings: list[SearchPosting] = []
    vocabulary: set[str] = set()
    written = 0

    def flush() -> None:
        with transaction.atomic():  # one transaction per batch: autocommitted rows would each sync to disk
            _write_batch()

    def _write_batch() -> None:
        if connection.vendor == "postgresql":
            _copy_postgresql(documents, postings)
        else:
            SearchDocument.objects.bulk_create(documents, batch_size=BATCH)
            # Postings are most of the rows and have three plain columns: executemany skips the ORM.
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {SearchPosting._meta.db_table} (token, service_id, weight) "  # noqa: S608
                    "VALUES (%s, %s, %s)",
                    [(posting.token, posting.service_id, posting.weight) for posting in postings],
                )
        documents.clear()
        postings.clear()

    for entry in entries:
        rows, name_tokens, text_tokens = postings_of(entry)
        if replace:
            SearchPosting.objects.filter(service_id=entry.service_id).delete()
            SearchDocument.objects.filter(service_id=entry.service_id).delete()
        documents.append(
            SearchDocument(
                service_id=entry.service_id,
                name=entry.name[:300],
                latitude=entry.latitude,
                longitude=entry.longitude,
                is_free=entry.is_free,
                lowest_cost=entry.lowest_cost,
                accepting=entry.accepting,
                sessions=pack(list(entry.sessions)),
                terms=" ".join(str(term_id) for term_id in entry.term_ids),
                languages=" ".join(entry.languages),
                accessibility=" ".join(entry.accessibility),
                name_tokens=" ".join(name_tokens),
                text_tokens=" ".join(text_tokens),
                last_checked_at=entry.last_checked_at,
            )
        )
        postings.extend(rows)
        vocabulary.update(token[:60] for token in (*name_tokens, *text_tokens))
        written += 1
        if len(postings) >= BATCH * 4:
            flush()
    flush()
    SearchVocabulary.objects.bulk_create(
        [SearchVocabulary(token=token) for token in sorted(vocabulary)],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    bump_version()
    return written


def bump_version() -> None:
    """Tell every process that the index changed, so they reload the vocabulary.

    The stamp is random rather than a counter: if a transaction that changed it rolls back, the
    restored value can never equal a stamp some process cached while that transaction was open.
    """
    stamp = secrets.randbits(62)
    updated = SearchIndexState.objects.filter(pk=1).update(version=stamp)
    if not updated:
        SearchIndexState.objects.get_or_create(pk=1, defaults={"version": stamp})


def _entry(service: Service) -> IndexEntry:
    sessions: list[Session] = []
    point: tuple[float | None, float | None] = (None, None)
    features: set[str] = set()
    schedules = list(service.schedules.all())
    for link in service.service_at_locations.all():
        location = link.location
        if point == (None, None) and location.latitude is not None and location.longitude is not None:
            point = (location.latitude, location.longitude)
        features.update(feature.feature for feature in location.accessibility.all() if feature.feature)
        schedules.extend(link.schedules.all())
    for schedule in schedules:
        if schedule.is_closure or not schedule.opens_at or not schedule.closes_at:
            continue
        try:
            sessions.extend(
                sessions_from(
                    schedule.freq,
                    schedule.byday,
                    schedule.opens_at.strftime("%H:%M"),
                    schedule.closes_at.strftime("%H:%M"),
                )
            )
        except ScheduleError:
            continue
    amounts = [cost.amount for cost in service.cost_options.all() if cost.amount is not None]
    term_ids = tuple(sorted(link.term_id for link in service.service_terms.all()))
    return IndexEntry(
        service_id=service.pk,
        name=service.name,
        description=service.description,
        term_ids=term_ids,
        latitude=point[0],
        longitude=point[1],
        sessions=tuple(sessions),
        is_free=bool(amounts) and min(amounts) == 0,
        lowest_cost=min(amounts) if amounts else None,
        accepting=service.accepting_referrals,
        languages=tuple(sorted({language_key(language.name) for language in service.languages.all()})),
        accessibility=tuple(sorted(features)),
        extra_text="",
        last_checked_at=service.last_checked_at,
    )


def services_for_indexing(service_ids: Sequence[int] | None = None) -> Iterable[Service]:
    """Load services with everything the index reads."""
    queryset = Service.objects.select_related("organisation").prefetch_related(
        "schedules",
        "cost_options",
        "languages",
        "service_terms__term",
        Prefetch(
            "service_at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                Prefetch("location__accessibility", queryset=Accessibility.objects.all()), "schedules"
            ),
        ),
    )
    if service_ids is not None:
        queryset = queryset.filter(pk__in=service_ids)
    return queryset.order_by("pk").iterator(chunk_size=500)


@transaction.atomic
def index_services(service_ids: Sequence[int] | None = None) -> int:
    """Rebuild the index rows of the given services (all when None); inactive services are removed."""
    if service_ids is None:
        SearchPosting.objects.all().delete()
        SearchDocument.objects.all().delete()
    else:
        SearchPosting.objects.filter(service_id__in=service_ids).delete()
        SearchDocument.objects.filter(service_id__in=service_ids).delete()
    entries = (
        _entry(service)
        for service in services_for_indexing(service_ids)
        if service.status == Service.Status.ACTIVE
    )
    return write_entries(entries, replace=False)
