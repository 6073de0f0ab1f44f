"""Reads behind the evidence pages: filtered sums over the summary cells, in a few GROUP BY queries each."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from commonweal.evidence import summaries
from commonweal.evidence.breakdowns import add_months, deciles_of_quintile, month_number, months_between
from commonweal.evidence.models import (
    ALL_ORGANISATIONS,
    ConnectionCell,
    OutcomeCell,
    OutcomeFact,
    ServiceCell,
    SroiAnalysis,
    SroiOutcome,
    Story,
    SummaryRefresh,
    TermCell,
    UptakeCell,
)
from commonweal.evidence.sroi import (
    FinancialProxy,
    SensitivityAnalysis,
    SroiInputError,
    SroiModel,
    SroiResult,
    calculate_sroi,
    sensitivity_analysis,
)
from commonweal.evidence.sroi import Input as SroiCoreInput
from commonweal.evidence.sroi import Outcome as SroiCoreOutcome
from commonweal.measures import registry
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from commonweal.ui import background

# The questionnaire scores the outcome pages and SROI outcomes can use: (instrument, score).
OUTCOME_SCORES: tuple[tuple[str, str], ...] = (
    ("ucla-3", "total"),
    ("phq-9", "total"),
    ("gad-7", "total"),
    ("ons4", "life_satisfaction"),
    ("ons4", "worthwhile"),
    ("ons4", "happiness"),
    ("ons4", "anxiety"),
)
DEFAULT_MONTHS = 12

# Where tasks do not go through the database queue (tests run them at once), a refresh still marked
# running and younger than this stops another being queued; on the queue its task's lease decides.
REFRESH_PATIENCE = datetime.timedelta(hours=1)
REFRESH_TASK = "commonweal.evidence.tasks.refresh_summaries_task"


@dataclass(frozen=True)
class Filters:
    """What a dashboard is restricted to: a run of months, and optionally a place, organisations and
    an IMD quintile."""

    first_month: int
    last_month: int
    neighbourhood: Area | None = None
    organisation: Organisation | None = None
    imd_quintile: int | None = None
    organisation_ids: tuple[int, ...] | None = None

    @property
    def months(self) -> list[int]:
        """Every month in the period, in order."""
        return months_between(self.first_month, self.last_month)

    @property
    def organisations(self) -> tuple[int, ...] | None:
        """The organisations counted, or None for all."""
        if self.organisation_ids is not None:
            return self.organisation_ids
        return None if self.organisation is None else (self.organisation.pk,)

    def restrict(
        self, cells: models.QuerySet[Any, Any], *, quintile_field: str = "imd_decile", summed: bool = True
    ) -> Any:
        """Apply the period, organisation and deprivation filters to a query over cells (`summed`: the
        cells hold a sum over every organisation, read when no organisation is chosen)."""
        cells = cells.filter(month__gte=self.first_month, month__lte=self.last_month)
        if self.organisations is not None:
            cells = cells.filter(organisation_id__in=self.organisations)
        elif summed:
            cells = cells.filter(organisation_id=ALL_ORGANISATIONS)
        if self.imd_quintile is not None:
            if quintile_field == "imd_decile":
                cells = cells.filter(imd_decile__in=deciles_of_quintile(self.imd_quintile))
            else:
                cells = cells.filter(imd_quintile=self.imd_quintile)
        return cells

    @property
    def neighbourhood_id(self) -> int:
        """The place partition of the cells to read: 0 is every place."""
        return 0 if self.neighbourhood is None else self.neighbourhood.pk


@dataclass(frozen=True)
class Catalogue:
    """What the latest summaries hold, for the filter form: months, and organisations by role (id, name)."""

    first_month: int | None
    last_month: int | None
    teams: tuple[tuple[int, str], ...]
    providers: tuple[tuple[int, str], ...]


def _named(pairs: Any) -> tuple[tuple[int, str], ...]:
    # Refreshes recorded before names were kept hold bare ids; those are left out until the next one.
    return tuple(
        (int(pair[0]), str(pair[1])) for pair in pairs if isinstance(pair, list | tuple) and len(pair) == 2
    )


def latest_refresh() -> SummaryRefresh | None:
    """Return the last refresh that finished, if any."""
    return SummaryRefresh.objects.filter(state=SummaryRefresh.State.FINISHED).order_by("-finished_at").first()


def failed_refresh_after(refresh: SummaryRefresh | None) -> SummaryRefresh | None:
    """Return a refresh that failed after the last one that finished, so the page can say so."""
    failed = SummaryRefresh.objects.filter(state=SummaryRefresh.State.FAILED)
    if refresh is not None and refresh.finished_at is not None:
        failed = failed.filter(started_at__gt=refresh.finished_at)
    return failed.order_by("-started_at").first()


def is_out_of_date(refresh: SummaryRefresh) -> bool:
    """Tell whether journey, measures or people records changed after the refresh saw them."""
    return summaries.changed_since(refresh.source_marker)


def catalogue() -> Catalogue:
    """Return the months and organisations the summaries hold (from the latest refresh's record)."""
    refresh = latest_refresh()
    data = refresh.catalogue if refresh is not None else {}
    return Catalogue(
        data.get("first_month"),
        data.get("last_month"),
        _named(data.get("teams", ())),
        _named(data.get("providers", ())),
    )


def default_period(found: Catalogue) -> tuple[int, int] | None:
    """The latest 12 months that have data, or None when there is none."""
    if found.last_month is None or found.first_month is None:
        return None
    return max(found.first_month, add_months(found.last_month, 1 - DEFAULT_MONTHS)), found.last_month


# -------------------------------------------------------------------------------------- breakdowns

Numbers = dict[str, float]


@dataclass
class Breakdown:
    """Summed measures for the whole filtered population and for each group of each breakdown."""

    measures: tuple[str, ...]
    total: Numbers = field(default_factory=dict)
    by_decile: dict[int, Numbers] = field(default_factory=dict)
    by_month: dict[int, Numbers] = field(default_factory=dict)
    by_dimension: dict[str, dict[str, Numbers]] = field(default_factory=dict)
    by_neighbourhood: dict[int, Numbers] = field(default_factory=dict)


def _zero(measures: Iterable[str]) -> Numbers:
    return dict.fromkeys(measures, 0)


def _add(into: Numbers, row: dict[str, Any], measures: Iterable[str]) -> None:
    for measure in measures:
        into[measure] += row[measure] or 0


def breakdown(
    cells: models.QuerySet[Any, Any],
    measures: tuple[str, ...],
    filters: Filters,
    dimensions: Iterable[str],
    *,
    by_neighbourhood: bool = True,
) -> Breakdown:
    """Sum the measures over the filtered cells: by month and decile, by each dimension, by place."""
    sums = {measure: Sum(measure) for measure in measures}
    found = Breakdown(measures, total=_zero(measures))
    here = filters.restrict(cells.filter(neighbourhood_id=filters.neighbourhood_id))
    for row in here.filter(dimension="all").order_by().values("month", "imd_decile").annotate(**sums):
        _add(found.total, row, measures)
        _add(found.by_decile.setdefault(row["imd_decile"], _zero(measures)), row, measures)
        _add(found.by_month.setdefault(row["month"], _zero(measures)), row, measures)
    wanted = list(dimensions)
    if wanted:
        grouped = (
            here.filter(dimension__in=wanted).order_by().values("dimension", "category").annotate(**sums)
        )
        for row in grouped:
            groups = found.by_dimension.setdefault(row["dimension"], {})
            _add(groups.setdefault(row["category"], _zero(measures)), row, measures)
    if by_neighbourhood and filters.neighbourhood is None:
        # Each neighbourhood named, so the lookup index is used for each rather than a scan of every place.
        neighbourhoods = list(Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).values_list("pk", flat=True))
        places = filters.restrict(cells.filter(dimension="all", neighbourhood_id__in=neighbourhoods))
        for row in places.order_by().values("neighbourhood_id").annotate(**sums):
            _add(found.by_neighbourhood.setdefault(row["neighbourhood_id"], _zero(measures)), row, measures)
    return found


