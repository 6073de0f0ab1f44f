"""The demo is as of a recent Monday: every README row can be tried on the day it is built.

The "as of" rule is checked on hand-worked days; the demo built for the tests (as of the Monday their run
chose) is then tried as its users would try it today: the organiser counts a round, the link worker
decides a colleague's small sum, next actions are mostly not yet due, and nothing is dated after the demo
was built.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from commonweal import demokit
from commonweal.accounts.models import User
from commonweal.budgeting import actions as budgeting
from commonweal.budgeting.demo import READY_ROUND
from commonweal.budgeting.models import BudgetRound
from commonweal.demo.management.commands.demo import keep_existing_as_of
from commonweal.households.models import Visit
from commonweal.referrals import actions as referrals
from commonweal.referrals.demo import SAM
from commonweal.referrals.models import Referral, ReferralStatus, SmallSum

UTC = datetime.UTC
DOMAIN = demokit.DEMO_EMAIL_DOMAIN


def _at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("built", "as_of"),
    [
        # Tuesday just after midnight: Monday the 7th at 09:00 is less than a day ago, so the Monday before.
        ("2026-12-08 00:30", "2026-11-30 09:00"),
        ("2026-12-08 09:00", "2026-12-07 09:00"),
        ("2026-12-08 08:59", "2026-11-30 09:00"),
        ("2026-12-13 23:00", "2026-12-07 09:00"),
        # Across a year's end and a clock change (Monday 28 December 2026; Monday 30 March 2026).
        ("2027-01-01 12:00", "2026-12-28 09:00"),
        ("2026-03-31 10:00", "2026-03-30 09:00"),
    ],
)
def test_a_demo_is_as_of_the_latest_monday_morning_at_least_a_day_before_it_is_built(built, as_of):
    assert demokit.as_of_for(_at(built)) == _at(as_of)
    assert demokit.read_as_of(None, _at(built)) == _at(as_of)
    assert demokit.read_as_of("", _at(built)) == _at(as_of)


def test_the_as_of_can_be_named_but_only_as_a_monday_written_yyyy_mm_dd():
    now = _at("2026-12-08 12:00")
    assert demokit.read_as_of("2026-11-16", now) == demokit.WRITTEN_FOR
    with pytest.raises(ValueError) as error:
        demokit.read_as_of("2026-11-17", now)
    assert str(error.value) == "COMMONWEAL_DEMO_AS_OF must be a Monday; Tuesday 17 November 2026 is not."
    with pytest.raises(ValueError) as error:
        demokit.read_as_of("16/11/2026", now)
    assert str(error.value) == "COMMONWEAL_DEMO_AS_OF must be a date written YYYY-MM-DD, not '16/11/2026'."


def test_moving_keeps_the_weekday_and_the_distance_from_the_as_of():
    as_of = demokit.demo_as_of()
    written = datetime.date(2025, 10, 31)  # a Friday
    moved = demokit.moved(written)
    assert moved.weekday() == written.weekday() == 4
    assert as_of.date() - moved == demokit.WRITTEN_FOR.date() - written
    assert demokit.moved(demokit.WRITTEN_FOR) == as_of


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
def test_the_tests_demo_is_as_of_the_monday_their_run_chose_and_the_command_keeps_it(monkeypatch):
    admin = User.objects.get(email=f"admin@{DOMAIN}")
    assert demokit.as_of_of_core_records(admin.date_joined) == demokit.demo_as_of()
    assert demokit.demo_as_of().weekday() == 0
    keep_existing_as_of()  # the same Monday: nothing to refuse
    other = demokit.demo_as_of() - datetime.timedelta(weeks=1)
    monkeypatch.setenv(demokit.AS_OF_VARIABLE, other.date().isoformat())
    with pytest.raises(CommandError) as error:
        keep_existing_as_of()
    assert str(error.value) == (
        f"The demo in this database was built as of {demokit.demo_as_of():%A %-d %B %Y}, but "
        f"COMMONWEAL_DEMO_AS_OF names {other.date().isoformat()}: unset it, or build on an empty database."
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
def test_nothing_in_the_demo_is_dated_after_it_was_built():
    now = timezone.now()
    assert Referral.objects.filter(received_at__gt=now).count() == 0
    assert Visit.objects.filter(visited_at__gt=now).count() == 0
    assert SmallSum.objects.filter(requested_at__gt=now).count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
def test_the_organiser_can_count_a_round_whose_voting_closed_the_day_before_the_as_of():
    organiser = User.objects.get(email=f"organiser@{DOMAIN}")
    ready = BudgetRound.objects.get(name=READY_ROUND)
    assert ready.phase == BudgetRound.Phase.VOTING
    assert ready.voting_closes_on == demokit.demo_as_of().date() - datetime.timedelta(days=1)
    assert ready.paper_ballots.count() > 0
    result = budgeting.close_voting(budget_round=ready, by=organiser)
    assert result.ballots_counted == ready.ballots.count() > 0
    assert BudgetRound.objects.get(pk=ready.pk).phase == BudgetRound.Phase.RESULTS


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
def test_the_link_worker_decides_her_colleagues_small_sums_and_hers_wait_for_him():
    lena = User.objects.get(email=f"link.worker@{DOMAIN}")
    sam = User.objects.get(email=f"{SAM[1]}@{DOMAIN}")
    waiting_for_lena = SmallSum.objects.filter(requested_by=sam, status=SmallSum.Status.REQUESTED)
    assert waiting_for_lena.count() == 2
    decided = referrals.decide_small_sum(small_sum=waiting_for_lena.first(), approve=True, by=lena)
    assert decided.status == SmallSum.Status.APPROVED
    hers = SmallSum.objects.filter(requested_by=lena)
    assert hers.filter(status=SmallSum.Status.APPROVED, decided_by=sam).count() == hers.count() - 1 > 0
    assert hers.filter(status=SmallSum.Status.REQUESTED).count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
def test_some_but_well_under_half_of_the_link_workers_next_actions_are_overdue_today():
    lena = User.objects.get(email=f"link.worker@{DOMAIN}")
    open_cases = Referral.objects.filter(link_worker=lena, status=ReferralStatus.OPEN)
    overdue = open_cases.filter(next_action_due__lt=timezone.localdate()).count()
    # Due from 12 days before the as-of to 47 after, and today is 1 to 8 days after it: 13 to 20 in 60.
    assert 0 < overdue < 0.4 * open_cases.count()
