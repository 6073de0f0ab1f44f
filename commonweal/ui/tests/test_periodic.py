"""`commonweal periodic` runs every listed sweep, and one failing sweep does not stop the others."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


@pytest.mark.django_db
def test_one_round_runs_each_sweep_and_reports_a_failing_one(settings):
    settings.COMMONWEAL_PERIODIC_COMMANDS = ["no_such_sweep", "directory_reminders"]
    out, err = StringIO(), StringIO()
    call_command("periodic", "--once", stdout=out, stderr=err)
    assert err.getvalue().startswith(
        "commonweal periodic: no_such_sweep failed: Unknown command: 'no_such_sweep'"
    )
    assert out.getvalue() != ""


def test_it_refuses_an_interval_below_one_second():
    with pytest.raises(CommandError, match=r"--interval must be at least 1 second\."):
        call_command("periodic", "--interval", "0", "--once")
