"""Runs of views of a record: repeated views by one viewer for one reason, shown as one row.

A link worker who opens a record, goes back to their list and opens it again leaves a row in the access
log each time (every row is kept). Read as a list, 45 identical rows for one minute of work hide the one
row that matters. A run is a stretch of consecutive views (nothing else in between) by the same viewer for
the same reason and detail, each view within `WINDOW` of the one before it.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

# The pause after which a viewer's next look starts a new row: long enough to cover a piece of work on
# one case (a phone call, a visit write-up), short enough that the next day's look shows on its own.
WINDOW_MINUTES = 30
WINDOW = datetime.timedelta(minutes=WINDOW_MINUTES)


class View(Protocol):
    """What a run needs to know about one view (an access-log row has all of it)."""

    @property
    def viewer_id(self) -> Hashable: ...

    @property
    def reason(self) -> str: ...

    @property
    def detail(self) -> str: ...

    @property
    def accessed_at(self) -> datetime.datetime: ...


ViewT = TypeVar("ViewT", bound=View)
# Unbounded: mypy checks the bound of a type argument written in an annotation before django-stubs has
# added the model's fields, so `Run[RecordAccess]` was refused although a RecordAccess is a View.
AnyView = TypeVar("AnyView")


@dataclass(frozen=True)
class Run(Generic[AnyView]):
    """Consecutive views by one viewer for one reason: the latest, the earliest and how many."""

    latest: AnyView
    earliest: AnyView
    views: int

    @property
    def is_repeated(self) -> bool:
        """Tell whether the run holds more than one view."""
        return self.views > 1


def _same_look(view: View, other: View) -> bool:
    return (view.viewer_id, view.reason, view.detail) == (other.viewer_id, other.reason, other.detail)


def runs_of(views: Iterable[ViewT], *, window: datetime.timedelta = WINDOW) -> Iterator[Run[ViewT]]:
    """Group views, given newest first, into runs, newest first; every view is in exactly one run.

    Lazy: taking the first n runs reads the views only up to the first view of run n + 1.
    """
    latest: ViewT | None = None
    earliest: ViewT | None = None
    count = 0
    for view in views:
        if (
            latest is not None
            and earliest is not None
            and _same_look(view, latest)
            and earliest.accessed_at - view.accessed_at <= window
        ):
            earliest = view
            count += 1
            continue
        if latest is not None and earliest is not None:
            yield Run(latest=latest, earliest=earliest, views=count)
        latest = earliest = view
        count = 1
    if latest is not None and earliest is not None:
        yield Run(latest=latest, earliest=earliest, views=count)
