"""Browser test: a commissioner filters the uptake dashboard by neighbourhood and deprivation quintile,
downloads a table as CSV, and sees a small count shown as "<5" on the page and in the file."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from django.db.models import Sum
from playwright.sync_api import Page, expect

from commonweal.evidence.breakdowns import DIMENSIONS, deciles_of_quintile, month_label, quintile_of_decile
from commonweal.evidence.models import ALL_ORGANISATIONS, UptakeCell
from commonweal.evidence.queries import catalogue, default_period
from commonweal.places.models import Area
from tests.browser.conftest import click_menu_link, sign_in

COMMISSIONER = "commissioner@demo.commonweal.invalid"


def _busiest_place_and_quintile(first: int, last: int) -> tuple[Area, int]:
    """The neighbourhood and IMD quintile with the most demo referrals in the default period."""
    rows = (
        UptakeCell.objects.filter(
            dimension="all", organisation_id=ALL_ORGANISATIONS, month__gte=first, month__lte=last
        )
        .exclude(neighbourhood_id=0)
        .values("neighbourhood_id", "imd_decile")
        .annotate(offered=Sum("offered"))
    )
    totals: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["neighbourhood_id"], quintile_of_decile(row["imd_decile"]))
        totals[key] = totals.get(key, 0) + row["offered"]
    (place, quintile), _ = max(
        ((key, value) for key, value in totals.items() if key[1]), key=lambda item: item[1]
    )
    return Area.objects.get(pk=place), quintile


def _small_group(place: Area, quintile: int, first: int, last: int) -> tuple[str, str, int]:
    """A group on the filtered page whose referrals number 1 to 4: (table, row label, total offered)."""
    cells = UptakeCell.objects.filter(
        organisation_id=ALL_ORGANISATIONS,
        neighbourhood_id=place.pk,
        imd_decile__in=deciles_of_quintile(quintile),
        month__gte=first,
        month__lte=last,
    )
    total = cells.filter(dimension="all").aggregate(offered=Sum("offered"))["offered"]
    for dimension in ("age", "sex", "ethnicity"):
        grouped = cells.filter(dimension=dimension).values("category").annotate(offered=Sum("offered"))
        for row in grouped:
            if 1 <= row["offered"] <= 4:
                labels = {category.key: category.label for category in DIMENSIONS[dimension].categories}
                return dimension, labels[row["category"]], total
    raise AssertionError("the demo has no small group in the busiest neighbourhood and quintile")


def test_a_commissioner_filters_uptake_downloads_the_csv_and_sees_small_counts_hidden(
    page: Page, check_accessibility: Callable[[Page], None]
):
    found = catalogue()
    period = default_period(found)
    assert period is not None
    first, last = period
    place, quintile = _busiest_place_and_quintile(first, last)
    table, small_label, total = _small_group(place, quintile, first, last)

    sign_in(page, COMMISSIONER)
    click_menu_link(page, "Evidence")
    expect(page.get_by_role("heading", name="Evidence", level=1)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("link", name="Uptake funnel").click()
    expect(page.get_by_role("heading", name="Uptake funnel", level=1)).to_be_visible()

    page.get_by_label("Place").select_option(label=place.name)
    page.get_by_label("Deprivation (IMD 2019)").select_option(value=str(quintile))
    # The filtered funnel's disclosure control is computed on request (about 1.5 s here; over 25 s on a
    # loaded CI machine before its programmes were reused), so the click waits up to a minute.
    page.get_by_role("button", name="Show the figures").click(timeout=60_000)
    expect(
        page.get_by_text(
            f"Showing {month_label(first)} to {month_label(last)}, {place.name}, every organisation, "
            f"IMD quintile {quintile}."
        )
    ).to_be_visible()
    assert f"neighbourhood={place.code}" in page.url and f"quintile={quintile}" in page.url
    offered = page.locator("#funnel-table tbody tr").first.locator("td").first
    expect(offered).to_have_text(f"{total:,}" if total >= 5 else "<5")
    small_row = page.locator(f"#{table}-table tbody tr").filter(
        has=page.get_by_role("rowheader", name=small_label)
    )
    expect(small_row.locator("td").first).to_have_text("<5")
    expect(
        page.get_by_text("Counts under 5 are shown as “<5” so that nobody can be recognised.")
    ).to_be_visible()
    check_accessibility(page)

    section = page.locator(f"section#{table}")
    # The CSV computes the same filtered disclosure control as the page: allow it the same minute.
    with page.expect_download(timeout=60_000) as download_info:
        section.get_by_role("link", name=re.compile(r"as CSV")).click()
    download = download_info.value
    assert download.suggested_filename == f"uptake-{table}-{first}-{last}.csv"
    path = download.path()
    assert path is not None
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[0][:6] == ["group", "offered", "referred", "seen", "connected", "attended"]
    by_group = {row[0]: row for row in rows[1:]}
    assert by_group[small_label][1] == "<5"
    assert len(rows) == len(DIMENSIONS[table].categories) + 1


def test_every_evidence_page_a_commissioner_opens_is_accessible(
    page: Page, check_accessibility: Callable[[Page], None]
):
    from commonweal.evidence.demo import ALLIANCE_NAME, ANALYSIS_NAME
    from commonweal.evidence.models import Alliance, SroiAnalysis

    analysis = SroiAnalysis.objects.get(name=ANALYSIS_NAME)
    alliance = Alliance.objects.get(name=ALLIANCE_NAME)
    sign_in(page, COMMISSIONER)
    for path, heading in [
        ("/evidence/referrals/", "Referrals"),
        ("/evidence/connections/", "Declines and 'at capacity'"),
        ("/evidence/outcomes/", "Outcome change"),
        ("/evidence/stories/", "Stories"),
        ("/evidence/stories/new/?dashboard=uptake&chart=funnel", "Add a story"),
        (f"/evidence/sroi/{analysis.pk}/", analysis.name),
        (f"/evidence/sroi/{analysis.pk}/report/", f"{analysis.name}: report"),
        (f"/evidence/sroi/{analysis.pk}/outcomes/new/", "Add an outcome"),
        (f"/evidence/alliances/{alliance.pk}/", alliance.name),
        (f"/evidence/alliances/{alliance.pk}/outcomes/new/", "Agree an indicator and target"),
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
        check_accessibility(page)
    page.goto("/evidence/uptake/?period_from=nonsense")
    expect(page.get_by_text("Choose a first month from the list.").first).to_be_visible()
    check_accessibility(page)
