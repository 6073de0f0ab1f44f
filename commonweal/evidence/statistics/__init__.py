"""The evidence statistics core: pure functions over dataclasses, with no Django import.

Methods follow PHEindicatormethods (UKHSA, GPL-3) and the Fingertips technical guidance, verified
against PHEindicatormethods' own test tables; SPC follows NHS England's "Making Data Count" as
implemented by NHSRplotthedots. Invalid input raises StatisticsInputError with a plain message.
"""

from commonweal.evidence.statistics.crude import (
    MeanEstimate,
    ProportionEstimate,
    RateEstimate,
    mean,
    proportion,
    rate,
)
from commonweal.evidence.statistics.errors import StatisticsInputError
from commonweal.evidence.statistics.funnels import (
    FunnelLimit,
    FunnelLimits,
    FunnelPoint,
    FunnelSignificance,
    RateChartPoint,
    RateType,
    RatioType,
    proportion_funnel_limits,
    proportion_funnel_significance,
    rate_funnel_limits,
    rate_funnel_points,
    rate_funnel_significance,
    ratio_funnel_limits,
    ratio_funnel_significance,
)
from commonweal.evidence.statistics.inequality import (
    IndicatorType,
    QuantileData,
    SlopeIndexOfInequality,
    slope_index_of_inequality,
)
from commonweal.evidence.statistics.intervals import (
    STANDARD_CONFIDENCE_LEVELS,
    ConfidenceInterval,
    byars_limits,
    exact_poisson_limits,
    wilson_limits,
)
from commonweal.evidence.statistics.life_expectancy import (
    STANDARD_START_AGES,
    AgeBandDeaths,
    LifeExpectancy,
    life_expectancy,
)
from commonweal.evidence.statistics.quantiles import (
    GroupedValue,
    QuantileAssignment,
    assign_quantiles,
    assign_quantiles_in_groups,
)
from commonweal.evidence.statistics.spc import Improvement, SpcPoint, SpcRule, Variation, XmrChart, xmr_chart
from commonweal.evidence.statistics.standardised import (
    EUROPEAN_STANDARD_POPULATION_2013,
    DirectlyStandardisedRate,
    EventFrequencyBand,
    IndirectBand,
    IndirectlyStandardisedRate,
    IndirectlyStandardisedRatio,
    StandardisationBand,
    directly_standardised_rate,
    directly_standardised_rate_for_repeat_events,
    indirectly_standardised_rate,
    indirectly_standardised_ratio,
)

__all__ = [
    "EUROPEAN_STANDARD_POPULATION_2013",
    "STANDARD_CONFIDENCE_LEVELS",
    "STANDARD_START_AGES",
    "AgeBandDeaths",
    "ConfidenceInterval",
    "DirectlyStandardisedRate",
    "EventFrequencyBand",
    "FunnelLimit",
    "FunnelLimits",
    "FunnelPoint",
    "FunnelSignificance",
    "GroupedValue",
    "Improvement",
    "IndicatorType",
    "IndirectBand",
    "IndirectlyStandardisedRate",
    "IndirectlyStandardisedRatio",
    "LifeExpectancy",
    "MeanEstimate",
    "ProportionEstimate",
    "QuantileAssignment",
    "QuantileData",
    "RateChartPoint",
    "RateEstimate",
    "RateType",
    "RatioType",
    "SlopeIndexOfInequality",
    "SpcPoint",
    "SpcRule",
    "StandardisationBand",
    "StatisticsInputError",
    "Variation",
    "XmrChart",
    "assign_quantiles",
    "assign_quantiles_in_groups",
    "byars_limits",
    "directly_standardised_rate",
    "directly_standardised_rate_for_repeat_events",
    "exact_poisson_limits",
    "indirectly_standardised_rate",
    "indirectly_standardised_ratio",
    "life_expectancy",
    "mean",
    "proportion",
    "proportion_funnel_limits",
    "proportion_funnel_significance",
    "rate",
    "rate_funnel_limits",
    "rate_funnel_points",
    "rate_funnel_significance",
    "ratio_funnel_limits",
    "ratio_funnel_significance",
    "slope_index_of_inequality",
    "wilson_limits",
    "xmr_chart",
]
