"""Ranking directory services for a search, and saying why each one matched (pure: no Django).

A search is read into *concepts*: each synonym phrase or word the person typed. A concept matches a
service through its name (strongest), one of its taxonomy terms (directly or through a synonym), or its
description. The score adds each concept's best match, scaled by how many of the concepts the service
matches, then by distance when a place was given. Every match is recorded as a plain-English reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from commonweal.directory.search.geo import Point, distance_km
from commonweal.directory.search.schedule import Session, open_during
from commonweal.directory.search.text import STOP_WORDS, TypoIndex, phrase_key, stem, words

NAME_WEIGHT = 3.0
TERM_WEIGHT = 2.0
TEXT_WEIGHT = 1.0
TYPO_FACTOR = 0.7
SYNONYM_FACTOR = 0.9
# Half the score at this distance: near things first, but a strong match a little further away still shows.
DISTANCE_HALF_KM = 3.0
LONGEST_SYNONYM_WORDS = 5


@dataclass(frozen=True)
class TermInfo:
    """A taxonomy term as search needs it: its id, name, parent and synonyms."""

    id: int
    name: str
    parent_id: int | None = None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Concept:
    """One thing the person asked for, and every way a service can match it."""

    label: str
    tokens: dict[str, float] = field(default_factory=dict)
    term_ids: dict[int, float] = field(default_factory=dict)
    corrections: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentFacts:
    """What ranking needs to know about one service."""

    service_id: int
    name: str
    name_tokens: frozenset[str]
    text_tokens: frozenset[str]
    term_ids: frozenset[int]
    point: Point | None
    sessions: tuple[Session, ...] = ()
    is_free: bool = False
    lowest_cost: Decimal | None = None
    accepting: str = "yes"
    languages: frozenset[str] = frozenset()
    accessibility: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Filters:
    """Hard filters: a service that fails one is left out."""

    term_ids: frozenset[int] = frozenset()
    centre: Point | None = None
    centre_label: str = ""
    radius_km: float | None = None
    day: str = ""
    window: tuple[int, int] | None = None
    free_only: bool = False
    max_cost: Decimal | None = None
    accepting_only: bool = False
    languages: frozenset[str] = frozenset()
    accessibility: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ranked:
    """One result: the service, its score, its distance and why it matched."""

    service_id: int
    score: float
    distance_km: float | None
    reasons: tuple[str, ...]


class Vocabulary:
    """The taxonomy's synonyms and the index's words, for reading a search into concepts."""

    def __init__(self, terms: Iterable[TermInfo], words_in_index: Iterable[str]) -> None:
        self.terms = {term.id: term for term in terms}
        self.children: dict[int, list[int]] = {}
        for term in self.terms.values():
            if term.parent_id is not None:
                self.children.setdefault(term.parent_id, []).append(term.id)
        self.phrases: dict[str, set[int]] = {}
        for term in self.terms.values():
            for phrase in (term.name, *term.synonyms):
                key = phrase_key(phrase)
                if key:
                    self.phrases.setdefault(key, set()).add(term.id)
        self.typos = TypoIndex(words_in_index)

    def with_descendants(self, term_ids: Iterable[int]) -> set[int]:
        """Return the terms and every term below them."""
        found: set[int] = set()
        pending = list(term_ids)
        while pending:
            term_id = pending.pop()
            if term_id not in found:
                found.add(term_id)
                pending.extend(self.children.get(term_id, ()))
        return found

    def concepts(self, text: str) -> list[Concept]:
        """Read search text into concepts: synonym phrases first (longest wins), then single words."""
        raw = words(text)
        stems = [stem(word) for word in raw]
        concepts: list[Concept] = []
        index = 0
        while index < len(raw):
            matched = False
            for length in range(min(LONGEST_SYNONYM_WORDS, len(raw) - index), 0, -1):
                key = " ".join(stems[index : index + length])
                if length == 1 and raw[index] in STOP_WORDS:
                    break
                term_ids = self.phrases.get(key)
                if term_ids:
                    label = " ".join(raw[index : index + length])
                    phrase_tokens = stems[index : index + length]
                    tokens = {token: 1.0 for token in phrase_tokens if token not in STOP_WORDS}
                    weights = {
                        term_id: SYNONYM_FACTOR for term_id in self.with_descendants(term_ids) if term_id
                    }
                    concepts.append(Concept(label=label, tokens=tokens, term_ids=weights))
                    index += length
                    matched = True
                    break
            if matched:
                continue
            word, token = raw[index], stems[index]
            index += 1
            if word in STOP_WORDS:
                continue
            tokens = {token: 1.0}
            corrections: dict[str, str] = {}
            term_weights: dict[int, float] = {}
            if token not in self.typos.vocabulary:
                for correction in self.typos.corrections(token)[:3]:
                    tokens[correction.meant] = TYPO_FACTOR
                    corrections[correction.meant] = word
                    # A misspelt synonym still finds its term ("gardning" → garden → Nature and gardening).
                    for term_id in self.with_descendants(self.phrases.get(correction.meant, ())):
                        term_weights[term_id] = TYPO_FACTOR * SYNONYM_FACTOR
            concepts.append(
                Concept(label=word, tokens=tokens, term_ids=term_weights, corrections=corrections)
            )
        return concepts


def _term_name(vocabulary: Vocabulary, term_id: int) -> str:
    term = vocabulary.terms.get(term_id)
    return term.name if term else "a listed category"


def _match_concept(
    concept: Concept, document: DocumentFacts, vocabulary: Vocabulary
) -> tuple[float, str] | None:
    """Return the best way a document matches a concept: (score, reason), or None."""
    best: tuple[float, str] | None = None

    def consider(score: float, reason: str) -> None:
        nonlocal best
        if best is None or score > best[0]:
            best = (score, reason)

    if len(concept.tokens) > 1 and not concept.corrections:
        # A phrase counts in full only when all its words are there ("walking group", not "group").
        words_in_name = sum(1 for token in concept.tokens if token in document.name_tokens)
        words_in_text = sum(
            1 for token in concept.tokens if token in document.name_tokens or token in document.text_tokens
        )
        share_name, share_text = words_in_name / len(concept.tokens), words_in_text / len(concept.tokens)
        if share_name == 1:
            consider(NAME_WEIGHT, f"“{concept.label}” is in its name")
        elif share_text == 1:
            consider(TEXT_WEIGHT, f"“{concept.label}” is in its description")
        elif share_name:
            consider(NAME_WEIGHT * share_name**2, f"part of “{concept.label}” is in its name")
    else:
        for token, weight in concept.tokens.items():
            typed = concept.corrections.get(token)
            shown = f"“{typed}” (read as “{token}”)" if typed else f"“{concept.label}”"
            if token in document.name_tokens:
                consider(NAME_WEIGHT * weight, f"{shown} is in its name")
            elif token in document.text_tokens:
                consider(TEXT_WEIGHT * weight, f"{shown} is in its description")
    for term_id in sorted(document.term_ids):
        term_weight = concept.term_ids.get(term_id)
        if term_weight:
            consider(TERM_WEIGHT * term_weight, f"“{concept.label}” → {_term_name(vocabulary, term_id)}")
    return best


def _within_budget(document: DocumentFacts, max_cost: Decimal) -> bool:
    return document.is_free or (document.lowest_cost is not None and document.lowest_cost <= max_cost)


def rank(
    documents: Iterable[DocumentFacts],
    concepts: list[Concept],
    filters: Filters,
    vocabulary: Vocabulary,
) -> list[Ranked]:
    """Apply the filters, score and explain each remaining document; best first, ties by name."""
    results: list[tuple[float, str, Ranked]] = []
    required_terms = vocabulary.with_descendants(filters.term_ids) if filters.term_ids else set()
    for document in documents:
        reasons: list[str] = []
        if required_terms:
            shared = sorted(required_terms & document.term_ids)
            if not shared:
                continue
            reasons.append(f"Listed under {_term_name(vocabulary, shared[0])}")
        distance = None
        if filters.centre is not None:
            if document.point is None:
                if filters.radius_km is not None:
                    continue
            else:
                distance = distance_km(filters.centre, document.point)
                if filters.radius_km is not None and distance > filters.radius_km:
                    continue
        if filters.free_only and not document.is_free:
            continue
        if filters.max_cost is not None and not _within_budget(document, filters.max_cost):
            continue
        if filters.accepting_only and document.accepting == "no":
            continue
        if not filters.languages <= document.languages:
            continue
        if not filters.accessibility <= document.accessibility:
            continue
        session = None
        if filters.day:
            start, end = filters.window or (0, 24 * 60)
            session = open_during(list(document.sessions), filters.day, start, end)
            if session is None:
                continue
        score = 1.0
        if concepts:
            matched = 0
            text_score = 0.0
            for concept in concepts:
                found = _match_concept(concept, document, vocabulary)
                if found:
                    matched += 1
                    text_score += found[0]
                    reasons.append(found[1])
            if not matched:
                continue
            score = text_score * (0.5 + 0.5 * matched / len(concepts))
        if distance is not None:
            score = score / (1.0 + distance / DISTANCE_HALF_KM)
            place = f" {filters.centre_label}" if filters.centre_label else " the place you gave"
            reasons.append(f"{distance:.1f} km from{place}")
        if document.is_free:
            reasons.append("Free")
        elif filters.max_cost is not None and document.lowest_cost is not None:
            reasons.append(f"From £{document.lowest_cost:.2f}")
        if session is not None:
            reasons.append(f"Open {session.describe()}")
        if filters.accepting_only:
            reasons.append("Accepting referrals" if document.accepting == "yes" else "Has a waiting list")
        reasons.extend(f"Offered in {language.title()}" for language in sorted(filters.languages))
        reasons.extend(f"Access: {feature.replace('_', ' ')}" for feature in sorted(filters.accessibility))
        results.append(
            (
                -score,
                document.name.lower(),
                Ranked(document.service_id, round(score, 6), distance, tuple(reasons)),
            )
        )
    results.sort(key=lambda item: (item[0], item[1], item[2].service_id))
    return [ranked for _, _, ranked in results]
