"""Property tests on the pure ledger: for any sequence of transfers and reversals under any policy,
balances sum to zero, no balance passes a block limit, and replaying the movements gives the balances."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.timebank.core.ledger import Ledger, Transfer, TransferError, replay, unbalanced_transfers
from commonweal.timebank.core.policies import CreditPolicy, LimitMode, Outcome

ACCOUNTS = ["ann", "bob", "cat", "dev", "chest"]

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("transfer"),
            st.sampled_from(ACCOUNTS),
            st.sampled_from(ACCOUNTS),
            st.integers(min_value=-30, max_value=900),
        ),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=60)),
    ),
    max_size=60,
)


def _run(mode: LimitMode, limit: int, limits: dict[str, int], sequence: list[tuple]) -> Ledger:
    ledger = Ledger(CreditPolicy(mode, limit), limits)
    for number, step in enumerate(sequence):
        try:
            if step[0] == "transfer":
                ledger.record(Transfer(number, step[1], step[2], step[3]))
            else:
                keys = list(ledger.transfers)
                if keys:
                    ledger.reverse(keys[step[1] % len(keys)], number)
        except TransferError:
            pass
    return ledger


@settings(max_examples=150, deadline=None)
@given(
    mode=st.sampled_from(list(LimitMode)),
    limit=st.integers(min_value=0, max_value=1200),
    own_limits=st.dictionaries(st.sampled_from(ACCOUNTS), st.integers(min_value=0, max_value=600)),
    sequence=steps,
)
def test_balances_sum_to_zero_and_replay_gives_them(mode, limit, own_limits, sequence):
    ledger = _run(mode, limit, own_limits, sequence)
    assert sum(ledger.balances.values()) == 0
    replayed = replay(ledger.movements)
    assert {k: v for k, v in replayed.items() if v} == {k: v for k, v in ledger.balances.items() if v}
    assert unbalanced_transfers(ledger.movements) == []
    assert len(ledger.movements) == 2 * len(ledger.transfers)


@settings(max_examples=150, deadline=None)
@given(
    limit=st.integers(min_value=0, max_value=1200),
    own_limits=st.dictionaries(st.sampled_from(ACCOUNTS), st.integers(min_value=0, max_value=600)),
    sequence=steps,
)
def test_no_balance_ever_passes_a_block_limit(limit, own_limits, sequence):
    ledger = Ledger(CreditPolicy(LimitMode.BLOCK, limit), own_limits)
    for number, step in enumerate(sequence):
        try:
            if step[0] == "transfer":
                ledger.record(Transfer(number, step[1], step[2], step[3]))
            else:
                keys = list(ledger.transfers)
                if keys:
                    ledger.reverse(keys[step[1] % len(keys)], number)
        except TransferError:
            pass
        for account, balance in ledger.balances.items():
            assert balance >= -ledger.limit_of(account), (account, balance)


@settings(max_examples=100, deadline=None)
@given(sequence=steps)
def test_a_reversed_transfer_and_its_reversal_cancel_out(sequence):
    ledger = _run(LimitMode.WARN, 10**6, {}, sequence)
    for key in ledger.reversed:
        reversal = next(t for t in ledger.transfers.values() if t.reverses == key)
        original = ledger.transfers[key]
        assert (reversal.source, reversal.destination, reversal.minutes) == (
            original.destination,
            original.source,
            original.minutes,
        )
    # Everything reversed: the ledger is back where it started.
    for key in [
        k for k, t in list(ledger.transfers.items()) if t.reverses is None and k not in ledger.reversed
    ]:
        ledger.reverse(key, ("undo", key))
    assert all(balance == 0 for balance in ledger.balances.values())


def test_a_hand_worked_week_under_a_block_limit_of_two_hours():
    # Ann owes at most 120 minutes. She receives 90 (ok, -90), then 60 more (would be -150: refused),
    # then gives 45 to Bob's neighbour Cat (-45), and the first exchange is reversed (ann +90 → 45).
    ledger = Ledger(CreditPolicy(LimitMode.BLOCK, 120))
    assert ledger.record(Transfer(1, "ann", "bob", 90)).outcome is Outcome.ACCEPT
    refused = ledger.record(Transfer(2, "ann", "cat", 60))
    assert refused.outcome is Outcome.REFUSE
    assert (
        refused.message
        == "This would take the account to -2h30, past its limit of -2h. Nothing was recorded."
    )
    assert ledger.record(Transfer(3, "cat", "ann", 45)).outcome is Outcome.ACCEPT
    assert ledger.reverse(1, 4).outcome is Outcome.ACCEPT
    assert dict(ledger.balances) == {"ann": 45, "bob": 0, "cat": -45}
