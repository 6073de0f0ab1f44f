"""Shared outcomes of an alliance: each agreed indicator computed by NHS financial quarter, with its
interval, against its target. Counts are protected as on the dashboards."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Sum

from commonweal.evidence import charts
from commonweal.evidence.breakdowns import deciles_of_quintile, financial_quarter, months_between
from commonweal.evidence.dashboards import Cell, Column, CountBook, Section, proportion_values
from commonweal.evidence.disclosure import AtMost
from commonweal.evidence.indicators import INDICATORS, Indicator, TargetComparison, compare_with_target
from commonweal.evidence.models import Alliance, ConnectionCell, OutcomeCell, SharedOutcome, UptakeCell
from commonweal.evidence.moments import Moments, mean_from_moments
from commonweal.evidence.queries import Catalogue
from commonweal.evidence.statistics import StatisticsInputError

QUARTERS_SHOWN = 8


@dataclass(frozen=True)
class SharedOutcomeResult:
    """One agreed indicator: its table and chart by quarter, and how the latest quarter compares."""

    shared_outcome: SharedOutcome
    indicator: Indicator
    section: Section
    latest: TargetComparison


def _quarters(catalogue: Catalogue) -> list[tuple[str, list[int]]]:
    """The NHS financial quarters the summaries cover (the latest eight), each with its months."""
    if catalogue.first_month is None or catalogue.last_month is None:
        return []
    grouped: dict[str, list[int]] = defaultdict(list)
    for month in months_between(catalogue.first_month, catalogue.last_month):
        grouped[financial_quarter(month)].append(month)
    return list(grouped.items())[-QUARTERS_SHOWN:]


def _monthly(
    shared: SharedOutcome, indicator: Indicator, months: Sequence[int]
) -> dict[int, dict[str, float]]:
    """The indicator's summed measures for each month, for the alliance's members and the chosen place."""
    if not months:
        return {}
    model: Any
    measures: tuple[str, ...]
    if indicator.summary == "uptake":
        model, measures = UptakeCell, ("offered", "referred", "seen", "connected", "attended")
    elif indicator.summary == "connections":
        model, measures = ConnectionCell, ("requested", "rejected_at_capacity")
    else:
        model, measures = OutcomeCell, ("people", "sum_change", "sum_change_squared")
    cells = model.objects.filter(
        neighbourhood_id=shared.neighbourhood_id or 0,
        dimension="all",
        month__gte=min(months),
        month__lte=max(months),
        organisation_id__in=list(shared.alliance.members.values_list("pk", flat=True)),
    )
    if indicator.summary == "outcomes":
        cells = cells.filter(instrument_code=indicator.instrument, score_id=indicator.score)
    if shared.imd_quintile is not None:
        cells = cells.filter(imd_decile__in=deciles_of_quintile(shared.imd_quintile))
    found: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys((*measures, "deprived"), 0.0))
    sums = {measure: Sum(measure) for measure in measures}
    for row in cells.order_by().values("month", "imd_decile").annotate(**sums):
        month = found[row["month"]]
        for measure in measures:
            month[measure] += row[measure] or 0
        if indicator.most_deprived_only and row["imd_decile"] in (1, 2):
            month["deprived"] += row["offered"] or 0
    return found


def _result(shared: SharedOutcome, quarters: list[tuple[str, list[int]]]) -> SharedOutcomeResult:
    indicator = INDICATORS[shared.indicator]
    monthly = _monthly(shared, indicator, [month for _, months in quarters for month in months])
    book = CountBook()
    totals: list[tuple[str, dict[str, float]]] = []
    for label, months in quarters:
        quarter: dict[str, float] = defaultdict(float)
        for month in months:
            for measure, amount in monthly.get(month, {}).items():
                quarter[measure] += amount
        totals.append((label, quarter))
        if indicator.kind == "proportion":
            numerator = "deprived" if indicator.most_deprived_only else indicator.numerator
            book.add((label, "", "numerator"), quarter[numerator])
            book.add((label, "", "denominator"), quarter[indicator.denominator])
            book.order.append(AtMost(((label, "", "numerator"),), (label, "", "denominator")))
        else:
            book.add((label, "", "people"), quarter["people"])
    book.protect()
    target = float(shared.target)
    rows = []
    points = []
    latest = TargetComparison("unknown", "Not enough data to tell")
    for label, quarter in totals:
        value: float | None = None
        lower: float | None = None
        upper: float | None = None
        if indicator.kind == "proportion":
            top, bottom = book.shown((label, "", "numerator")), book.shown((label, "", "denominator"))
            counts = [book.cell((label, "", "numerator")), book.cell((label, "", "denominator"))]
            if top is not None and bottom:
                value, lower, upper = proportion_values(top, bottom)
            text = (
                "not shown"
                if top is None or bottom is None
                else "–"
                if not bottom
                else (f"{value:.1f}% ({lower:.1f} to {upper:.1f})")
            )
        else:
            people = book.shown((label, "", "people"))
            counts = [book.cell((label, "", "people"))]
            text = "not shown" if people is None else "–"
            if people is not None and people >= 2:
                try:
                    estimate = mean_from_moments(
                        Moments(people, quarter["sum_change"], quarter["sum_change_squared"])
                    )
                except StatisticsInputError:
                    estimate = None
                if estimate is not None:
                    interval = estimate.interval(0.95)
                    value, lower, upper = estimate.value, interval.lower, interval.upper
                    text = f"{value:+.2f} ({lower:+.2f} to {upper:+.2f})".replace("-", "−")
        comparison = compare_with_target(indicator, lower, upper, target)
        latest = comparison
        csv_value = ("", "", "") if value is None else (f"{value:.3f}", f"{lower:.3f}", f"{upper:.3f}")
        rows.append(
            (
                Cell(label, (label,)),
                *counts,
                Cell(text, csv_value),
                Cell(comparison.label, (comparison.key,)),
            )
        )
        points.append(charts.SeriesPoint(label, value, text, lower=lower, upper=upper))
    count_columns = (
        (Column("Counted", ("numerator",)), Column("Out of", ("denominator",)))
        if indicator.kind == "proportion"
        else (Column("People", ("people",)),)
    )
    unit = "%" if indicator.kind == "proportion" else " points"
    section = Section(
        key=f"shared-{shared.pk}",
        title=indicator.label,
        columns=(
            Column("Quarter", ("quarter",), numeric=False),
            *count_columns,
            Column("Value (95% CI)", ("value", "lower_95", "upper_95")),
            Column("Against the target", ("against_target",), numeric=False),
        ),
        rows=tuple(rows),
        chart=charts.series_chart(
            points,
            title=f"{indicator.label} by quarter, against the target of {target:g}{unit}",
            description=f"Each quarter's value with its 95% confidence interval, and the target line at "
            f"{target:g}{unit}. The table below gives every number.",
            chart_id=f"chart-shared-{shared.pk}",
            axis_label=indicator.unit,
            lines=[(target, f"Target {target:g}{unit}", True)],
            join=False,
            floor_at_zero=indicator.kind == "proportion",
        )
        if points
        else "",
        chart_note="Dots: each quarter's value; lines: 95% confidence intervals; dashed line: the target.",
        notes=(indicator.description,),
    )
    return SharedOutcomeResult(shared, indicator, section, latest)


def alliance_results(alliance: Alliance, catalogue: Catalogue) -> list[SharedOutcomeResult]:
    """Every shared outcome of the alliance, computed by quarter from the summaries."""
    quarters = _quarters(catalogue)
    return [
        _result(shared, quarters)
        for shared in alliance.shared_outcomes.select_related("neighbourhood", "alliance").order_by("pk")
        if shared.indicator in INDICATORS
    ]
