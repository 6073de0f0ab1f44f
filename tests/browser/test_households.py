"""Issue 13 in a real browser: a community health worker gets ready, goes offline, records three visits
(one refused, one with a need found), comes back online and sees them sent; the need reaches the
link-worker team; the refused household leaves the agenda for 90 days; signing out deletes the pages kept
for offline work; the resident's "who has looked" shows the worker with the reason "household"."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from commonweal.accounts.models import Role, User
from commonweal.demo.builder import DEMO_LOGINS
from commonweal.households import queries
from commonweal.households.models import Household, Member, Visit
from commonweal.referrals.models import Referral
from tests.browser.conftest import sign_in

CHW = next(login for login in DEMO_LOGINS if login.role == Role.COMMUNITY_HEALTH_WORKER)
RESIDENT = next(login for login in DEMO_LOGINS if login.role == Role.RESIDENT)
LINK_WORKER = next(login for login in DEMO_LOGINS if login.role == Role.LINK_WORKER)


def _record(
    page: Page, household: Household, outcome: str, seen: int | None = None, refer: bool = False
) -> None:
    page.goto(f"/households/{household.pk}/visit/")
    # The offline queue is loaded by the page's script after the page itself: wait until it has taken
    # charge of the form (it shows the queue's state), as a person would see it.
    expect(page.locator('[data-module="cw-visit-queue"]')).to_be_visible()
    page.get_by_label(outcome).check()
    page.get_by_label("Periodic visit").check()
    if seen is not None:
        member = page.locator(f'fieldset[data-member="{seen}"]')
        member.get_by_label("was seen").check()
        member.get_by_label("How often do you feel lonely?").select_option("Often or always")
        if refer:
            member.get_by_label("A need was found").check()
            member.get_by_label("What need").fill("Lonely since moving here")
            member.get_by_label("Refer to the link-worker team").check()
            member.get_by_label("They agreed to be referred").check()
    page.get_by_role("button", name="Save the visit").click()
    expect(page.get_by_text("the visit is kept on this device")).to_be_visible()


def test_visits_recorded_offline_are_sent_once_back_online(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
) -> None:
    cora = User.objects.get(email=CHW.email)
    rosa_home = Household.objects.get(reference="DEMO-ROSA")
    # Three households due on today's agenda (so their visit forms are kept for offline use), the one
    # with the need found being someone with no referral yet.
    due = [
        entry.household
        for entry in queries.agenda(
            list(queries.patches_held(cora).values_list("pk", flat=True)), queries.AgendaFilter()
        )
    ]
    first_member = {h.pk: Member.objects.filter(household=h).order_by("pk").first() for h in due}
    candidates = [h for h in due if h.pk != rosa_home.pk and first_member[h.pk] is not None]
    needy = next(
        h for h in candidates if not Referral.objects.filter(person=first_member[h.pk].person).exists()
    )
    done, refused = [h for h in candidates if h.pk != needy.pk][:2]
    needy_person = first_member[needy.pk].person

    page = new_page()
    sign_in(page, CHW.email)
    page.goto(f"/households/{rosa_home.pk}/")  # reading Rosa's household reads her record
    page.goto("/households/agenda/")
    expect(page.get_by_role("heading", name="Your agenda")).to_be_visible()
    expect(page.locator('[data-module="cw-visit-queue"]')).to_be_visible()
    check_accessibility(page)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.get_by_role("button", name="Get ready to work offline").click()
    expect(page.locator("[data-cw-offline-status]")).to_have_text(
        re.compile(r"^Ready to work offline: \d+ visit forms kept on this device\.$"), timeout=60_000
    )

    page.context.set_offline(True)
    _record(page, done, "Visit done", seen=first_member[done.pk].person_id)
    _record(page, refused, "Refused at the door")
    _record(page, needy, "Visit done", seen=needy_person.pk, refer=True)
    assert not Visit.objects.filter(
        household__in=[done, refused, needy], recorded_at__date=timezone.localdate()
    ).exists()
    page.goto("/households/agenda/")
    expect(page.get_by_text("3 visits waiting to be sent.")).to_be_visible()

    page.context.set_offline(False)
    expect(page.get_by_text("No visits waiting to be sent. 3 visits sent.")).to_be_visible()
    made = Visit.objects.filter(
        chw=cora, household__in=[done, refused, needy], recorded_at__date=timezone.localdate()
    )
    assert sorted(made.values_list("household__reference", "outcome")) == sorted(
        [(done.reference, "done"), (refused.reference, "refused"), (needy.reference, "done")]
    )
    referral = Referral.objects.get(person=needy_person, referred_by=cora)
    assert referral.status == "awaiting_triage"

    # The refused household has left the agenda, and stays off it for 90 days.
    page.reload()
    expect(page.get_by_role("link", name=needy.address, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=refused.address, exact=True)).to_have_count(0)
    today = timezone.localdate()
    assert queries.tasks_of(refused, today + datetime.timedelta(days=89)) == []
    assert queries.tasks_of(refused, today + datetime.timedelta(days=90)) != []

    # Signing out (a shared device) deletes the pages kept for offline work: names and addresses.
    assert page.evaluate("caches.has('cw-households-v1')")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert not page.evaluate("caches.has('cw-households-v1')")

    # The test server's SQLite refuses a write while another request reads the same table: let the
    # worker's page (its service worker checks for updates) fall quiet before anyone else signs in.
    page.wait_for_load_state("networkidle")
    page.close()

    # The link worker sees the referral in triage.
    lena = new_page()
    sign_in(lena, LINK_WORKER.email)
    lena.goto("/referrals/triage/")
    expect(lena.get_by_text(needy_person.full_name).first).to_be_visible()

    # Rosa sees who looked at her record, and why.
    resident = new_page()
    sign_in(resident, RESIDENT.email)
    resident.goto("/me/who-has-looked/")
    row = (
        resident.get_by_role("row")
        .filter(has_text="Cora Hazelmere")
        .filter(has_text="Their household is in my care")
    )
    expect(row.first).to_be_visible()


def test_signing_out_with_visits_not_sent_asks_first_and_keeps_them(page: Page) -> None:
    sign_in(page, CHW.email)
    page.goto("/households/agenda/")
    expect(page.locator('[data-module="cw-visit-queue"]')).to_be_visible()
    # Two visits kept on this device (as the visit form keeps them offline), and a page kept for offline use.
    page.evaluate(
        """async () => {
            localStorage.setItem("cw-visit-queue", JSON.stringify([{client_id: "a"}, {client_id: "b"}]));
            const cache = await caches.open("cw-households-v1");
            await cache.put("/households/agenda/", new Response("kept"));
        }"""
    )
    questions: list[str] = []

    def stay(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Your agenda")).to_be_visible()
    assert questions == [
        "2 visits are on this device and not sent yet. They stay here until you sign in again and send "
        "them. Sign out anyway?"
    ]
    assert page.evaluate("caches.has('cw-households-v1')")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert not page.evaluate("caches.has('cw-households-v1')")
    assert page.evaluate("JSON.parse(localStorage.getItem('cw-visit-queue')).length") == 2
