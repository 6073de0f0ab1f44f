"""The demo borough is deterministic and idempotent."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from commonweal.demo.builder import DEMO_LOGINS
from commonweal.demo.management.commands.demo import Command
from commonweal.households.demo import OTHER_WORKERS, demo_size
from commonweal.people.models import Person
from commonweal.referrals.demo import SAM
from commonweal.timebank.demo import MEMBERS as TIMEBANK_MEMBERS
from tests.demo_database import DEMO, DEMO_RESIDENTS


def _report(*options: str) -> dict[str, object]:
    out = StringIO()
    call_command("demo", "--report", *options, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_building_the_demo_twice_from_an_empty_database_gives_identical_data():
    # The first build is the tests' demo borough (build_demo, built once per test process); the second
    # is the `demo` command's, on an emptied database, with the same seed and number of residents.
    DEMO.put_in_place()
    first = _report()  # the demo is loaded: the command only reports it
    call_command("flush", interactive=False, verbosity=0)
    assert Person.objects.count() == 0
    second = _report("--residents", str(DEMO_RESIDENTS))
    assert second == first
    # The borough's residents and the people of the community health workers' households.
    people = DEMO_RESIDENTS + demo_size(DEMO_RESIDENTS)[1]
    assert first["counts"]["residents"] == people
    # The demo logins; a sign-in for each demo timebank member and applicant but the demo resident (drawn
    # from the people who have none, households' people included, up to the bank's size); the two
    # community health workers and the team's second supervisor (Sam), who have no login.
    assert first["counts"]["users"] == (
        len(DEMO_LOGINS) + min(TIMEBANK_MEMBERS - 1, people - 1) + len(OTHER_WORKERS) + len((SAM,))
    )


def test_the_demo_command_builds_two_thousand_residents_unless_told_otherwise():
    parser = Command().create_parser("commonweal", "demo")
    assert parser.parse_args([]).residents == 2000
    assert parser.parse_args(["--residents", "150"]).residents == 150
