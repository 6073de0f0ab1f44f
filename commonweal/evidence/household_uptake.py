"""Screening and vaccination uptake in visited and unvisited households, by group (issue 13's evidence).

Counted on a day, over the current members of active households in the programme:
- visited: members of a household with a done visit in the 365 days before the day; unvisited: the
  members of every other household (not reached, or asked not to be visited), the comparison group in
  the same group of people (the same deprivation quintile, the same age band, and so on);
- known: members with a status in at least one screening or vaccination programme (from the GP extract
  or said at a visit);
- up to date: known members with no programme overdue (a programme declined is the person's choice and
  not counted as a gap; one merely due is not yet missed);
- needs found: members of visited households with a need found at a visit in those 365 days.

Groups: the IMD 2019 quintile and decile of the household's LSOA, the ethnic group (NHS Data Dictionary
categories in the five high-level groups), the age band on the day, sex as recorded (Indeterminate and
Not known in one group, as on the dashboards: `breakdowns.sex_group`), and the neighbourhood that holds
the household's LSOA. Neighbourhoods are drawn by residents and may overlap; a published table of
overlapping areas lets one be subtracted from another, so only the neighbourhoods that overlap no other
get a row, and everyone else (outside them, or in overlapping ones) is counted under "Elsewhere": every
table's rows add up to the total.

All tables are protected together, as they share their total row (`disclosure.protect`: a count from
1 to 4 is shown as "<5", and others are hidden where they would let one be worked out, knowing also that
up to date ≤ known ≤ members, and that each quintile is the sum of its two deciles). Uptake is shown with
its 95% Wilson interval only where both of its counts are shown. (The coverage page, `household_coverage`,
is protected on its own; a reader who sets one page against the other is not modelled.)
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonweal.accounts.permissions import Capability, requires
from commonweal.evidence.breakdowns import (
    AGE,
    DECILES,
    ETHNICITY,
    SEX,
    Category,
    age_band,
    ethnic_group,
    sex_group,
)
from commonweal.evidence.disclosure import AtMost, Protected, Sum, protect
from commonweal.evidence.statistics.intervals import wilson_limits
from commonweal.households.models import (
    GapStatus,
    Household,
    HouseholdStatus,
    Member,
    MemberCheck,
    PreventionStatus,
    Programme,
    VisitOutcome,
)
from commonweal.places.models import Area, imd_quintile_of
from commonweal.ui import spreadsheets

WINDOW_DAYS = 365
PROGRAMMES = (
    Programme.CERVICAL,
    Programme.BREAST,
    Programme.BOWEL,
    Programme.CHILD_VACCINATIONS,
    Programme.ADULT_VACCINATIONS,
)
COLUMNS = (
    "visited_members",
    "visited_known",
    "visited_up_to_date",
    "unvisited_members",
    "unvisited_known",
    "unvisited_up_to_date",
    "needs_found",
)
TOTAL = "__total__"
QUINTILES: tuple[Category, ...] = (
    Category("1", "1 (most deprived)"),
    Category("2", "2"),
    Category("3", "3"),
    Category("4", "4"),
    Category("5", "5 (least deprived)"),
    Category("0", "Unknown"),
)


@dataclass(frozen=True)
class Table:
    """One breakdown: its key, title, and groups (rows) in order."""

    key: str
    title: str
    groups: tuple[Category, ...]


@dataclass(frozen=True)
class Row:
    """One group's published counts and uptake in each arm."""

    key: str
    label: str
    cells: tuple[str, ...]
    visited_uptake: str
    unvisited_uptake: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class _MemberFacts:
    groups: dict[str, str]  # table key -> group key
    visited: bool
    known: bool
    up_to_date: bool
    need_found: bool


ELSEWHERE = "elsewhere"


