"""A bank's policies: what a credit limit does (warn, block, refer) and who records a transfer.

A limit is the number of minutes an account may owe: with a limit of 600 a balance may go down to -600.
- warn: the transfer counts, and the people recording it are told the account is past its limit;
- block: the transfer is refused, so no balance ever goes below its limit;
- refer: the transfer waits for the coordinator, who approves (it counts) or declines it.

Recording: the receiver of help records (its hours leave their account), the provider records, or both
must confirm: the first records, the other confirms, and only then do the hours count.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LimitMode(StrEnum):
    """What passing the credit limit does."""

    WARN = "warn"
    BLOCK = "block"
    REFER = "refer"


class Outcome(StrEnum):
    """What happens to a transfer under the credit policy."""

    ACCEPT = "accept"
    WARN = "warn"  # counts, with a warning
    REFUSE = "refuse"
    REFER = "refer"  # waits for the coordinator


@dataclass(frozen=True)
class CreditPolicy:
    """A bank's credit policy: the default limit (minutes an account may owe) and what passing it does."""

    mode: LimitMode
    limit_minutes: int

    def __post_init__(self) -> None:
        if self.limit_minutes < 0:
            raise ValueError("A credit limit is a number of minutes an account may owe: zero or more.")


@dataclass(frozen=True)
class Decision:
    """The credit policy's answer for one transfer, with a message for people when it is not plain yes."""

    outcome: Outcome
    balance_after: int
    message: str = ""

    @property
    def counts(self) -> bool:
        """Do the hours count now?"""
        return self.outcome in (Outcome.ACCEPT, Outcome.WARN)


def _hours(minutes: int) -> str:
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else ""
    return f"{sign}{hours}h{rest:02d}" if rest else f"{sign}{hours}h"


def decide(policy: CreditPolicy, balance: int, minutes: int, limit_minutes: int | None = None) -> Decision:
    """Decide what the policy does with `minutes` leaving an account whose balance is `balance`."""
    limit = policy.limit_minutes if limit_minutes is None else limit_minutes
    after = balance - minutes
    if after >= -limit:
        return Decision(Outcome.ACCEPT, after)
    past = f"This would take the account to {_hours(after)}, past its limit of {_hours(-limit)}."
    if policy.mode is LimitMode.WARN:
        return Decision(Outcome.WARN, after, past + " It is recorded; the coordinator can see it.")
    if policy.mode is LimitMode.BLOCK:
        return Decision(Outcome.REFUSE, balance, past + " Nothing was recorded.")
    return Decision(Outcome.REFER, balance, past + " It waits for the coordinator to approve it.")


class RecordingPolicy(StrEnum):
    """Who records an exchange, and whether the other side must confirm it."""

    RECEIVER_RECORDS = "receiver"
    PROVIDER_RECORDS = "provider"
    BOTH_CONFIRM = "both"


class Side(StrEnum):
    """Which side of an exchange someone stands on."""

    RECEIVER = "receiver"  # received help: the source, whose hours go out
    PROVIDER = "provider"  # gave help: the destination, whose hours come in


class RecordingError(ValueError):
    """A recording or confirmation the policy refuses; the message says why."""


@dataclass(frozen=True)
class Recording:
    """How a transfer starts: counted at once, or waiting for the other side (`confirmer`) to confirm."""

    counts_now: bool
    confirmer: Side | None


def start_recording(policy: RecordingPolicy, recorder: Side, *, on_behalf: bool = False) -> Recording:
    """Decide how a transfer recorded by one side starts under the bank's recording policy.

    `on_behalf` is a coordinator acting as broker for both members (say, for members without a
    device): the broker's record is the bank's own word, so it counts at once under every policy.
    """
    if on_behalf:
        return Recording(True, None)
    if policy is RecordingPolicy.RECEIVER_RECORDS:
        if recorder is not Side.RECEIVER and not on_behalf:
            raise RecordingError("In this bank the person who received help records the hours.")
        return Recording(True, None)
    if policy is RecordingPolicy.PROVIDER_RECORDS:
        if recorder is not Side.PROVIDER and not on_behalf:
            raise RecordingError("In this bank the person who gave help records the hours.")
        return Recording(True, None)
    other = Side.PROVIDER if recorder is Side.RECEIVER else Side.RECEIVER
    return Recording(False, other)


def check_confirmation(waiting_for: Side | None, confirmer: Side) -> None:
    """Refuse a confirmation by the wrong side, or one of a transfer that already counts."""
    if waiting_for is None:
        raise RecordingError("This exchange is already confirmed; nothing was changed.")
    if confirmer is not waiting_for:
        raise RecordingError("The other person must confirm this exchange, not the one who recorded it.")
