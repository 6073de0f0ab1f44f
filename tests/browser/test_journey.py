"""The social prescribing journey end to end, in a real browser, with a different person at each step.

A GP refers; the link worker triages, holds Conversation 1, sets a goal with the person and connects
them to two services; one organisation rejects "at capacity", the other accepts and records attendance;
the person signs in, updates their goal and sees who looked at their record; the GP reads the message
back. Every page on the way passes an axe scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.utils import timezone
from playwright.sync_api import Page, expect

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.audit.models import RecordAccess
from commonweal.demo.builder import DEMO_LOGINS, DEMO_PASSWORD
from commonweal.directory.models import Service
from commonweal.people.models import Goal
from commonweal.referrals.models import Attendance, Connection, MessageBack, Referral
from tests.browser.conftest import click_menu_link, sign_in

EMAIL = {login.role: login.email for login in DEMO_LOGINS}
SECOND_MEMBER = "food.club@demo.commonweal.invalid"


def _services() -> tuple[Service, Service]:
    """Two services taking referrals: one kept by Otis's group, one by another group."""
    otis = User.objects.get(email=EMAIL[Role.ORGANISATION_MEMBER])
    otis_group = otis.role_assignments.get().organisation
    usable = Service.objects.filter(status="active", accepting_referrals="yes").order_by("pk")
    first = usable.filter(owner=otis_group).first()
    second = usable.exclude(owner=otis_group).exclude(owner__isnull=True).first()
    assert first is not None and second is not None
    return first, second


def _second_member(organisation) -> User:
    user = User.objects.create_user(SECOND_MEMBER, password=DEMO_PASSWORD, full_name="Femi Foodwell")
    grant_role(user=user, role=Role.ORGANISATION_MEMBER, organisation=organisation, by=None)
    return user


def _connect(worker: Page, service: Service, check: Callable[[Page], None]) -> None:
    worker.get_by_role("link", name="Connect to a community service").click()
    check(worker)
    worker.get_by_label("Search the directory").fill(service.name)
    worker.get_by_role("button", name="Search").click()
    worker.get_by_role("link", name=f"Connect to {service.name}").first.click()
    expect(worker.get_by_role("heading", name=f"Connect to {service.name}")).to_be_visible()
    check(worker)
    worker.get_by_label("How to contact me (phone, e-mail, address)").check()
    worker.get_by_label("Note for the organisation").fill("Rosa would like to start soon")
    worker.get_by_label("The person has agreed to this connection and to what is shared").check()
    worker.get_by_role("button", name="Save").click()
    expect(worker.get_by_text(f"Connection to {service.name} sent.")).to_be_visible()


def _open_in_inbox(page: Page, service: Service) -> None:
    page.goto("/inbox/")
    row = page.locator("tr", has_text="Rosa Amberbrook").filter(has_text=service.name)
    row.get_by_role("link", name="Rosa Amberbrook").click()
    expect(page.get_by_role("heading", name="Rosa Amberbrook")).to_be_visible()


