"""Places people name, found in the loaded postcodes: towns, wards, neighbourhoods and outward codes.

A search box that says "For example M33 7AA or Sale" must know Sale. The ONS Postcode Directory gives
each postcode its electoral ward ("Sale Central") and its middle-layer super output area, which the
House of Commons Library names as people know them ("Sale Moor", "Partington"). A town is then every
ward and neighbourhood whose name starts with the town's name as a whole word ("Sale" is Sale Central,
Sale Moor, Sale East and Sale North), and an outward code ("M33") is every postcode in its district.
Where nothing matches, near misses are offered ("Stretferd": did you mean Stretford?).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db.models import Avg, Count, Q

from commonweal.places.models import Area, Postcode
from commonweal.places.queries import centre_of

OUTWARD_CODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


@dataclass(frozen=True)
class NamedPlace:
    """Where a named place is (the mean of its postcodes, or of its areas' centres) and its name."""

    latitude: float
    longitude: float
    label: str


def _postcode_names() -> list[str]:
    """Every ward and neighbourhood (MSOA) name of the loaded postcodes, as written."""
    wards = Postcode.objects.exclude(ward_name="").values_list("ward_name", flat=True).distinct()
    msoas = Postcode.objects.exclude(msoa_name="").values_list("msoa_name", flat=True).distinct()
    return sorted(set(wards) | set(msoas))


def _centre(postcodes: Q) -> tuple[float, float] | None:
    found = Postcode.objects.filter(postcodes).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude"), count=Count("pk")
    )
    if not found["count"]:
        return None
    return float(found["latitude"]), float(found["longitude"])


def _word_prefix(text: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(text)}(?![\w'])", re.IGNORECASE)


def find_named_place(text: str) -> NamedPlace | None:
    """Return the place a person named (an area, a town, ward or neighbourhood, an outward code), or None."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return None
    outward = cleaned.upper().replace(" ", "")
    if OUTWARD_CODE.match(outward):
        centre = _centre(Q(postcode__startswith=f"{outward} "))
        if centre is not None:
            return NamedPlace(*centre, label=outward)
    area = Area.objects.filter(name__iexact=cleaned).prefetch_related("lsoas").first()
    if area is not None:
        area_centre = centre_of(area.lsoas.all())
        if area_centre is not None:
            return NamedPlace(*area_centre, label=area.name)
    pattern = _word_prefix(cleaned)
    names = [name for name in _postcode_names() if pattern.match(name)]
    if not names:
        return None
    centre = _centre(Q(ward_name__in=names) | Q(msoa_name__in=names))
    if centre is None:
        return None
    exact = next((name for name in names if name.lower() == cleaned.lower()), None)
    return NamedPlace(*centre, label=exact or names[0][: len(cleaned)])


def place_names() -> list[str]:
    """Every name find_named_place knows: areas, wards, neighbourhoods, the towns that lead them, and
    outward codes."""
    names = set(_postcode_names())
    towns = {name.split()[0] for name in names if len(name.split()[0]) >= 4}
    areas = set(Area.objects.values_list("name", flat=True))
    outward = {code.split()[0] for code in Postcode.objects.values_list("postcode", flat=True) if " " in code}
    return sorted(names | towns | areas | outward)


def suggest_places(text: str, limit: int = 3) -> list[str]:
    """Return up to `limit` known place names close to what was typed (for a "did you mean")."""
    cleaned = " ".join(text.split()).lower()
    if not cleaned:
        return []
    known = {name.lower(): name for name in place_names()}
    return [known[match] for match in difflib.get_close_matches(cleaned, list(known), n=limit, cutoff=0.75)]
