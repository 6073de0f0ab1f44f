"""Suggestions: what the person said, near home, accessible, in their language, when they are free."""

from __future__ import annotations

import csv

from commonweal.directory.search.geo import Point
from commonweal.places.loading import POSTCODES_FILE
from commonweal.reference_data import shared_data_dir
from commonweal.referrals.suggestions import PersonProfile, ServiceFacts, Session, suggest


def _postcode_points(*postcodes: str) -> dict[str, Point]:
    """Real coordinates from the ONS postcode extract in shared/data/geo."""
    found: dict[str, Point] = {}
    with (shared_data_dir() / "geo" / POSTCODES_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["postcode"] in postcodes:
                found[row["postcode"]] = Point(float(row["lat"]), float(row["lon"]))
    assert set(found) == set(postcodes)
    return found


def _service(service_id, name, text, **fields):
    return ServiceFacts(service_id=service_id, name=name, text=text, **fields)


def test_a_service_is_suggested_only_when_it_matches_what_the_person_said():
    profile = PersonProfile(interests=("gardening",), what_matters="Seeing people")
    garden = _service(1, "Sale Community Garden", "Grow vegetables together; gardens and allotments")
    chess = _service(2, "Chess Club", "Play chess on Tuesdays")
    found = suggest(profile, [chess, garden])
    assert [item.name for item in found] == ["Sale Community Garden"]
    assert found[0].reasons == ("Matches what they told us: gardening", "Taking referrals now")


def test_services_not_taking_referrals_or_outside_the_age_range_are_never_suggested():
    profile = PersonProfile(interests=("walking",), age=70)
    full = _service(1, "Walk A", "walking group", accepting="no")
    youth = _service(2, "Walk B", "walking group for young people", minimum_age=11, maximum_age=18)
    open_one = _service(
        3, "Walk C", "walking group", accepting="waiting_list", waiting_band_label="1 to 3 months"
    )
    found = suggest(profile, [full, youth, open_one])
    assert [item.service_id for item in found] == [3]
    assert found[0].cautions == ("Waiting list: 1 to 3 months",)


def test_nearer_services_rank_higher_and_say_how_far():
    points = _postcode_points("M33 7AA", "WA14 1EP")
    profile = PersonProfile(interests=("walking",), home=points["M33 7AA"])
    near = _service(1, "Near walk", "walking", locations=(points["M33 7AA"],))
    far = _service(2, "Far walk", "walking", locations=(points["WA14 1EP"],))
    found = suggest(profile, [far, near])
    assert [item.name for item in found] == ["Near walk", "Far walk"]
    assert found[0].reasons[1] == "Close to home (0.0 km)"
    assert found[0].distance_km == 0.0
    assert found[1].distance_km is not None and found[1].distance_km > 1.5
    assert found[1].reasons[1] == f"{found[1].distance_km:.1f} km from home"


def test_accessibility_language_and_free_time_each_come_with_a_reason_or_a_caution():
    profile = PersonProfile(
        interests=("singing",),
        accessibility_needs=frozenset({"hearing_loop", "step_free"}),
        accessibility_labels={"hearing_loop": "Hearing loop", "step_free": "Step-free access"},
        language="Polish",
        needs_interpreter=True,
        free_times=frozenset({"weekday_morning"}),
    )
    choir = _service(
        1,
        "Morning Choir",
        "singing for everyone",
        accessibility=frozenset({"hearing_loop", "step_free"}),
        languages=frozenset({"Polish"}),
        sessions=(Session("TU", 10 * 60, 12 * 60),),
    )
    evening = _service(2, "Evening Choir", "singing", sessions=(Session("TH", 19 * 60, 21 * 60),))
    found = suggest(profile, [evening, choir])
    assert [item.name for item in found] == ["Morning Choir", "Evening Choir"]
    assert found[0].reasons == (
        "Matches what they told us: singing",
        "Has hearing loop, step-free access",
        "Offered in Polish",
        "Runs when they are free (Tuesday 10:00)",
        "Taking referrals now",
    )
    assert found[1].cautions == (
        "Check for hearing loop, step-free access",
        "Not offered in Polish: an interpreter will be needed",
        "Runs only at times they said they are not free",
    )
    assert found[0].score > found[1].score


def test_with_nothing_said_yet_services_are_ranked_on_the_other_facts():
    profile = PersonProfile()
    found = suggest(profile, [_service(2, "B", "b"), _service(1, "A", "a")])
    assert [item.name for item in found] == ["A", "B"]
