"""The closed-loop connection status machine (pure: no Django).

Statuses and who may set them follow the Gravity SDOH Clinical Care IG's "Task for referral
management" (STU3): the requester (the link worker, or the person who asked) requests, cancels and
marks entered-in-error; the referral target (the community organisation) accepts, rejects, starts,
holds, fails and completes; either may cancel. `draft` is not used (a connection is created when it is
sent) and `ready`/`received` are excluded by the IG's value set.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """FHIR TaskStatus codes used for a connection."""

    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"


class Party(StrEnum):
    """The two sides of a closed-loop referral."""

    REQUESTER = "requester"
    TARGET = "target"


STATUS_LABELS: dict[Status, str] = {
    Status.REQUESTED: "Requested",
    Status.ACCEPTED: "Accepted",
    Status.REJECTED: "Rejected",
    Status.IN_PROGRESS: "In progress",
    Status.ON_HOLD: "On hold",
    Status.COMPLETED: "Completed",
    Status.FAILED: "Failed",
    Status.CANCELLED: "Cancelled",
    Status.ENTERED_IN_ERROR: "Entered in error",
}

# Who may set each status (the IG's table).
SET_BY: dict[Status, frozenset[Party]] = {
    Status.REQUESTED: frozenset({Party.REQUESTER}),
    Status.ACCEPTED: frozenset({Party.TARGET}),
    Status.REJECTED: frozenset({Party.TARGET}),
    Status.IN_PROGRESS: frozenset({Party.TARGET}),
    Status.ON_HOLD: frozenset({Party.TARGET}),
    Status.FAILED: frozenset({Party.TARGET}),
    Status.COMPLETED: frozenset({Party.TARGET}),
    Status.CANCELLED: frozenset({Party.REQUESTER, Party.TARGET}),
    Status.ENTERED_IN_ERROR: frozenset({Party.REQUESTER}),
}

# Which status may follow which (the FHIR Task state machine, less draft/ready/received).
NEXT: dict[Status, frozenset[Status]] = {
    Status.REQUESTED: frozenset(
        {Status.ACCEPTED, Status.REJECTED, Status.CANCELLED, Status.ENTERED_IN_ERROR}
    ),
    Status.ACCEPTED: frozenset(
        {Status.IN_PROGRESS, Status.ON_HOLD, Status.CANCELLED, Status.ENTERED_IN_ERROR}
    ),
    Status.IN_PROGRESS: frozenset(
        {Status.ON_HOLD, Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.ENTERED_IN_ERROR}
    ),
    Status.ON_HOLD: frozenset({Status.IN_PROGRESS, Status.FAILED, Status.CANCELLED, Status.ENTERED_IN_ERROR}),
    # Finished connections can only be struck out as a mistake.
    Status.REJECTED: frozenset({Status.ENTERED_IN_ERROR}),
    Status.COMPLETED: frozenset({Status.ENTERED_IN_ERROR}),
    Status.FAILED: frozenset({Status.ENTERED_IN_ERROR}),
    Status.CANCELLED: frozenset({Status.ENTERED_IN_ERROR}),
    Status.ENTERED_IN_ERROR: frozenset(),
}

# The IG says statusReason SHOULD be given for these; we require it, so the other side knows why.
NEEDS_REASON = frozenset({Status.REJECTED, Status.CANCELLED, Status.ON_HOLD, Status.FAILED})
ACTIVE = frozenset({Status.REQUESTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ON_HOLD})
# Connections that ended without the person being served: declined (rejected), not taken up (failed),
# closed (cancelled) or struck out. The organisation no longer needs, so no longer sees, who it was.
ENDED_UNSERVED = frozenset({Status.REJECTED, Status.FAILED, Status.CANCELLED, Status.ENTERED_IN_ERROR})
# While active, the organisation holds the connection; otherwise it is back with the requester.
OWNED_BY_TARGET = ACTIVE


class RejectionReason(StrEnum):
    """Why an organisation turned a connection down."""

    AT_CAPACITY = "at-capacity"
    NOT_ELIGIBLE = "not-eligible"
    SERVICE_NOT_SUITABLE = "not-suitable"
    COULD_NOT_CONTACT = "could-not-contact"
    OTHER = "other"


REJECTION_LABELS: dict[RejectionReason, str] = {
    RejectionReason.AT_CAPACITY: "At capacity",
    RejectionReason.NOT_ELIGIBLE: "The person is not eligible for this service",
    RejectionReason.SERVICE_NOT_SUITABLE: "This service cannot meet the person's needs",
    RejectionReason.COULD_NOT_CONTACT: "We could not contact the person",
    RejectionReason.OTHER: "Another reason",
}


class TransitionRefused(ValueError):
    """A status change that the workflow does not allow; the message says why in plain words."""


@dataclass(frozen=True)
class Transition:
    """A status change that the workflow allows."""

    from_status: Status
    to_status: Status
    party: Party
    note: str
    rejection_reason: RejectionReason | None = None


def check_transition(
    current: Status,
    target: Status,
    party: Party,
    note: str = "",
    rejection_reason: RejectionReason | None = None,
) -> Transition:
    """Return the transition if `party` may move a connection from `current` to `target`, else raise."""
    if target == current:
        raise TransitionRefused(f"The connection is already {STATUS_LABELS[current].lower()}.")
    if target not in NEXT[current]:
        raise TransitionRefused(
            f"A connection that is {STATUS_LABELS[current].lower()} cannot become "
            f"{STATUS_LABELS[target].lower()}."
        )
    if party not in SET_BY[target]:
        who = "the community organisation" if party == Party.REQUESTER else "whoever asked for the connection"
        raise TransitionRefused(f"Only {who} can mark a connection {STATUS_LABELS[target].lower()}.")
    if target == Status.REJECTED and rejection_reason is None:
        raise TransitionRefused("Choose why the connection is rejected.")
    if target != Status.REJECTED and rejection_reason is not None:
        raise TransitionRefused("A reason for rejection is given only when rejecting.")
    if target in NEEDS_REASON and not note.strip() and rejection_reason in (None, RejectionReason.OTHER):
        raise TransitionRefused(f"Say why the connection is {STATUS_LABELS[target].lower()}.")
    return Transition(current, target, party, note.strip(), rejection_reason)


def allowed_targets(current: Status, party: Party) -> list[Status]:
    """Return the statuses `party` may move a connection to from `current`, in the workflow's order."""
    return [status for status in Status if status in NEXT[current] and party in SET_BY[status]]


def owner(status: Status) -> Party:
    """Return which side holds the connection in a status (a rejection returns it to the requester)."""
    return Party.TARGET if status in OWNED_BY_TARGET else Party.REQUESTER
