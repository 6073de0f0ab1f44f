"""Load the shared geography files (IMD 2019, LSOA centroids and boundaries, postcodes)."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from commonweal.places.models import Lsoa, Postcode
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode

IMD_FILE = Path("imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz")
CENTROIDS_FILE = Path("lsoa_centroids/lsoa_latlong.csv")
BOUNDARIES_DIR = Path("lsoa_boundaries")
POSTCODES_FILE = Path("postcodes/trafford_postcodes_onspd_feb2025.csv")


class GeographyFileError(Exception):
    """A geography file is missing or has rows we cannot use; the message names the file and row."""


@dataclass(frozen=True)
class LoadReport:
    """Counts of what one load wrote."""

    lsoas_2011: int
    lsoas_2021: int
    lsoas_2021_without_imd: tuple[str, ...]
    postcodes: int


@dataclass(frozen=True)
class _Deprivation:
    rank: int
    decile: int


def _read_imd(path: Path) -> dict[str, _Deprivation]:
    # File 1 is UTF-8 with a BOM; ranks carry a thousands separator ("29,199").
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        rows = csv.DictReader(handle)
        return {
            row["LSOA code (2011)"]: _Deprivation(
                rank=int(row["Index of Multiple Deprivation (IMD) Rank"].replace(",", "")),
                decile=int(row["Index of Multiple Deprivation (IMD) Decile"]),
            )
            for row in rows
        }


def _read_centroids(path: Path) -> dict[str, tuple[float, float]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["LSOACD"]: (float(row["latitude"]), float(row["longitude"])) for row in csv.DictReader(handle)
        }


def _boundary_files(geo_dir: Path, vintage: int) -> Iterator[Path]:
    prefix = "lsoa11_" if vintage == Lsoa.Vintage.CENSUS_2011 else "lsoa_"
    yield from sorted((geo_dir / BOUNDARIES_DIR).glob(f"{prefix}E*.geojson"))


def _lsoas_from_boundaries(
    geo_dir: Path, vintage: int, imd: dict[str, _Deprivation], centroids: dict[str, tuple[float, float]]
) -> list[Lsoa]:
    suffix = "11" if vintage == Lsoa.Vintage.CENSUS_2011 else "21"
    found: list[Lsoa] = []
    for path in _boundary_files(geo_dir, vintage):
        collection = json.loads(path.read_text(encoding="utf-8"))
        for feature in collection["features"]:
            properties = feature["properties"]
            code = properties[f"LSOA{suffix}CD"]
            # IMD 2019 is keyed on 2011 codes: a 2021 code gets it only if the code is unchanged.
            deprivation = imd.get(code)
            latitude, longitude = centroids.get(code, (None, None))
            found.append(
                Lsoa(
                    code=code,
                    vintage=vintage,
                    name=properties[f"LSOA{suffix}NM"],
                    local_authority_code=properties["LADCD_ACTIVE"],
                    imd_rank=deprivation.rank if deprivation else None,
                    imd_decile=deprivation.decile if deprivation else None,
                    latitude=latitude,
                    longitude=longitude,
                    boundary=feature["geometry"],
                )
            )
    return found


def _upsert_lsoas(lsoas: Iterable[Lsoa]) -> None:
    Lsoa.objects.bulk_create(
        list(lsoas),
        update_conflicts=True,
        unique_fields=["code", "vintage"],
        update_fields=[
            "name",
            "local_authority_code",
            "imd_rank",
            "imd_decile",
            "latitude",
            "longitude",
            "boundary",
        ],
        batch_size=500,
    )


def _read_postcodes(path: Path, lsoa_ids: dict[str, int]) -> list[Postcode]:
    postcodes: list[Postcode] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            try:
                normalised = normalise_postcode(row["postcode"])
            except MalformedPostcodeError as error:
                problems.append(f"line {line_number}: {error}")
                continue
            lsoa_id = lsoa_ids.get(row["lsoa_code"])
            if lsoa_id is None:
                problems.append(f"line {line_number}: LSOA {row['lsoa_code']} has no boundary loaded")
                continue
            postcodes.append(
                Postcode(
                    postcode=normalised,
                    lsoa_id=lsoa_id,
                    latitude=float(row["lat"]),
                    longitude=float(row["lon"]),
                    ward_code=row["ward_code"],
                    ward_name=row["ward_name"],
                    msoa_name=row.get("msoa_hcl_name") or "",
                    local_authority_code=row["la_code"],
                    local_authority_name=row["la_name"],
                )
            )
    if problems:
        shown = "\n".join(problems[:20])
        raise GeographyFileError(
            f"{path}: {len(problems)} rows could not be loaded; nothing was saved.\n{shown}"
        )
    return postcodes


def load_geography(geo_dir: Path) -> LoadReport:
    """Load LSOAs (2011 and 2021) with IMD 2019, centroids, boundaries and postcodes; all or nothing."""
    for required in (IMD_FILE, CENTROIDS_FILE, POSTCODES_FILE, BOUNDARIES_DIR):
        if not (geo_dir / required).exists():
            raise GeographyFileError(
                f"{geo_dir / required} is missing; is the shared data folder beside the project?"
            )
    imd = _read_imd(geo_dir / IMD_FILE)
    centroids = _read_centroids(geo_dir / CENTROIDS_FILE)
    lsoas_2011 = _lsoas_from_boundaries(geo_dir, Lsoa.Vintage.CENSUS_2011, imd, centroids)
    lsoas_2021 = _lsoas_from_boundaries(geo_dir, Lsoa.Vintage.CENSUS_2021, imd, centroids)
    with transaction.atomic():
        _upsert_lsoas(lsoas_2011)
        _upsert_lsoas(lsoas_2021)
        lsoa_ids = dict(Lsoa.objects.filter(vintage=Lsoa.Vintage.CENSUS_2021).values_list("code", "id"))
        postcodes = _read_postcodes(geo_dir / POSTCODES_FILE, lsoa_ids)
        Postcode.objects.bulk_create(
            postcodes,
            update_conflicts=True,
            unique_fields=["postcode"],
            update_fields=[
                "lsoa",
                "latitude",
                "longitude",
                "ward_code",
                "ward_name",
                "msoa_name",
                "local_authority_code",
                "local_authority_name",
            ],
            batch_size=1000,
        )
    return LoadReport(
        lsoas_2011=len(lsoas_2011),
        lsoas_2021=len(lsoas_2021),
        lsoas_2021_without_imd=tuple(sorted(lsoa.code for lsoa in lsoas_2021 if lsoa.imd_decile is None)),
        postcodes=len(postcodes),
    )
