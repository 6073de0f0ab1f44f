import csv
import gzip

import pytest

from commonweal.places.loading import GeographyFileError, load_geography
from commonweal.places.models import Lsoa, Postcode
from commonweal.reference_data import shared_data_dir

GEO = shared_data_dir() / "geo"


def _imd_file():
    path = GEO / "imd2019" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz"
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return {
            row["LSOA code (2011)"]: (
                int(row["Index of Multiple Deprivation (IMD) Rank"].replace(",", "")),
                int(row["Index of Multiple Deprivation (IMD) Decile"]),
            )
            for row in csv.DictReader(handle)
        }


def _postcode_rows():
    with (GEO / "postcodes" / "trafford_postcodes_onspd_feb2025.csv").open(
        encoding="utf-8", newline=""
    ) as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_it_loads_every_trafford_lsoa_of_both_censuses():
    assert Lsoa.objects.filter(local_authority_code="E08000009", vintage=2011).count() == 138
    assert Lsoa.objects.filter(local_authority_code="E08000009", vintage=2021).count() == 139


@pytest.mark.django_db
def test_every_2011_lsoa_carries_the_imd_file_rank_and_decile():
    imd = _imd_file()
    for lsoa in Lsoa.objects.filter(vintage=2011):
        assert (lsoa.imd_rank, lsoa.imd_decile) == imd[lsoa.code], lsoa.code


@pytest.mark.django_db
def test_a_2021_lsoa_gets_imd_only_when_its_code_is_unchanged_and_is_unknown_otherwise():
    imd = _imd_file()
    trafford_2021 = list(Lsoa.objects.filter(vintage=2021, local_authority_code="E08000009"))
    for lsoa in trafford_2021:
        expected = imd.get(lsoa.code, (None, None))
        assert (lsoa.imd_rank, lsoa.imd_decile) == expected, lsoa.code
    # The data's own note: 137 of Trafford's 139 LSOA 2021 codes match a 2011 code.
    assert sum(1 for lsoa in trafford_2021 if lsoa.imd_decile is None) == 2


@pytest.mark.django_db
def test_it_loads_every_postcode_with_its_lsoa_and_coordinates():
    rows = _postcode_rows()
    assert Postcode.objects.count() == len(rows) == 11264
    first = rows[0]
    loaded = Postcode.objects.select_related("lsoa").get(postcode=first["postcode"])
    assert loaded.lsoa.code == first["lsoa_code"]
    assert (loaded.longitude, loaded.latitude) == (float(first["lon"]), float(first["lat"]))


@pytest.mark.django_db
def test_centroids_and_boundaries_are_loaded():
    lsoa = Lsoa.objects.get(code="E01006112", vintage=2021)
    assert lsoa.latitude == pytest.approx(53.461472151291254)
    assert lsoa.longitude == pytest.approx(-2.261690198161998)
    assert lsoa.boundary["type"] in {"Polygon", "MultiPolygon"}


@pytest.mark.django_db
def test_loading_twice_changes_nothing():
    before = (Lsoa.objects.count(), Postcode.objects.count())
    load_geography(GEO)
    assert (Lsoa.objects.count(), Postcode.objects.count()) == before


@pytest.mark.django_db
def test_a_missing_folder_is_reported_by_name(tmp_path):
    with pytest.raises(GeographyFileError) as raised:
        load_geography(tmp_path)
    assert str(raised.value).endswith("is missing; is the shared data folder beside the project?")
    assert str(tmp_path) in str(raised.value)