UPTAKE_MEASURES = ("offered", "referred", "seen", "connected", "attended", "declined")
CONNECTION_MEASURES = (
    "requested",
    "accepted",
    "rejected_at_capacity",
    "rejected_other",
    "cancelled",
    "completed",
    "attended",
)
OUTCOME_MEASURES = ("people", "sum_baseline", "sum_follow_up", "sum_change", "sum_change_squared")


def uptake(filters: Filters) -> Breakdown:
    """The uptake funnel, summed for the filters."""
    return breakdown(
        UptakeCell.objects.all(), UPTAKE_MEASURES, filters, ("ethnicity", "age", "sex", "source")
    )


def connections(filters: Filters) -> Breakdown:
    """Connections and what the organisations did with them, summed for the filters."""
    return breakdown(ConnectionCell.objects.all(), CONNECTION_MEASURES, filters, ("ethnicity", "age", "sex"))


def outcomes(filters: Filters, instrument: str, score: str) -> Breakdown:
    """Changes in one score, summed for the filters."""
    cells = OutcomeCell.objects.filter(instrument_code=instrument, score_id=score)
    return breakdown(cells, OUTCOME_MEASURES, filters, ("ethnicity", "age", "sex"))


def outcome_overview(filters: Filters) -> dict[tuple[str, str], Numbers]:
    """Every outcome score's summed changes for the filters, in one query."""
    sums = {measure: Sum(measure) for measure in OUTCOME_MEASURES}
    cells = filters.restrict(
        OutcomeCell.objects.filter(neighbourhood_id=filters.neighbourhood_id, dimension="all")
    )
    found = {key: _zero(OUTCOME_MEASURES) for key in OUTCOME_SCORES}
    for row in cells.order_by().values("instrument_code", "score_id").annotate(**sums):
        key = (row["instrument_code"], row["score_id"])
        if key in found:
            _add(found[key], row, OUTCOME_MEASURES)
    return found


