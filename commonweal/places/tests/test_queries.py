"""The places helpers every other app uses, checked against the ONS files they were loaded from."""

from __future__ import annotations

import csv

import pytest

from commonweal.places.loading import CENTROIDS_FILE, POSTCODES_FILE
from commonweal.places.models import Area, Lsoa
from commonweal.places.queries import (
    centre_of,
    descendant_ids,
    lsoa_of,
    point_of,
    postcodes_in,
    postcodes_of_local_authority,
)
from commonweal.reference_data import shared_data_dir

pytestmark = pytest.mark.django_db


def _onspd_row(postcode: str) -> dict[str, str]:
    with (shared_data_dir() / "geo" / POSTCODES_FILE).open(newline="", encoding="utf-8") as handle:
        return next(row for row in csv.DictReader(handle) if row["postcode"] == postcode)


def _ons_centroids(codes: set[str]) -> list[tuple[float, float]]:
    with (shared_data_dir() / "geo" / CENTROIDS_FILE).open(newline="", encoding="utf-8") as handle:
        return [
            (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
            if row["LSOACD"] in codes
        ]


def test_point_of_a_loaded_postcode_is_where_the_onspd_puts_it():
    row = _onspd_row("M33 7AA")
    point = point_of("M33 7AA")
    assert point is not None
    assert (point.latitude, point.longitude) == (float(row["lat"]), float(row["lon"]))
    assert Lsoa.objects.get(pk=point.lsoa_id).code == row["lsoa_code"]


def test_lsoa_of_a_loaded_postcode_is_its_onspd_lsoa():
    lsoa = lsoa_of("M33 7AA")
    assert lsoa is not None
    assert lsoa.code == _onspd_row("M33 7AA")["lsoa_code"]


def test_a_postcode_that_is_not_loaded_has_no_point_and_no_lsoa():
    assert point_of("SW1A 1AA") is None
    assert lsoa_of("SW1A 1AA") is None


def test_centre_of_an_area_is_the_mean_of_its_lsoas_ons_centroids(places):
    lsoas = list(places.north.lsoas.all())
    expected = _ons_centroids({lsoa.code for lsoa in lsoas})
    assert len(expected) == 10
    centre = centre_of(lsoas)
    assert centre == pytest.approx(
        (sum(p[0] for p in expected) / 10, sum(p[1] for p in expected) / 10), abs=1e-9
    )


def test_centre_of_lsoas_without_centroids_is_none():
    assert centre_of([]) is None
    assert centre_of([Lsoa(code="E01999999", name="No centroid", vintage=2021)]) is None


def test_descendant_ids_are_the_area_and_everything_below_it(places):
    assert descendant_ids([places.ics.pk]) == {
        places.ics.pk,
        places.borough.pk,
        places.north.pk,
        places.south.pk,
    }
    assert descendant_ids([places.borough.pk]) == {places.borough.pk, places.north.pk, places.south.pk}
    assert descendant_ids([places.north.pk]) == {places.north.pk}
    assert descendant_ids([]) == frozenset()


def test_descendant_ids_reach_a_fourth_level(places):
    ward = Area.objects.create(kind=Area.Kind.NEIGHBOURHOOD, name="A ward", code="ward", parent=places.north)
    assert ward.pk in descendant_ids([places.ics.pk])


def test_postcodes_in_lsoas_and_of_a_local_authority_match_the_onspd(places):
    with (shared_data_dir() / "geo" / POSTCODES_FILE).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    north_codes = set(places.north.lsoas.values_list("code", flat=True))
    assert postcodes_in(places.north.lsoas.all()).count() == sum(r["lsoa_code"] in north_codes for r in rows)
    assert postcodes_of_local_authority("E08000009").count() == sum(r["la_code"] == "E08000009" for r in rows)
