"""The measures app's settings, read from Django settings or, failing that, from the environment.

Each value may be set in `commonweal/config/settings.py` (as `MEASURES_…`) or as an environment variable
of the same name (listed with a comment in `.env.example`). Bad values stop start-up through a system
check (`checks.py`) with a message that says what to set, rather than failing at the moment an alert
has to go out.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from commonweal.ui import site


class MeasuresSettingError(ValueError):
    """A measures setting that cannot be read; the message names the setting and what it expects."""


@dataclass(frozen=True)
class CrisisContact:
    """A service a person can reach at once when an answer shows they may be at risk."""

    name: str
    phone: str
    text: str


DEFAULT_CRISIS_CONTACTS: tuple[CrisisContact, ...] = (
    CrisisContact("NHS 111", "111", "Call 111 if you need help urgently. It is free, day or night."),
    CrisisContact(
        "Samaritans",
        "116 123",
        "Call 116 123 to talk to someone. It is free, at any time, day or night.",
    ),
    CrisisContact(
        "Emergency services",
        "999",
        "Call 999 or go to A&E if your life is at risk or you have seriously hurt yourself.",
    ),
)

_DEFAULTS: dict[str, str] = {
    "MEASURES_FOLLOW_UP_WEEKS": "6,12",
    "MEASURES_DEFAULT_INSTRUMENTS": "ons4,ucla-3,phq-9",
    "MEASURES_ALERT_ESCALATE_AFTER_MINUTES": "60",
    "MEASURES_ESCALATION_EMAILS": "",
    "MEASURES_LINK_VALID_DAYS": "14",
    "MEASURES_REMINDER_EVERY_DAYS": "7",
    "MEASURES_MAX_REMINDERS": "3",
    "MEASURES_OVERDUE_AFTER_DAYS": "14",
    "MEASURES_LICENSED_DIR": "",
    "MEASURES_CRISIS_CONTACTS": "",
    "MEASURES_FHIR_BASE": "",
}


def _raw(name: str) -> Any:
    value = getattr(settings, name, None)
    if value is not None:
        return value
    return os.environ.get(name, _DEFAULTS[name])


def _positive_int(name: str) -> int:
    raw = _raw(name)
    try:
        value = int(raw)
    except (TypeError, ValueError) as error:
        raise MeasuresSettingError(f"{name} must be a whole number, not {raw!r}.") from error
    if value < 1:
        raise MeasuresSettingError(f"{name} must be 1 or more, not {value}.")
    return value


def _words(name: str) -> tuple[str, ...]:
    raw = _raw(name)
    parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    return tuple(str(part).strip() for part in parts if str(part).strip())


def follow_up_weeks() -> tuple[int, ...]:
    """Return the weeks after the baseline at which follow-ups fall (e.g. 6 and 12), in order."""
    words = _words("MEASURES_FOLLOW_UP_WEEKS")
    try:
        weeks = tuple(int(word) for word in words)
    except ValueError as error:
        raise MeasuresSettingError(
            f"MEASURES_FOLLOW_UP_WEEKS must be whole numbers of weeks separated by commas, e.g. 6,12; "
            f"not {','.join(words)!r}."
        ) from error
    if any(week < 1 for week in weeks) or list(weeks) != sorted(set(weeks)):
        raise MeasuresSettingError(
            "MEASURES_FOLLOW_UP_WEEKS must be different whole numbers of weeks above 0, in rising order."
        )
    return weeks


def default_instruments() -> tuple[str, ...]:
    """Return the codes of the instruments a new schedule offers by default."""
    return _words("MEASURES_DEFAULT_INSTRUMENTS")


def escalate_after_minutes() -> int:
    """Return how long an alert may stay unacknowledged before it escalates."""
    return _positive_int("MEASURES_ALERT_ESCALATE_AFTER_MINUTES")


def escalation_emails() -> tuple[str, ...]:
    """Return the addresses (e.g. a duty clinician) that every escalation also goes to."""
    return _words("MEASURES_ESCALATION_EMAILS")


def link_valid_days() -> int:
    """Return how many days a one-time answering link stays valid."""
    return _positive_int("MEASURES_LINK_VALID_DAYS")


def reminder_every_days() -> int:
    """Return how many days apart reminders about the same due questionnaire are sent."""
    return _positive_int("MEASURES_REMINDER_EVERY_DAYS")


def max_reminders() -> int:
    """Return how many reminders are sent about one due questionnaire at most."""
    return _positive_int("MEASURES_MAX_REMINDERS")


def overdue_after_days() -> int:
    """Return how many days after its due date a questionnaire counts as overdue."""
    return _positive_int("MEASURES_OVERDUE_AFTER_DAYS")


def licensed_dir() -> Path | None:
    """Return the folder of definition files supplied by licence holders, or None."""
    raw = str(_raw("MEASURES_LICENSED_DIR") or "").strip()
    return Path(raw) if raw else None


def site_url() -> str:
    """Return the address people reach this deployment at, for links in e-mails (no trailing slash)."""
    try:
        return site.site_url()
    except site.SiteUrlError as error:
        raise MeasuresSettingError(str(error)) from error


def fhir_base() -> str:
    """Return the canonical base URL of FHIR resources (default: the site's address followed by /fhir)."""
    return str(_raw("MEASURES_FHIR_BASE") or "").strip().rstrip("/") or f"{site_url()}/fhir"


def _contact(entry: Any, index: int) -> CrisisContact:
    if isinstance(entry, CrisisContact):
        return entry
    if not isinstance(entry, dict) or not all(
        isinstance(entry.get(key), str) and entry.get(key, "").strip() for key in ("name", "phone", "text")
    ):
        raise MeasuresSettingError(
            f"MEASURES_CRISIS_CONTACTS entry {index + 1} needs a non-empty name, phone and text."
        )
    return CrisisContact(entry["name"].strip(), entry["phone"].strip(), entry["text"].strip())


def crisis_contacts() -> tuple[CrisisContact, ...]:
    """Return the crisis contacts shown to a person whose answer raised a safety alert."""
    raw = _raw("MEASURES_CRISIS_CONTACTS")
    if raw in ("", None):
        return DEFAULT_CRISIS_CONTACTS
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise MeasuresSettingError(
                "MEASURES_CRISIS_CONTACTS must be a JSON list such as "
                '[{"name": "NHS 111", "phone": "111", "text": "Call 111 …"}]: '
                f"{error.msg} at character {error.pos}."
            ) from error
    if not isinstance(raw, list | tuple) or not raw:
        raise MeasuresSettingError("MEASURES_CRISIS_CONTACTS must be a non-empty list of contacts.")
    return tuple(_contact(entry, index) for index, entry in enumerate(raw))


ALL_SETTINGS = (
    follow_up_weeks,
    default_instruments,
    escalate_after_minutes,
    escalation_emails,
    link_valid_days,
    reminder_every_days,
    max_reminders,
    overdue_after_days,
    licensed_dir,
    site_url,
    fhir_base,
    crisis_contacts,
)
