"""The invitation lottery, on the real Trafford postcodes (ONS Postcode Directory, shared data)."""

from __future__ import annotations

import csv
import math
from collections import Counter
from fractions import Fraction
from functools import cache

import pytest
from scipy.stats import binomtest

from commonweal.assemblies.core.invitations import (
    FramePostcode,
    allocate_proportionally,
    draw_invitations,
)
from commonweal.assemblies.core.pool import SelectionInputError
from commonweal.reference_data import shared_data_dir


@cache
def _trafford() -> tuple[FramePostcode, ...]:
    """Every Trafford postcode in the strata the council uses: its four localities."""
    path = shared_data_dir() / "geo" / "postcodes" / "trafford_postcodes_onspd_feb2025.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(FramePostcode(row["postcode"], row["locality"]) for row in csv.DictReader(handle))


def test_each_locality_gets_its_proportional_share_of_the_draw_rounded_by_largest_remainder() -> None:
    frame = _trafford()
    sizes = Counter(entry.stratum for entry in frame)
    assert sum(sizes.values()) == 11264
    draw = draw_invitations(frame, 1000, seed=2026)
    allocated = {entry.stratum: entry.drawn for entry in draw.allocations}
    assert {entry.stratum: entry.postcodes for entry in draw.allocations} == dict(sizes)
    assert sum(allocated.values()) == 1000
    exact = {stratum: Fraction(1000 * size, len(frame)) for stratum, size in sizes.items()}
    for stratum, share in exact.items():
        assert allocated[stratum] in (math.floor(share), math.ceil(share))
    # Largest remainder: every stratum rounded up has a larger fractional part than any rounded down.
    up = [share - math.floor(share) for stratum, share in exact.items() if allocated[stratum] > share]
    down = [share - math.floor(share) for stratum, share in exact.items() if allocated[stratum] < share]
    assert not up or not down or min(up) > max(down)


def test_drawn_postcodes_are_distinct_belong_to_their_stratum_and_repeat_with_the_seed() -> None:
    frame = _trafford()
    stratum_of = {entry.postcode: entry.stratum for entry in frame}
    draw = draw_invitations(frame, 500, seed=11)
    assert len({entry.postcode for entry in draw.postcodes}) == 500
    assert all(stratum_of[entry.postcode] == entry.stratum for entry in draw.postcodes)
    assert Counter(entry.stratum for entry in draw.postcodes) == {
        entry.stratum: entry.drawn for entry in draw.allocations
    }
    assert draw_invitations(frame, 500, seed=11) == draw
    assert draw_invitations(tuple(reversed(frame)), 500, seed=11) == draw
    assert draw_invitations(frame, 500, seed=12).postcodes != draw.postcodes


def test_within_a_stratum_every_postcode_has_the_same_chance() -> None:
    # One ward's postcodes as a single stratum: each should be drawn in 10 of every 40 lotteries.
    frame = tuple(entry for entry in _trafford() if entry.postcode.startswith("M41 0"))[:40]
    assert len(frame) == 40
    frame = tuple(FramePostcode(entry.postcode, "ward") for entry in frame)
    draws = 4000
    counts: Counter[str] = Counter()
    for seed in range(draws):
        counts.update(entry.postcode for entry in draw_invitations(frame, 10, seed).postcodes)
    alpha = 0.01 / len(frame)
    assert min(binomtest(counts[entry.postcode], draws, 0.25).pvalue for entry in frame) > alpha


def test_allocation_never_exceeds_a_stratum_and_fills_every_seat() -> None:
    assert allocate_proportionally([("a", 1), ("b", 1), ("c", 1)], 2) == (1, 1, 0)
    assert allocate_proportionally([("a", 3), ("b", 0)], 3) == (3, 0)
    assert allocate_proportionally([("a", 5), ("b", 5)], 0) == (0, 0)


def test_asking_for_more_postcodes_than_the_frame_holds_is_refused_with_the_numbers() -> None:
    frame = _trafford()[:30]
    with pytest.raises(SelectionInputError) as caught:
        draw_invitations(frame, 31, seed=1)
    assert str(caught.value) == "Cannot draw 31 postcodes: the place has only 30 left to draw."
    with pytest.raises(SelectionInputError) as caught:
        draw_invitations((), 1, seed=1)
    assert str(caught.value) == "There are no postcodes to draw from in this place."
    with pytest.raises(SelectionInputError) as caught:
        draw_invitations((FramePostcode("M15 4AB", "a"), FramePostcode("M15 4AB", "b")), 1, seed=1)
    assert str(caught.value) == "The postcode M15 4AB is in the frame twice."
