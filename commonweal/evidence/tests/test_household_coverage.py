"""Coverage of community health worker visits by IMD quintile, against hand-worked Wilson intervals."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.evidence.household_coverage import coverage_by_quintile, monthly_visits
from commonweal.households import actions
from commonweal.households.actions import HouseholdRow, PastVisit
from commonweal.households.models import Household, PreventionStatus
from commonweal.places.models import Postcode
from tests.factories import PersonFactory, UserFactory, make_persona

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)
RECENTLY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


def _postcode(deciles: tuple[int, ...]) -> str:
    found = Postcode.objects.filter(lsoa__imd_decile__in=deciles).order_by("postcode").first()
    assert found is not None
    return found.postcode


def _build(visited_in_most_deprived: int) -> None:
    worker = UserFactory.create()
    deprived, affluent = _postcode((1, 2)), _postcode((9, 10))
    people = [PersonFactory.create() for _ in range(10)]
    rows = [
        HouseholdRow(f"Q1-{n}", f"{n} Low Road", "Low Road", deprived, None, True, ((people[n].pk, "head"),))
        for n in range(10)
    ]
    rows += [HouseholdRow(f"Q5-{n}", f"{n} High Road", "High Road", affluent, None) for n in range(5)]
    households = actions.register_households(rows=rows, by=None)
    most_deprived = [h for h in households if h.reference.startswith("Q1-")]
    actions.import_visit_history(
        visits=[
            PastVisit(h.pk, worker.pk, None, RECENTLY, "done", ("periodic",))
            for h in most_deprived[:visited_in_most_deprived]
        ],
        by=None,
    )
    PreventionStatus.objects.bulk_create(
        PreventionStatus(
            person=p, programme="cervical_screening", status="overdue", source="gp_extract", known_since=TODAY
        )
        for p in people[:5]
    )


def test_coverage_by_quintile_with_wilson_intervals_worked_by_hand() -> None:
    _build(visited_in_most_deprived=6)
    rows = {row.key: (row.cells, row.coverage) for row in coverage_by_quintile(TODAY)}
    # Wilson 95%: 6/10 → 31.3% to 83.2%; 0/5 → 0.0% to 43.4%; 6/15 → 19.8% to 64.3%.
    assert rows == {
        "1": (("10", "6", "10", "5", "0"), "60.0% (31.3 to 83.2)"),
        "2": (("0", "0", "0", "0", "0"), "–"),
        "3": (("0", "0", "0", "0", "0"), "–"),
        "4": (("0", "0", "0", "0", "0"), "–"),
        "5": (("5", "0", "0", "0", "0"), "0.0% (0.0 to 43.4)"),
        "__total__": (("15", "6", "10", "5", "0"), "40.0% (19.8 to 64.3)"),
    }


def test_a_small_count_is_suppressed_and_cannot_be_worked_out_from_the_total() -> None:
    _build(visited_in_most_deprived=3)
    rows = {row.key: (row.cells, row.coverage) for row in coverage_by_quintile(TODAY)}
    assert rows["1"][0][1] == "<5" and rows["1"][1] == "–"
    assert rows["__total__"][0][1] != "3"
    assert Household.objects.count() == 15


@pytest.mark.parametrize("role", [Role.COMMUNITY_HEALTH_WORKER, Role.RESIDENT, Role.LINK_WORKER])
def test_only_evidence_roles_see_the_page(places: Any, role: Role) -> None:
    client = Client()
    client.force_login(make_persona(role, places))
    assert client.get("/evidence/households/coverage/").status_code == 403


def test_a_commissioner_sees_the_table_and_its_csv(places: Any) -> None:
    client = Client()
    client.force_login(make_persona(Role.COMMISSIONER, places))
    assert "Coverage by IMD quintile" in client.get("/evidence/households/coverage/").content.decode()
    csv_lines = client.get("/evidence/households/coverage/", {"format": "csv"}).content.decode().splitlines()
    assert csv_lines[0].lstrip("\ufeff") == (
        "imd_quintile,households,visited_30_days,members,screening_overdue,needs_found_12_months,coverage_percent_95ci"
    )


def _visits_each_month(counts: list[int]) -> None:
    """Visits done to `counts[i]` households in the i-th month from December 2025."""
    worker = UserFactory.create()
    postcode = _postcode((1, 2))
    households = actions.register_households(
        rows=[HouseholdRow(f"M-{n}", f"{n} Month Road", "Month Road", postcode, None) for n in range(10)],
        by=None,
    )
    visits = []
    for index, count in enumerate(counts):
        year, month = (2025, 12) if index == 0 else (2026, index)
        when = datetime.datetime(year, month, 10, 10, 0, tzinfo=datetime.UTC)
        visits += [PastVisit(h.pk, worker.pk, None, when, "done", ("periodic",)) for h in households[:count]]
    actions.import_visit_history(visits=visits, by=None)


MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov")


def test_households_visited_each_month_from_the_first_visit_with_spc_worked_by_hand() -> None:
    _visits_each_month([5, 6] * 6)
    found = monthly_visits(datetime.date(2026, 12, 7))
    # Twelve months from December 2025 (the empty months before the first visit are left out); the mean
    # is 5.5 and every moving range 1, so the limits are 5.5 ± 2.66 (2.84 to 8.16): common cause only.
    assert [(row.month, row.shown, row.variation) for row in found.rows] == [
        (month, count, "Common cause")
        for month, count in zip(
            ["Dec 2025", *(f"{name} 2026" for name in MONTH_NAMES)],
            ["5", "6"] * 6,
            strict=True,
        )
    ]
    assert "Mean 5.5" in found.chart and "Upper limit 8.2" in found.chart and "Lower limit 2.8" in found.chart


def test_a_month_with_few_households_is_hidden_and_no_chart_is_drawn() -> None:
    _visits_each_month([6, 3, 6])
    found = monthly_visits(datetime.date(2026, 12, 7))
    assert [row.shown for row in found.rows[:3]] == ["6", "<5", "6"]
    assert found.chart == "" and "too small to publish" in found.note


def test_the_monthly_table_downloads_as_csv(places: Any) -> None:
    client = Client()
    client.force_login(make_persona(Role.COMMISSIONER, places))
    page = client.get("/evidence/households/coverage/").content.decode()
    assert "Households visited each month" in page
    lines = client.get(
        "/evidence/households/coverage/", {"table": "monthly", "format": "csv"}
    ).content.decode()
    assert lines.lstrip("\ufeff").splitlines()[0] == "month,households_visited,variation"
