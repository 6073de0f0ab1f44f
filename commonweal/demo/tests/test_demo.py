"""The demo borough is deterministic and idempotent."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from commonweal.demo.builder import DEMO_LOGINS, build_demo
from commonweal.people.models import Person

GEO = Path(settings.COMMONWEAL_SHARED_DIR) / "data" / "geo"


def _report() -> dict[str, object]:
    out = StringIO()
    call_command("demo", "--report", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db(transaction=True)
def test_building_the_demo_twice_from_an_empty_database_gives_identical_data():
    first = _report()
    call_command("flush", interactive=False, verbosity=0)
    assert Person.objects.count() == 0
    second = _report()
    assert second == first
    assert first["counts"]["residents"] == 2000
    assert first["counts"]["users"] == len(DEMO_LOGINS)


@pytest.mark.django_db
def test_demo_residents_have_realistic_mixes_of_age_sex_and_ethnicity():
    build_demo(geo_dir=GEO)
    people = list(Person.objects.values_list("sex", "ethnicity", "date_of_birth", "nhs_number"))
    sexes = {sex for sex, _, _, _ in people}
    assert {"female", "male"} <= sexes
    assert len({ethnicity for _, ethnicity, _, _ in people}) >= 5
    years = sorted(born.year for _, _, born, _ in people)
    assert years[0] <= 1946 and years[-1] >= 2005
    # NHS numbers from the test range that starts with 999, which is never issued to real patients.
    assert all(number.startswith("999") for _, _, _, number in people)
