"""Reusable reads about places."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from commonweal.places.models import Area, Lsoa, Postcode
from commonweal.places.postcodes import normalise_postcode


class PostcodeNotInAreaError(LookupError):
    """A well-formed postcode that is not among the loaded postcodes."""

    def __init__(self, postcode: str, area_name: str) -> None:
        self.postcode = postcode
        super().__init__(
            f"{postcode} is a valid postcode, but it is not in {area_name}, the area this service "
            "covers. Check the postcode, or contact the service in the area where the person lives."
        )


@dataclass(frozen=True)
class PostcodeAnswer:
    """What a postcode lookup tells: where the postcode is and how deprived its area is."""

    postcode: str
    latitude: float
    longitude: float
    lsoa_code: str
    lsoa_name: str
    imd_rank: int | None
    imd_decile: int | None
    ward_name: str
    local_authority_name: str
    neighbourhoods: tuple[str, ...]


def covered_area_name() -> str:
    """Return the name of the borough or system this deployment covers, for messages."""
    borough = Area.objects.filter(kind=Area.Kind.BOROUGH).order_by("pk").first()
    if borough is not None:
        return borough.name
    loaded = Postcode.objects.values_list("local_authority_name", flat=True).first()
    return loaded or settings.COMMONWEAL_SERVICE_NAME


def lookup_postcode(text: str) -> PostcodeAnswer:
    """Find a postcode's LSOA and IMD decile; raise MalformedPostcodeError or PostcodeNotInAreaError."""
    normalised = normalise_postcode(text)
    found = Postcode.objects.select_related("lsoa").filter(postcode=normalised).first()
    if found is None:
        raise PostcodeNotInAreaError(normalised, covered_area_name())
    lsoa: Lsoa = found.lsoa
    neighbourhoods = tuple(
        lsoa.areas.filter(kind=Area.Kind.NEIGHBOURHOOD).order_by("name").values_list("name", flat=True)
    )
    return PostcodeAnswer(
        postcode=found.postcode,
        latitude=found.latitude,
        longitude=found.longitude,
        lsoa_code=lsoa.code,
        lsoa_name=lsoa.name,
        imd_rank=lsoa.imd_rank,
        imd_decile=lsoa.imd_decile,
        ward_name=found.ward_name,
        local_authority_name=found.local_authority_name,
        neighbourhoods=neighbourhoods,
    )


@dataclass(frozen=True)
class PostcodePoint:
    """Where a loaded postcode is: its latitude and longitude and the id of its LSOA."""

    latitude: float
    longitude: float
    lsoa_id: int


def point_of(postcode: str) -> PostcodePoint | None:
    """Return where a normalised postcode is, or None when it is not among the loaded postcodes."""
    found = Postcode.objects.filter(postcode=postcode).values_list("latitude", "longitude", "lsoa_id").first()
    return PostcodePoint(*found) if found is not None else None


def lsoa_of(postcode: str) -> Lsoa | None:
    """Return the LSOA of a normalised postcode, or None when the postcode is not loaded."""
    found = Postcode.objects.select_related("lsoa").filter(postcode=postcode).first()
    return found.lsoa if found is not None else None


def lsoa_ids_of(postcodes: Iterable[str]) -> dict[str, int]:
    """Return the LSOA id of each normalised postcode that is loaded (in one query per thousand codes)."""
    codes = sorted(set(postcodes))
    found: dict[str, int] = {}
    for start in range(0, len(codes), 1000):
        found.update(
            Postcode.objects.filter(postcode__in=codes[start : start + 1000]).values_list(
                "postcode", "lsoa_id"
            )
        )
    return found


def centre_of(lsoas: Iterable[Lsoa]) -> tuple[float, float] | None:
    """Return the mean of the LSOAs' centroids (latitude, longitude), or None when none has one."""
    points = [
        (lsoa.latitude, lsoa.longitude)
        for lsoa in lsoas
        if lsoa.latitude is not None and lsoa.longitude is not None
    ]
    if not points:
        return None
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def descendant_ids(area_ids: Iterable[int]) -> frozenset[int]:
    """Return the given areas and every area below them in the place tree (one query per level)."""
    reached = set(area_ids)
    frontier = set(reached)
    while frontier:
        frontier = set(Area.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - reached
        reached |= frontier
    return frozenset(reached)


def postcodes_in(lsoas: Iterable[Lsoa] | QuerySet[Lsoa]) -> QuerySet[Postcode]:
    """Return the loaded postcodes that lie in the given LSOAs."""
    return Postcode.objects.filter(lsoa__in=lsoas)


def postcodes_of_local_authority(code: str) -> QuerySet[Postcode]:
    """Return the loaded postcodes of one local authority (by its ONS code), in postcode order."""
    return Postcode.objects.filter(local_authority_code=code).order_by("postcode")
