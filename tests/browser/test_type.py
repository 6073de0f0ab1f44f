"""Every page is set in the NHS.UK font stack, not the browser's default serif (issue 20, item 1)."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import sign_in

NHSUK_STACK = '"Frutiger W01", Frutiger, arial, sans-serif'


def computed_font(page: Page, selector: str) -> str:
    return str(page.locator(selector).first.evaluate("element => getComputedStyle(element).fontFamily"))


def test_the_public_and_signed_in_pages_use_the_nhsuk_font_stack_in_text_headings_and_form_controls(
    page: Page,
):
    page.goto("/")
    for selector in ("body", "h1", "a"):
        assert computed_font(page, selector).startswith(NHSUK_STACK), selector
    # The stack ends with colour emoji fonts, so symbols the text fonts lack are still drawn.
    assert computed_font(page, "body").endswith('"Noto Color Emoji"')
    sign_in(page, "link.worker@demo.commonweal.invalid")
    page.goto("/directory/")
    for selector in ("body", "input[type=text]", "button"):
        assert computed_font(page, selector).startswith(NHSUK_STACK), selector
