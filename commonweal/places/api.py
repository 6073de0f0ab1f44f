"""JSON API for places: postcode lookup."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from commonweal.places.queries import lookup_postcode

router = Router(tags=["places"])


class PostcodeOut(Schema):
    postcode: str
    latitude: float
    longitude: float
    lsoa_code: str
    lsoa_name: str
    imd_rank: int | None
    imd_decile: int | None
    ward_name: str
    local_authority_name: str
    neighbourhoods: list[str]


# The shape of a postcode the API document promises (any case, one space or none; config/api.py writes it
# into the document). The server takes any spacing, and answers 400 malformed_postcode for no postcode.
POSTCODE_SHAPE = "^(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}|[Gg][Ii][Rr] ?0[Aa]{2})$"


@router.get("/postcodes/{postcode}", response=PostcodeOut, summary="Look up a postcode")
def get_postcode(request: HttpRequest, postcode: str) -> PostcodeOut:
    """Return a postcode's LSOA 2021, IMD 2019 rank and decile (null when unknown) and neighbourhoods.

    A malformed postcode answers 400; a well-formed postcode outside the loaded area answers 404.
    """
    answer = lookup_postcode(postcode)
    return PostcodeOut(
        postcode=answer.postcode,
        latitude=answer.latitude,
        longitude=answer.longitude,
        lsoa_code=answer.lsoa_code,
        lsoa_name=answer.lsoa_name,
        imd_rank=answer.imd_rank,
        imd_decile=answer.imd_decile,
        ward_name=answer.ward_name,
        local_authority_name=answer.local_authority_name,
        neighbourhoods=list(answer.neighbourhoods),
    )