SERVICE_MEASURES = ("requested", "accepted", "rejected_at_capacity", "rejected_other")


def by_service(filters: Filters, *, key: str = "service_id") -> dict[int, Numbers]:
    """Connections summed by directory service (or, with key='term_id', by taxonomy term)."""
    model = ServiceCell if key == "service_id" else TermCell
    cells = filters.restrict(
        model.objects.filter(neighbourhood_id=filters.neighbourhood_id),
        quintile_field="imd_quintile",
        summed=model is TermCell,
    )
    sums = {measure: Sum(measure) for measure in SERVICE_MEASURES}
    found: dict[int, Numbers] = defaultdict(lambda: _zero(SERVICE_MEASURES))
    for row in cells.order_by().values(key).annotate(**sums):
        _add(found[row[key]], row, SERVICE_MEASURES)
    return dict(found)


# ------------------------------------------------------------------------------------- SROI links


def measure_choices() -> list[tuple[str, str]]:
    """The questionnaire scores an SROI outcome can count improvements in, as (instrument:score, label)."""
    choices = []
    for instrument, score in OUTCOME_SCORES:
        definition = registry.definition(instrument)
        labels = {each.score_id: each.label for each in definition.scores}
        label = labels[score].in_language() if score in labels else score
        title = definition.short_name
        choices.append((f"{instrument}:{score}", label if label.startswith(title) else f"{title}: {label}"))
    return choices


def higher_is_better(instrument: str, score: str) -> bool:
    """Tell which way is better for a score, from its instrument definition."""
    for each in registry.definition(instrument).scores:
        if each.score_id == score:
            return each.higher_is_better
    raise LookupError(f"{instrument} has no score {score}.")


def improved_people(measure: str, improvement: float, filters: Filters) -> int:
    """Count people whose score improved by at least `improvement` points, first answer to latest."""
    instrument, score = measure.split(":", 1)
    facts = OutcomeFact.objects.filter(
        instrument_code=instrument,
        score_id=score,
        month__gte=filters.first_month,
        month__lte=filters.last_month,
    )
    if filters.organisations is not None:
        facts = facts.filter(organisation_id__in=filters.organisations)
    facts = facts.alias(difference=F("follow_up") - F("baseline"))
    better = (
        Q(difference__gte=improvement)
        if higher_is_better(instrument, score)
        else Q(difference__lte=-improvement)
    )
    return facts.filter(better).aggregate(people=Count("pk"))["people"]


# ----------------------------------------------------------------------------------------- stories


