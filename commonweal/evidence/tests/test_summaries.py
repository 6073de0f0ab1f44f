"""The summary tables: one fact per referral, connection and score change, and the cells summed from them."""

from __future__ import annotations

import datetime

import pytest

from commonweal.audit.models import AuditEvent
from commonweal.evidence import summaries
from commonweal.evidence.breakdowns import SEX, sex_group
from commonweal.evidence.models import (
    ALL_ORGANISATIONS,
    ConnectionCell,
    ConnectionFact,
    OutcomeCell,
    OutcomeFact,
    ReferralFact,
    ResponseScore,
    ServiceCell,
    SummaryRefresh,
    TermCell,
    UptakeCell,
)
from commonweal.evidence.summaries import refresh_summaries
from commonweal.evidence.tests.builders import (
    add_connection,
    add_person,
    add_referral,
    add_response,
    at,
    build_journey,
    ucla3,
)
from commonweal.places.models import Area

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey(places):
    return build_journey(places)


def _fact(referral_id: int) -> dict[str, object]:
    return {
        key: value
        for key, value in ReferralFact.objects.filter(pk=referral_id).values().get().items()
        if key not in ("referral_id", "person_id")
    }


def test_each_referral_becomes_a_fact_with_its_breakdown_and_how_far_it_got(journey):
    north_5 = journey.lsoa(journey.places.north, 5)
    rosa = add_person(north_5, sex="female", ethnicity="H", born=datetime.date(1960, 6, 15))
    sam = add_person(None, sex="male", ethnicity="Z", born=datetime.date(2008, 1, 1))
    seen = add_referral(journey, rosa, at(2025, 3, 10), reached="seen")
    attended = add_referral(
        journey, sam, at(2025, 4, 2), reached="attended", source="self", team=journey.other_team
    )
    declined = add_referral(journey, rosa, at(2025, 5, 20), declined=True, source="pharmacy")

    refresh_summaries(by=None)

    assert _fact(seen.pk) == {
        "month": 202503,
        "organisation_id": journey.team.pk,
        "lsoa_id": north_5.pk,
        "imd_decile": 5,
        "ethnic_group": "asian",
        "age_band": "55-64",
        "sex": "female",
        "source": "gp",
        "offered": True,
        "referred": True,
        "seen": True,
        "connected": False,
        "attended": False,
        "declined": False,
    }
    assert _fact(attended.pk) == {
        "month": 202504,
        "organisation_id": journey.other_team.pk,
        "lsoa_id": None,
        "imd_decile": 0,
        "ethnic_group": "not_stated",
        "age_band": "0-17",
        "sex": "male",
        "source": "self",
        # A self-referral is an offer the person took up themselves.
        "offered": True,
        "referred": True,
        "seen": True,
        "connected": True,
        "attended": True,
        "declined": False,
    }
    declined_fact = _fact(declined.pk)
    assert (declined_fact["offered"], declined_fact["referred"], declined_fact["declined"]) == (
        True,
        False,
        True,
    )


def test_indeterminate_and_not_known_are_one_group_after_female_and_male():
    # Two groups of a handful would mostly be hidden by the small-number rule; one keeps them visible.
    assert [(category.key, category.label) for category in SEX] == [
        ("female", "Female"),
        ("male", "Male"),
        ("not_known", "Indeterminate or not known"),
    ]
    assert [sex_group(sex) for sex in ("female", "male", "indeterminate", "", "F")] == [
        "female",
        "male",
        "not_known",
        "not_known",
        "not_known",
    ]


def test_facts_about_people_of_indeterminate_or_not_known_sex_are_in_their_group(journey):
    north_5 = journey.lsoa(journey.places.north, 5)
    referrals = {}
    for sex in ("female", "indeterminate", ""):
        person = add_person(north_5, sex=sex)
        referrals[sex] = add_referral(journey, person, at(2025, 3, 10), reached="attended")
        add_response(person, "ucla-3", ucla3(8), at(2025, 3, 11))
        add_response(person, "ucla-3", ucla3(6), at(2025, 4, 11))

    refresh_summaries(by=None)

    assert [_fact(referrals[sex].pk)["sex"] for sex in ("female", "indeterminate", "")] == [
        "female",
        "not_known",
        "not_known",
    ]
    assert sorted(OutcomeFact.objects.values_list("sex", flat=True)) == ["female", "not_known", "not_known"]
    by_sex = UptakeCell.objects.filter(
        neighbourhood_id=0, organisation_id=ALL_ORGANISATIONS, dimension="sex"
    ).values_list("category", "offered")
    assert sorted(by_sex) == [("female", 1), ("not_known", 2)]


