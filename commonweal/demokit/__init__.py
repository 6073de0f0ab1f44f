"""What every app's demo builder shares: the fixed dates the demo is written at, the core records handed
to each step, and the fictional population.

The `demo` app sits on top of the domain apps and runs their builders (`directory.demo`,
`referrals.demo` …); those builders import only this package, never `demo`.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass

from commonweal.accounts.models import Role, User
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area

# Demo records are dated from a fixed day so that two runs produce identical data.
REFERENCE_DATE = datetime.date(2026, 1, 1)
REFERENCE_TIME = datetime.datetime(2026, 1, 1, 9, 0, tzinfo=datetime.UTC)


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
