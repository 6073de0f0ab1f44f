"""The search page's map data for Leaflet: the LSOA boundaries as GeoJSON and the numbered results."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from commonweal.reference_data import shared_data_dir

SEARCH = {"q": "lonely, like gardening, near M33 7AA, free"}


def _map_data(html: str) -> dict:
    found = re.search(r'<script id="directory-map-data" type="application/json">(.*?)</script>', html, re.S)
    assert found is not None
    return json.loads(found.group(1))


def _source_ring(lsoa_code: str) -> list[list[float]]:
    """Return the outer ring of an LSOA as published in the shared ONS boundary file for Trafford."""
    path = shared_data_dir() / "geo" / "lsoa_boundaries" / "lsoa_E08000009.geojson"
    features = json.loads(path.read_text())["features"]
    (feature,) = [feature for feature in features if feature["properties"]["LSOA21CD"] == lsoa_code]
    return feature["geometry"]["coordinates"][0]


@pytest.mark.django_db
def test_the_map_data_holds_one_marker_per_located_result_numbered_as_in_the_list(client: Client, entries):
    response = client.get("/directory/", SEARCH)
    data = _map_data(response.content.decode())
    rows = response.context["rows"]
    assert [(row["number"], row["service"].name) for row in rows] == [
        (1, "Sale Community Garden"),
        (2, "Friendship Café"),
    ]
    assert [(marker["number"], marker["label"], marker["url"]) for marker in data["markers"]] == [
        (1, "Sale Community Garden", f"/directory/services/{entries['garden'].pk}/"),
        (2, "Friendship Café", f"/directory/services/{entries['cafe'].pk}/"),
    ]
    assert [(number, label) for number, _, _, label in response.context["picture"].markers] == [
        (1, "Sale Community Garden"),
        (2, "Friendship Café"),
    ]
    assert data["radius_metres"] == 5000.0
    (south, west), (north, east) = data["bounds"]
    assert south < data["centre"][0] < north and west < data["centre"][1] < east
    for marker in data["markers"]:
        assert south < marker["latitude"] < north and west < marker["longitude"] < east


@pytest.mark.django_db
def test_the_map_data_holds_the_svgs_lsoa_boundaries_as_geojson_from_the_ons_file(client: Client, entries):
    response = client.get("/directory/", SEARCH)
    boundaries = _map_data(response.content.decode())["boundaries"]
    assert boundaries["type"] == "FeatureCollection"
    features = boundaries["features"]
    assert len(features) == len(response.context["picture"].outlines)
    assert {feature["geometry"]["type"] for feature in features} == {"Polygon"}
    for feature in features:
        (ring,) = feature["geometry"]["coordinates"]
        assert len(ring) >= 4 and ring[0] == ring[-1]
    # M33 7AA is in Trafford 015C (ONS postcode directory): its outline is the ONS one, longitude
    # first, thinned to points at least a pixel apart on the SVG.
    (sale,) = [feature for feature in features if feature["properties"]["lsoa"] == "E01006161"]
    (ring,) = sale["geometry"]["coordinates"]
    source = [[round(longitude, 5), round(latitude, 5)] for longitude, latitude in _source_ring("E01006161")]
    assert ring[0] == source[0]
    assert len(ring) <= len(source)
    assert all(point in source for point in ring)


@pytest.mark.django_db
def test_the_svg_stays_in_the_page_for_browsers_without_javascript(client: Client, entries):
    html = client.get("/directory/", SEARCH).content.decode()
    container = r'<div id="directory-map" class="cw-map" data-map-data="directory-map-data">\s*<svg'
    assert re.search(container, html)
    assert 'aria-label="Result 2: Friendship Café"' in html
    # Static names carry a content hash once collected (the manifest storage).
    assert re.search(r'href="/static/ui/build/leaflet/leaflet(\.\w{12})?\.css"', html)
    assert re.search(r'src="/static/ui/build/leaflet/leaflet(\.\w{12})?\.js" defer', html)
    assert re.search(r'type="module" src="/static/ui/build/js/directory-map(\.\w{12})?\.js"', html)


@pytest.mark.django_db
def test_pages_without_a_map_do_not_load_leaflet(client: Client, entries):
    html = client.get("/directory/").content.decode()
    assert "leaflet" not in html
    assert "directory-map" not in html
