"""Social return on investment, checked against figures worked out by hand from the SROI guide's formulas.

Formulas: "A guide to Social Return on Investment" (Cabinet Office / SROI Network, 2009, updated 2012),
stage 4 (impact = quantity × financial proxy less deadweight, displacement and attribution) and stage 5
(drop-off after the first year, present value at the discount rate, net present value, SROI ratio,
payback period, sensitivity analysis). The discount rate is the HM Treasury Green Book's 3.5%.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from commonweal.evidence.sroi import (
    GREEN_BOOK_DISCOUNT_RATE,
    Assumption,
    FinancialProxy,
    Input,
    Outcome,
    SroiInputError,
    SroiModel,
    calculate_sroi,
    sensitivity_analysis,
)

LONELINESS = Outcome(
    stakeholder="Referred residents",
    name="Less lonely",
    indicator="UCLA-3 score down by 2 or more at follow-up",
    quantity=50,
    proxy=FinancialProxy(1200.0, "Illustrative value per person, stated for the test"),
    duration_years=3,
    deadweight=0.25,
    displacement=0.0,
    attribution=0.20,
    drop_off=0.10,
)
GP_APPOINTMENTS = Outcome(
    stakeholder="General practice",
    name="Fewer GP appointments",
    indicator="Appointments avoided in the year after referral",
    quantity=300,
    proxy=FinancialProxy(42.0, "Illustrative unit cost of a GP appointment, stated for the test"),
    duration_years=1,
    deadweight=0.30,
    displacement=0.10,
    attribution=0.50,
)
MODEL = SroiModel(
    inputs=(
        Input("Integrated care board", "Grant to the link worker service", 20_000.0),
        Input("Volunteers", "Volunteer time at the living wage", 5_000.0),
    ),
    outcomes=(LONELINESS, GP_APPOINTMENTS),
)


def test_the_worked_example_follows_the_guide_step_by_step() -> None:
    result = calculate_sroi(MODEL)
    assert MODEL.discount_rate == GREEN_BOOK_DISCOUNT_RATE == 0.035

    # Step 1, value of inputs: £20,000 + £5,000.
    assert result.total_inputs == 25_000

    # Step 2, impact = quantity × proxy × (1 − deadweight) × (1 − displacement) × (1 − attribution).
    # Less lonely: 50 × £1,200 = £60,000; less 25% deadweight = £45,000; no displacement;
    # less 20% attribution = £36,000.
    # Fewer GP appointments: 300 × £42 = £12,600; less 30% deadweight = £8,820; less 10%
    # displacement = £7,938; less 50% attribution = £3,969.
    lonely, appointments = result.outcomes
    assert lonely.impact == pytest.approx(36_000, rel=1e-15)
    assert appointments.impact == pytest.approx(3_969, rel=1e-15)

    # Step 3, drop-off of 10% a year after the first year: £36,000, then £32,400, then £29,160.
    assert lonely.values_by_year == pytest.approx((36_000, 32_400, 29_160), rel=1e-15)
    assert appointments.values_by_year == pytest.approx((3_969,), rel=1e-15)
    assert result.values_by_year == pytest.approx((36_000 + 3_969, 32_400, 29_160), rel=1e-15)

    # Step 4, present value: each year's value divided by 1.035 to the power of the year.
    present_lonely = 36_000 / 1.035 + 32_400 / 1.035**2 + 29_160 / 1.035**3
    present_appointments = 3_969 / 1.035
    assert lonely.present_value == pytest.approx(present_lonely, rel=1e-12)
    assert appointments.present_value == pytest.approx(present_appointments, rel=1e-12)
    assert result.present_values_by_year == pytest.approx(
        ((36_000 + 3_969) / 1.035, 32_400 / 1.035**2, 29_160 / 1.035**3), rel=1e-12
    )
    present_value = present_lonely + present_appointments
    assert result.present_value == pytest.approx(present_value, rel=1e-12)

    # Step 5, net present value, SROI ratio and net SROI ratio.
    assert result.net_present_value == pytest.approx(present_value - 25_000, rel=1e-12)
    assert result.ratio == pytest.approx(present_value / 25_000, rel=1e-12)
    assert result.net_ratio == pytest.approx((present_value - 25_000) / 25_000, rel=1e-12)
    # To the penny and the cent of a pound, as a report would print them:
    assert round(result.present_value, 2) == round(present_value, 2)
    assert f"£{result.ratio:.2f} : £1" == f"£{present_value / 25_000:.2f} : £1"

    # Step 6, payback in months: inputs over a month's worth of the first year's impact.
    assert result.payback_months == pytest.approx(25_000 / ((36_000 + 3_969) / 12), rel=1e-12)


def test_sensitivity_analysis_changes_one_assumption_at_a_time() -> None:
    analysis = sensitivity_analysis(MODEL)
    present_appointments = 3_969 / 1.035
    baseline_lonely = 36_000 / 1.035 + 32_400 / 1.035**2 + 29_160 / 1.035**3
    assert analysis.baseline_ratio == pytest.approx(
        (baseline_lonely + present_appointments) / 25_000, rel=1e-12
    )

    cases = {(case.assumption, case.outcome, case.tested_value): case for case in analysis.cases}
    # Deadweight of "Less lonely" up 10 points to 35%: impact 50 × 1,200 × 0.65 × 0.8 = £31,200.
    higher = cases[(Assumption.DEADWEIGHT, "Less lonely", 0.35)]
    lonely = 31_200 / 1.035 + 31_200 * 0.9 / 1.035**2 + 31_200 * 0.81 / 1.035**3
    assert higher.ratio == pytest.approx((lonely + present_appointments) / 25_000, rel=1e-12)
    assert higher.change_in_ratio == pytest.approx(higher.ratio - analysis.baseline_ratio, rel=1e-12)
    # Duration of "Less lonely" one year longer: a fourth year at £29,160 × 0.9 = £26,244.
    longer = cases[(Assumption.DURATION, "Less lonely", 4)]
    lonely = baseline_lonely + 26_244 / 1.035**4
    assert longer.ratio == pytest.approx((lonely + present_appointments) / 25_000, rel=1e-12)
    # The Green Book's 1.5% rate for health effects instead of 3.5%.
    health_rate = cases[(Assumption.DISCOUNT_RATE, None, 0.015)]
    lonely = 36_000 / 1.015 + 32_400 / 1.015**2 + 29_160 / 1.015**3
    assert health_rate.ratio == pytest.approx((lonely + 3_969 / 1.015) / 25_000, rel=1e-12)
    # Drop-off is not varied for a one-year outcome, where it has no effect.
    assert not any(key[0] is Assumption.DROP_OFF and key[1] == "Fewer GP appointments" for key in cases)
    # Every assumption of every outcome is varied both ways, and the discount rate twice.
    counted = {(case.assumption, case.outcome) for case in analysis.cases}
    assert (Assumption.QUANTITY, "Fewer GP appointments") in counted
    assert (Assumption.DISPLACEMENT, "Less lonely") in counted
    assert (Assumption.ATTRIBUTION, "Fewer GP appointments") in counted


def test_break_even_values_bring_the_ratio_to_one_to_one() -> None:
    analysis = sensitivity_analysis(MODEL)
    breaks = {(item.assumption, item.outcome): item for item in analysis.break_even}
    present_appointments = 3_969 / 1.035
    baseline_lonely = 36_000 / 1.035 + 32_400 / 1.035**2 + 29_160 / 1.035**3
    # The value of "Less lonely" must be scaled by (25,000 − PV of the appointments) / PV of "Less lonely".
    factor = (25_000 - present_appointments) / baseline_lonely
    assert breaks[(Assumption.QUANTITY, "Less lonely")].value_at_one_to_one == pytest.approx(
        50 * factor, rel=1e-12
    )
    assert breaks[(Assumption.FINANCIAL_PROXY, "Less lonely")].value_at_one_to_one == pytest.approx(
        1200 * factor, rel=1e-12
    )
    assert breaks[(Assumption.DEADWEIGHT, "Less lonely")].value_at_one_to_one == pytest.approx(
        1 - factor * 0.75, rel=1e-12
    )
    # No attribution for the GP outcome alone can bring the ratio down to 1:1.
    assert breaks[(Assumption.ATTRIBUTION, "Fewer GP appointments")].value_at_one_to_one is None
    # Even 100% drop-off after the first year keeps "Less lonely" above 1:1.
    assert breaks[(Assumption.DROP_OFF, "Less lonely")].value_at_one_to_one is None
    for item in analysis.break_even:
        if item.value_at_one_to_one is None or item.assumption is Assumption.DISCOUNT_RATE:
            continue
        index = 0 if item.outcome == "Less lonely" else 1
        outcome = MODEL.outcomes[index]
        if item.assumption is Assumption.FINANCIAL_PROXY:
            changed = replace(outcome, proxy=replace(outcome.proxy, value=item.value_at_one_to_one))
        else:
            changes: dict[str, Any] = {item.assumption.value: item.value_at_one_to_one}
            changed = replace(outcome, **changes)
        outcomes = list(MODEL.outcomes)
        outcomes[index] = changed
        assert calculate_sroi(replace(MODEL, outcomes=tuple(outcomes))).ratio == pytest.approx(1.0, rel=1e-9)


def test_drop_off_and_discount_rate_break_evens_are_found_where_they_exist() -> None:
    model = replace(MODEL, inputs=(Input("Integrated care board", "Grant", 90_000.0),))
    analysis = sensitivity_analysis(model)
    breaks = {(item.assumption, item.outcome): item.value_at_one_to_one for item in analysis.break_even}
    drop_off = breaks[(Assumption.DROP_OFF, "Less lonely")]
    rate = breaks[(Assumption.DISCOUNT_RATE, None)]
    assert drop_off is not None and 0.10 < drop_off < 1
    assert rate is not None and 0.035 < rate < 1
    lonely = model.outcomes[0]
    changed = replace(model, outcomes=(replace(lonely, drop_off=drop_off), model.outcomes[1]))
    assert calculate_sroi(changed).ratio == pytest.approx(1.0, abs=1e-9)
    assert calculate_sroi(replace(model, discount_rate=rate)).ratio == pytest.approx(1.0, abs=1e-9)


def test_a_model_with_no_inputs_has_no_ratio() -> None:
    result = calculate_sroi(replace(MODEL, inputs=()))
    assert (result.ratio, result.net_ratio, result.payback_months) == (None, None, None)
    assert result.net_present_value == result.present_value
    with pytest.raises(SroiInputError) as raised:
        sensitivity_analysis(replace(MODEL, inputs=()))
    assert str(raised.value) == "A sensitivity analysis needs inputs worth more than zero."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"quantity": -1},
            "The quantity of 'Less lonely' (Referred residents) cannot be negative.",
        ),
        (
            {"deadweight": 1.2},
            "The deadweight of 'Less lonely' (Referred residents) must be between 0% and 100%; got 120%.",
        ),
        (
            {"drop_off": -0.1},
            "The drop-off of 'Less lonely' (Referred residents) must be between 0% and 100%; got -10%.",
        ),
        (
            {"duration_years": 0},
            "The duration of 'Less lonely' (Referred residents) must be a whole number of "
            "years from 1 to 100; got 0.",
        ),
        (
            {"proxy": FinancialProxy(1200.0, "  ")},
            "The financial proxy of 'Less lonely' (Referred residents) needs a source, so "
            "others can check it.",
        ),
        ({"name": ""}, "Every outcome needs a name."),
    ],
)
def test_bad_outcomes_are_refused_with_a_plain_message(change, message) -> None:
    model = replace(MODEL, outcomes=(replace(LONELINESS, **change), GP_APPOINTMENTS))
    with pytest.raises(SroiInputError) as raised:
        calculate_sroi(model)
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (replace(MODEL, outcomes=()), "Add at least one outcome to calculate a social return."),
        (
            replace(MODEL, discount_rate=1.0),
            "The discount rate must be at least 0% and below 100%; got 100%.",
        ),
        (
            replace(MODEL, inputs=(Input("ICB", "Grant", -5.0),)),
            "The value of the input 'Grant' cannot be negative.",
        ),
    ],
)
def test_bad_models_are_refused_with_a_plain_message(model, message) -> None:
    with pytest.raises(SroiInputError) as raised:
        calculate_sroi(model)
    assert str(raised.value) == message
