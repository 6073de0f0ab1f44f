"""Every demo login works in a real browser; every page each role can reach passes an axe scan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import navigation_for
from commonweal.audit.models import RecordAccess
from commonweal.demo.builder import DEMO_LOGINS
from tests.browser.conftest import sign_in


@pytest.mark.parametrize("login", DEMO_LOGINS, ids=[login.role.value for login in DEMO_LOGINS])
def test_each_role_signs_in_and_every_page_it_can_reach_is_accessible(
    login, page: Page, check_accessibility: Callable[[Page], None]
):
    sign_in(page, login.email)
    expected = [item.label for item in navigation_for(User.objects.get(email=login.email))]
    shown = page.locator("nav a.nhsuk-header__navigation-link").all_inner_texts()
    assert [label.strip() for label in shown] == expected
    check_accessibility(page)
    hrefs = page.locator("nav a.nhsuk-header__navigation-link").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    for href in hrefs:
        response = page.goto(href)
        assert response is not None and response.status == 200, href
        check_accessibility(page)
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
