"""The invitation lottery: postcodes of a place drawn at random, stratified by neighbourhood (no Django).

Each stratum (a neighbourhood, or an LSOA when the place is a single neighbourhood) gets a share of the
postcodes to draw proportional to its number of postcodes, rounded by the largest-remainder (Hamilton)
method; within a stratum the postcodes are a simple random sample without replacement. Only
`random.Random(seed).random()` is used, the one stream Python keeps stable across versions, so the same
seed and frame always draw the same postcodes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from commonweal.assemblies.core.pool import SelectionInputError


@dataclass(frozen=True)
class FramePostcode:
    """A postcode that can be drawn, and the stratum it belongs to."""

    postcode: str
    stratum: str


@dataclass(frozen=True)
class StratumAllocation:
    """How many of a stratum's postcodes are drawn."""

    stratum: str
    postcodes: int
    drawn: int


@dataclass(frozen=True)
class InvitationDraw:
    """The outcome of one lottery: the allocation per stratum and the postcodes drawn, in stratum order."""

    seed: int
    allocations: tuple[StratumAllocation, ...]
    postcodes: tuple[FramePostcode, ...]


def allocate_proportionally(sizes: Sequence[tuple[str, int]], total: int) -> tuple[int, ...]:
    """Split `total` across strata in proportion to their sizes by the largest-remainder method.

    Each stratum first gets the floor of its exact quota total x size / sum(sizes); the seats left go,
    one each, to the strata with the largest remainders (ties to the larger stratum, then the name).
    No stratum gets more than its size, and every allocation is the floor or the ceiling of its quota.
    """
    population = sum(size for _, size in sizes)
    if total < 0:
        raise SelectionInputError(f"The number to draw must not be negative (it is {total}).")
    if total > population:
        raise SelectionInputError(
            f"Cannot draw {total} postcodes: the place has only {population} left to draw."
        )
    if population == 0:
        return tuple(0 for _ in sizes)
    # Integer arithmetic: the quota of stratum i is total * size_i / population exactly.
    floors = [total * size // population for _, size in sizes]
    remainders = [total * size % population for _, size in sizes]
    left = total - sum(floors)
    order = sorted(
        range(len(sizes)), key=lambda index: (-remainders[index], -sizes[index][1], sizes[index][0])
    )
    for index in order[:left]:
        floors[index] += 1
    return tuple(floors)


def draw_invitations(frame: Sequence[FramePostcode], count: int, seed: int) -> InvitationDraw:
    """Draw `count` postcodes from the frame, stratified, reproducibly from `seed`."""
    if not frame:
        raise SelectionInputError("There are no postcodes to draw from in this place.")
    seen: set[str] = set()
    by_stratum: dict[str, list[str]] = {}
    for entry in frame:
        if entry.postcode in seen:
            raise SelectionInputError(f"The postcode {entry.postcode} is in the frame twice.")
        seen.add(entry.postcode)
        by_stratum.setdefault(entry.stratum, []).append(entry.postcode)
    # Strata and their postcodes are sorted, so the draw depends on the frame's content, not its order.
    strata = sorted(by_stratum)
    sizes = [(stratum, len(by_stratum[stratum])) for stratum in strata]
    allocation = allocate_proportionally(sizes, count)
    generator = random.Random(seed)
    drawn: list[FramePostcode] = []
    for (stratum, _), number in zip(sizes, allocation, strict=True):
        members = sorted(by_stratum[stratum])
        for position in range(number):
            # A partial Fisher-Yates shuffle: position..n-1 are the postcodes not yet drawn.
            swap = position + math.floor(generator.random() * (len(members) - position))
            members[position], members[swap] = members[swap], members[position]
        drawn.extend(FramePostcode(postcode, stratum) for postcode in sorted(members[:number]))
    return InvitationDraw(
        seed=seed,
        allocations=tuple(
            StratumAllocation(stratum=stratum, postcodes=size, drawn=number)
            for (stratum, size), number in zip(sizes, allocation, strict=True)
        ),
        postcodes=tuple(drawn),
    )
