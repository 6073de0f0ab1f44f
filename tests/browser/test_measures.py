"""Issue 5's safety route in a real browser: a person answers PHQ-9 with item 9 above zero and sees crisis
contacts at once; their link worker and the team's supervisor see the alert; an alert nobody acknowledges
escalates; acknowledging it records the action taken. Every page passes an axe scan."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.utils import timezone
from playwright.sync_api import Page, expect

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.demo.builder import DEMO_LOGINS, DEMO_PASSWORD
from commonweal.measures.actions import escalate_overdue_alerts
from commonweal.measures.models import AlertDelivery, SafetyAlert
from commonweal.referrals.actions import accept_referral, make_referral
from commonweal.referrals.models import (
    Referral,
    ReferralReason,
    ReferralSource,
    ReferralStatus,
    TeamSupervisor,
)
from tests.browser.conftest import click_menu_link, sign_in

RESIDENT = next(login for login in DEMO_LOGINS if login.role == Role.RESIDENT)
LINK_WORKER = next(login for login in DEMO_LOGINS if login.role == Role.LINK_WORKER)
PHQ9_ANSWERS = ["Several days"] * 8 + ["More than half the days", "Somewhat difficult"]


def _cast() -> tuple[User, User]:
    """Put the demo resident back on Lena's caseload, and give Lena's team a supervisor other than Lena.

    In the demo, Rosa's case with Lena closed in the summer and Lena supervises her own team; the safety
    route is shown here with an open case and a second person to tell, as most teams have.
    """
    lena = User.objects.get(email=LINK_WORKER.email)
    rosa = User.objects.get(email=RESIDENT.email).person
    team = RoleAssignment.objects.get(user=lena, role=Role.LINK_WORKER).organisation
    assert team is not None
    if not Referral.objects.filter(person=rosa, status=ReferralStatus.OPEN, link_worker=lena).exists():
        referral = make_referral(
            person=rosa, team=team, source=ReferralSource.SELF, reasons=[ReferralReason.LOW_MOOD], by=None
        )
        accept_referral(referral=referral, link_worker=lena, by=lena)
    supervisor = User.objects.create_user(
        "supervisor.measures@demo.commonweal.invalid", DEMO_PASSWORD, full_name="Suki Tallowfield"
    )
    grant_role(user=supervisor, role=Role.LINK_WORKER, organisation=team, by=None)
    TeamSupervisor.objects.create(team=team, user=supervisor)
    return lena, supervisor


def _menu(page: Page, label: str) -> None:
    click_menu_link(page, label)


def _answer_phq9(page: Page, check_accessibility: Callable[[Page], None]) -> None:
    _menu(page, "My wellbeing")
    expect(page.get_by_role("heading", name="Your wellbeing", exact=True)).to_be_visible()
    check_accessibility(page)
    page.get_by_role("radio", name="Patient Health Questionnaire (PHQ-9)").check()
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name="Patient Health Questionnaire (PHQ-9)")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Start now").click()
    for number, answer in enumerate(PHQ9_ANSWERS, start=1):
        expect(page).to_have_url(re.compile(rf"/answer/{number}/$"))
        if number == 1:
            check_accessibility(page)
        page.get_by_label(answer, exact=True).check()
        page.get_by_role("button", name="Continue").click()
        if number == 9:
            # The crisis contacts appear as soon as the item 9 answer is saved, before anything is submitted.
            expect(
                page.get_by_role("heading", name="Thank you for telling us. If you need help now")
            ).to_be_visible()
            expect(page.get_by_role("link", name="116 123")).to_be_visible()
            expect(page.get_by_role("link", name="111", exact=True)).to_be_visible()
            check_accessibility(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Answers submitted")).to_be_visible()
    expect(page.get_by_role("link", name="116 123")).to_be_visible()
    check_accessibility(page)


def test_an_item_9_answer_alerts_the_link_worker_and_supervisor_escalates_and_is_acknowledged(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
):
    worker, supervisor = _cast()
    resident = User.objects.get(email=RESIDENT.email)
    person_name = resident.full_name

    person_page = new_page()
    sign_in(person_page, RESIDENT.email)
    _answer_phq9(person_page, check_accessibility)
    alert = SafetyAlert.objects.get(
        person__user=resident, status=SafetyAlert.Status.OPEN, instrument_code="phq-9"
    )
    assert (alert.responsible_worker, alert.answer) == (worker, 2)

    worker_page = new_page()
    sign_in(worker_page, worker.email)
    _menu(worker_page, "Safety alerts")
    open_alerts = worker_page.get_by_role("table").filter(has_text="Open alerts")
    expect(open_alerts.get_by_role("row").filter(has_text=person_name)).to_be_visible()
    check_accessibility(worker_page)

    supervisor_page = new_page()
    sign_in(supervisor_page, supervisor.email)
    _menu(supervisor_page, "Safety alerts")
    row = (
        supervisor_page.get_by_role("table")
        .filter(has_text="Open alerts")
        .get_by_role("row")
        .filter(has_text=person_name)
    )
    expect(row).to_contain_text("Not escalated")
    check_accessibility(supervisor_page)

    # Nobody acknowledges it in time: the sweep escalates it to the whole team.
    escalated = escalate_overdue_alerts(at=alert.raised_at + datetime.timedelta(minutes=61))
    assert alert.pk in [item.pk for item in escalated]  # with the demo's older open alerts
    supervisor_page.reload()
    expect(row).to_contain_text("Escalated (level 1)")
    row.get_by_role("link").click()
    expect(supervisor_page.get_by_role("heading", name="Safety alert")).to_be_visible()
    expect(supervisor_page.get_by_role("row").filter(has_text="(escalation 1)").first).to_be_visible()
    check_accessibility(supervisor_page)
    assert AlertDelivery.objects.filter(alert=alert, escalation_level=1, recipient=supervisor).exists()

    worker_page.reload()
    worker_page.get_by_role("table").filter(has_text="Open alerts").get_by_role("row").filter(
        has_text=person_name
    ).get_by_role("link").click()
    action = "Phoned straight away; agreed a safety plan and a GP appointment tomorrow."
    worker_page.get_by_label("What action did you take?").fill("ok")
    worker_page.get_by_role("button", name="Acknowledge and record the action").click()
    expect(
        worker_page.get_by_text("Say more about the action you took (at least 10 characters)").first
    ).to_be_visible()
    check_accessibility(worker_page)
    worker_page.get_by_label("What action did you take?").fill(action)
    worker_page.get_by_role("button", name="Acknowledge and record the action").click()
    expect(worker_page.get_by_text("Alert acknowledged. The action you took is recorded.")).to_be_visible()
    expect(worker_page.locator("#action-taken")).to_have_text(action)
    check_accessibility(worker_page)
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.action_taken) == (
        SafetyAlert.Status.ACKNOWLEDGED,
        worker,
        action,
    )
    assert alert.acknowledged_at is not None and alert.acknowledged_at <= timezone.now()

    # The rest of the staff side: the person's questionnaires with trends, the answers, a correction form.
    worker_page.get_by_role("link", name=f"See {person_name}'s questionnaires").click()
    expect(worker_page.get_by_role("heading", name="Questionnaires and progress")).to_be_visible()
    expect(worker_page.locator("svg.cw-chart").first).to_be_visible()
    check_accessibility(worker_page)
    worker_page.go_back()
    worker_page.get_by_role("link", name="See the answers").click()
    expect(worker_page.get_by_role("heading", name="Patient Health Questionnaire (PHQ-9)")).to_be_visible()
    check_accessibility(worker_page)
    worker_page.get_by_role("button", name="Correct these answers").click()
    expect(worker_page.get_by_role("heading", name="Correct these answers")).to_be_visible()
    check_accessibility(worker_page)
    worker_page.goto("/measures/instruments/")
    expect(worker_page.get_by_role("heading", name="About the questionnaires")).to_be_visible()
    check_accessibility(worker_page)
