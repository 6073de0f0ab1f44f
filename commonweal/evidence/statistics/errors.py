"""The one error the statistics core raises for input it cannot work with (no Django)."""

from __future__ import annotations


class StatisticsInputError(ValueError):
    """Raised when the data or options given to a statistic cannot produce a valid answer.

    The message is a plain sentence meant to be shown to the person who supplied the data.
    """
