"""Volunteering evidence: small counts suppressed, a CSV beside each table, hours valued at the proxy."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from commonweal.accounts.models import Role
from commonweal.evidence import volunteering as evidence
from commonweal.volunteering import actions
from commonweal.volunteering.models import Volunteer
from commonweal.volunteering.tests.factories import build_volunteering_world, make_volunteer
from tests.factories import make_persona


@pytest.fixture(scope="module")
def module_world(module_places):
    world = build_volunteering_world(module_places)
    north = list(module_places.north.lsoas.order_by("code")[:2])
    for n in range(8):
        volunteer = make_volunteer(world, f"Evi Dence {n}", checked_for=None)
        Volunteer.objects.filter(pk=volunteer.pk).update(lsoa=north[0] if n < 6 else north[1])
        if n < 3:
            actions.log_hours(
                volunteer=volunteer,
                organisation=world.organisation,
                worked_on=timezone.localdate(),
                hours=Decimal("2.5"),
                by=world.coordinator,
            )
    south = make_volunteer(world, "Sol South", checked_for=None)
    Volunteer.objects.filter(pk=south.pk).update(lsoa=module_places.south.lsoas.order_by("code").first())
    return world


@pytest.fixture
def world(module_world, db):
    return module_world


def test_small_counts_are_suppressed_and_the_total_cannot_give_them_away(world):
    table = evidence.tables()[0]
    rows = {row.label: (row.volunteers, row.matches, row.hours) for row in table.rows}
    # North has 8 active volunteers; South 1 (shown as "<5"), so North is hidden too: 9 − 8 would give
    # South away. No match is active: every zero is shown as it gives nothing away.
    assert rows == {
        "North Trafford": ("suppressed", "0", "suppressed"),
        "South Trafford": ("<5", "0", "suppressed"),
    }
    assert (table.total.volunteers, table.total.hours) == ("9", "7.5")


def test_hours_are_an_sroi_input_at_the_stated_proxy(world):
    found = evidence.sroi_input()
    assert (found.hours, found.value) == (Decimal("7.50"), Decimal("91.58"))  # 7.5 × £12.21 = £91.575
    assert "National Living Wage" in found.source


def test_each_table_has_its_csv_and_only_analysts_may_read_them(world):
    analyst = Client()
    analyst.force_login(make_persona(Role.COMMISSIONER, world.journey.places))
    page = analyst.get("/evidence/volunteering/")
    assert page.status_code == 200
    csv = analyst.get("/evidence/volunteering/neighbourhood.csv")
    assert csv.content.decode().splitlines()[-1] == "All,9,0,7.5"
    coordinator = Client()
    coordinator.force_login(world.coordinator)
    assert coordinator.get("/evidence/volunteering/").status_code == 403
    assert coordinator.get("/evidence/volunteering/imd.csv").status_code == 403


def test_volunteers_by_age_band_sex_and_ethnic_group_with_small_groups_protected(world):
    # Seven women born in May 1990 (36 on the day) of White British ethnicity, two men born in 1950 (76)
    # of Indian ethnicity: each table has one group of 7 and one of 2.
    Volunteer.objects.update(sex="female", date_of_birth=datetime.date(1990, 5, 1), ethnicity="A")
    two = list(Volunteer.objects.order_by("pk").values_list("pk", flat=True)[:2])
    Volunteer.objects.filter(pk__in=two).update(
        sex="male", date_of_birth=datetime.date(1950, 1, 1), ethnicity="H"
    )
    found = {table.key: table for table in evidence.tables(datetime.date(2026, 12, 7))}

    def rows(key: str) -> dict[str, str]:
        return {row.label: row.volunteers for row in found[key].rows}

    # The 2 are shown as "<5"; the 7 would give them away from the total of 9, so they are hidden too.
    assert rows("sex") == {"Female": "suppressed", "Male": "<5"}
    assert rows("age") == {"35 to 44": "suppressed", "75 to 84": "<5"}
    assert rows("ethnicity") == {"White": "suppressed", "Asian or Asian British": "<5"}
    assert [found[key].total.volunteers for key in ("sex", "age", "ethnicity")] == ["9", "9", "9"]
    analyst = Client()
    analyst.force_login(make_persona(Role.COMMISSIONER, world.journey.places))
    assert analyst.get("/evidence/volunteering/age.csv").content.decode().splitlines()[1:] == [
        "35 to 44,suppressed,0,suppressed",
        "75 to 84,<5,0,suppressed",
        "All,9,0,7.5",
    ]


def test_volunteers_of_indeterminate_or_not_known_sex_are_counted_in_one_group(world):
    Volunteer.objects.update(sex="female")
    two = list(Volunteer.objects.order_by("pk").values_list("pk", flat=True)[:2])
    Volunteer.objects.filter(pk=two[0]).update(sex="indeterminate")
    Volunteer.objects.filter(pk=two[1]).update(sex="")
    found = {table.key: table for table in evidence.tables(datetime.date(2026, 12, 7))}
    # The 2 are shown as "<5"; the 7 women would give them away from the total of 9, so are hidden too.
    assert {row.label: row.volunteers for row in found["sex"].rows} == {
        "Female": "suppressed",
        "Indeterminate or not known": "<5",
    }
    assert found["sex"].total.volunteers == "9"