def test_the_whole_journey_with_a_different_user_for_each_step(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
):
    rosa = User.objects.get(email=EMAIL[Role.RESIDENT]).person
    at_capacity, welcoming = _services()
    _second_member(welcoming.owner)

    # 1. The GP refers Rosa.
    gp = new_page()
    sign_in(gp, EMAIL[Role.REFERRER])
    click_menu_link(gp, "Refer someone")
    check_accessibility(gp)
    gp.get_by_label("NHS number").fill(rosa.nhs_number)
    gp.get_by_label("First name").fill(rosa.given_name)
    gp.get_by_label("Last name").fill(rosa.family_name)
    # The NHS.UK date input: day, month and year boxes, whatever the browser's own date order.
    born = gp.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill(str(rosa.date_of_birth.day))
    born.get_by_label("Month").fill(str(rosa.date_of_birth.month))
    born.get_by_label("Year").fill(str(rosa.date_of_birth.year))
    gp.get_by_label("Female", exact=True).check()
    gp.get_by_label("Loneliness or isolation", exact=True).check()
    gp.get_by_label("Anything else the link worker should know").fill("Lost her husband last year; low mood")
    gp.get_by_label("Soon (within 3 working days)", exact=True).check()
    gp.get_by_label("The person has agreed to be referred and to a link worker contacting them").check()
    gp.get_by_role("button", name="Send the referral").click()
    expect(gp.get_by_text("Referral sent to Riverside Demo PCN.")).to_be_visible()
    check_accessibility(gp)
    referral = Referral.objects.get(person=rosa, status="awaiting_triage")

    # 2. The link worker triages it onto her caseload.
    worker = new_page()
    sign_in(worker, EMAIL[Role.LINK_WORKER])
    click_menu_link(worker, "Triage")
    check_accessibility(worker)
    worker.get_by_role("link", name="Rosa Amberbrook").click()
    check_accessibility(worker)
    worker.get_by_label("Accept it and assign a link worker", exact=True).check()
    worker.get_by_label("Link worker", exact=True).select_option(label="Lena Kettleshaw")
    worker.get_by_role("button", name="Save").click()
    expect(
        worker.get_by_text(
            f"Triage recorded. Dr Ravi Mossfield (the referrer) and {rosa.gp_practice.name} "
            "(the person's GP practice) can read the message back."
        )
    ).to_be_visible()
    check_accessibility(worker)

    # 3. Conversation 1, in Rosa's words.
    worker.get_by_role("link", name="Record conversation 1: connect").click()
    check_accessibility(worker)
    worker.get_by_label("Who took part").fill("Rosa and Lena, at Rosa's home")
    worker.get_by_label("Summary in the person's own words").fill(
        "I want a reason to get out of the house again"
    )
    worker.get_by_label("What matters to the person").fill("Company, and getting back to walking")
    worker.get_by_label("What they want to do").fill("Join a walking group and a cooking club")
    worker.get_by_role("button", name="Save").click()
    expect(worker.get_by_text("Conversation 1: connect recorded.")).to_be_visible()

    # 4. A goal set with Rosa.
    worker.get_by_role("link", name="Set a goal with Rosa").click()
    check_accessibility(worker)
    worker.get_by_label("My goal").fill("Walk with other people every week by the spring")
    worker.get_by_label("Steps I will take").fill("Try the walking group; ask Jess to come the first time")
    worker.get_by_label("Who will help").fill("Lena and Jess")
    worker.get_by_role("button", name="Save the goal").click()
    expect(worker.get_by_text("The goal is added.")).to_be_visible()
    check_accessibility(worker)

    # 5. Two connections.
    worker.goto(f"/referrals/{referral.pk}/")
    check_accessibility(worker)
    _connect(worker, at_capacity, check_accessibility)
    _connect(worker, welcoming, check_accessibility)
    assert Connection.objects.filter(referral=referral, status="requested").count() == 2

    # 6. The first organisation is at capacity.
    otis = new_page()
    sign_in(otis, EMAIL[Role.ORGANISATION_MEMBER])
    _open_in_inbox(otis, at_capacity)
    check_accessibility(otis)
    expect(otis.get_by_text("Company, and getting back to walking")).to_be_visible()
    otis.get_by_label("Rejected", exact=True).check()
    otis.get_by_label("If you reject it, why?").select_option(label="At capacity")
    otis.get_by_role("button", name="Change the status").click()
    expect(otis.get_by_text("Status changed.")).to_be_visible()
    check_accessibility(otis)

    # 7. The second accepts, and records that Rosa came.
    femi = new_page()
    sign_in(femi, SECOND_MEMBER)
    _open_in_inbox(femi, welcoming)
    femi.get_by_label("Accepted", exact=True).check()
    femi.get_by_role("button", name="Change the status").click()
    expect(femi.get_by_text("Status changed.")).to_be_visible()
    check_accessibility(femi)
    # The session is on the day the connection was made (in London): one before it is refused.
    made_on = timezone.localdate(Connection.objects.get(referral=referral, service=welcoming).requested_at)
    femi.get_by_label("Date of the session").fill(made_on.isoformat())
    femi.get_by_label("Yes", exact=True).check()
    femi.get_by_role("button", name="Record attendance").click()
    expect(femi.get_by_text("Attendance recorded.")).to_be_visible()
    expect(femi.get_by_text("1 session attended.")).to_be_visible()
    check_accessibility(femi)

    # The rejection is back with the link worker, with an alert.
    worker.goto(f"/referrals/{referral.pk}/")
    expect(
        worker.get_by_text(f"marked the connection to {at_capacity.name} rejected: At capacity")
    ).to_be_visible()
    check_accessibility(worker)

    # 8. Rosa signs in, updates her goal and sees who looked at her record.
    person = new_page()
    sign_in(person, EMAIL[Role.RESIDENT])
    click_menu_link(person, "My record")
    check_accessibility(person)
    person.get_by_role("link", name="Update “Walk with other people every week by the spring”").click()
    check_accessibility(person)
    person.get_by_label("Started", exact=True).check()
    person.get_by_label("What has happened").fill("Went on my first walk on Tuesday")
    person.get_by_role("button", name="Save the update").click()
    expect(person.get_by_text("The goal is updated.")).to_be_visible()
    person.get_by_role("link", name="See who has looked at your record").first.click()
    expect(person).to_have_url(re.compile(r"/who-has-looked/"))
    table = person.locator("table").inner_text()
    assert "Lena Kettleshaw" in table
    assert "Otis Fernwick" in table
    assert "Femi Foodwell" in table
    check_accessibility(person)

    # 9. The GP reads the message back.
    click_menu_link(gp, "My referrals")
    check_accessibility(gp)
    gp.get_by_role("link", name="Referral accepted for Rosa Amberbrook").first.click()
    expect(gp.get_by_role("heading", name="Referral accepted: Rosa Amberbrook")).to_be_visible()
    expect(gp.get_by_text("871731000000106")).to_be_visible()
    check_accessibility(gp)

    # What the journey left behind.
    goal = Goal.objects.get(person=rosa, description="Walk with other people every week by the spring")
    assert (goal.progress, goal.reviews.get().note) == ("started", "Went on my first walk on Tuesday")
    statuses = dict(Connection.objects.filter(referral=referral).values_list("service_id", "status"))
    assert statuses == {at_capacity.pk: "rejected", welcoming.pk: "in-progress"}
    assert Attendance.objects.filter(connection__referral=referral, attended=True).count() == 1
    referral.refresh_from_db()
    assert (referral.status, referral.link_worker.email, referral.open_alerts) == (
        "open",
        EMAIL[Role.LINK_WORKER],
        1,
    )
    assert list(referral.codes.values_list("code", flat=True)) == [
        "871691000000100",
        "871731000000106",
        "1362931000000106",
    ]
    assert MessageBack.objects.filter(referral=referral, event="accepted").count() == 1
    viewers = set(RecordAccess.objects.filter(subject_user=rosa.user).values_list("viewer__email", flat=True))
    assert viewers == {
        EMAIL[Role.LINK_WORKER],
        EMAIL[Role.ORGANISATION_MEMBER],
        SECOND_MEMBER,
        EMAIL[Role.REFERRER],
    }


