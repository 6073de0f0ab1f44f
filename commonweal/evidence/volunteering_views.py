"""The volunteering evidence page and its CSVs (one beside every table)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commonweal.accounts.permissions import Capability, requires
from commonweal.evidence import volunteering
from commonweal.evidence.views import _csv_response


@requires(Capability.ANALYSE_EVIDENCE)
def page(request: HttpRequest) -> HttpResponse:
    """Volunteers, matches and hours by neighbourhood, IMD quintile, age band, sex and ethnic group, and
    hours as an SROI input."""
    return render(
        request,
        "evidence/volunteering.html",
        {"tables": volunteering.tables(), "sroi": volunteering.sroi_input()},
    )


@requires(Capability.ANALYSE_EVIDENCE)
def table_csv(request: HttpRequest, key: str) -> HttpResponse:
    """One volunteering table as CSV, suppressed as on the page."""
    for table in volunteering.tables():
        if table.key == key:
            return _csv_response(f"volunteering-{key}.csv", volunteering.CSV_HEADER, table.csv_rows)
    raise Http404("There is no such table.")
