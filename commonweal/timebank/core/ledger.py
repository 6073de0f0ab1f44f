"""Double entry in minutes: every transfer is two movements that sum to zero, and is never edited.

A transfer moves minutes from a source account (the one who received help, or who donates) to a
destination account (the one who gave help, or who is given hours). A correction is a reversal: a new
transfer the other way, pointing at the one it undoes; a transfer is reversed at most once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from commonweal.timebank.core.policies import CreditPolicy, Decision, Outcome, decide

AccountKey = Hashable


class TransferError(ValueError):
    """A transfer the ledger refuses whatever the policy: its message says why in plain words."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Transfer:
    """Minutes moved from one account to another; `reverses` names the transfer it undoes."""

    key: Hashable
    source: AccountKey
    destination: AccountKey
    minutes: int
    reverses: Hashable | None = None


@dataclass(frozen=True)
class Movement:
    """One leg of a transfer: a signed change to one account's balance."""

    transfer: Hashable
    account: AccountKey
    minutes: int
    leg: int  # 1: the source's debit, 2: the destination's credit


def check_transfer(source: AccountKey, destination: AccountKey, minutes: int) -> None:
    """Refuse what no ledger may hold: a transfer of no time, of negative time, or to oneself."""
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise TransferError("Give the time as a whole number of minutes.", field="minutes")
    if minutes <= 0:
        raise TransferError("The time must be more than zero.", field="minutes")
    if source == destination:
        raise TransferError("An account cannot give hours to itself.", field="destination")


def movements_of(transfer: Transfer) -> tuple[Movement, Movement]:
    """Return the two movements of a transfer: the source's debit and the destination's credit."""
    check_transfer(transfer.source, transfer.destination, transfer.minutes)
    return (
        Movement(transfer.key, transfer.source, -transfer.minutes, 1),
        Movement(transfer.key, transfer.destination, transfer.minutes, 2),
    )


def reversal_of(transfer: Transfer, key: Hashable) -> Transfer:
    """Return the transfer that undoes `transfer`: the same minutes, the other way."""
    if transfer.reverses is not None:
        raise TransferError("A reversal cannot itself be reversed; record a new transfer instead.")
    return Transfer(
        key=key,
        source=transfer.destination,
        destination=transfer.source,
        minutes=transfer.minutes,
        reverses=transfer.key,
    )


def replay(movements: Iterable[Movement]) -> dict[AccountKey, int]:
    """Return every account's balance, in minutes, from its movements alone."""
    balances: dict[AccountKey, int] = defaultdict(int)
    for movement in movements:
        balances[movement.account] += movement.minutes
    return dict(balances)


def unbalanced_transfers(movements: Iterable[Movement]) -> list[Hashable]:
    """Return the transfers whose movements are not one debit and one credit summing to zero."""
    legs: dict[Hashable, list[Movement]] = defaultdict(list)
    for movement in movements:
        legs[movement.transfer].append(movement)
    wrong = []
    for transfer, pair in legs.items():
        signs = sorted(m.leg for m in pair)
        if signs != [1, 2] or sum(m.minutes for m in pair) != 0 or pair[0].account == pair[1].account:
            wrong.append(transfer)
    return wrong


@dataclass
class Ledger:
    """An in-memory ledger: the rules the database layer applies, for tests, benchmarks and replays."""

    policy: CreditPolicy
    limits: Mapping[Any, int] | None = None

    def __post_init__(self) -> None:
        self.movements: list[Movement] = []
        self.transfers: dict[Hashable, Transfer] = {}
        self.reversed: set[Hashable] = set()
        self.balances: dict[AccountKey, int] = defaultdict(int)

    def limit_of(self, account: AccountKey) -> int:
        """Return how many minutes the account may owe."""
        if self.limits is not None and account in self.limits:
            return self.limits[account]
        return self.policy.limit_minutes

    def record(self, transfer: Transfer) -> Decision:
        """Apply a transfer if the policy lets it count; return the policy's decision."""
        if transfer.key in self.transfers:
            raise TransferError("This transfer is already recorded.")
        pair = movements_of(transfer)
        decision = decide(
            self.policy, self.balances[transfer.source], transfer.minutes, self.limit_of(transfer.source)
        )
        if decision.outcome in (Outcome.ACCEPT, Outcome.WARN):
            self.transfers[transfer.key] = transfer
            self.movements.extend(pair)
            for movement in pair:
                self.balances[movement.account] += movement.minutes
        return decision

    def reverse(self, original_key: Hashable, key: Hashable) -> Decision:
        """Record the reversal of a counted transfer (at most once); the policy applies to it too."""
        original = self.transfers.get(original_key)
        if original is None:
            raise TransferError("There is no such transfer to reverse.")
        if original_key in self.reversed:
            raise TransferError("This transfer has already been reversed.")
        decision = self.record(reversal_of(original, key))
        if decision.outcome in (Outcome.ACCEPT, Outcome.WARN):
            self.reversed.add(original_key)
        return decision
