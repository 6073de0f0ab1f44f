"""A date of birth is typed in the NHS.UK date input's three boxes, not a browser's date picker, whose
order follows the browser (mm/dd/yyyy in many an en-GB one) (issue 20, item 11)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.test import Client

from commonweal.people.models import Person
from commonweal.referrals.models import Referral
from commonweal.referrals.tests.test_pages import _self_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _in_boxes(day: str, month: str, year: str) -> dict[str, str]:
    data = {**_self_referral()}
    del data["date_of_birth"]
    return {**data, "date_of_birth_day": day, "date_of_birth_month": month, "date_of_birth_year": year}


def test_the_form_asks_for_day_month_and_year_in_boxes_of_their_own(world):
    html = Client().get("/refer/yourself/").content.decode()
    for part, autocomplete in (("day", "bday-day"), ("month", "bday-month"), ("year", "bday-year")):
        box = re.search(rf'<input[^>]*name="date_of_birth_{part}"[^>]*>', html)
        assert box is not None, part
        assert 'inputmode="numeric"' in box.group(0) and f'autocomplete="{autocomplete}"' in box.group(0)
    assert 'type="date"' not in html
    assert "For example, 15 3 1984" in html


def test_a_date_typed_in_the_boxes_is_the_date_of_birth(world):
    response = Client().post("/refer/yourself/", {**_in_boxes("9", "3", "1988"), "form_token": "boxes"})
    assert response.status_code == 302
    assert Person.objects.get(pk=Referral.objects.get().person_id).date_of_birth == datetime.date(1988, 3, 9)


def test_a_date_that_does_not_exist_is_refused_and_what_was_typed_stays_in_the_boxes(world):
    response = Client().post("/refer/yourself/", {**_in_boxes("31", "2", "1988"), "form_token": "no-such"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "as a real date" in html
    for part, value in (("day", "31"), ("month", "2"), ("year", "1988")):
        assert re.search(rf'name="date_of_birth_{part}"[^>]*value="{value}"', html), part
    assert Referral.objects.count() == 0
