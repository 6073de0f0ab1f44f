"""Every demo login works in a real browser; every page each role can reach passes an axe scan and shows
no blank value and no "None" where a value should be (issue 20: "ODS code None", an empty contact)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import navigation_for
from commonweal.accounts.tests.test_permissions import DAILY_WORK
from commonweal.audit.models import RecordAccess
from commonweal.demo.builder import DEMO_LOGINS
from tests.blank_values import blank_values
from tests.browser.conftest import DESKTOP, PHONE, assert_no_sideways_scroll, sideways_scroll, sign_in

README = Path(settings.BASE_DIR) / "README.md"


def readme_tries(email: str) -> list[str]:
    """The pages and actions (in italics) the README's demo table says to try with this login."""
    row = next(line for line in README.read_text(encoding="utf-8").splitlines() if f"| `{email}` |" in line)
    return re.findall(r"\*([^*]+)\*", row.split(f"| `{email}` |", 1)[1])


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=[login.role.value for login in DEMO_LOGINS])
def test_each_role_signs_in_and_every_page_it_can_reach_is_accessible(
    login, page: Page, check_accessibility: Callable[[Page], None]
):
    sign_in(page, login.email)
    expected = [item.label for item in navigation_for(User.objects.get(email=login.email))]
    shown = page.locator("nav a.nhsuk-header__navigation-link").all_inner_texts()
    assert [label.strip() for label in shown] == expected
    # The role's daily work shows in the header at once, not under "More".
    menu = page.get_by_role("navigation", name="Menu")
    for label in DAILY_WORK.get(login.role, []):
        expect(menu.get_by_role("link", name=label, exact=True)).to_be_visible()
    check_accessibility(page)
    assert blank_values(page.content()) == [], "home page"
    hrefs = page.locator("nav a.nhsuk-header__navigation-link").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    offered = set(expected)
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, href
        check_accessibility(page)
        assert_no_sideways_scroll(page)
        assert blank_values(page.content()) == [], href
        offered |= {" ".join(text.split()) for text in page.locator("main a, main button").all_inner_texts()}
    # What the README's demo table tells this login to try is in its menu or on one of its menu pages.
    # (A link's words may go on for screen readers: "Record a visit to 1 Oak House".)
    missing = [
        name
        for name in readme_tries(login.email)
        if not any(text == name or text.startswith(f"{name} ") for text in offered)
    ]
    assert missing == []
    # The same pages on a phone: nothing makes the page wider than the screen.
    page.set_viewport_size(PHONE)
    too_wide = []
    for href in ["/home/", *hrefs]:
        page.goto(href)
        too_wide.append(sideways_scroll(page))
    assert [problem for problem in too_wide if problem] == []
    page.set_viewport_size(DESKTOP)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_the_public_pages_and_the_404_page_are_styled_and_accessible(
    page: Page, check_accessibility: Callable[[Page], None]
):
    for path in ["/", "/sign-in/", "/privacy/", "/accessibility/", "/components/"]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(page)
        assert_no_sideways_scroll(page)
    page.set_viewport_size(PHONE)
    for path in ["/", "/sign-in/", "/privacy/", "/accessibility/", "/components/", "/directory/"]:
        page.goto(path)
        assert_no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)
    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert page.locator("link[rel=stylesheet]").count() >= 1
    check_accessibility(page)


def test_a_resident_sees_who_has_looked_at_their_record(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
):
    worker = new_page()
    sign_in(worker, "link.worker@demo.commonweal.invalid")
    worker.goto("/people/find/")
    resident = User.objects.get(email="resident@demo.commonweal.invalid").person
    worker.get_by_label("NHS number").fill(resident.nhs_number)
    worker.get_by_role("button", name="Find").click()
    expect(worker.get_by_role("heading", name="You are not working with this person")).to_be_visible()
    check_accessibility(worker)
    worker.get_by_label("Why do you need to see this record?").fill(
        "Phoned in distress; checking contact details to call back"
    )
    worker.get_by_role("button", name="Record my reason and open the record").click()
    expect(
        worker.get_by_role("heading", name=f"{resident.given_name} {resident.family_name}")
    ).to_be_visible()
    assert RecordAccess.objects.filter(subject_user=resident.user, viewer__email=worker_email()).count() == 1

    person_page = new_page()
    sign_in(person_page, "resident@demo.commonweal.invalid")
    person_page.goto("/me/who-has-looked/")
    table = person_page.locator("table").inner_text()
    assert "Lena Kettleshaw" in table
    assert "Phoned in distress; checking contact details to call back" in table
    check_accessibility(person_page)


def worker_email() -> str:
    return next(login.email for login in DEMO_LOGINS if login.role == Role.LINK_WORKER)
