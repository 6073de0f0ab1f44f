"""Screening and vaccination uptake in visited and unvisited households, against hand-worked figures."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.evidence.disclosure import Status, feasible_ranges
from commonweal.evidence.disclosure import Sum as DisclosedSum
from commonweal.evidence.household_uptake import COLUMNS, TOTAL, published, uptake_by_group
from commonweal.households import actions
from commonweal.households.actions import HouseholdRow, PastVisit
from commonweal.households.models import MemberCheck, PreventionStatus, Visit
from commonweal.people.models import Person
from commonweal.places.models import Area, Postcode
from tests.factories import PersonFactory, UserFactory, make_persona

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 30)
RECENTLY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)
LONG_AGO = datetime.datetime(2025, 6, 1, 10, 0, tzinfo=datetime.UTC)  # more than 365 days before TODAY


def _postcode(deciles: tuple[int, ...]) -> str:
    found = Postcode.objects.filter(lsoa__imd_decile__in=deciles).order_by("postcode").first()
    assert found is not None
    return found.postcode


def _build(*, up_to_date_visited: int, need_found: int = 0) -> None:
    """Ten one-person households in IMD quintile 1, all visited in the last year, of whom
    `up_to_date_visited` are up to date with cervical screening and the rest overdue; five in quintile 5,
    last visited 18 months ago, all overdue. Everyone is a woman born in 1970 of White British ethnicity."""
    worker = UserFactory.create()
    deprived, affluent = _postcode((1, 2)), _postcode((9, 10))
    people = [PersonFactory.create(ethnicity="A") for _ in range(15)]
    rows = [
        HouseholdRow(f"Q1-{n}", f"{n} Low Road", "Low Road", deprived, None, True, ((people[n].pk, "head"),))
        for n in range(10)
    ]
    rows += [
        HouseholdRow(
            f"Q5-{n}", f"{n} High Road", "High Road", affluent, None, True, ((people[10 + n].pk, "head"),)
        )
        for n in range(5)
    ]
    households = actions.register_households(rows=rows, by=None)
    actions.import_visit_history(
        visits=[
            PastVisit(
                h.pk,
                worker.pk,
                None,
                RECENTLY if h.reference.startswith("Q1-") else LONG_AGO,
                "done",
                ("periodic",),
            )
            for h in households
        ],
        by=None,
    )
    PreventionStatus.objects.bulk_create(
        PreventionStatus(
            person=person,
            programme="cervical_screening",
            status="up_to_date" if n < up_to_date_visited else "overdue",
            source="gp_extract",
            known_since=TODAY,
        )
        for n, person in enumerate(people)
    )
    for person in people[:need_found]:
        visit = Visit.objects.get(household__members__person=person)
        MemberCheck.objects.create(visit=visit, person=person, need_found=True)


def _rows(section: str) -> dict[str, tuple[tuple[str, ...], str, str]]:
    found = {each.key: each for each in uptake_by_group(TODAY)}[section]
    return {row.key: (row.cells, row.visited_uptake, row.unvisited_uptake) for row in found.rows}


def test_uptake_in_visited_and_unvisited_households_with_wilson_intervals_worked_by_hand() -> None:
    _build(up_to_date_visited=6, need_found=5)
    # Columns: visited members, known, up to date; not visited members, known, up to date; needs found.
    # Wilson 95%: 6/10 → 31.3% to 83.2%; 0/5 → 0.0% to 43.4% (as in test_household_coverage).
    quintiles = _rows("quintile")
    assert quintiles["1"] == (("10", "10", "6", "0", "0", "0", "5"), "60.0% (31.3 to 83.2)", "–")
    assert quintiles["5"] == (("0", "0", "0", "5", "5", "0", "0"), "–", "0.0% (0.0 to 43.4)")
    assert all(quintiles[q][0] == ("0",) * 7 for q in ("2", "3", "4", "0"))
    everyone = _rows(TOTAL)[TOTAL]
    assert everyone == (("10", "10", "6", "5", "5", "0", "5"), "60.0% (31.3 to 83.2)", "0.0% (0.0 to 43.4)")
    # The same people by sex, age (56 on the day) and ethnic group: one full row in each.
    assert _rows("sex")["female"][0] == everyone[0]
    assert _rows("age")["55-64"][0] == everyone[0]
    assert _rows("ethnicity")["white"][0] == everyone[0]


def test_a_small_count_is_hidden_and_so_is_what_would_give_it_away() -> None:
    _build(up_to_date_visited=3)
    quintiles = _rows("quintile")
    cells, visited_uptake, _ = quintiles["1"]
    assert cells[2] == "<5" and visited_uptake == "–"
    # The total's "up to date, visited" is the same 3 (nobody in quintile 5 was visited): hidden too.
    assert _rows(TOTAL)[TOTAL][0][2] == "<5"
    _nothing_small_can_be_worked_out()


def test_members_of_indeterminate_or_not_known_sex_are_counted_in_one_protected_group() -> None:
    _build(up_to_date_visited=6)
    first, second = Person.objects.order_by("pk").values_list("pk", flat=True)[:2]
    Person.objects.filter(pk=first).update(sex="indeterminate")
    Person.objects.filter(pk=second).update(sex="")
    rows = _rows("sex")
    assert list(rows) == ["female", "male", "not_known"]
    # The two were visited (a small count), so the 8 visited women, who would give them away from the
    # 10 visited members, are hidden too.
    assert rows["not_known"][0] == ("<5", "<5", "<5", "0", "0", "0", "0")
    assert rows["female"][0][:2] == ("suppressed", "suppressed")
    _nothing_small_can_be_worked_out()


def _nothing_small_can_be_worked_out() -> None:
    """Every count hidden for being small can still take more than one value, for a reader who knows
    every shown count, every total, every ordering and that each quintile is its two deciles."""
    found = published(TODAY)
    # What the reader knows, written here rather than taken from the code under test.
    known = [*found.sums]
    for column in COLUMNS:
        for quintile in range(1, 6):
            deciles = (("decile", str(2 * quintile - 1), column), ("decile", str(2 * quintile), column))
            known.append(DisclosedSum(("quintile", str(quintile), column), deciles))
        known.append(DisclosedSum(("quintile", "0", column), (("decile", "0", column),)))
    ranges = feasible_ranges(found.values, found.protected.status, known, order=found.order)
    small = [key for key, status in found.protected.status.items() if status is Status.PRIMARY]
    assert small and all(not ranges[key].is_pinned for key in small)


def test_a_small_decile_cannot_be_worked_out_from_its_quintile() -> None:
    """Two visited households in IMD decile 1 and eight in decile 2 (both quintile 1)."""
    worker = UserFactory.create()
    people = [PersonFactory.create(ethnicity="A") for _ in range(10)]
    first, second = _postcode((1,)), _postcode((2,))
    households = actions.register_households(
        rows=[
            HouseholdRow(
                f"D-{n}",
                f"{n} Decile Road",
                "Decile Road",
                first if n < 2 else second,
                None,
                True,
                ((people[n].pk, "head"),),
            )
            for n in range(10)
        ],
        by=None,
    )
    actions.import_visit_history(
        visits=[PastVisit(h.pk, worker.pk, None, RECENTLY, "done", ("periodic",)) for h in households],
        by=None,
    )
    deciles = _rows("decile")
    assert deciles["1"][0][0] == "<5" and deciles["2"][0][0] != "8"
    assert _rows("quintile")["1"][0][0] == "10"
    _nothing_small_can_be_worked_out()


def test_overlapping_neighbourhoods_are_counted_under_elsewhere(places: Any) -> None:
    _build(up_to_date_visited=6)
    rows = _rows("neighbourhood")
    assert "elsewhere" in rows
    # A neighbourhood drawn across another: neither gets a row (one could be subtracted from the other).
    north = Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).exclude(lsoas=None).order_by("pk").first()
    assert north is not None
    across = Area.objects.create(
        kind=Area.Kind.NEIGHBOURHOOD, name="Across", code="across", parent=north.parent
    )
    across.lsoas.set(north.lsoas.all()[:1])
    rows = _rows("neighbourhood")
    assert north.code not in rows and "across" not in rows and "elsewhere" in rows


def test_members_who_left_and_households_that_moved_away_are_not_counted() -> None:
    _build(up_to_date_visited=6)
    household = PreventionStatus.objects.first().person.household_memberships.get().household  # type: ignore[union-attr]
    household.status = "moved"
    household.save()
    assert _rows(TOTAL)[TOTAL][0][0] == "9"


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMUNITY_HEALTH_WORKER,
        Role.RESIDENT,
        Role.LINK_WORKER,
        Role.FACILITATOR,
        Role.ORGANISATION_MEMBER,
        Role.REFERRER,
        Role.VOLUNTEER_COORDINATOR,
        Role.SAFEGUARDING_LEAD,
        Role.COMMUNITY_ORGANISER,
    ],
)
def test_only_evidence_roles_see_the_page_or_its_csv(places: Any, role: Role) -> None:
    client = Client()
    client.force_login(make_persona(role, places))
    assert client.get("/evidence/households/uptake/").status_code == 403
    assert client.get("/evidence/households/uptake/", {"table": "sex", "format": "csv"}).status_code == 403


def test_a_commissioner_sees_every_table_and_downloads_each_as_csv(places: Any) -> None:
    _build(up_to_date_visited=6)
    client = Client()
    client.force_login(make_persona(Role.COMMISSIONER, places))
    page = client.get("/evidence/households/uptake/").content.decode()
    for title in ("By deprivation quintile (IMD 2019)", "By ethnic group", "By age band", "By sex"):
        assert title in page
    lines = client.get(
        "/evidence/households/uptake/", {"table": "quintile", "format": "csv"}
    ).content.decode()
    header, *rows = lines.lstrip("\ufeff").splitlines()
    assert header == (
        "group,visited_members,visited_known,visited_up_to_date,unvisited_members,unvisited_known,"
        "unvisited_up_to_date,needs_found,visited_uptake_percent_95ci,unvisited_uptake_percent_95ci"
    )
    assert rows[0] == "1 (most deprived),10,10,6,0,0,0,0,60.0% (31.3 to 83.2),–"
    refused = client.get("/evidence/households/uptake/", {"table": "nonsense", "format": "csv"})
    assert refused.status_code == 400 and "Choose a table" in refused.content.decode()
