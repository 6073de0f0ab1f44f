"""Search text: normalising words, light stemming and typo tolerance (pure: no Django).

Index and query text go through the same `tokens()`, so "Gardening", "gardens" and "garden" meet at
"garden". Typo tolerance uses the optimal string alignment distance (Damerau-Levenshtein with adjacent
transpositions) against the index's vocabulary, prefiltered by shared trigrams so a large vocabulary
stays fast.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS_TEXT = """a about am an and any are as at be been but by can could do for from get got have help i
im in into is it its just like likes looking me my near need needs of on or our please really some something
somewhere that the their them there they this to want wants we what where which who with would you your feel
feeling felt love enjoy things thing"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
_VOWELS = frozenset("aeiouy")


def fold(text: str) -> str:
    """Lower-case text and strip accents ("Café" → "cafe") and apostrophes ("men's" → "mens")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return stripped.replace("'", "").replace("’", "")


def stem(word: str) -> str:
    """Strip common English endings so word forms meet ("walking", "walks" → "walk").

    Deliberately light: it never shortens a word below three letters, and undoubles a final
    consonant left by "-ing"/"-ed" ("swimming" → "swim").
    """
    for suffix in ("ings", "ing", "edly", "ed", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            root = word[: -len(suffix)]
            if suffix == "ies":
                return root + "y"
            if suffix == "es" and not root.endswith(("sh", "ch", "x", "ss", "z")):
                return word[:-1]
            if suffix == "s" and word.endswith(("ss", "us", "is")):
                return word
            if suffix in ("ing", "ings", "ed", "edly"):
                if not any(char in _VOWELS for char in root):
                    return word
                if len(root) >= 4 and root[-1] == root[-2] and root[-1] not in "lsz" + "".join(_VOWELS):
                    root = root[:-1]
            return root
    return word


def words(text: str) -> list[str]:
    """Split text into folded words, keeping stop words (for phrase matching)."""
    return _WORD.findall(fold(text))


def tokens(text: str, *, keep_stop_words: bool = False) -> list[str]:
    """Return the stemmed search tokens of a text, in order, without stop words."""
    return [stem(word) for word in words(text) if keep_stop_words or word not in STOP_WORDS]


def phrase_key(text: str) -> str:
    """Return the normalised form of a phrase, for matching synonyms as whole phrases."""
    return " ".join(stem(word) for word in words(text))


def edit_distance(left: str, right: str, limit: int | None = None) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, adjacent swaps.

    With `limit`, stop early and return limit + 1 once the distance must exceed it.
    """
    if left == right:
        return 0
    if limit is not None and abs(len(left) - len(right)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(right) + 1))
    for i, left_char in enumerate(left, start=1):
        current = [i] + [0] * len(right)
        for j, right_char in enumerate(right, start=1):
            cost = 0 if left_char == right_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                i > 1
                and j > 1
                and left_char == right[j - 2]
                and left[i - 2] == right_char
                and previous_previous
            ):
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if limit is not None and min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def allowed_typos(token: str) -> int:
    """How many edits a query word may be from an indexed word: none for short words."""
    if len(token) <= 3:
        return 0
    return 1 if len(token) <= 7 else 2


def trigrams(token: str) -> set[str]:
    """Return the padded trigrams of a token ("walk" → " wa", "wal", "alk", "lk ")."""
    padded = f" {token} "
    return {padded[index : index + 3] for index in range(len(padded) - 2)}


@dataclass(frozen=True)
class Correction:
    """An indexed word that a query word was taken to mean, and how many edits apart they are."""

    typed: str
    meant: str
    edits: int


class TypoIndex:
    """The index's vocabulary, searchable for the nearest words to a misspelt one."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(vocabulary)
        self._by_trigram: dict[str, set[str]] = defaultdict(set)
        for token in self.vocabulary:
            if len(token) >= 3:
                for gram in trigrams(token):
                    self._by_trigram[gram].add(token)

    def corrections(self, token: str) -> list[Correction]:
        """Return the indexed words within the allowed edits of `token`, nearest first (itself excluded)."""
        limit = allowed_typos(token)
        if limit == 0:
            return []
        grams = trigrams(token)
        # Each edit destroys at most three trigrams, so a word within `limit` edits shares enough of them.
        needed = max(1, len(grams) - 3 * limit)
        shared: dict[str, int] = defaultdict(int)
        for gram in grams:
            for candidate in self._by_trigram.get(gram, ()):
                shared[candidate] += 1
        found = []
        for candidate, count in shared.items():
            if count < needed or candidate == token:
                continue
            edits = edit_distance(token, candidate, limit)
            if edits <= limit:
                found.append(Correction(token, candidate, edits))
        return sorted(found, key=lambda correction: (correction.edits, correction.meant))
