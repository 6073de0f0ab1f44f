"""Add1 skips shares whose run provably repeats the last one; skipping must never change an outcome."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from commonweal.budgeting.core.equal_shares import (
    Add1Options,
    Comparison,
    Completion,
    EqualSharesEngine,
    Utility,
    equal_shares_selection,
)
from commonweal.budgeting.core.outcome import TieBreaking
from commonweal.budgeting.core.pb_format import election_from_pb, read_pb
from commonweal.budgeting.core.profile import compact_profile
from commonweal.reference_data import shared_data_dir

PABULIB = shared_data_dir() / "budgeting" / "pabulib"
# Small electorates, where Add1 takes hundreds of steps: approval with exact ties (Assen), approval
# with decimal costs (Toulouse) and cumulative ballots (Częstochowa).
FILES = (
    "Netherlands_Assen_2024.pb",
    "France_Toulouse_2022_11_-_Bonhoure_Guilhemery_Chateau_de_lHers_Limayrac_Cote_Pavee.pb",
    "Poland_Czestochowa_2024_Zawodzie_-_Dabie.pb",
)


def _engine(name: str) -> EqualSharesEngine:
    return EqualSharesEngine(
        compact_profile(election_from_pb(read_pb(PABULIB / name))), Utility.COST, TieBreaking()
    )


@pytest.mark.parametrize("name", FILES)
def test_every_share_inside_a_runs_horizon_gives_the_same_run(name: str) -> None:
    engine = _engine(name)
    voters = len(engine.profile.election.ballots)
    start = math.floor(engine.profile.election.budget / voters)
    step = Fraction(voters, engine.omega)
    checked = 0
    for offset in range(0, 400, 37):
        tracked = engine.run(Fraction((start + offset) * voters), track=True)
        share = float(tracked.total / engine.omega)
        k = 1
        while float(tracked.total / engine.omega + k * step) < share + tracked.horizon and k <= 30:
            again = engine.run(Fraction((start + offset + k) * voters))
            assert again.order == tracked.order
            assert [s.project for s in again.selections] == [s.project for s in tracked.selections]
            checked += 1
            k += 1
    # The horizons are wide enough on these files for the check to mean something.
    assert checked >= 30


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("exhaustive", [True, False])
def test_add1_with_skipping_equals_add1_computing_every_step(name: str, exhaustive: bool) -> None:
    engine = _engine(name)
    options = Add1Options(exhaustive=exhaustive)
    fast = equal_shares_selection(
        engine, completion=Completion.ADD1, add1=options, comparison=Comparison.NONE
    )
    slow = equal_shares_selection(
        engine, completion=Completion.ADD1, add1=options, comparison=Comparison.NONE, skip_unchanged=False
    )
    assert fast.run is not None and slow.run is not None
    assert fast.run.order == slow.run.order
    assert fast.run.total == slow.run.total
    assert fast.runs < slow.runs