def test_every_other_journey_page_is_accessible(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
):
    lena = User.objects.get(email=EMAIL[Role.LINK_WORKER])
    case = Referral.objects.filter(link_worker=lena, status="open").order_by("pk").first()
    assert case is not None
    public = new_page()
    public.goto("/refer/yourself/")
    check_accessibility(public)
    public.get_by_role("button", name="Send my referral").click()
    expect(public.get_by_text("There is a problem")).to_be_visible()
    check_accessibility(public)

    worker = new_page()
    sign_in(worker, EMAIL[Role.LINK_WORKER])
    team = case.team_id
    for path in [
        f"/caseload/team/{team}/",
        f"/caseload/team/{team}/?worker={lena.pk}",
        f"/caseload/team/{team}/budget/",
        "/caseload/?sort=last_contact&overdue=on",
        f"/referrals/{case.pk}/next-action/",
        f"/referrals/{case.pk}/contacts/new/",
        f"/referrals/{case.pk}/conversations/2/new/",
        f"/referrals/{case.pk}/conversations/3/new/",
        f"/referrals/{case.pk}/small-sums/new/",
        f"/referrals/{case.pk}/close/",
        f"/referrals/{case.pk}/connect/",
        f"/people/{case.person_id}/",
        f"/people/{case.person_id}/edit/contact/",
        f"/people/{case.person_id}/edit/consent/",
        f"/people/{case.person_id}/network/",
        f"/people/{case.person_id}/safeguarding/",
    ]:
        response = worker.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(worker)
    worker.goto(f"/referrals/{case.pk}/small-sums/new/")
    worker.get_by_label("Amount (£)").fill("900")
    worker.get_by_role("button", name="Save").click()
    expect(
        worker.get_by_text("A small sum is at most £500; for more, talk to your supervisor").first
    ).to_be_visible()
    check_accessibility(worker)

    rosa = new_page()
    sign_in(rosa, EMAIL[Role.RESIDENT])
    for path in [
        "/me/download/",
        "/me/connect/",
        "/me/edit/about/",
        "/me/edit/consent/",
        "/me/plan/",
        "/me/goals/new/",
    ]:
        response = rosa.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(rosa)


def test_a_self_referral_sent_again_after_the_back_button_makes_one_referral(page: Page):
    """Chromium fetches the form again on the way back (a new one-time token) and puts back what was
    typed; sending it again is the same answers from the same session, so nothing new is made."""
    page.goto("/refer/yourself/")
    page.get_by_label("First name").fill("Wren")
    page.get_by_label("Last name").fill("Backbutton")
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("9")
    born.get_by_label("Month").fill("3")
    born.get_by_label("Year").fill("1988")
    page.get_by_label("Female", exact=True).check()
    page.get_by_label("Postcode").fill("M33 7AA")
    page.get_by_label("Phone call", exact=True).check()
    page.get_by_label("Phone number").fill("07700 900456")
    page.get_by_label("Loneliness or isolation", exact=True).check()
    page.get_by_label("I have read how my information will be used").check()
    page.get_by_role("button", name="Send my referral").click()
    expect(page.get_by_role("heading", name="We have your referral")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("First name")).to_have_value("Wren")
    page.get_by_role("button", name="Send my referral").click()
    expect(page.get_by_role("heading", name="We have your referral")).to_be_visible()
    expect(
        page.get_by_text("You already sent this form with these answers, so nothing new was made.")
    ).to_be_visible()
    assert Referral.objects.filter(person__family_name="Backbutton").count() == 1
