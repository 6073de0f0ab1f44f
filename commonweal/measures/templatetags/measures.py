"""Template filters for the measures pages: numbers as people write them, and change in words."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template

from commonweal.measures.definitions import LocalisedText
from commonweal.measures.models import ScheduledMeasure
from commonweal.measures.scoring import Change

register = template.Library()


@register.filter
def number(value: Decimal | int | None) -> str:
    """Write a score plainly: 10, not 1E+1; 12.5, not 12.50."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"


@register.filter
def signed(value: Decimal | None) -> str:
    """Write a difference with its sign: +3, -2 or 0."""
    if value is None:
        return ""
    text = number(value)
    return f"+{text}" if value > 0 else text


@register.filter
def in_language(text: LocalisedText | None, language: str) -> str:
    """Return localised words in a language (falling back to en-GB)."""
    return "" if text is None else text.in_language(language)


@register.filter
def change_words(change: Change | None) -> str:
    """Say what a change means, flagging a threshold not yet checked against its source."""
    if change is None:
        return ""
    words = change.outcome.capitalize()
    if change.outcome == "no published threshold":
        words += f" ({change.direction})" if change.direction != "not comparable" else ""
    elif (
        change.threshold is not None
        and change.outcome != "not comparable"
        and not change.threshold_is_verified
    ):
        words += " (threshold not yet verified)"
    return words


# What a change means, for the person themselves: no method words ("reliable", "threshold").
PLAIN_OUTCOMES = {
    "reliable improvement": "Better, by more than the usual ups and downs",
    "reliable deterioration": "Worse, by more than the usual ups and downs",
    "no reliable change": "About the same (within the usual ups and downs)",
    "not comparable": "Cannot be compared",
}
PLAIN_DIRECTIONS = {"improved": "Better", "deteriorated": "Worse", "no change": "No change"}


@register.filter
def plain_change_words(change: Change | None) -> str:
    """Say what a change means in plain words, for the person whose scores they are."""
    if change is None:
        return ""
    if change.outcome == "no published threshold":
        return PLAIN_DIRECTIONS.get(change.direction, PLAIN_OUTCOMES["not comparable"])
    return PLAIN_OUTCOMES[change.outcome]


@register.filter
def get_item(mapping: dict[str, str], key: str) -> str:
    """Look a key up in a mapping (the instrument's title by its code), or return the key itself."""
    return mapping.get(key, key)


@register.filter
def days_overdue(item: ScheduledMeasure, today: datetime.date) -> int:
    """Return how many days past its due date a planned questionnaire is."""
    return item.days_overdue(today)
