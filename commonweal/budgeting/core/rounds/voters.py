"""Who may vote in a round, how one voter is recognised across online and paper ballots, and the optional
weight of each voter's share by the deprivation of where they live (no Django)."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Eligibility:
    """Who may vote: residents of the round's place aged at least `minimum_age` (and at most
    `maximum_age`, for a young people's budget) on the day voting closes."""

    minimum_age: int = 16
    maximum_age: int | None = None

    def describe(self) -> str:
        """Return who may vote, in plain words."""
        if self.maximum_age is None:
            return f"aged {self.minimum_age} or over"
        return f"aged {self.minimum_age} to {self.maximum_age}"


def age_on(born: datetime.date, day: datetime.date) -> int:
    """Return a person's age in whole years on a day (a birthday on 29 February counts on 1 March)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_refusal(eligibility: Eligibility, born: datetime.date, day: datetime.date) -> str | None:
    """Return why someone born on `born` may not vote on a round closing on `day`, or None if they may."""
    age = age_on(born, day)
    if age < eligibility.minimum_age:
        return (
            f"Voters must be {eligibility.describe()} on {_long_date(day)}, when voting closes; "
            f"on that day this voter is {age}."
        )
    if eligibility.maximum_age is not None and age > eligibility.maximum_age:
        return (
            f"Voters must be {eligibility.describe()} on {_long_date(day)}, when voting closes; "
            f"on that day this voter is {age}."
        )
    return None


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def normalised_name(full_name: str) -> str:
    """Return a name reduced to its letters, without accents or case, so that "Mary O'Neil" keyed from a
    paper ballot and "mary oneil" on an account are the same voter."""
    decomposed = unicodedata.normalize("NFKD", full_name.casefold())
    return "".join(character for character in decomposed if character.isalpha())


def voter_key(full_name: str, born: datetime.date, postcode: str) -> str:
    """Return the key that makes one voter's ballots collide, whichever way they vote.

    It is a SHA-256 of the normalised name, date of birth and (normalised) postcode, so that the ballot
    table never holds the three together in the clear; the database's unique constraint on (round, key)
    is what stops anybody voting twice.
    """
    text = f"{normalised_name(full_name)}|{born.isoformat()}|{postcode.replace(' ', '').upper()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Decile 1 (the most deprived tenth of areas in England, IMD 2019) doubles a share; the weight falls in
# equal steps to 1 at decile 10. An unknown decile (a 2021 LSOA whose 2011 code changed) counts 1: we
# never guess a decile across a boundary change.
MOST_DEPRIVED_WEIGHT = Fraction(2)


def deprivation_weight(decile: int | None) -> Fraction:
    """Return the weight of a voter's share for the IMD 2019 decile of their address (1 to 10)."""
    if decile is None:
        return Fraction(1)
    if not 1 <= decile <= 10:
        raise ValueError(f"An IMD decile runs from 1 to 10, not {decile}.")
    return 1 + (MOST_DEPRIVED_WEIGHT - 1) * Fraction(10 - decile, 9)


WEIGHTING_EXPLANATION = (
    "Each voter's share of the budget is weighted by the deprivation of the area they live in "
    "(the IMD 2019 decile of their LSOA): a voter in decile 1, the most deprived tenth of areas in England, "
    "has twice the share of a voter in decile 10, the least deprived, with equal steps between. A voter "
    "whose area has no published decile has the share of decile 10. Under the Method of Equal Shares this "
    "is each voter's money; under greedy rules, each vote's weight; under Phragmén, each voter's earning "
    "rate."
)