def stories_for(dashboard: str) -> list[Story]:
    """Stories attached to a dashboard whose tellers have not withdrawn their consent."""
    return list(
        Story.objects.filter(dashboard=dashboard, withdrawn_at__isnull=True)
        .select_related("place")
        .order_by("-told_on", "-pk")
    )


def neighbourhood_names(ids: Iterable[int]) -> dict[int, str]:
    """Names of neighbourhoods by id."""
    return dict(Area.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


# ---------------------------------------------------------------------------------------- SROI report


@dataclass(frozen=True)
class OutcomeQuantity:
    """The quantity an SROI outcome uses, and where it came from."""

    outcome: SroiOutcome
    quantity: float
    counted: bool
    description: str


@dataclass(frozen=True)
class SroiReport:
    """An analysis worked through by the SROI core, or the message that says what to correct."""

    analysis: SroiAnalysis
    quantities: tuple[OutcomeQuantity, ...]
    result: SroiResult | None
    sensitivity: SensitivityAnalysis | None
    problem: str = ""


def _fraction(percent: Decimal) -> float:
    return float(percent) / 100


def outcome_quantities(analysis: SroiAnalysis) -> tuple[OutcomeQuantity, ...]:
    """Each outcome's quantity: as typed, or counted from questionnaire answers in the analysis period."""
    filters = Filters(
        first_month=month_number(analysis.period_start),
        last_month=month_number(analysis.period_end),
        organisation=analysis.organisation,
    )
    labels = dict(measure_choices())
    found = []
    for outcome in analysis.outcomes.select_related("stakeholder").order_by("pk"):
        if outcome.measure and outcome.improvement is not None:
            people = improved_people(outcome.measure, float(outcome.improvement), filters)
            score = labels.get(outcome.measure, outcome.measure)
            words = (
                f"People whose {score} was {outcome.improvement.normalize():f} or more points better at "
                "their latest answer than their first, first answered in the period"
            )
            found.append(OutcomeQuantity(outcome, float(people), True, words))
        else:
            found.append(OutcomeQuantity(outcome, float(outcome.quantity or 0), False, "Entered"))
    return tuple(found)


def sroi_report(analysis: SroiAnalysis) -> SroiReport:
    """Work the analysis through the SROI core: present value, NPV, ratio and the sensitivity table."""
    quantities = outcome_quantities(analysis)
    model = SroiModel(
        inputs=tuple(
            SroiCoreInput(item.stakeholder.name, item.description, float(item.value))
            for item in analysis.inputs.select_related("stakeholder").order_by("pk")
        ),
        outcomes=tuple(
            SroiCoreOutcome(
                stakeholder=each.outcome.stakeholder.name,
                name=each.outcome.name,
                indicator=each.outcome.indicator,
                quantity=each.quantity,
                proxy=FinancialProxy(float(each.outcome.proxy_value), each.outcome.proxy_source),
                duration_years=each.outcome.duration_years,
                deadweight=_fraction(each.outcome.deadweight),
                displacement=_fraction(each.outcome.displacement),
                attribution=_fraction(each.outcome.attribution),
                drop_off=_fraction(each.outcome.drop_off),
            )
            for each in quantities
        ),
        discount_rate=_fraction(analysis.discount_rate),
    )
    try:
        result = calculate_sroi(model)
    except SroiInputError as error:
        return SroiReport(analysis, quantities, None, None, str(error))
    sensitivity = None
    problem = ""
    if result.ratio is None:
        problem = "Add the inputs (what was invested) to work out the ratio and the sensitivity analysis."
    else:
        try:
            sensitivity = sensitivity_analysis(model)
        except SroiInputError as error:
            problem = str(error)
    return SroiReport(analysis, quantities, result, sensitivity, problem)


def pending_refresh() -> SummaryRefresh | None:
    """Return a refresh that is waiting on the queue or running under a live lease, if there is one.

    A refresh whose worker died (its task's lease ran out) does not count: another may be asked for at
    once, and the sweep puts the dead one's task back on the queue (docs/decisions/1205).
    """
    now = timezone.now()
    for run in SummaryRefresh.objects.filter(state=SummaryRefresh.State.RUNNING).order_by("-started_at"):
        live = background.task_is_live(REFRESH_TASK, [run.pk], at=now)
        if live or (live is None and run.started_at >= now - REFRESH_PATIENCE):
            return run
    return None
