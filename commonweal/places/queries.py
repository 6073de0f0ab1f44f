"""Reusable reads about places."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

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
