"""Distances on the Earth and the bounding box that prefilters a radius search (pure: no Django)."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Mean Earth radius (IUGG), the value the haversine formula is usually quoted with.
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    """A WGS84 latitude and longitude in degrees."""

    latitude: float
    longitude: float


@dataclass(frozen=True)
class BoundingBox:
    """The smallest latitude/longitude rectangle that contains a circle (for an indexed prefilter)."""

    south: float
    north: float
    west: float
    east: float

    def contains(self, point: Point) -> bool:
        """Tell whether a point lies inside the box."""
        return self.south <= point.latitude <= self.north and self.west <= point.longitude <= self.east


def distance_km(start: Point, end: Point) -> float:
    """Return the great-circle distance between two points by the haversine formula."""
    lat1, lat2 = math.radians(start.latitude), math.radians(end.latitude)
    half_dlat = (lat2 - lat1) / 2
    half_dlon = math.radians(end.longitude - start.longitude) / 2
    a = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(centre: Point, radius_km: float) -> BoundingBox:
    """Return a box that contains every point within `radius_km` of `centre` (away from the poles)."""
    angular = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angular)
    # The widest longitude span of the circle is at the latitude where the great circle is tangent to it.
    lat = math.radians(centre.latitude)
    dlon = math.degrees(math.asin(min(1.0, math.sin(angular) / max(math.cos(lat), 1e-12))))
    return BoundingBox(
        south=centre.latitude - dlat,
        north=centre.latitude + dlat,
        west=centre.longitude - dlon,
        east=centre.longitude + dlon,
    )
