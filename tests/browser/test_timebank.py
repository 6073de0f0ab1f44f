"""The timebank in a real browser, with an axe scan of each page: a member posts an offer, another member
answers it through the bank, the poster agrees (contact details pass both ways), the exchange is recorded
and confirmed, both statements show it, and the coordinator's report counts it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from commonweal.timebank.demo import BANK_SLUG, SECOND_MEMBER_EMAIL
from commonweal.timebank.models import Account, Transfer
from tests.browser.conftest import click_menu_link, sign_in

RESIDENT = "resident@demo.commonweal.invalid"
ORGANISER = "organiser@demo.commonweal.invalid"
OFFER = "Fixing bikes and prams"


def _open_my_account(page: Page) -> None:
    click_menu_link(page, "Timebank")
    page.locator(".nhsuk-card__heading a").first.click()


def test_an_offer_answered_recorded_confirmed_and_counted(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
) -> None:
    rosa_account = Account.objects.select_related("bank").get(bank__slug=BANK_SLUG, user__email=RESIDENT)
    second_account = Account.objects.get(bank__slug=BANK_SLUG, user__email=SECOND_MEMBER_EMAIL)
    rosa_before, second_before = rosa_account.balance_minutes, second_account.balance_minutes

    rosa = new_page()
    sign_in(rosa, RESIDENT)
    _open_my_account(rosa)
    check_accessibility(rosa)
    rosa.get_by_role("link", name="Offers and requests").first.click()
    rosa.get_by_role("link", name="Post an offer or a request").click()
    rosa.get_by_label("Offer", exact=True).check()
    rosa.get_by_label("Title").fill(OFFER)
    rosa.get_by_label("Category").select_option(label="Household and DIY")
    rosa.get_by_label("Open until").fill("2099-01-01")
    check_accessibility(rosa)
    rosa.get_by_role("button", name="Post it").click()
    expect(rosa.get_by_role("heading", name=OFFER)).to_be_visible()

    member = new_page()
    sign_in(member, SECOND_MEMBER_EMAIL)
    _open_my_account(member)
    member.get_by_role("link", name="Offers and requests").first.click()
    member.get_by_label("Words").fill("bikes")
    member.get_by_role("button", name="Search").click()
    check_accessibility(member)
    member.get_by_role("link", name=OFFER).click()
    expect(member.get_by_text(rosa_account.phone)).to_have_count(0)
    member.get_by_label("Your message").fill("My bike's brakes need fixing; could you help on Saturday?")
    member.get_by_role("button", name="Send the answer").click()
    check_accessibility(member)

    rosa.reload()
    expect(rosa.get_by_text(SECOND_MEMBER_EMAIL)).to_have_count(0)
    rosa.get_by_role("button", name="Agree and share contact details").click()
    expect(rosa.get_by_text(re.compile(re.escape(SECOND_MEMBER_EMAIL)))).to_be_visible()
    member.reload()
    expect(member.get_by_text(re.compile(re.escape(rosa_account.phone)))).to_be_visible()

    _open_my_account(rosa)
    rosa.get_by_role("link", name="Record an exchange").first.click()
    rosa.get_by_label("I gave help (hours come to this account)").check()
    rosa.get_by_label("Other account number").fill(str(second_account.pk))
    rosa.get_by_label("Time in minutes").fill("0")
    rosa.get_by_role("button", name="Record it").click()
    expect(rosa.locator(".nhsuk-error-summary")).to_contain_text("The time must be more than zero.")
    check_accessibility(rosa)
    rosa.get_by_label("Time in minutes").fill("75")
    rosa.get_by_label("What it was for").select_option(label="Household and DIY")
    rosa.get_by_label("A few words about it (optional)").fill("Bike brakes")
    rosa.get_by_role("button", name="Record it").click()
    expect(rosa.get_by_text("It counts once the other person confirms it.")).to_be_visible()

    click_menu_link(member, "Timebank")
    member.get_by_role("button", name="Confirm").first.click()
    expect(member.get_by_text("Confirmed: 1h15 now count.")).to_be_visible()
    check_accessibility(member)

    member.goto(f"/timebank/accounts/{second_account.pk}/")
    expect(member.locator("#balance")).to_have_text(f"{second_before - 75} minutes")
    expect(member.locator("#movements")).to_contain_text("Bike brakes")
    rosa.goto(f"/timebank/accounts/{rosa_account.pk}/")
    expect(rosa.locator("#balance")).to_have_text(f"{rosa_before + 75} minutes")
    expect(rosa.locator("#movements")).to_contain_text("Bike brakes")

    organiser = new_page()
    sign_in(organiser, ORGANISER)
    click_menu_link(organiser, "Timebank coordination")
    organiser.get_by_role("link", name=rosa_account.bank.name, exact=True).click()
    check_accessibility(organiser)
    organiser.get_by_role("link", name="Reports").click()
    check_accessibility(organiser)
    since = datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(days=366)
    counted = Transfer.objects.filter(
        bank__slug=BANK_SLUG, category="household", status="complete", counted_at__gte=since
    ).count()
    assert counted >= 1
    row = organiser.locator("tr", has=organiser.get_by_role("cell", name="Household and DIY", exact=True))
    expect(row.locator("td").nth(1)).to_have_text(str(counted))
