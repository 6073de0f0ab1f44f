"""What every app's demo builder shares: the day the demo is "as of", the core records handed to each
step, and the fictional population.

The `demo` app sits on top of the domain apps and runs their builders (`directory.demo`,
`referrals.demo` …); those builders import only this package, never `demo`.
"""

from __future__ import annotations

import datetime
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from commonweal.accounts.models import Role, User
    from commonweal.organisations.models import Organisation
    from commonweal.places.models import Area

# The demo's stories were written as of this Monday morning: its caseload, rounds, visits and exchanges
# are dated before and after it. A demo is built "as of" a recent Monday instead and every date moves by
# the same whole number of weeks, so the demo always looks current (next actions fall due around today,
# date filters reach this week) and weekdays stay what the stories say. Two builds as of the same Monday
# are identical.
WRITTEN_FOR = datetime.datetime(2026, 11, 16, 9, 0, tzinfo=datetime.UTC)
AS_OF_VARIABLE = "COMMONWEAL_DEMO_AS_OF"


def as_of_for(now: datetime.datetime) -> datetime.datetime:
    """The "as of" of a demo built at `now`: 09:00 UTC on the latest Monday at least a day before now.

    A day before, so that everything the demo dates on its "as of" day has already happened.
    """
    latest = now.astimezone(datetime.UTC) - datetime.timedelta(days=1)
    monday = latest.date() - datetime.timedelta(days=latest.weekday())
    moment = datetime.datetime.combine(monday, datetime.time(9), tzinfo=datetime.UTC)
    return moment if moment <= latest else moment - datetime.timedelta(weeks=1)


def read_as_of(value: str | None, now: datetime.datetime) -> datetime.datetime:
    """The "as of" named by COMMONWEAL_DEMO_AS_OF (a Monday, YYYY-MM-DD), or the one for `now`."""
    if not value:
        return as_of_for(now)
    try:
        day = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{AS_OF_VARIABLE} must be a date written YYYY-MM-DD, not {value!r}.") from None
    if day.weekday() != 0:
        raise ValueError(f"{AS_OF_VARIABLE} must be a Monday; {day:%A %-d %B %Y} is not.")
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)


# The day and time the demo's core records (accounts, residents, organisations) were written as made.
WRITTEN_REFERENCE_TIME = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)
DEMO_EMAIL_DOMAIN = "demo.commonweal.invalid"

_chosen: list[datetime.datetime] = []


def demo_as_of() -> datetime.datetime:
    """This process's "as of", chosen on first use (from COMMONWEAL_DEMO_AS_OF, else from the clock)."""
    if not _chosen:
        _chosen.append(read_as_of(os.environ.get(AS_OF_VARIABLE), datetime.datetime.now(datetime.UTC)))
    return _chosen[0]


def choose_as_of(as_of: datetime.datetime) -> None:
    """Build this process's demo as of `as_of` (a database's existing demo keeps its own "as of")."""
    if _chosen and _chosen[0] != as_of:
        raise ValueError(
            f"This process already builds the demo as of {_chosen[0]:%-d %B %Y}, not {as_of:%-d %B %Y}."
        )
    if as_of.weekday() != 0 or as_of.timetz() != WRITTEN_FOR.timetz():
        raise ValueError(f"A demo is built as of 09:00 UTC on a Monday, not {as_of.isoformat()}.")
    _chosen[:] = [as_of]


def as_of_of_core_records(made_at: datetime.datetime) -> datetime.datetime:
    """The "as of" of a demo whose core records were made at `made_at` (its accounts' date joined)."""
    return made_at + (WRITTEN_FOR - WRITTEN_REFERENCE_TIME)


Moment = TypeVar("Moment", datetime.date, datetime.datetime)


def moved(moment: Moment) -> Moment:
    """A day or time the stories were written with, moved to this demo's "as of" (by whole weeks)."""
    shift = demo_as_of() - WRITTEN_FOR
    if isinstance(moment, datetime.datetime):
        return moment + shift
    return moment + datetime.timedelta(days=shift.days)


# AS_OF, REFERENCE_DATE and REFERENCE_TIME are read the first time a demo builder imports them, so the
# `demo` command can first keep an existing demo's "as of".
if TYPE_CHECKING:
    AS_OF: datetime.datetime
    REFERENCE_DATE: datetime.date
    REFERENCE_TIME: datetime.datetime


def __getattr__(name: str) -> datetime.date:
    if name == "AS_OF":
        return demo_as_of()
    if name == "REFERENCE_TIME":
        return moved(WRITTEN_REFERENCE_TIME)
    if name == "REFERENCE_DATE":
        return moved(WRITTEN_REFERENCE_TIME.date())
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class DemoContext:
    """The demo's core records, handed to each later step (directory, journey, measures …)."""

    seed: int
    ics: Area
    borough: Area
    neighbourhoods: list[Area]
    organisations: dict[str, list[Organisation]]
    users: dict[Role, User]

    def rng(self, step: str) -> random.Random:
        """Return a random stream of its own for one step, so adding a step never changes another's data."""
        return random.Random(f"{self.seed}:{step}")


# Each later step builds one app's demo data from the core records. A step must be deterministic and
# idempotent on its own: it checks whether its data is there and returns False when it changed nothing,
# so `make run` on an existing database adds the steps that came with a newer version of the code.
DemoStep = Callable[[DemoContext], bool]
