"""Parts of a person's own record that other apps hold (their journey, measures, household …).

The person's own page and their download show everything held about them. This app may not import the
apps that depend on it, so each registers a section: a title, a template and its context for the page, and the
same data as plain JSON values for the download.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commonweal.accounts.models import User
from commonweal.people.models import Person


@dataclass(frozen=True)
class RecordSection:
    """One app's part of a person's own record."""

    key: str
    title: str
    template: str
    # Returns the template's context for the person's own page (model instances are fine).
    collect: Callable[[Person], dict[str, Any]]
    # Returns the same information as plain JSON values for the download.
    export: Callable[[Person], dict[str, Any]]
    # The staff record page's version: its template, and its context for a viewer with a reason to look.
    staff_template: str = ""
    collect_for_staff: Callable[[Person, User], dict[str, Any]] | None = None


_sections: list[RecordSection] = []


def register_section(section: RecordSection) -> None:
    """Add a section to every person's own record (a second registration under the same key is ignored)."""
    if all(existing.key != section.key for existing in _sections):
        _sections.append(section)


def sections() -> list[RecordSection]:
    """Return the registered sections in registration order."""
    return list(_sections)
