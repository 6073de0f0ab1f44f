"""Places people name resolve to where they are (issue 20, item 2).

The expected positions are the towns' own coordinates as Wikipedia gives them (Sale 53.424 N 2.322 W,
Stretford 53.4466 N 2.3086 W, Partington 53.4200 N 2.4300 W, Altrincham 53.3838 N 2.3527 W), not
figures this code produced: a place must come out within two kilometres of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from commonweal.directory.search.geo import Point, distance_km
from commonweal.places.gazetteer import find_named_place, place_names, suggest_places

TOWNS = {
    "Sale": (53.424, -2.322),
    "Stretford": (53.4466, -2.3086),
    "Partington": (53.4200, -2.4300),
    "Altrincham": (53.3838, -2.3527),
}


@pytest.mark.django_db
@pytest.mark.parametrize("town", sorted(TOWNS))
def test_a_town_is_found_where_it_is_from_the_wards_and_neighbourhoods_named_after_it(town: str, places: Any):
    found = find_named_place(town.lower())
    assert found is not None
    assert found.label == town
    assert distance_km(Point(found.latitude, found.longitude), Point(*TOWNS[town])) < 2


@pytest.mark.django_db
def test_an_outward_code_is_the_middle_of_its_postcodes_and_a_whole_word_is_needed(places: Any):
    m33 = find_named_place("m33")
    assert m33 is not None and m33.label == "M33"
    # M33 is Sale's postcode district.
    assert distance_km(Point(m33.latitude, m33.longitude), Point(*TOWNS["Sale"])) < 2
    # "Sal" is not a place: names match as whole words only.
    assert find_named_place("Sal") is None
    assert find_named_place("M99") is None


@pytest.mark.django_db
def test_a_ward_or_neighbourhood_by_its_full_name_keeps_its_own_name(places: Any):
    sale_moor = find_named_place("sale moor")
    assert sale_moor is not None and sale_moor.label == "Sale Moor"
    assert "Sale Moor" in place_names() and "Partington" in place_names()


@pytest.mark.django_db
def test_near_misses_are_offered_and_nonsense_gets_none(places: Any):
    assert suggest_places("Stretferd") == ["Stretford"]
    assert "Altrincham" in suggest_places("Altrinchem")
    assert suggest_places("Atlantis") == []