def test_months_and_ages_are_taken_on_the_local_day_in_london(journey):
    born = datetime.date(1960, 6, 15)
    person = add_person(None, born=born)
    # 23:30 UTC on 31 March 2025 is 00:30 on 1 April in London (summer time began on 30 March).
    late_march = add_referral(journey, person, datetime.datetime(2025, 3, 31, 23, 30, tzinfo=datetime.UTC))
    # The day before the 65th birthday, and the birthday itself.
    before = add_referral(journey, person, at(2025, 6, 14))
    birthday = add_referral(journey, person, at(2025, 6, 15))

    refresh_summaries(by=None)

    assert _fact(late_march.pk)["month"] == 202504
    assert _fact(before.pk)["age_band"] == "55-64"
    assert _fact(birthday.pk)["age_band"] == "65-74"


def test_uptake_cells_hold_every_place_once_and_each_neighbourhood_its_own_people(journey):
    north, south = journey.places.north, journey.places.south
    north_9, south_3 = journey.lsoa(north, 9), journey.lsoa(south, 3)
    # A neighbourhood drawn by residents across the other two.
    drawn = Area.objects.create(kind=Area.Kind.NEIGHBOURHOOD, name="Drawn", code="drawn", parent=north.parent)
    drawn.lsoas.set([north_9, south_3])
    for _ in range(3):
        add_referral(journey, add_person(north_9), at(2025, 1, 5), reached="connected")
    add_referral(journey, add_person(south_3, sex="male"), at(2025, 1, 9), reached="offered")
    add_referral(journey, add_person(None), at(2025, 2, 9), reached="referred")

    refresh_summaries(by=None)

    everywhere = UptakeCell.objects.filter(
        neighbourhood_id=0, dimension="all", organisation_id=ALL_ORGANISATIONS
    )
    assert sorted(
        everywhere.values_list("month", "imd_decile", "offered", "referred", "seen", "connected")
    ) == [
        (202501, 3, 1, 0, 0, 0),
        (202501, 9, 3, 3, 3, 3),
        (202502, 0, 1, 1, 0, 0),
    ]
    by_place = UptakeCell.objects.filter(dimension="all", organisation_id=ALL_ORGANISATIONS).exclude(
        neighbourhood_id=0
    )
    assert sorted(by_place.values_list("neighbourhood_id", "offered")) == sorted(
        [(north.pk, 3), (south.pk, 1), (drawn.pk, 3), (drawn.pk, 1)]
    )
    by_sex = UptakeCell.objects.filter(neighbourhood_id=0, dimension="sex", organisation_id=ALL_ORGANISATIONS)
    assert sorted(by_sex.values_list("month", "category", "offered")) == [
        (202501, "female", 3),
        (202501, "male", 1),
        (202502, "female", 1),
    ]
    assert set(UptakeCell.objects.values_list("dimension", flat=True)) == {
        "all",
        "ethnicity",
        "age",
        "sex",
        "source",
    }


def test_connections_are_counted_with_what_the_organisations_did_by_service_and_term(journey):
    person = add_person(journey.lsoa(journey.places.north, 10))
    referral = add_referral(journey, person, at(2025, 6, 1), reached="seen")
    add_connection(journey, referral, service=journey.food, to=("rejected",), rejection_reason="at-capacity")
    add_connection(journey, referral, service=journey.food, to=("rejected",), rejection_reason="not-eligible")
    add_connection(journey, referral, to=("accepted", "in-progress", "completed"))
    add_connection(journey, referral, to=("entered-in-error",))
    add_connection(journey, referral, to=("cancelled",))

    refresh_summaries(by=None)

    assert ConnectionFact.objects.count() == 4
    cells = ConnectionCell.objects.filter(neighbourhood_id=0, dimension="all").exclude(
        organisation_id=ALL_ORGANISATIONS
    )
    assert sorted(
        cells.values_list(
            "organisation_id",
            "requested",
            "accepted",
            "rejected_at_capacity",
            "rejected_other",
            "cancelled",
            "completed",
            "attended",
        )
    ) == sorted(
        [(journey.food_club.pk, 2, 0, 1, 1, 0, 0, 0), (journey.walking_group.pk, 2, 1, 0, 0, 1, 1, 0)]
    )
    services = ServiceCell.objects.filter(neighbourhood_id=0)
    assert sorted(
        services.values_list("service_id", "imd_quintile", "requested", "rejected_at_capacity")
    ) == sorted([(journey.food.pk, 5, 2, 1), (journey.walking.pk, 5, 2, 0)])
    terms = TermCell.objects.filter(neighbourhood_id=0).exclude(organisation_id=ALL_ORGANISATIONS)
    # The food club carries both terms, so its connections count under each.
    assert sorted(
        terms.values_list("term_id", "organisation_id", "requested", "rejected_at_capacity")
    ) == sorted(
        [
            (journey.food_term.pk, journey.food_club.pk, 2, 1),
            (journey.walks_term.pk, journey.food_club.pk, 2, 1),
            (journey.walks_term.pk, journey.walking_group.pk, 2, 0),
        ]
    )
    assert ServiceCell.objects.filter(neighbourhood_id=journey.places.north.pk).count() == 2
    summed = TermCell.objects.filter(neighbourhood_id=0, organisation_id=ALL_ORGANISATIONS)
    assert sorted(summed.values_list("term_id", "requested", "rejected_at_capacity")) == sorted(
        [(journey.food_term.pk, 2, 1), (journey.walks_term.pk, 4, 1)]
    )
    assert not ServiceCell.objects.filter(organisation_id=ALL_ORGANISATIONS).exists()


