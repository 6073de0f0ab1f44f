"""The connection status machine: every legal transition, every illegal one, every wrong party.

Who may set each status is read from the Gravity IG summary in shared/standards/fhir/README.md (the
IG's table for SDOHCC-TaskForReferralManagement), not restated here.
"""

from __future__ import annotations

import itertools
import re

import pytest

from commonweal.reference_data import standards_dir
from commonweal.referrals.workflow import (
    NEXT,
    SET_BY,
    Party,
    RejectionReason,
    Status,
    TransitionRefused,
    allowed_targets,
    check_transition,
    owner,
)

# The FHIR Task state machine, less draft, ready and received, written out independently as pairs.
LEGAL_PAIRS = {
    ("requested", "accepted"),
    ("requested", "rejected"),
    ("requested", "cancelled"),
    ("requested", "entered-in-error"),
    ("accepted", "in-progress"),
    ("accepted", "on-hold"),
    ("accepted", "cancelled"),
    ("accepted", "entered-in-error"),
    ("in-progress", "on-hold"),
    ("in-progress", "completed"),
    ("in-progress", "failed"),
    ("in-progress", "cancelled"),
    ("in-progress", "entered-in-error"),
    ("on-hold", "in-progress"),
    ("on-hold", "failed"),
    ("on-hold", "cancelled"),
    ("on-hold", "entered-in-error"),
    ("rejected", "entered-in-error"),
    ("completed", "entered-in-error"),
    ("failed", "entered-in-error"),
    ("cancelled", "entered-in-error"),
}


def _gravity_table() -> dict[str, set[str]]:
    text = (standards_dir() / "fhir" / "README.md").read_text(encoding="utf-8")
    table_line = next(line for line in text.splitlines() if line.startswith("draft (Requester)"))
    table_line += " " + text.splitlines()[text.splitlines().index(table_line) + 1]
    parties: dict[str, set[str]] = {}
    for status, who in re.findall(r"([a-z-]+) \(([^)]+)\)", table_line):
        parties[status] = {
            "requester" if part.strip() == "Requester" else "target" for part in who.split(" or ")
        }
    return parties


def test_who_may_set_each_status_is_the_gravity_table():
    table = _gravity_table()
    assert set(table) == {status.value for status in Status} | {"draft"}
    for status in Status:
        assert {party.value for party in SET_BY[status]} == table[status.value], status


def test_the_status_value_set_excludes_ready_and_received_as_the_ig_requires():
    readme = (standards_dir() / "fhir" / "README.md").read_text(encoding="utf-8")
    assert "except `ready` and `received`" in readme
    assert not {"ready", "received"} & {status.value for status in Status}


def test_the_transition_table_is_the_state_machine():
    pairs = {(current.value, target.value) for current in Status for target in NEXT[current]}
    assert pairs == LEGAL_PAIRS


def _note_for(target: Status) -> tuple[str, RejectionReason | None]:
    if target == Status.REJECTED:
        return "", RejectionReason.AT_CAPACITY
    return "because", None


ALL_MOVES = list(itertools.product(Status, Status, Party))


@pytest.mark.parametrize(("current", "target", "party"), ALL_MOVES, ids=lambda value: str(value))
def test_every_move_by_every_party_is_allowed_exactly_when_the_tables_say(current, target, party):
    note, reason = _note_for(target)
    legal = (current.value, target.value) in LEGAL_PAIRS and party.value in _gravity_table()[target.value]
    if legal:
        transition = check_transition(current, target, party, note, reason)
        assert (transition.from_status, transition.to_status, transition.party) == (current, target, party)
    else:
        with pytest.raises(TransitionRefused):
            check_transition(current, target, party, note, reason)


def test_the_refusals_say_why_in_plain_words():
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.REQUESTED, Status.ACCEPTED, Party.REQUESTER)
    assert str(raised.value) == "Only the community organisation can mark a connection accepted."
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.ACCEPTED, Status.ENTERED_IN_ERROR, Party.TARGET)
    assert (
        str(raised.value) == "Only whoever asked for the connection can mark a connection entered in error."
    )
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.COMPLETED, Status.IN_PROGRESS, Party.TARGET)
    assert str(raised.value) == "A connection that is completed cannot become in progress."
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.ACCEPTED, Status.ACCEPTED, Party.TARGET)
    assert str(raised.value) == "The connection is already accepted."


def test_a_rejection_needs_a_reason_and_other_needs_words():
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.REQUESTED, Status.REJECTED, Party.TARGET, "full")
    assert str(raised.value) == "Choose why the connection is rejected."
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.REQUESTED, Status.REJECTED, Party.TARGET, " ", RejectionReason.OTHER)
    assert str(raised.value) == "Say why the connection is rejected."
    at_capacity = check_transition(
        Status.REQUESTED, Status.REJECTED, Party.TARGET, "", RejectionReason.AT_CAPACITY
    )
    assert at_capacity.rejection_reason == RejectionReason.AT_CAPACITY


@pytest.mark.parametrize(
    ("current", "target", "party"),
    [
        (Status.REQUESTED, Status.CANCELLED, Party.REQUESTER),
        (Status.ACCEPTED, Status.ON_HOLD, Party.TARGET),
        (Status.IN_PROGRESS, Status.FAILED, Party.TARGET),
    ],
)
def test_cancelling_holding_and_failing_need_a_note(current, target, party):
    with pytest.raises(TransitionRefused) as raised:
        check_transition(current, target, party, "  ")
    assert str(raised.value) == f"Say why the connection is {target.value.replace('-', ' ')}."


def test_a_rejection_reason_is_only_for_rejecting():
    with pytest.raises(TransitionRefused) as raised:
        check_transition(Status.REQUESTED, Status.ACCEPTED, Party.TARGET, "", RejectionReason.AT_CAPACITY)
    assert str(raised.value) == "A reason for rejection is given only when rejecting."


def test_each_side_is_offered_only_its_own_moves():
    assert allowed_targets(Status.REQUESTED, Party.TARGET) == [
        Status.ACCEPTED,
        Status.REJECTED,
        Status.CANCELLED,
    ]
    assert allowed_targets(Status.REQUESTED, Party.REQUESTER) == [Status.CANCELLED, Status.ENTERED_IN_ERROR]
    assert allowed_targets(Status.IN_PROGRESS, Party.TARGET) == [
        Status.ON_HOLD,
        Status.COMPLETED,
        Status.FAILED,
        Status.CANCELLED,
    ]
    assert allowed_targets(Status.ENTERED_IN_ERROR, Party.REQUESTER) == []


def test_a_rejection_returns_the_connection_to_the_requester():
    assert owner(Status.REQUESTED) == Party.TARGET
    assert owner(Status.ON_HOLD) == Party.TARGET
    assert owner(Status.REJECTED) == Party.REQUESTER
    assert owner(Status.COMPLETED) == Party.REQUESTER
