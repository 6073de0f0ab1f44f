"""Browser tests: Playwright for Python drives Debian's Chromium against the app on a live server.

Each test gets the demo borough (so every demo login is exercised as a user would use it), a fresh
browser context, and `check_accessibility(page)`, which runs axe-core from node_modules on the page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

# Playwright's synchronous API runs an event loop in this thread; the test body still talks to the
# database synchronously, as Django's own live-server tests do.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.demo_database import DEMO

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Flags from this machine's notes: no background networking (the network is closed), no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_PASSWORD = "commonweal-demo"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _built_static_files(settings: Any) -> None:
    """Name static files as built, not with the manifest's hashes, so the browser gets every stylesheet.

    The live server answers /static/ with Django's finders, which know the built files but not the
    hashed names collectstatic gives them: with the manifest storage every script and stylesheet would
    be refused, and the pages (and their accessibility checks) would run unstyled and without scripts.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo_site(live_server: Any, transactional_db: Any) -> str:
    """Put the demo borough in the test database and return the live server's address."""
    DEMO.put_in_place()
    return str(live_server.url)


@pytest.fixture
def new_page(browser: Browser, demo_site: str) -> Iterator[Callable[[], Page]]:
    """Open pages in fresh browser contexts (one per user in a test); all are closed at the end."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(base_url=demo_site, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    """A page in a fresh browser context."""
    return new_page()


# Any page but the password step (/sign-in/, with or without ?next=).
AFTER_PASSWORD_STEP = re.compile(r"^(?!.*/sign-in/(\?.*)?$).*$")


def authenticator_code(email: str, *, confirmed: bool = True) -> str:
    """The code the person's authenticator app would show (the demo's staff share their secrets)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from commonweal.accounts.factors import next_code

    return next_code(TOTPDevice.objects.filter(user__email=email, confirmed=confirmed).latest("pk"))


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through both steps, as a person would: the password, then a code from their authenticator
    app (staff who have none set one up first, as at their first sign-in)."""
    page.goto("/sign-in/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(AFTER_PASSWORD_STEP)
    if "/sign-in/set-up/" in page.url:
        page.get_by_label("Code from your app").fill(authenticator_code(email, confirmed=False))
        page.get_by_role("button", name="Confirm and continue").click()
        page.get_by_role("button", name="I have saved my codes").click()
    elif "/sign-in/verify/" in page.url:
        page.get_by_label("Code", exact=True).fill(authenticator_code(email))
        page.get_by_role("button", name="Continue").click()
    # Wait for the navigation to finish: a successful sign-in leaves the sign-in pages.
    expect(page).not_to_have_url(re.compile(r"/sign-in/"))


def fill_date(page: Page, label: str, iso_date: str) -> None:
    """Type a date into an NHS.UK date input (day, month and year boxes), as a person would."""
    year, month, day = iso_date.split("-")
    group = page.get_by_role("group", name=label)
    group.get_by_label("Day").fill(str(int(day)))
    group.get_by_label("Month").fill(str(int(month)))
    group.get_by_label("Year").fill(year)


def click_menu_link(page: Page, label: str) -> None:
    """Follow a header navigation link as a person would: through "More" when it has moved in there.

    With scripts on, the NHS.UK header moves the links that do not fit on one line into a "More" menu.
    """
    menu = page.get_by_role("navigation", name="Menu")
    link = menu.get_by_role("link", name=label)
    more = menu.get_by_role("button", name=re.compile("More"))
    expect(link.or_(more).first).to_be_visible()
    if not link.is_visible():
        more.click()
    href = link.get_attribute("href") or ""
    link.click()
    # Wait for the page the link opens to load: a check run straight after the click would read the
    # page being replaced (axe found no document in one CI run).
    page.wait_for_url(re.compile(re.escape(href) + r"(\?.*)?$"))


def accessibility_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page; return its serious and critical violations."""
    # Evaluated through the browser's debugging protocol, not added as an inline <script>: the pages'
    # Content-Security-Policy (script-src 'self') refuses inline scripts, the test's own included.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;true")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.fixture
def check_accessibility() -> Callable[[Page], None]:
    """Assert that axe-core finds no serious or critical violation on the page."""

    def check(page: Page) -> None:
        page.wait_for_load_state()  # a navigation a click began finishes before axe reads the page
        violations = accessibility_violations(page)
        assert violations == [], f"{page.url}: {violations}"

    return check


# Window sizes for the layout checks: a phone and a desktop (issue 20, item 9).
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def sideways_scroll(page: Page) -> str:
    """Say how the page is wider than the window and what sticks out, or "" when it is not."""
    widths = page.evaluate(
        """() => {
          const limit = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(element => element.getBoundingClientRect().right > limit)
            .filter(element => !element.closest('.nhsuk-skip-link, .nhsuk-u-visually-hidden'))
            .slice(0, 5)
            .map(element => element.tagName.toLowerCase() + (element.className ? '.' + element.className : '')
                 + ' ' + Math.round(element.getBoundingClientRect().right));
          return {page: document.documentElement.scrollWidth, window: limit, wide};
        }"""
    )
    return f"{page.url} at {widths['window']} px: {widths}" if widths["page"] > widths["window"] else ""


def assert_no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the window."""
    problem = sideways_scroll(page)
    assert not problem, problem