def test_score_changes_run_from_the_first_current_answer_to_the_latest(journey):
    rosa = add_person(journey.lsoa(journey.places.north, 7), born=datetime.date(1950, 1, 1))
    add_referral(journey, rosa, at(2024, 12, 1), reached="seen", team=journey.other_team)
    add_referral(journey, rosa, at(2025, 1, 1), reached="seen")
    add_response(rosa, "ucla-3", ucla3(8), at(2025, 2, 1))
    wrong = add_response(rosa, "ucla-3", ucla3(9), at(2025, 3, 1))
    add_response(rosa, "ucla-3", ucla3(7), at(2025, 3, 2), corrects=wrong)
    latest = add_response(rosa, "ucla-3", ucla3(5), at(2025, 5, 1))
    once = add_person(None)
    add_response(once, "ucla-3", ucla3(6), at(2025, 2, 1))
    add_response(rosa, "no-such-instrument", {"x": "1"}, at(2025, 2, 1))

    refresh_summaries(by=None)

    fact = OutcomeFact.objects.get()
    assert (fact.person_id, fact.instrument_code, fact.score_id) == (rosa.pk, "ucla-3", "total")
    assert (fact.baseline, fact.follow_up, fact.change) == (8.0, 5.0, -3.0)
    assert (fact.month, fact.age_band, fact.imd_decile, fact.organisation_id) == (
        202502,
        "75-84",
        7,
        journey.team.pk,
    )
    # Every submitted response is scored once, including the corrected one and the unscorable one.
    assert ResponseScore.objects.filter(response_id=latest.pk).values_list("score_id", "value").get() == (
        "total",
        5.0,
    )
    assert ResponseScore.objects.filter(score_id="").count() == 1
    cell = OutcomeCell.objects.get(neighbourhood_id=0, dimension="all", organisation_id=ALL_ORGANISATIONS)
    assert (cell.people, cell.sum_baseline, cell.sum_follow_up, cell.sum_change, cell.sum_change_squared) == (
        1,
        8.0,
        5.0,
        -3.0,
        9.0,
    )


def test_a_second_refresh_scores_nothing_new_and_rebuilds_the_same_cells(journey):
    person = add_person(journey.lsoa(journey.places.south, 3))
    add_referral(journey, person, at(2025, 1, 5))
    add_response(person, "ucla-3", ucla3(8), at(2025, 2, 1))
    add_response(person, "ucla-3", ucla3(6), at(2025, 4, 1))

    first = refresh_summaries(by=None)
    cells = sorted(UptakeCell.objects.values_list("neighbourhood_id", "dimension", "category", "offered"))
    second = refresh_summaries(by=None)

    assert (first.responses_scored, second.responses_scored) == (2, 0)
    assert (
        sorted(UptakeCell.objects.values_list("neighbourhood_id", "dimension", "category", "offered"))
        == cells
    )
    assert (second.referrals, second.connections, second.outcome_pairs) == (1, 1, 1)
    assert second.state == SummaryRefresh.State.FINISHED
    assert second.source_marker["referrals"] == 1
    assert AuditEvent.objects.filter(action="evidence.refresh_summaries").count() == 2


def test_changes_to_the_journey_after_a_refresh_are_noticed_through_the_audit_trail(journey):
    run = refresh_summaries(by=None)
    assert not summaries.changed_since(run.source_marker)
    AuditEvent.objects.create(action="directory.change_service")
    assert not summaries.changed_since(run.source_marker)
    AuditEvent.objects.create(action="referrals.accept_referral")
    assert summaries.changed_since(run.source_marker)