def _separate_neighbourhoods() -> tuple[dict[int, str], tuple[Category, ...]]:
    """The neighbourhoods that share no LSOA with another: each LSOA's one, and the table's groups."""
    codes_of: dict[int, set[str]] = defaultdict(set)
    through = Area.lsoas.through.objects.filter(area__kind=Area.Kind.NEIGHBOURHOOD)
    for lsoa_id, code in through.values_list("lsoa_id", "area__code"):
        codes_of[lsoa_id].add(code)
    overlapping = {code for codes in codes_of.values() if len(codes) > 1 for code in codes}
    neighbourhood_of = {
        lsoa_id: next(iter(codes)) for lsoa_id, codes in codes_of.items() if not codes & overlapping
    }
    groups = tuple(
        Category(area.code, area.name)
        for area in Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).order_by("name")
        if area.code not in overlapping and area.code in neighbourhood_of.values()
    )
    return neighbourhood_of, (*groups, Category(ELSEWHERE, "Elsewhere (or in overlapping neighbourhoods)"))


def _tables(neighbourhoods: tuple[Category, ...]) -> list[Table]:
    return [
        Table("quintile", "By deprivation quintile (IMD 2019)", QUINTILES),
        Table("decile", "By deprivation decile (IMD 2019)", DECILES),
        Table("ethnicity", "By ethnic group", ETHNICITY),
        Table("age", "By age band", AGE),
        Table("sex", "By sex", SEX),
        Table("neighbourhood", "By neighbourhood", neighbourhoods),
    ]


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _member_facts(today: datetime.date, neighbourhood_of: dict[int, str]) -> list[_MemberFacts]:
    """One line per current member of an active household (a few queries, then Python)."""
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    members = list(
        Member.objects.filter(left_at__isnull=True, household__status=HouseholdStatus.ACTIVE).values_list(
            "person_id",
            "household_id",
            "household__lsoa_id",
            "household__lsoa__imd_decile",
            "person__date_of_birth",
            "person__sex",
            "person__ethnicity",
        )
    )
    visited = set(
        Household.objects.filter(
            visits__outcome=VisitOutcome.DONE,
            visits__visited_at__date__gt=since,
            visits__visited_at__date__lte=today,
        ).values_list("pk", flat=True)
    )
    statuses = PreventionStatus.objects.filter(programme__in=PROGRAMMES)
    known = set(statuses.values_list("person_id", flat=True))
    overdue = set(statuses.filter(status=GapStatus.OVERDUE).values_list("person_id", flat=True))
    needs = set(
        MemberCheck.objects.filter(
            Q(need_found=True),
            visit__visited_at__date__gt=since,
            visit__visited_at__date__lte=today,
        ).values_list("person_id", "visit__household_id")
    )
    facts = []
    for person, household, lsoa, decile, born, sex, ethnicity in members:
        was_visited = household in visited
        facts.append(
            _MemberFacts(
                groups={
                    "quintile": str(imd_quintile_of(decile) or 0),
                    "decile": str(decile or 0),
                    "ethnicity": ethnic_group(ethnicity),
                    "age": age_band(_age_on(born, today)),
                    "sex": sex_group(sex),
                    "neighbourhood": neighbourhood_of.get(lsoa, ELSEWHERE),
                },
                visited=was_visited,
                known=person in known,
                up_to_date=person in known and person not in overdue,
                need_found=was_visited and (person, household) in needs,
            )
        )
    return facts


def _add(counts: dict[str, int], member: _MemberFacts) -> None:
    arm = "visited" if member.visited else "unvisited"
    counts[f"{arm}_members"] += 1
    counts[f"{arm}_known"] += member.known
    counts[f"{arm}_up_to_date"] += member.up_to_date
    counts["needs_found"] += member.need_found


Key = tuple[str, str, str]  # (table, group, column); the total row is (TOTAL, TOTAL, column)


def nesting_sums() -> list[Sum[Key]]:
    """What a reader also knows: each IMD quintile is its two deciles, and "unknown" is the same in both."""
    nested: list[Sum[Key]] = []
    for column in COLUMNS:
        for quintile in range(1, 6):
            deciles = (("decile", str(2 * quintile - 1), column), ("decile", str(2 * quintile), column))
            nested.append(Sum(("quintile", str(quintile), column), deciles))
        nested.append(Sum(("quintile", "0", column), (("decile", "0", column),)))
    return nested


