"""The policies on hand-worked cases: limits at their edge, refusals, and who records and confirms."""

from __future__ import annotations

import pytest

from commonweal.timebank.core.ledger import Transfer, TransferError, check_transfer, movements_of, reversal_of
from commonweal.timebank.core.policies import (
    CreditPolicy,
    LimitMode,
    Outcome,
    RecordingError,
    RecordingPolicy,
    Side,
    check_confirmation,
    decide,
    start_recording,
)


@pytest.mark.parametrize(
    ("mode", "balance", "minutes", "outcome", "after"),
    [
        (LimitMode.BLOCK, 0, 600, Outcome.ACCEPT, -600),  # exactly at the limit is allowed
        (LimitMode.BLOCK, 0, 601, Outcome.REFUSE, 0),
        (LimitMode.WARN, -590, 20, Outcome.WARN, -610),
        (LimitMode.REFER, -600, 1, Outcome.REFER, -600),
        (LimitMode.REFER, 100, 700, Outcome.ACCEPT, -600),
    ],
)
def test_limits_at_their_edge(mode, balance, minutes, outcome, after):
    decision = decide(CreditPolicy(mode, 600), balance, minutes)
    assert (decision.outcome, decision.balance_after) == (outcome, after)


def test_an_account_of_its_own_limit_is_held_to_it():
    assert decide(CreditPolicy(LimitMode.BLOCK, 600), 0, 61, limit_minutes=60).outcome is Outcome.REFUSE


@pytest.mark.parametrize(
    ("source", "destination", "minutes", "message"),
    [
        ("a", "b", 0, "The time must be more than zero."),
        ("a", "b", -30, "The time must be more than zero."),
        ("a", "a", 30, "An account cannot give hours to itself."),
        ("a", "b", 1.5, "Give the time as a whole number of minutes."),
    ],
)
def test_bad_transfers_are_refused_with_a_message(source, destination, minutes, message):
    with pytest.raises(TransferError, match=message):
        check_transfer(source, destination, minutes)


def test_a_transfer_is_a_debit_and_a_credit_and_its_reversal_the_mirror():
    debit, credit = movements_of(Transfer("t", "ann", "bob", 75))
    assert (debit.account, debit.minutes, credit.account, credit.minutes) == ("ann", -75, "bob", 75)
    back = reversal_of(Transfer("t", "ann", "bob", 75), "r")
    assert (back.source, back.destination, back.minutes, back.reverses) == ("bob", "ann", 75, "t")
    with pytest.raises(TransferError):
        reversal_of(back, "rr")


def test_recording_policies():
    assert start_recording(RecordingPolicy.RECEIVER_RECORDS, Side.RECEIVER).counts_now
    with pytest.raises(RecordingError, match="received help records"):
        start_recording(RecordingPolicy.RECEIVER_RECORDS, Side.PROVIDER)
    assert start_recording(RecordingPolicy.RECEIVER_RECORDS, Side.PROVIDER, on_behalf=True).counts_now
    with pytest.raises(RecordingError, match="gave help records"):
        start_recording(RecordingPolicy.PROVIDER_RECORDS, Side.RECEIVER)
    assert start_recording(RecordingPolicy.BOTH_CONFIRM, Side.PROVIDER, on_behalf=True).counts_now
    both = start_recording(RecordingPolicy.BOTH_CONFIRM, Side.PROVIDER)
    assert (both.counts_now, both.confirmer) == (False, Side.RECEIVER)
    check_confirmation(Side.RECEIVER, Side.RECEIVER)
    with pytest.raises(RecordingError, match="already confirmed"):
        check_confirmation(None, Side.RECEIVER)
    with pytest.raises(RecordingError, match="other person must confirm"):
        check_confirmation(Side.RECEIVER, Side.PROVIDER)


def test_a_negative_limit_is_not_a_policy():
    with pytest.raises(ValueError, match="zero or more"):
        CreditPolicy(LimitMode.BLOCK, -1)
