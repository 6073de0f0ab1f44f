"""The one error the participation actions raise: a plain-words reason, and the form field it is about."""

from __future__ import annotations


class ParticipationError(ValueError):
    """A request an action cannot carry out; the message says why in plain words."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Keep the field (None: the whole form) that the message should be shown beside."""
        super().__init__(message)
        self.field = field
