"""A resident finds community gardening and social groups near home, each with why it matched."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from tests.browser.conftest import click_menu_link, sign_in


def test_a_resident_search_puts_gardening_and_social_groups_first_with_reasons(
    page: Page, check_accessibility: Callable[[Page], None]
):
    sign_in(page, "resident@demo.commonweal.invalid")
    click_menu_link(page, "Community directory")
    page.get_by_label("What are you looking for?").fill("lonely, like gardening, near M33 7AA, free")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table tbody tr")
    first_three = [rows.nth(index).inner_text() for index in range(3)]
    assert "Community Garden" in first_three[0]
    for text in first_three:
        assert "“lonely” →" in text
        assert "km from M33 7AA" in text
        assert "Free" in text
    assert "“gardening” is in its name" in first_three[0]
    # With JavaScript, Leaflet replaces the server-drawn SVG: no tiles, the LSOA boundaries, the search
    # circle and centre, and one numbered marker per located result.
    data = json.loads(page.locator("#directory-map-data").text_content() or "")
    located = [marker["number"] for marker in data["markers"]]
    assert located == list(range(1, rows.count() + 1))
    map_region = page.get_by_role("region", name="Map of the results on this page")
    expect(map_region).to_have_class(re.compile(r"\bleaflet-container\b"))
    expect(page.locator(".leaflet-container")).to_be_visible()
    markers = page.locator(".leaflet-marker-pane .cw-map-marker")
    expect(markers).to_have_count(len(located))
    assert markers.all_inner_texts() == [str(number) for number in located]
    assert page.locator(".leaflet-tile").count() == 0
    assert page.locator(".leaflet-tile-pane img").count() == 0
    expect(page.locator(".leaflet-overlay-pane svg path")).to_have_count(
        len(data["boundaries"]["features"]) + 2
    )
    assert page.locator("#directory-map svg[role=group]").count() == 0
    first_service = rows.first.get_by_role("link").inner_text()
    page.get_by_role("button", name=f"Result 1: {first_service}").press("Enter")
    expect(page.locator(".leaflet-popup-content").get_by_role("link", name=first_service)).to_be_visible()
    # The popup fades in; check contrast once it has.
    expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")
    check_accessibility(page)
    # Without JavaScript the page's own SVG is the map: numbered links to the same rows.
    html = page.request.get(page.url).text()
    fallback = re.search(r'<div id="directory-map"[^>]*>\s*<svg[^>]*role="group".*?</svg>', html, re.S)
    assert fallback is not None
    assert re.findall(r'<a href="#result-(\d+)"', fallback.group(0)) == [str(number) for number in located]
    rows.first.get_by_role("link").click()
    # is_visible() does not wait for the navigation the click starts; expect() does.
    expect(page.get_by_text("Last checked")).to_be_visible()
    check_accessibility(page)
