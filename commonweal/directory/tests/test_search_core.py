"""The pure search core, checked against external data: shared postcodes, ORUK examples, the taxonomy."""

from __future__ import annotations

import csv
import json

import pytest

from commonweal.directory.search.geo import Point, bounding_box, distance_km
from commonweal.directory.search.query import parse_query
from commonweal.directory.search.ranking import DocumentFacts, Filters, TermInfo, Vocabulary, rank
from commonweal.directory.search.schedule import Session, open_during, pack, sessions_from, unpack
from commonweal.directory.search.text import TypoIndex, edit_distance, stem, tokens
from commonweal.directory.taxonomy import builtin_definition
from commonweal.reference_data import shared_data_dir, standards_dir

MOCKS = (
    standards_dir() / "openreferral" / "samples" / "oruk-3.0-validator-mocks" / "OpenReferralApi" / "Mocks"
)


def _postcodes():
    with (shared_data_dir() / "geo" / "postcodes" / "trafford_postcodes_onspd_feb2025.csv").open() as handle:
        return [(row["postcode"], float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)]


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    # Textbook values: Levenshtein's kitten/sitting; an adjacent swap counts once in OSA distance.
    [
        ("kitten", "sitting", 3),
        ("flaw", "lawn", 2),
        ("gardn", "garden", 1),
        ("walk", "wlak", 1),
        ("", "abc", 3),
    ],
)
def test_edit_distance_matches_the_textbook_values(left, right, expected):
    assert edit_distance(left, right) == expected


def test_stemming_brings_word_forms_together():
    assert [
        stem(word) for word in ["walking", "walks", "gardening", "swimming", "classes", "activities", "sing"]
    ] == [
        "walk",
        "walk",
        "garden",
        "swim",
        "class",
        "activity",
        "sing",
    ]
    assert tokens("I'm lonely and like Gardening") == ["lonely", "garden"]


def test_typo_index_finds_the_nearest_indexed_words():
    index = TypoIndex(["garden", "gardener", "guardian", "walk", "choir"])
    assert [(c.meant, c.edits) for c in index.corrections("gardan")] == [("garden", 1)]
    assert index.corrections("cho") == []  # too short to correct safely


def test_every_trafford_postcode_within_5_km_of_m33_7aa_is_inside_the_bounding_box():
    rows = _postcodes()
    centre = next(Point(lat, lon) for code, lat, lon in rows if code == "M33 7AA")
    box = bounding_box(centre, 5.0)
    near = [Point(lat, lon) for _, lat, lon in rows if distance_km(centre, Point(lat, lon)) <= 5.0]
    assert len(near) > 1000
    assert all(box.contains(point) for point in near)
    # The box is tight: its edges are 5 km from the centre along the meridian and the parallel.
    assert distance_km(centre, Point(box.north, centre.longitude)) == pytest.approx(5.0, abs=1e-6)
    assert distance_km(centre, Point(centre.latitude, box.east)) == pytest.approx(5.0, rel=1e-3)


def test_schedules_from_the_oruk_example_give_weekly_sessions():
    schedule = json.loads((MOCKS / "V3.0-UK-Test" / "service_full.json").read_text())["schedules"][0]
    sessions = sessions_from(schedule["freq"], schedule["byday"], schedule["opens_at"], schedule["closes_at"])
    assert sessions == [Session("TH", 600, 1080), Session("FR", 600, 1080)]
    assert unpack(pack(sessions)) == sessions
    assert open_during(sessions, "FR", 17 * 60, 23 * 60) == Session("FR", 600, 1080)
    assert open_during(sessions, "MO", 0, 24 * 60) is None
    assert (
        sessions_from("MONTHLY", "2MO,-1FR", "18:00", "20:00")[1].describe()
        == "Friday 18:00–20:00 (some weeks)"
    )


def test_a_resident_sentence_is_read_into_words_and_filters():
    parsed = parse_query("lonely, like gardening, near M33 7AA, free")
    assert (parsed.text, parsed.postcode, parsed.free) == ("lonely, like gardening", "M33 7AA", True)
    parsed = parse_query("tai chi on tuesday evenings m337aa")
    assert (parsed.text, parsed.day, parsed.part_of_day, parsed.postcode) == (
        "tai chi",
        "TU",
        "evening",
        "M33 7AA",
    )


def _vocabulary():
    definition = builtin_definition()
    ids = {entry["code"]: number for number, entry in enumerate(definition["term"], start=1)}
    terms = [
        TermInfo(
            ids[entry["code"]], entry["name"], ids.get(entry.get("parent", "")), tuple(entry["synonyms"])
        )
        for entry in definition["term"]
    ]
    return Vocabulary(terms, ["garden", "walk", "football", "group", "cafe", "friendship", "health"]), ids


def _document(service_id, name, term_ids, **extra):
    return DocumentFacts(
        service_id=service_id,
        name=name,
        name_tokens=frozenset(tokens(name)),
        text_tokens=frozenset(),
        term_ids=frozenset(term_ids),
        point=extra.pop("point", None),
        **extra,
    )


def test_walking_group_finds_health_walks_through_the_taxonomy_synonyms():
    vocabulary, ids = _vocabulary()
    documents = [
        _document(1, "Sale Health Walk", [ids["health-walks"]]),
        _document(2, "Walking Football", [ids["sports-clubs"]]),
        _document(3, "Peer Support Group", [ids["peer-support"]]),
    ]
    ranked = rank(documents, vocabulary.concepts("walking group"), Filters(), vocabulary)
    assert [result.service_id for result in ranked] == [1, 3, 2]
    assert ranked[0].reasons == ("“walking group” → Health walks",)
    assert ranked[1].reasons == ranked[2].reasons == ("part of “walking group” is in its name",)
    assert ranked[0].score > ranked[1].score == ranked[2].score


def test_lonely_and_gardening_ranks_gardens_that_are_social_first_with_reasons():
    vocabulary, ids = _vocabulary()
    centre = Point(53.4246, -2.3227)
    documents = [
        _document(
            1,
            "Community Garden",
            [ids["community-gardens"], ids["social-connection"]],
            point=centre,
            is_free=True,
        ),
        _document(2, "Friendship Cafe", [ids["community-cafes"]], point=centre, is_free=True),
        _document(3, "Walking Football", [ids["sports-clubs"]], point=centre, is_free=True),
        _document(4, "Paid Garden Club", [ids["community-gardens"]], point=centre, is_free=False),
    ]
    filters = Filters(centre=centre, centre_label="M33 7AA", radius_km=5, free_only=True)
    ranked = rank(documents, vocabulary.concepts("lonely, like gardening"), filters, vocabulary)
    assert [result.service_id for result in ranked] == [1, 2]
    assert ranked[0].reasons == (
        "“lonely” → Meeting people and making friends",
        "“gardening” is in its name",
        "0.0 km from M33 7AA",
        "Free",
    )
    assert ranked[1].reasons == ("“lonely” → Community cafés and drop-ins", "0.0 km from M33 7AA", "Free")


def test_a_misspelt_synonym_still_finds_its_term():
    vocabulary, ids = _vocabulary()
    ranked = rank(
        [_document(1, "Green Fingers", [ids["nature-and-gardening"]])],
        vocabulary.concepts("gardning"),
        Filters(),
        vocabulary,
    )
    assert ranked[0].reasons == ("“gardning” → Nature and gardening",)
