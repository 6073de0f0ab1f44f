"""The pure cores: buddy ranking on a hand-worked example, and HMRC mileage on HMRC's own example."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from commonweal.volunteering.core import matching, mileage

LAT, LON = 53.4000, -2.3000


def _candidate(volunteer_id, name, dlat, **fields):
    defaults = dict(
        sex="female",
        skills=frozenset(),
        interests=frozenset(),
        languages=frozenset({"English"}),
        times=frozenset(),
        current_matches=0,
        capacity=2,
    )
    defaults.update(fields)
    return matching.Candidate(volunteer_id, name, latitude=LAT + dlat, longitude=LON, **defaults)


REQUEST = matching.Request(
    needs=frozenset({"shopping"}),
    interests=frozenset({"gardening", "chess"}),
    language="Polish",
    times=frozenset({"weekday_morning", "weekend"}),
    latitude=LAT,
    longitude=LON,
    max_distance_km=10,
)


def test_it_ranks_a_hand_worked_example_by_the_documented_rules():
    """Worked by hand. All candidates lie on the request's meridian, so the haversine distance is
    R × Δφ with R = 6371.0088 km and Δφ = Δlat × π/180: 0.018° → 3.14159e-4 rad → 2.00151 km;
    0.0045° → 0.50038 km; 0.09° → 10.0076 km.

    A (id 1, load 1 of 2): shopping (+3), gardening (+2), Polish (+4), weekday morning (+1),
        2.00151 km (+5 − 0.5 × 2.00151 = +3.99924) → 13.99924 → 14.00
    B (id 2): gardening and chess (+4), weekday morning and weekend (+2), 0 km (+5) → 11.00
    C (id 3): 10.0077 km, farther than 10 km → left out
    D (id 4, load 0 of 2): as A, Polish written "polish" → 14.00; ties with A, fewer matches now → first
    E (id 5): already supports 1 of 1 → left out
    F (id 6): weekend (+1), 0.50038 km (+5 − 0.25019 = +4.74981) → 5.74981 → 5.75

    Order: D (14.00), A (14.00), B (11.00), F (5.75); C and E left out.
    """
    same = dict(
        skills=frozenset({"Shopping"}),
        interests=frozenset({"gardening"}),
        times=frozenset({"weekday_morning"}),
    )
    candidates = [
        _candidate(1, "A", 0.018, languages=frozenset({"English", "Polish"}), current_matches=1, **same),
        _candidate(
            2,
            "B",
            0.0,
            interests=frozenset({"gardening", "chess"}),
            times=frozenset({"weekday_morning", "weekend"}),
        ),
        _candidate(3, "C", 0.09, skills=frozenset({"shopping"}), languages=frozenset({"Polish"})),
        _candidate(4, "D", 0.018, languages=frozenset({"polish"}), **same),
        _candidate(5, "E", 0.0, current_matches=1, capacity=1),
        _candidate(6, "F", -0.0045, times=frozenset({"weekend"})),
    ]
    ranking = matching.rank(REQUEST, candidates)

    assert [(r.rank, r.name, r.score) for r in ranking.ranked] == [
        (1, "D", 14.0),
        (2, "A", 14.0),
        (3, "B", 11.0),
        (4, "F", 5.75),
    ]
    assert [(e.name, e.reason) for e in ranking.excluded] == [
        ("C", "10.0 km away, farther than 10 km."),
        ("E", "Already supports 1 (offered 1)."),
    ]
    assert ranking.ranked[0].reasons == (
        "Can help with shopping (+3)",
        "Shares an interest in gardening (+2)",
        "Speaks Polish (+4)",
        "Free at the same times: weekday morning (+1)",
        "2.0 km away (+4.00)",
    )
    assert ranking.ranked[0].distance_km == pytest.approx(2.00151, abs=1e-5)
    first_two = matching.rank(REQUEST, candidates, limit=2)
    assert first_two.ranked == ranking.ranked[:2]
    assert first_two.excluded == ranking.excluded


def test_a_preference_for_a_volunteers_sex_leaves_the_others_out_with_the_reason():
    request = matching.Request(
        needs=frozenset(),
        interests=frozenset(),
        language="English",
        times=frozenset(),
        latitude=None,
        longitude=None,
        preferred_sex="female",
    )
    ranking = matching.rank(request, [_candidate(1, "Al", 0, sex="male"), _candidate(2, "Bo", 0)])
    assert [r.name for r in ranking.ranked] == ["Bo"]
    assert ranking.ranked[0].score == 4.0  # English only: no place is known, so no nearness points
    assert ranking.excluded[0].reason == "The person asked for a female volunteer."


def test_mileage_follows_hmrcs_example_of_12000_business_miles():
    # HMRC (EIM31240, and gov.uk "Expenses and benefits: business travel mileage"): 12,000 miles in a
    # tax year = 10,000 × 45p + 2,000 × 25p = £5,000.
    assert mileage.mileage_amount(Decimal(12000), Decimal(0), datetime.date(2024, 5, 1)) == Decimal("5000.00")


def test_a_claim_that_crosses_10000_miles_pays_each_side_at_its_rate():
    day = datetime.date(2026, 11, 1)
    assert mileage.mileage_amount(Decimal(20), Decimal(9990), day) == Decimal("7.00")  # 10 × 45p + 10 × 25p
    assert mileage.mileage_amount(Decimal(20), Decimal(10000), day) == Decimal("5.00")


def test_rates_are_effective_dated_and_the_tax_year_starts_on_6_april():
    assert mileage.mileage_amount(Decimal(10), Decimal(0), datetime.date(2010, 6, 1)) == Decimal("4.00")
    assert mileage.tax_year_start(datetime.date(2026, 4, 5)) == datetime.date(2025, 4, 6)
    assert mileage.tax_year_start(datetime.date(2026, 4, 6)) == datetime.date(2026, 4, 6)
    with pytest.raises(mileage.NoRateError):
        mileage.rate_on(datetime.date(2001, 1, 1))
