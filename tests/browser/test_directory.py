"""A resident finds community gardening and social groups near home, each with why it matched."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page

from tests.browser.conftest import sign_in


def test_a_resident_search_puts_gardening_and_social_groups_first_with_reasons(
    page: Page, check_accessibility: Callable[[Page], None]
):
    sign_in(page, "resident@demo.commonweal.invalid")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Community directory").click()
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
    assert page.locator("svg[role=group] a").count() == rows.count()
    check_accessibility(page)
    rows.first.get_by_role("link").click()
    assert page.get_by_text("Last checked").is_visible()
    check_accessibility(page)