def _uptake(protected: Protected[Key], row: tuple[str, str], arm: str) -> str:
    shown = protected.shown_value((*row, f"{arm}_up_to_date"))
    known = protected.shown_value((*row, f"{arm}_known"))
    if shown is None or not known:
        return "–"
    lower, upper = wilson_limits(shown, known, 0.95)
    return f"{100 * shown / known:.1f}% ({100 * lower:.1f} to {100 * upper:.1f})"


@dataclass(frozen=True)
class Published:
    """The page's counts and what a reader knows of them, protected."""

    tables: list[Table]
    values: dict[Key, int]
    sums: list[Sum[Key]]
    order: list[AtMost[Key]]
    protected: Protected[Key]


def published(today: datetime.date) -> Published:
    """Count every table of the page on a day and protect them together."""
    neighbourhood_of, neighbourhoods = _separate_neighbourhoods()
    tables = _tables(neighbourhoods)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    for member in _member_facts(today, neighbourhood_of):
        _add(counts[(TOTAL, TOTAL)], member)
        for table_key, group_key in member.groups.items():
            _add(counts[(table_key, group_key)], member)
    values: dict[Key, int] = {}
    sums: list[Sum[Key]] = []
    order: list[AtMost[Key]] = []
    rows_of = {TOTAL: [(TOTAL, TOTAL)]} | {
        table.key: [(table.key, group.key) for group in table.groups] for table in tables
    }
    for keys in rows_of.values():
        for row in keys:
            for column in COLUMNS:
                values[(*row, column)] = counts[row][column]
            for arm in ("visited", "unvisited"):
                order.append(AtMost(((*row, f"{arm}_up_to_date"),), (*row, f"{arm}_known")))
                order.append(AtMost(((*row, f"{arm}_known"),), (*row, f"{arm}_members")))
            order.append(AtMost(((*row, "needs_found"),), (*row, "visited_members")))
    for table in tables:
        for column in COLUMNS:
            parts = tuple((table.key, group.key, column) for group in table.groups)
            sums.append(Sum((TOTAL, TOTAL, column), parts))
    sums += nesting_sums()
    return Published(tables, values, sums, order, protect(values, sums, order=order))


def uptake_by_group(today: datetime.date) -> list[Section]:
    """Count, protect and describe every table of the page on a day."""
    found = published(today)
    tables, protected = found.tables, found.protected
    sections = []
    for table in [Table(TOTAL, "Everyone", (Category(TOTAL, "All members"),)), *tables]:
        rows = tuple(
            Row(
                group.key,
                group.label,
                tuple(protected.shown((table.key, group.key, column)) for column in COLUMNS),
                _uptake(protected, (table.key, group.key), "visited"),
                _uptake(protected, (table.key, group.key), "unvisited"),
            )
            for group in table.groups
        )
        sections.append(Section(table.key, table.title, rows))
    return sections


HEADINGS = (
    "Members, visited",
    "Status known, visited",
    "Up to date, visited",
    "Members, not visited",
    "Status known, not visited",
    "Up to date, not visited",
    "Needs found",
)


@requires(Capability.ANALYSE_EVIDENCE)
def household_uptake(request: HttpRequest) -> HttpResponse:
    """Screening and vaccination uptake in visited and unvisited households, each table with its CSV."""
    today = timezone.localdate()
    sections = uptake_by_group(today)
    wanted = request.GET.get("table")
    if request.GET.get("format") == "csv":
        found = next((section for section in sections if section.key == wanted), None)
        if found is None:
            return HttpResponse(
                "Choose a table: " + ", ".join(section.key for section in sections) + ".",
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = "all" if found.key == TOTAL else found.key
        response["Content-Disposition"] = f'attachment; filename="household-uptake-by-{name}.csv"'
        writer = spreadsheets.writer(response)
        writer.writerow(["group", *COLUMNS, "visited_uptake_percent_95ci", "unvisited_uptake_percent_95ci"])
        writer.writerows(
            [[row.label, *row.cells, row.visited_uptake, row.unvisited_uptake] for row in found.rows]
        )
        return response
    return render(
        request,
        "evidence/household_uptake.html",
        {"sections": sections, "today": today, "headings": HEADINGS, "window": WINDOW_DAYS},
    )
