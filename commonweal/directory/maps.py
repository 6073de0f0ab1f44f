"""A map of search results over the LSOA boundaries: server-drawn inline SVG, and the same for Leaflet.

No tiles: the page shows the neighbourhood shapes people know, the place searched from and a numbered
marker per result, each linking to its row in the results table beside the map. The SVG works without
JavaScript; when scripts run, the page swaps it for a Leaflet map built from `MapPicture.leaflet`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from commonweal.directory.search.geo import Point, bounding_box
from commonweal.places.models import Lsoa

WIDTH = 600
HEIGHT = 480
PADDING = 12


@dataclass(frozen=True)
class Marker:
    """A numbered result on the map."""

    number: int
    point: Point
    label: str
    url: str = ""


@dataclass(frozen=True)
class MapPicture:
    """Everything the template draws: the view box, LSOA outlines, the centre and the markers."""

    width: int
    height: int
    outlines: tuple[str, ...]
    centre: tuple[float, float] | None
    markers: tuple[tuple[int, float, float, str], ...]
    radius_px: float | None
    # The same picture in latitudes and longitudes (boundaries as GeoJSON) for the page's Leaflet map.
    leaflet: dict[str, Any]


class Projection:
    """Equirectangular projection scaled by the cosine of the middle latitude: right for a borough."""

    def __init__(self, south: float, north: float, west: float, east: float) -> None:
        self.south, self.north, self.west, self.east = south, north, west, east
        self.x_scale = math.cos(math.radians((south + north) / 2))
        span_x = max((east - west) * self.x_scale, 1e-9)
        span_y = max(north - south, 1e-9)
        self.scale = min((WIDTH - 2 * PADDING) / span_x, (HEIGHT - 2 * PADDING) / span_y)

    def xy(self, latitude: float, longitude: float) -> tuple[float, float]:
        """Return SVG coordinates of a point."""
        x = PADDING + (longitude - self.west) * self.x_scale * self.scale
        y = PADDING + (self.north - latitude) * self.scale
        return round(x, 1), round(y, 1)


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    kind = geometry.get("type")
    coordinates: list[Any] = geometry.get("coordinates") or []
    if kind == "Polygon":
        yield from coordinates
    elif kind == "MultiPolygon":
        for polygon in coordinates:
            yield from polygon


@dataclass(frozen=True)
class _Ring:
    """One ring of a 2021 LSOA's boundary, as (latitude, longitude) points, with the LSOA's centroid."""

    code: str
    latitude: float
    longitude: float
    points: tuple[tuple[float, float], ...]


@lru_cache(maxsize=8)
def _boundaries(local_authority_code: str) -> tuple[_Ring, ...]:
    """Load the boundary rings of each 2021 LSOA in a local authority, once."""
    found = []
    for lsoa in Lsoa.objects.filter(
        vintage=Lsoa.Vintage.CENSUS_2021, local_authority_code=local_authority_code
    ):
        if not lsoa.boundary or lsoa.latitude is None or lsoa.longitude is None:
            continue
        for ring in _rings(lsoa.boundary):
            points = tuple((point[1], point[0]) for point in ring)
            found.append(_Ring(lsoa.code, lsoa.latitude, lsoa.longitude, points))
    return tuple(found)


def _kept_points(projection: Projection, ring: _Ring) -> list[tuple[float, float, tuple[float, float]]]:
    """Keep the ring's points (latitude, longitude, SVG x and y) that are at least a pixel apart."""
    kept: list[tuple[float, float, tuple[float, float]]] = []
    for latitude, longitude in ring.points:
        xy = projection.xy(latitude, longitude)
        # Points closer than a pixel add bytes, not detail.
        if not kept or abs(kept[-1][2][0] - xy[0]) + abs(kept[-1][2][1] - xy[1]) >= 1.0:
            kept.append((latitude, longitude, xy))
    return kept


def _path(kept: list[tuple[float, float, tuple[float, float]]]) -> str:
    return "M" + "L".join(f"{x:g} {y:g}" for _, _, (x, y) in kept) + "Z"


def _polygon(code: str, kept: list[tuple[float, float, tuple[float, float]]]) -> dict[str, Any]:
    """Return the ring as a GeoJSON Polygon feature: longitude first, and closed, as RFC 7946 requires."""
    ring = [[round(longitude, 5), round(latitude, 5)] for latitude, longitude, _ in kept]
    if ring[0] != ring[-1]:
        ring.append(ring[0])
    return {
        "type": "Feature",
        "properties": {"lsoa": code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def draw(
    *, markers: list[Marker], centre: Point | None, radius_km: float | None, local_authorities: Iterable[str]
) -> MapPicture | None:
    """Lay out the map: framed on the search circle, or on the markers; None when there is nothing to show."""
    if centre is not None and radius_km:
        box = bounding_box(centre, radius_km)
        south, north, west, east = box.south, box.north, box.west, box.east
    else:
        points = [marker.point for marker in markers] + ([centre] if centre else [])
        if not points:
            return None
        south = min(point.latitude for point in points) - 0.01
        north = max(point.latitude for point in points) + 0.01
        west = min(point.longitude for point in points) - 0.015
        east = max(point.longitude for point in points) + 0.015
    projection = Projection(south, north, west, east)
    margin_lat, margin_lon = (north - south) * 0.15, (east - west) * 0.15
    outlines = []
    features = []
    for code in sorted(set(local_authorities)):
        for ring in _boundaries(code):
            if (
                south - margin_lat <= ring.latitude <= north + margin_lat
                and west - margin_lon <= ring.longitude <= east + margin_lon
            ):
                kept = _kept_points(projection, ring)
                if len(kept) >= 3:
                    outlines.append(_path(kept))
                    features.append(_polygon(ring.code, kept))
    drawn_markers = tuple(
        (marker.number, *projection.xy(marker.point.latitude, marker.point.longitude), marker.label)
        for marker in markers
    )
    centre_xy = projection.xy(centre.latitude, centre.longitude) if centre is not None else None
    radius_px = radius_km / 111.32 * projection.scale if (centre is not None and radius_km) else None
    width = round(2 * PADDING + (east - west) * projection.x_scale * projection.scale)
    height = round(2 * PADDING + (north - south) * projection.scale)
    return MapPicture(
        width=width,
        height=height,
        outlines=tuple(outlines),
        centre=centre_xy,
        markers=drawn_markers,
        radius_px=round(radius_px, 1) if radius_px else None,
        leaflet={
            "bounds": [[south, west], [north, east]],
            "boundaries": {"type": "FeatureCollection", "features": features},
            "centre": [centre.latitude, centre.longitude] if centre is not None else None,
            "radius_metres": radius_km * 1000 if (centre is not None and radius_km) else None,
            "markers": [
                {
                    "number": marker.number,
                    "latitude": marker.point.latitude,
                    "longitude": marker.point.longitude,
                    "label": marker.label,
                    "url": marker.url,
                }
                for marker in markers
            ],
        },
    )
