"""Community health workers' coverage by deprivation: households visited, screening gaps and needs found
by IMD quintile, with Wilson intervals and small-number suppression (issue 13's evidence, first part).

Rows are IMD 2019 quintiles of the household's LSOA (1 most deprived), from its decile. Counted on a day:
active households that agreed to visits; those with a done visit in the 30 days before; their members;
members with an overdue screening in the GP extract; members with a need found at a visit in the year
before. The table is protected as published, total row included (`disclosure.protect`), and a coverage
interval is shown only where both of its counts are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonweal.accounts.permissions import Capability, requires
from commonweal.evidence.breakdowns import add_months, month_label, month_number, month_start, months_between
from commonweal.evidence.dashboards import monthly_xmr
from commonweal.evidence.disclosure import TOTAL, Grid, grid_values, protect
from commonweal.evidence.statistics.intervals import wilson_limits
from commonweal.evidence.statistics.spc import Improvement
from commonweal.households.models import (
    GapStatus,
    Household,
    HouseholdStatus,
    MemberCheck,
    PreventionStatus,
    Visit,
    VisitOutcome,
)
from commonweal.places.models import imd_quintile_of
from commonweal.ui import spreadsheets

QUINTILES = ("1", "2", "3", "4", "5", "unknown")
LABELS = {"1": "1 (most deprived)", "5": "5 (least deprived)", "unknown": "Not known", TOTAL: "All"}
COLUMNS = ("households", "visited_30_days", "members", "screening_overdue", "needs_found_12_months")
SCREENING = ("cervical_screening", "breast_screening", "bowel_screening")


def _quintile(decile: int | None) -> str:
    quintile = imd_quintile_of(decile)
    return "unknown" if quintile is None else str(quintile)


@dataclass(frozen=True)
class CoverageRow:
    key: str
    label: str
    cells: tuple[str, ...]
    coverage: str


def coverage_by_quintile(today: datetime.date) -> list[CoverageRow]:
    """Count, protect and describe coverage by IMD quintile on a day (a handful of queries)."""
    households = Household.objects.filter(status=HouseholdStatus.ACTIVE, consents_to_visits=True)
    since = today - datetime.timedelta(days=30)
    counts = {q: dict.fromkeys(COLUMNS, 0) for q in QUINTILES}
    for decile, total, visited, members in (
        households.values("lsoa__imd_decile")
        .annotate(
            total=Count("pk", distinct=True),
            visited=Count(
                "pk",
                distinct=True,
                filter=Q(
                    visits__outcome="done",
                    visits__visited_at__date__gt=since,
                    visits__visited_at__date__lte=today,
                ),
            ),
            member_count=Count("members", distinct=True, filter=Q(members__left_at__isnull=True)),
        )
        .values_list("lsoa__imd_decile", "total", "visited", "member_count")
    ):
        row = counts[_quintile(decile)]
        row["households"] += total
        row["visited_30_days"] += visited
        row["members"] += members
    member_decile = "person__household_memberships__household__lsoa__imd_decile"
    current = {
        "person__household_memberships__left_at__isnull": True,
        "person__household_memberships__household__in": households,
    }
    for decile, n in (
        PreventionStatus.objects.filter(programme__in=SCREENING, status=GapStatus.OVERDUE, **current)
        .values(member_decile)
        .annotate(n=Count("person", distinct=True))
        .values_list(member_decile, "n")
    ):
        counts[_quintile(decile)]["screening_overdue"] += n
    year = today - datetime.timedelta(days=365)
    for decile, n in (
        MemberCheck.objects.filter(
            need_found=True,
            visit__visited_at__date__gt=year,
            visit__visited_at__date__lte=today,
            visit__household__in=households,
        )
        .values("visit__household__lsoa__imd_decile")
        .annotate(n=Count("person", distinct=True))
        .values_list("visit__household__lsoa__imd_decile", "n")
    ):
        counts[_quintile(decile)]["needs_found_12_months"] += n
    rows = tuple(q for q in QUINTILES if q != "unknown" or counts[q]["households"])
    values, sums = grid_values(Grid(rows, COLUMNS, tuple(tuple(counts[q][c] for c in COLUMNS) for q in rows)))
    protected = protect(values, sums)
    result = []
    for key in (*rows, TOTAL):
        cells = tuple(protected.shown((key, column)) for column in COLUMNS)
        seen = protected.shown_value((key, "visited_30_days"))
        held = protected.shown_value((key, "households"))
        coverage = "–"
        if seen is not None and held:
            lower, upper = wilson_limits(seen, held, 0.95)
            coverage = f"{100 * seen / held:.1f}% ({100 * lower:.1f} to {100 * upper:.1f})"
        result.append(CoverageRow(key, LABELS.get(key, key), cells, coverage))
    return result


SPC_MONTHS = 24


@dataclass(frozen=True)
class MonthRow:
    month: str
    shown: str
    variation: str


@dataclass(frozen=True)
class MonthlyVisits:
    """Households with a done visit in each of the last SPC_MONTHS whole months, as an XmR chart."""

    rows: tuple[MonthRow, ...]
    chart: str
    note: str


def monthly_visits(today: datetime.date) -> MonthlyVisits:
    """Households visited each whole month before `today`'s (at most SPC_MONTHS, from the first month
    with a visit), with Making Data Count variation.

    A month with 1 to 4 households is shown as "<5", and then no chart is drawn: its limits would give
    the count away.
    """
    this_month = month_number(today)
    months = months_between(add_months(this_month, -SPC_MONTHS), add_months(this_month, -1))
    start = timezone.make_aware(datetime.datetime.combine(month_start(months[0]), datetime.time()))
    end = timezone.make_aware(datetime.datetime.combine(month_start(this_month), datetime.time()))
    counts = dict.fromkeys(months, 0)
    found = (
        Visit.objects.filter(outcome=VisitOutcome.DONE, visited_at__gte=start, visited_at__lt=end)
        .annotate(month=TruncMonth("visited_at"))
        .values("month")
        .annotate(households=Count("household", distinct=True))
        .values_list("month", "households")
    )
    for month, households in found:
        counts[month_number(month)] = households
    # The chart starts with the programme: the first month any household was visited.
    while months and counts[months[0]] == 0:
        months.pop(0)
    values = [counts[month] for month in months]
    if len(months) < 2:
        return MonthlyVisits(
            tuple(
                MonthRow(month_label(m), f"{v:,}" if v == 0 or v >= 5 else "<5", "–")
                for m, v in zip(months, values, strict=True)
            ),
            "",
            "The SPC chart needs at least two months of visits.",
        )
    if any(0 < value < 5 for value in values):
        return MonthlyVisits(
            tuple(
                MonthRow(month_label(m), "<5" if 0 < v < 5 else f"{v:,}", "–")
                for m, v in zip(months, values, strict=True)
            ),
            "",
            "The SPC chart is not drawn: some months have counts too small to publish, and its limits would "
            "give them away.",
        )
    svg, words_of, notes = monthly_xmr(
        months,
        [float(value) for value in values],
        improvement=Improvement.INCREASE,
        label="Households visited",
        lead="Households with a visit done each month",
        chart_id="chart-monthly-visits",
    )
    rows = tuple(MonthRow(month_label(m), f"{v:,}", words_of[m]) for m, v in zip(months, values, strict=True))
    return MonthlyVisits(rows, svg, " ".join(notes))


@requires(Capability.ANALYSE_EVIDENCE)
def household_coverage(request: HttpRequest) -> HttpResponse:
    """Coverage of community health worker visits by deprivation, with its CSV."""
    today = timezone.localdate()
    if request.GET.get("format") == "csv" and request.GET.get("table") == "monthly":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="households-visited-each-month.csv"'
        writer = spreadsheets.writer(response)
        writer.writerow(["month", "households_visited", "variation"])
        writer.writerows([[row.month, row.shown, row.variation] for row in monthly_visits(today).rows])
        return response
    rows = coverage_by_quintile(today)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="household-coverage-by-imd-quintile.csv"'
        writer = spreadsheets.writer(response)
        writer.writerow(["imd_quintile", *COLUMNS, "coverage_percent_95ci"])
        writer.writerows([[row.label, *row.cells, row.coverage] for row in rows])
        return response
    return render(
        request,
        "evidence/household_coverage.html",
        {"rows": rows, "today": today, "monthly": monthly_visits(today), "spc_months": SPC_MONTHS},
    )
