"""The evidence dashboards, assembled from summed figures: protected counts, intervals, SII, SPC, charts.

Each dashboard is a list of sections; each section has a chart, the table of the numbers behind it
(the same rows go to its CSV download) and notes. Every count on one page is protected together, so a
total shown on several tables is hidden on all of them or none (disclosure.py). A percentage or mean
is shown only when the counts it comes from are shown.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commonweal.evidence import charts, queries
from commonweal.evidence.breakdowns import (
    DECILES,
    DEPRIVATION,
    DIMENSIONS,
    FUNNEL,
    Category,
    month_label,
)
from commonweal.evidence.disclosure import AtMost, DisclosureError, Protected, Status, Sum, protect
from commonweal.evidence.moments import Moments, mean_from_moments
from commonweal.evidence.queries import Breakdown, Filters
from commonweal.evidence.statistics import (
    Improvement,
    IndicatorType,
    QuantileData,
    SlopeIndexOfInequality,
    StatisticsInputError,
    proportion,
    slope_index_of_inequality,
    xmr_chart,
)

# The SII is simulated; 10,000 draws keep a page fast and its limits steady to about 0.3 of a unit.
SII_REPETITIONS = 10_000
SII_SEED = 2019
TOTAL = "total"
Key = tuple[str, str, str]


@dataclass(frozen=True)
class Column:
    """A column: its heading, the headings of its CSV columns, and whether it holds numbers."""

    label: str
    csv_labels: tuple[str, ...]
    numeric: bool = True


@dataclass(frozen=True)
class Cell:
    """What one table cell shows, and what its CSV columns hold."""

    display: str
    csv: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    """One chart with its table and notes."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    chart: str = ""
    chart_note: str = ""
    notes: tuple[str, ...] = ()

    @property
    def csv_header(self) -> list[str]:
        """The CSV heading row."""
        return [label for column in self.columns for label in column.csv_labels]

    @property
    def csv_rows(self) -> list[list[str]]:
        """The CSV rows."""
        return [[value for cell in row for value in cell.csv] for row in self.rows]


@dataclass(frozen=True)
class Dashboard:
    """A dashboard page: its headline figures and sections."""

    key: str
    title: str
    headline: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]
    hidden_counts: bool
    notes: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        """Return one section by its key (KeyError if there is none)."""
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)


# --------------------------------------------------------------------------------- formatting


def count_text(value: float) -> str:
    """Write a count with thousands separators."""
    return f"{int(value):,}"


