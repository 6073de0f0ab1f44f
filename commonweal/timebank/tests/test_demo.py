"""The demo timebank: about 300 members and organisations, a year of exchanges, a group session, a
reversal, a member exactly at the limit, a ledger that proves itself; a second run changes nothing."""

from __future__ import annotations

import datetime

import pytest

from commonweal.demo.builder import _context
from commonweal.demokit import moved
from commonweal.timebank.demo import BANK_SLUG, LIMIT, SECOND_MEMBER_EMAIL, build_timebank
from commonweal.timebank.models import Account, Bank, GroupSession, Movement, Transfer
from commonweal.timebank.queries import ledger_problems

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_borough")]


def test_the_demo_bank_holds_a_year_of_exchanges_that_prove_themselves():
    bank = Bank.objects.get(slug=BANK_SLUG)
    accounts = Account.objects.filter(bank=bank)
    # Up to 279 members and an applicant (fewer when the demo holds fewer residents, as the tests' does).
    assert 150 <= accounts.filter(kind=Account.Kind.MEMBER).count() <= 280
    assert accounts.filter(kind=Account.Kind.ORGANISATION).count() == 20
    assert accounts.filter(status=Account.Status.APPLIED).count() == 1
    counted = Transfer.objects.filter(bank=bank, status=Transfer.Status.COMPLETE)
    assert counted.count() > 1000
    dates = counted.order_by("counted_at").values_list("counted_at", flat=True)
    # A year of exchanges: written for 2025, moved to the demo's "as of" by whole weeks.
    begins = moved(datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    assert begins <= dates.first() < dates.last() < begins.replace(year=begins.year + 1)
    assert GroupSession.objects.filter(bank=bank).get().transfers.count() == 12
    assert Transfer.objects.filter(bank=bank, reverses__isnull=False).count() == 1
    assert accounts.filter(kind=Account.Kind.MEMBER, balance_minutes=-LIMIT).exists()
    assert not accounts.filter(balance_minutes__lt=-LIMIT).exists()
    assert accounts.get(kind=Account.Kind.CHEST).balance_minutes >= 0
    assert Movement.objects.filter(account__bank=bank).count() == 2 * counted.count()
    assert ledger_problems([bank]) == []
    assert accounts.filter(user__email=SECOND_MEMBER_EMAIL, status=Account.Status.ACTIVE).exists()


def test_a_second_run_changes_nothing():
    before = Transfer.objects.count()
    assert build_timebank(_context(2019)) is False
    assert Transfer.objects.count() == before