def _number(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _signed(value: float, places: int = 1) -> str:
    text = f"{value:+.{places}f}"
    return text.replace("-", "−")


def _row_label(text: str) -> Cell:
    return Cell(text, (text,))


LABEL = Column("Group", ("group",), numeric=False)


# ----------------------------------------------------------------------------------- protection


@dataclass
class CountBook:
    """Every count a page shows, the sums and bounds a reader knows, and then what may be shown."""

    values: dict[Key, int] = field(default_factory=dict)
    sums: list[Sum[Key]] = field(default_factory=list)
    order: list[AtMost[Key]] = field(default_factory=list)
    protected: Protected[Key] | None = None

    def add(self, key: Key, value: float) -> None:
        self.values[key] = int(value)

    def protect(self) -> Protected[Key]:
        try:
            self.protected = protect(self.values, self.sums, order=self.order)
        except DisclosureError:
            # A table that cannot be protected is not published at all.
            status = dict.fromkeys(self.values, Status.SECONDARY)
            self.protected = Protected(dict(self.values), status, 5)
        return self.protected

    def shown(self, key: Key) -> int | None:
        assert self.protected is not None
        return self.protected.shown_value(key)

    def cell(self, key: Key) -> Cell:
        assert self.protected is not None
        text = self.protected.shown(key)
        shown = self.protected.shown_value(key)
        return Cell(count_text(shown) if shown is not None else text, (text,))

    @property
    def any_hidden(self) -> bool:
        return self.protected is not None and bool(self.protected.hidden)


def _proportion_cell(book: CountBook, numerator: Key, denominator: Key) -> tuple[Cell, charts.Bar | None]:
    """A percentage with its Wilson 95% interval, when both counts are shown and the denominator is not 0."""
    top, bottom = book.shown(numerator), book.shown(denominator)
    if top is None or bottom is None:
        return Cell("not shown", ("", "", "")), None
    if bottom == 0:
        return Cell("–", ("", "", "")), None
    estimate = proportion_values(top, bottom)
    value, lower, upper = estimate
    display = f"{value:.1f}% ({lower:.1f} to {upper:.1f})"
    return Cell(display, (f"{value:.2f}", f"{lower:.2f}", f"{upper:.2f}")), charts.Bar(
        "", value, display, lower=lower, upper=upper
    )


_PROPORTIONS: dict[tuple[int, int], tuple[float, float, float]] = {}


def proportion_values(numerator: int, denominator: int) -> tuple[float, float, float]:
    """A percentage with its Wilson 95% limits (kept once worked out: pure, and asked for again and again)."""
    found = _PROPORTIONS.get((numerator, denominator))
    if found is None:
        estimate = proportion(numerator, denominator, multiplier=100)
        interval = estimate.interval(0.95)
        assert estimate.value is not None and interval.lower is not None and interval.upper is not None
        found = (estimate.value, interval.lower, interval.upper)
        if len(_PROPORTIONS) < 200_000:
            _PROPORTIONS[(numerator, denominator)] = found
    return found


def _percent_column(label: str, key: str) -> Column:
    return Column(f"{label} (95% CI)", (f"{key}_percent", f"{key}_lower_95", f"{key}_upper_95"))


# ------------------------------------------------------------------------------------ sections


@dataclass(frozen=True)
class Rate:
    """A percentage a breakdown shows: numerator / denominator, drawn as the section's chart."""

    key: str
    label: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class CountColumn:
    """A count a breakdown shows."""

    measure: str
    label: str


def _groups(figures: Breakdown, dimension: str) -> list[tuple[Category, Mapping[str, float]]]:
    if dimension == "deprivation":
        return [(category, figures.by_decile.get(int(category.key), {})) for category in DECILES]
    groups = figures.by_dimension.get(dimension, {})
    return [(category, groups.get(category.key, {})) for category in DIMENSIONS[dimension].categories]


def _register_breakdowns(
    book: CountBook,
    figures: Breakdown,
    dimensions: Sequence[str],
    measures: Sequence[str],
    neighbourhoods: Mapping[int, str],
    bounds: Callable[[str, str], list[AtMost[Key]]],
) -> None:
    for measure in measures:
        book.add((TOTAL, "", measure), figures.total.get(measure, 0))
    book.order.extend(bounds(TOTAL, ""))
    for dimension in dimensions:
        for category, numbers in _groups(figures, dimension):
            for measure in measures:
                book.add((dimension, category.key, measure), numbers.get(measure, 0))
            book.order.extend(bounds(dimension, category.key))
        for measure in measures:
            parts = tuple((dimension, category.key, measure) for category, _ in _groups(figures, dimension))
            book.sums.append(Sum((TOTAL, "", measure), parts))
    for place in neighbourhoods:
        numbers = figures.by_neighbourhood.get(place, {})
        for measure in measures:
            book.add(("neighbourhood", str(place), measure), numbers.get(measure, 0))
        book.order.extend(bounds("neighbourhood", str(place)))


def _sii_note(
    book: CountBook, dimension_rows: Sequence[Category], rate: Rate, *, what: str
) -> tuple[str, SlopeIndexOfInequality | None]:
    rows = []
    for category in dimension_rows:
        if category.key == "0":
            continue
        top = book.shown(("deprivation", category.key, rate.numerator))
        bottom = book.shown(("deprivation", category.key, rate.denominator))
        if top is None or bottom is None:
            return (
                "The slope index of inequality is not shown, because some deciles have counts too small to "
                "publish.",
                None,
            )
        if bottom == 0:
            continue
        value, lower, upper = proportion_values(top, bottom)
        rows.append(
            QuantileData(int(category.key), bottom, value / 100, lower_cl=lower / 100, upper_cl=upper / 100)
        )
    return _sii_text(rows, IndicatorType.PROPORTION, what=what, unit="percentage points", multiplier=100)


def _sii_text(
    rows: Sequence[QuantileData], indicator_type: IndicatorType, *, what: str, unit: str, multiplier: float
) -> tuple[str, SlopeIndexOfInequality | None]:
    try:
        found = slope_index_of_inequality(
            rows,
            indicator_type=indicator_type,
            multiplier=multiplier,
            repetitions=SII_REPETITIONS,
            seed=SII_SEED,
        )
    except StatisticsInputError as error:
        return f"The slope index of inequality cannot be calculated for these figures: {error}", None
    interval = found.interval(0.95)
    assert interval.lower is not None and interval.upper is not None
    return (
        f"Slope index of inequality for {what}: {_signed(found.sii)} {unit} "
        f"(95% CI {_signed(interval.lower)} "
        f"to {_signed(interval.upper)}). It is the difference the line fitted across deciles 1 to 10 "
        "predicts between the least and the most deprived ends of the scale; a positive value means "
        f"higher in less deprived areas. Simulated from {found.repetitions:,} draws, seed {found.seed}.",
        found,
    )


def _breakdown_section(
    book: CountBook,
    *,
    key: str,
    title: str,
    groups: Sequence[tuple[str, str]],
    counts: Sequence[CountColumn],
    rates: Sequence[Rate],
    table: str,
    chart_rate: Rate,
    notes: Sequence[str] = (),
) -> Section:
    columns = [LABEL]
    columns += [Column(count.label, (count.measure,)) for count in counts]
    columns += [_percent_column(rate.label, rate.key) for rate in rates]
    rows = []
    bars = []
    for group_key, label in groups:
        cells = [_row_label(label)]
        cells += [book.cell((table, group_key, count.measure)) for count in counts]
        for rate in rates:
            cell, bar = _proportion_cell(
                book, (table, group_key, rate.numerator), (table, group_key, rate.denominator)
            )
            cells.append(cell)
            if rate is chart_rate:
                bars.append(
                    charts.Bar(label, bar.value, bar.text, lower=bar.lower, upper=bar.upper)
                    if bar is not None
                    else charts.Bar(label, None, _hidden_words(book, table, group_key, rate))
                )
        rows.append(tuple(cells))
    chart = charts.bar_chart(
        bars,
        title=f"{chart_rate.label}, by {title.lower()}",
        description=f"{chart_rate.label} for each group, with 95% confidence intervals. The table below "
        "gives every number.",
        chart_id=f"chart-{key}",
        axis_label="Per cent",
        maximum=100,
    )
    return Section(
        key=key,
        title=title,
        columns=tuple(columns),
        rows=tuple(rows),
        chart=chart,
        chart_note=f"Bars: {chart_rate.label.lower()}; lines: 95% confidence intervals (Wilson).",
        notes=tuple(notes),
    )


NEIGHBOURHOODS_OVERLAP = (
    "Neighbourhoods drawn by residents can overlap, so their rows need not add up to the total."
)


def _dimension_sections(
    book: CountBook,
    dimensions: Sequence[str],
    neighbourhoods: Mapping[int, str],
    *,
    counts: Sequence[CountColumn],
    rates: Sequence[Rate],
    chart_rate: Rate,
    what: str,
) -> list[Section]:
    """One breakdown section per dimension, then neighbourhoods; deprivation gets the slope index note."""
    sections = []
    for dimension in (*dimensions, "neighbourhood"):
        if dimension == "neighbourhood" and not neighbourhoods:
            continue
        notes: list[str] = []
        if dimension == "deprivation":
            notes.append(_sii_note(book, DECILES, chart_rate, what=what)[0])
        if dimension == "neighbourhood":
            notes.append(NEIGHBOURHOODS_OVERLAP)
        sections.append(
            _breakdown_section(
                book,
                key=dimension,
                title=_dimension_title(dimension),
                groups=_group_rows(dimension, neighbourhoods),
                counts=counts,
                rates=rates,
                table=dimension,
                chart_rate=chart_rate,
                notes=notes,
            )
        )
    return sections


def _hidden_words(book: CountBook, table: str, group: str, rate: Rate) -> str:
    bottom = book.shown((table, group, rate.denominator))
    if bottom == 0:
        return "none"
    top = book.shown((table, group, rate.numerator))
    hidden = (table, group, rate.denominator) if bottom is None else (table, group, rate.numerator)
    assert book.protected is not None
    return "<5" if top is None and book.protected.values[hidden] < 5 else "not shown"


def _group_rows(dimension: str, neighbourhoods: Mapping[int, str]) -> list[tuple[str, str]]:
    if dimension == "neighbourhood":
        return [
            (str(place), name) for place, name in sorted(neighbourhoods.items(), key=lambda item: item[1])
        ]
    categories = DECILES if dimension == "deprivation" else DIMENSIONS[dimension].categories
    return [(category.key, category.label) for category in categories]


def _dimension_title(dimension: str) -> str:
    if dimension == "deprivation":
        return DEPRIVATION.label
    if dimension == "neighbourhood":
        return "Neighbourhood"
    return DIMENSIONS[dimension].label


@dataclass(frozen=True)
class SpcPlan:
    """A monthly count to draw as an XmR chart."""

    measure: str
    label: str
    improvement: Improvement


def _plan_spc(book: CountBook, figures: Breakdown, filters: Filters, plan: SpcPlan) -> SpcPlan:
    """Register each month's count; the months add up to the page's total, and a reader knows it."""
    months = filters.months
    for month in months:
        book.add(("month", str(month), plan.measure), figures.by_month.get(month, {}).get(plan.measure, 0))
    book.sums.append(
        Sum((TOTAL, "", plan.measure), tuple(("month", str(month), plan.measure) for month in months))
    )
    return plan


def monthly_xmr(
    months: Sequence[int],
    values: Sequence[float],
    *,
    improvement: Improvement,
    label: str,
    lead: str,
    chart_id: str,
) -> tuple[str, dict[int, str], tuple[str, ...]]:
    """Draw monthly counts as an XmR chart: its SVG, each month's Making Data Count words, and the notes."""
    chart = xmr_chart(values, improvement=improvement)
    words_of: dict[int, str] = {}
    points = []
    for month, point in zip(months, chart.points, strict=True):
        special = point.variation.value != "common_cause"
        words = point.special_cause_type if special else "Common cause"
        words_of[month] = words
        points.append(
            charts.SeriesPoint(
                month_label(month),
                point.value,
                f"{count_text(point.value)} ({words})",
                variation=point.variation.value,
                special=special,
            )
        )
    lower = max(chart.lower_process_limit, 0.0)
    svg = charts.series_chart(
        points,
        title=f"{label} each month: XmR chart",
        description=(
            f"{lead} with the mean ({chart.mean:.1f}) and process limits ({lower:.1f} to "
            f"{chart.upper_process_limit:.1f}). Months showing special cause variation are drawn as "
            "diamonds. The table below gives every month."
        ),
        chart_id=chart_id,
        axis_label=label,
        lines=[
            (chart.mean, f"Mean {chart.mean:.1f}", False),
            (chart.upper_process_limit, f"Upper limit {chart.upper_process_limit:.1f}", True),
            (lower, f"Lower limit {lower:.1f}", True),
        ],
    )
    return svg, words_of, chart.notes


def _spc_section(book: CountBook, filters: Filters, plan: SpcPlan) -> Section:
    months = filters.months
    shown = [book.shown(("month", str(month), plan.measure)) for month in months]
    notes: list[str] = []
    chart_svg = ""
    labels: dict[int, str] = {}
    if len(months) < 2:
        notes.append("An SPC chart needs at least two months; choose a longer period.")
    elif any(value is None for value in shown):
        notes.append(
            "The SPC chart is not drawn: some months have counts too small to publish, and the limits would "
            "give them away."
        )
    else:
        chart_svg, labels, chart_notes = monthly_xmr(
            months,
            [float(value or 0) for value in shown],
            improvement=plan.improvement,
            label=plan.label,
            lead="Monthly counts",
            chart_id="chart-monthly",
        )
        notes.extend(chart_notes)
    rows = tuple(
        (
            _row_label(month_label(month)),
            book.cell(("month", str(month), plan.measure)),
            Cell(labels.get(month, "–"), (labels.get(month, ""),)),
        )
        for month in months
    )
    return Section(
        key="monthly",
        title=f"{plan.label} each month",
        columns=(
            Column("Month", ("month",), numeric=False),
            Column(plan.label, (plan.measure,)),
            Column("Variation (Making Data Count)", ("variation",), numeric=False),
        ),
        rows=rows,
        chart=chart_svg,
        chart_note="Diamonds: special cause variation; circles: common cause. Dashed lines: process limits."
        if chart_svg
        else "",
        notes=tuple(notes),
    )


# ---------------------------------------------------------------------------------------- uptake


def _funnel_bounds(table: str, group: str) -> list[AtMost[Key]]:
    steps = [step.key for step in FUNNEL]
    bounds = [
        AtMost(((table, group, later),), (table, group, earlier))
        for earlier, later in itertools.pairwise(steps)
    ]
    # Declined at triage and accepted at triage are separate groups of the referrals offered.
    bounds.append(AtMost(((table, group, "referred"), (table, group, "declined")), (table, group, "offered")))
    return bounds


def uptake_dashboard(filters: Filters) -> Dashboard:
    """The uptake funnel, by deprivation, ethnicity, age, sex and neighbourhood, with SPC of connections."""
    figures = queries.uptake(filters)
    neighbourhoods = (
        queries.neighbourhood_names(figures.by_neighbourhood) if filters.neighbourhood is None else {}
    )
    measures = [step.key for step in FUNNEL] + ["declined"]
    dimensions = ("deprivation", "ethnicity", "age", "sex")
    book = CountBook()
    _register_breakdowns(book, figures, dimensions, measures, neighbourhoods, _funnel_bounds)
    spc = _plan_spc(book, figures, filters, SpcPlan("connected", "Referrals connected", Improvement.INCREASE))
    book.protect()

    funnel_rows = []
    bars = []
    previous = None
    for step in FUNNEL:
        key = (TOTAL, "", step.key)
        if previous is None:
            rate_cell = Cell("–", ("", "", ""))
        else:
            rate_cell, _ = _proportion_cell(book, key, (TOTAL, "", previous))
        shown = book.shown(key)
        bars.append(charts.Bar(step.label, shown, book.cell(key).display))
        funnel_rows.append(
            (_row_label(step.label), book.cell(key), rate_cell, Cell(step.definition, (step.definition,)))
        )
        previous = step.key
    funnel = Section(
        key="funnel",
        title="The uptake funnel",
        columns=(
            Column("Step", ("step",), numeric=False),
            Column("Referrals", ("referrals",)),
            _percent_column("% of the step before", "of_previous"),
            Column("How it is counted", ("definition",), numeric=False),
        ),
        rows=tuple(funnel_rows),
        chart=charts.bar_chart(
            bars,
            title="The uptake funnel",
            description="Referrals at each step: offered, referred, seen, connected and attended. The table "
            "below gives every number and each step as a share of the one before.",
            chart_id="chart-funnel",
            axis_label="Referrals",
        ),
        chart_note="Bars: referrals reaching each step.",
    )
    counts = [CountColumn(step.key, step.label) for step in FUNNEL]
    connected_rate = Rate("connected_of_offered", "Connected, % of offered", "connected", "offered")
    rates = [
        connected_rate,
        Rate("attended_of_connected", "Attended, % of connected", "attended", "connected"),
    ]
    sections = [funnel]
    sections += _dimension_sections(
        book,
        dimensions,
        neighbourhoods,
        counts=counts,
        rates=rates,
        chart_rate=connected_rate,
        what="the share of referrals connected",
    )
    sections.append(_spc_section(book, filters, spc))
    return Dashboard(
        key="uptake",
        title="Uptake funnel",
        headline=tuple((step.label, book.cell((TOTAL, "", step.key)).display) for step in FUNNEL),
        sections=tuple(sections),
        hidden_counts=book.any_hidden,
    )


# ------------------------------------------------------------------------------------- referrals


def _referral_bounds(table: str, group: str) -> list[AtMost[Key]]:
    return [AtMost(((table, group, "referred"), (table, group, "declined")), (table, group, "offered"))]


def referrals_dashboard(filters: Filters) -> Dashboard:
    """Referrals received: by who referred, deprivation, ethnicity, age, sex and place, with SPC by month."""
    figures = queries.uptake(filters)
    neighbourhoods = (
        queries.neighbourhood_names(figures.by_neighbourhood) if filters.neighbourhood is None else {}
    )
    measures = ["offered", "referred", "declined"]
    dimensions = ("source", "deprivation", "ethnicity", "age", "sex")
    book = CountBook()
    _register_breakdowns(book, figures, dimensions, measures, neighbourhoods, _referral_bounds)
    spc = _plan_spc(book, figures, filters, SpcPlan("offered", "Referrals received", Improvement.NEITHER))
    book.protect()
    counts = [
        CountColumn("offered", "Received"),
        CountColumn("referred", "Accepted at triage"),
        CountColumn("declined", "Declined by the person"),
    ]
    accepted = Rate("accepted", "Accepted at triage, % of received", "referred", "offered")
    rates = [accepted, Rate("declined", "Declined by the person, % of received", "declined", "offered")]
    sections = [_spc_section(book, filters, spc)]
    sections += _dimension_sections(
        book,
        dimensions,
        neighbourhoods,
        counts=counts,
        rates=rates,
        chart_rate=accepted,
        what="the share of referrals accepted at triage",
    )
    return Dashboard(
        key="referrals",
        title="Referrals",
        headline=(
            ("Referrals received", book.cell((TOTAL, "", "offered")).display),
            ("Accepted at triage", book.cell((TOTAL, "", "referred")).display),
            ("Declined by the person", book.cell((TOTAL, "", "declined")).display),
        ),
        sections=tuple(sections),
        hidden_counts=book.any_hidden,
    )


# ----------------------------------------------------------------------------------- connections


def _connection_bounds(table: str, group: str) -> list[AtMost[Key]]:
    key = lambda measure: (table, group, measure)  # noqa: E731 - a short local spelling
    return [
        AtMost((key("accepted"), key("rejected_at_capacity"), key("rejected_other")), key("requested")),
        AtMost((key("attended"),), key("accepted")),
    ]


TOP_SERVICES = 20


_SERVICE_MEASURES = ("requested", "accepted", "rejected_at_capacity", "rejected_other")


def _most_turned_away_first(item: tuple[int, Mapping[str, float]]) -> tuple[float, float, int]:
    return (-item[1]["rejected_at_capacity"], -item[1]["requested"], item[0])


def _register_services(book: CountBook, services: Mapping[int, Mapping[str, float]]) -> list[tuple[str, Any]]:
    """Count the services that turned most people away at capacity, then all others as "rest"."""
    ranked = sorted(services.items(), key=_most_turned_away_first)
    top, rest = ranked[:TOP_SERVICES], ranked[TOP_SERVICES:]
    rows: list[tuple[str, Any]] = [(str(service), numbers) for service, numbers in top]
    if rest:
        rows.append(("rest", {m: sum(numbers[m] for _, numbers in rest) for m in _SERVICE_MEASURES}))
    for group, numbers in rows:
        for measure in _SERVICE_MEASURES:
            book.add(("service", group, measure), numbers[measure])
        book.order.extend(_connection_bounds("service", group)[:1])
    # Every service is in exactly one row, so the rows add up to the total.
    for measure in _SERVICE_MEASURES:
        book.sums.append(Sum((TOTAL, "", measure), tuple(("service", group, measure) for group, _ in rows)))
    return rows


def _register_terms(book: CountBook, terms: Mapping[int, Mapping[str, float]]) -> list[tuple[int, Any]]:
    """Count each taxonomy term; a service counts under each of its terms, so each is at most the total."""
    rows = sorted(terms.items(), key=_most_turned_away_first)
    for term, numbers in rows:
        for measure in _SERVICE_MEASURES:
            book.add(("term", str(term), measure), numbers[measure])
            book.order.append(AtMost((("term", str(term), measure),), (TOTAL, "", measure)))
        book.order.extend(_connection_bounds("term", str(term))[:1])
    return rows


def _service_and_term_sections(
    book: CountBook,
    service_rows: list[tuple[str, Any]],
    term_rows: list[tuple[int, Any]],
    *,
    counts: list[CountColumn],
    rates: list[Rate],
    chart_rate: Rate,
) -> list[Section]:
    from commonweal.directory.models import Service, TaxonomyTerm

    service_names = dict(
        Service.objects.filter(pk__in=[int(g) for g, _ in service_rows if g != "rest"]).values_list(
            "pk", "name"
        )
    )
    term_names = dict(
        TaxonomyTerm.objects.filter(pk__in=[term for term, _ in term_rows]).values_list("pk", "name")
    )
    return [
        _breakdown_section(
            book,
            key="service",
            title="Service",
            groups=[
                (g, service_names.get(int(g), f"Service {g}") if g != "rest" else "All other services")
                for g, _ in service_rows
            ],
            counts=counts,
            rates=rates,
            table="service",
            chart_rate=chart_rate,
            notes=(
                f"The {TOP_SERVICES} services that turned most people away at capacity, then all others "
                "together.",
            ),
        ),
        _breakdown_section(
            book,
            key="term",
            title="Taxonomy term",
            groups=[(str(term), term_names.get(term, f"Term {term}")) for term, _ in term_rows],
            counts=counts,
            rates=rates,
            table="term",
            chart_rate=chart_rate,
            notes=(
                "A service with several terms counts under each, so these rows need not add up to the total.",
            ),
        ),
    ]


def connections_dashboard(filters: Filters) -> Dashboard:
    """Declines and 'at capacity' rejections: by service, taxonomy term, deprivation, ethnicity, age, sex
    and place, with SPC of 'at capacity' rejections by month."""
    figures = queries.connections(filters)
    neighbourhoods = (
        queries.neighbourhood_names(figures.by_neighbourhood) if filters.neighbourhood is None else {}
    )
    measures = ["requested", "accepted", "rejected_at_capacity", "rejected_other", "attended"]
    dimensions = ("deprivation", "ethnicity", "age", "sex")
    book = CountBook()
    _register_breakdowns(book, figures, dimensions, measures, neighbourhoods, _connection_bounds)
    service_rows = _register_services(book, queries.by_service(filters))
    term_rows = _register_terms(book, queries.by_service(filters, key="term_id"))
    spc = _plan_spc(
        book,
        figures,
        filters,
        SpcPlan("rejected_at_capacity", "Turned away at capacity", Improvement.DECREASE),
    )
    book.protect()

    counts = [
        CountColumn("requested", "Requested"),
        CountColumn("accepted", "Accepted"),
        CountColumn("rejected_at_capacity", "At capacity"),
        CountColumn("rejected_other", "Declined for other reasons"),
    ]
    capacity = Rate("at_capacity", "At capacity, % of requested", "rejected_at_capacity", "requested")
    declined = Rate(
        "declined_other", "Declined for other reasons, % of requested", "rejected_other", "requested"
    )
    rates = [capacity, declined]
    sections = _service_and_term_sections(
        book, service_rows, term_rows, counts=counts, rates=rates, chart_rate=capacity
    )
    sections += _dimension_sections(
        book,
        dimensions,
        neighbourhoods,
        counts=counts,
        rates=rates,
        chart_rate=capacity,
        what="the share of requests turned away at capacity",
    )
    sections.append(_spc_section(book, filters, spc))
    return Dashboard(
        key="connections",
        title="Declines and 'at capacity'",
        headline=(
            ("Connections requested", book.cell((TOTAL, "", "requested")).display),
            ("Accepted", book.cell((TOTAL, "", "accepted")).display),
            ("Turned away at capacity", book.cell((TOTAL, "", "rejected_at_capacity")).display),
            ("Declined for other reasons", book.cell((TOTAL, "", "rejected_other")).display),
        ),
        sections=tuple(sections),
        hidden_counts=book.any_hidden,
    )


# -------------------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class ScoreChoice:
    """A questionnaire score the outcome page can show."""

    instrument: str
    score: str
    label: str
    higher_is_better: bool

    @property
    def key(self) -> str:
        return f"{self.instrument}:{self.score}"


def score_choices() -> list[ScoreChoice]:
    """The outcome scores, with their labels and which way is better."""
    found = []
    for key, label in queries.measure_choices():
        instrument, score = key.split(":", 1)
        found.append(ScoreChoice(instrument, score, label, queries.higher_is_better(instrument, score)))
    return found


def _moments(numbers: Mapping[str, float]) -> Moments:
    return Moments(
        int(numbers.get("people", 0)),
        float(numbers.get("sum_change", 0.0)),
        float(numbers.get("sum_change_squared", 0.0)),
    )


def _mean_cells(
    book: CountBook, key: Key, numbers: Mapping[str, float]
) -> tuple[list[Cell], charts.Bar | None, Any]:
    people = book.shown(key)
    blank = [Cell("not shown", ("",)), Cell("not shown", ("",)), Cell("not shown", ("", "", ""))]
    if people is None:
        return blank, None, None
    if people < 2:
        return [Cell("–", ("",)), Cell("–", ("",)), Cell("–", ("", "", ""))], None, None
    estimate = mean_from_moments(_moments(numbers))
    interval = estimate.interval(0.95)
    assert interval.lower is not None and interval.upper is not None
    baseline = numbers["sum_baseline"] / people
    follow_up = numbers["sum_follow_up"] / people
    change = f"{_signed(estimate.value)} ({_signed(interval.lower)} to {_signed(interval.upper)})"
    cells = [
        Cell(f"{baseline:.1f}", (f"{baseline:.3f}",)),
        Cell(f"{follow_up:.1f}", (f"{follow_up:.3f}",)),
        Cell(change, (f"{estimate.value:.3f}", f"{interval.lower:.3f}", f"{interval.upper:.3f}")),
    ]
    return cells, charts.Bar("", estimate.value, change, lower=interval.lower, upper=interval.upper), estimate


OUTCOME_COLUMNS = (
    LABEL,
    Column("People", ("people",)),
    Column("Mean first score", ("mean_first",)),
    Column("Mean latest score", ("mean_latest",)),
    Column("Mean change (95% CI)", ("mean_change", "change_lower_95", "change_upper_95")),
)


def _outcome_dimension_section(
    book: CountBook,
    figures: Breakdown,
    dimension: str,
    neighbourhoods: Mapping[int, str],
    choice: ScoreChoice,
) -> Section:
    """One group's section of the outcome page: mean change per group, with the SII for deprivation."""
    direction = "A rise" if choice.higher_is_better else "A fall"
    rows = []
    points = []
    quantiles = []
    complete = True
    for group_key, label in _group_rows(dimension, neighbourhoods):
        if dimension == "deprivation":
            numbers = figures.by_decile.get(int(group_key), {})
        elif dimension == "neighbourhood":
            numbers = figures.by_neighbourhood.get(int(group_key), {})
        else:
            numbers = figures.by_dimension.get(dimension, {}).get(group_key, {})
        people_key = (dimension, group_key, "people")
        cells, bar, estimate = _mean_cells(book, people_key, numbers)
        rows.append((_row_label(label), book.cell(people_key), *cells))
        if bar is not None:
            points.append(charts.Bar(label, bar.value, bar.text, lower=bar.lower, upper=bar.upper))
        else:
            points.append(charts.Bar(label, None, cells[2].display))
        if dimension == "deprivation" and group_key != "0":
            if estimate is None:
                complete = complete and book.shown(people_key) is not None
                continue
            quantiles.append(
                QuantileData(
                    int(group_key),
                    estimate.count,
                    estimate.value,
                    standard_error=estimate.standard_deviation / math.sqrt(estimate.count),
                )
            )
    notes = []
    if dimension == "deprivation":
        if not complete:
            notes.append(
                "The slope index of inequality is not shown, because some deciles have counts too small "
                "to publish."
            )
        else:
            notes.append(
                _sii_text(
                    quantiles, IndicatorType.NORMAL, what="the mean change", unit="points", multiplier=1
                )[0]
            )
    if dimension == "neighbourhood":
        notes.append(NEIGHBOURHOODS_OVERLAP)
    return Section(
        key=dimension,
        title=_dimension_title(dimension),
        columns=OUTCOME_COLUMNS,
        rows=tuple(rows),
        chart=charts.forest_chart(
            points,
            title=f"Mean change in {choice.label}, by {_dimension_title(dimension).lower()}",
            description="Mean change from first to latest answer for each group, with 95% confidence "
            f"intervals. {direction} is better. The table below gives every number.",
            chart_id=f"chart-{dimension}",
            axis_label="Change in points",
        ),
        chart_note=f"Dots: mean change; lines: 95% confidence intervals (t). {direction} is better.",
        notes=tuple(notes),
    )


def outcomes_dashboard(filters: Filters, choice: ScoreChoice) -> Dashboard:
    """Change in one outcome score from each person's first answer to their latest, by group, with the
    SII, and an overview of every outcome score."""
    figures = queries.outcomes(filters, choice.instrument, choice.score)
    overview = queries.outcome_overview(filters)
    neighbourhoods = (
        queries.neighbourhood_names(figures.by_neighbourhood) if filters.neighbourhood is None else {}
    )
    dimensions = ("deprivation", "ethnicity", "age", "sex")
    book = CountBook()
    _register_breakdowns(book, figures, dimensions, ["people"], neighbourhoods, lambda table, group: [])

    def overview_key(joined: str) -> Key:
        # The chosen score's count is the page's total: one number, protected once.
        return (TOTAL, "", "people") if joined == choice.key else ("overview", joined, "people")

    for key in overview:
        if ":".join(key) != choice.key:
            book.add(overview_key(":".join(key)), overview[key]["people"])
    book.protect()

    choices = {each.key: each for each in score_choices()}
    overview_rows = []
    for key, numbers in overview.items():
        joined = ":".join(key)
        cells, _, _ = _mean_cells(book, overview_key(joined), numbers)
        label = choices[joined].label if joined in choices else joined
        direction = (
            "higher is better"
            if choices.get(joined) and choices[joined].higher_is_better
            else "lower is better"
        )
        overview_rows.append((_row_label(f"{label} ({direction})"), book.cell(overview_key(joined)), *cells))
    sections = [
        Section(
            key="overview",
            title="Every outcome score",
            columns=OUTCOME_COLUMNS,
            rows=tuple(overview_rows),
            notes=(
                "Change runs from each person's first answer to their latest (at least two answers). "
                "Corrected answers are replaced by their corrections.",
            ),
        )
    ]
    direction = "A rise" if choice.higher_is_better else "A fall"
    sections += [
        _outcome_dimension_section(book, figures, dimension, neighbourhoods, choice)
        for dimension in (*dimensions, "neighbourhood")
        if dimension != "neighbourhood" or neighbourhoods
    ]
    return Dashboard(
        key="outcomes",
        title="Outcome change",
        headline=(("People with a first and a later answer", book.cell((TOTAL, "", "people")).display),),
        sections=tuple(sections),
        hidden_counts=book.any_hidden,
        notes=(f"Showing {choice.label}. {direction} is better.",),
    )


DASHBOARDS: dict[str, str] = {
    "referrals": "Referrals",
    "uptake": "Uptake funnel",
    "connections": "Declines and 'at capacity'",
    "outcomes": "Outcome change",
}
