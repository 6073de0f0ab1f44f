"""The timebank's pages as people use them: happy paths, and bad input answered with a clear message on
the page while nothing is written."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from commonweal.audit.models import RecordAccess
from commonweal.timebank import actions
from commonweal.timebank.core.policies import RecordingPolicy
from commonweal.timebank.models import Account, Answer, Movement, Transfer
from commonweal.timebank.tests.world import START


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _both_confirm(world) -> None:
    world.bank.recording_policy = RecordingPolicy.BOTH_CONFIRM.value
    world.bank.save()


def _written() -> tuple[int, int]:
    return Transfer.objects.count(), Movement.objects.count()


def test_a_member_records_the_other_confirms_and_both_statements_show_it(world):
    _both_confirm(world)
    bob = _client(world.bob.user)
    response = bob.post(
        f"/timebank/accounts/{world.bob.pk}/record/",
        {
            "direction": "gave",
            "other": str(world.ann.pk),
            "minutes": "90",
            "category": "gardening",
            "reason": "Hedge",
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get(source=world.ann, destination=world.bob)
    assert transfer.status == Transfer.Status.PENDING
    ann = _client(world.ann.user)
    home = ann.get("/timebank/").content.decode()
    assert f"/timebank/transfers/{transfer.pk}/confirm/" in home
    assert (
        ann.post(f"/timebank/transfers/{transfer.pk}/confirm/", {"account": world.ann.pk}).status_code == 302
    )
    second = ann.post(f"/timebank/transfers/{transfer.pk}/confirm/", {"account": world.ann.pk}, follow=True)
    assert "This exchange is already confirmed; nothing was changed." in second.content.decode()
    assert Movement.objects.filter(transfer=transfer).count() == 2
    ann_page = ann.get(f"/timebank/accounts/{world.ann.pk}/").content.decode()
    bob_page = bob.get(f"/timebank/accounts/{world.bob.pk}/").content.decode()
    assert '<dd class="nhsuk-summary-list__value" id="balance">-90 minutes</dd>' in ann_page
    assert '<dd class="nhsuk-summary-list__value" id="balance">90 minutes</dd>' in bob_page
    assert "Gardening: Hedge" in ann_page and "Gardening: Hedge" in bob_page


@pytest.mark.parametrize(
    ("other", "minutes", "message"),
    [
        ("{bob}", "0", "The time must be more than zero."),
        ("{bob}", "-15", "The time must be more than zero."),
        ("{bob}", "ten", "Enter the time as a whole number of minutes, for example 90"),
        ("{self}", "30", "An account cannot give hours to itself."),
        ("999999", "30", "There is no account number 999999 in Test Timebank."),
        ("abc", "30", "There is no account number abc in Test Timebank."),
    ],
)
def test_bad_input_is_answered_on_the_page_and_nothing_is_written(world, other, minutes, message):
    before = _written()
    other = other.replace("{bob}", str(world.ann.pk)).replace("{self}", str(world.bob.pk))
    response = _client(world.bob.user).post(
        f"/timebank/accounts/{world.bob.pk}/record/",
        {"direction": "gave", "other": other, "minutes": minutes, "category": "other", "reason": "kept"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'value="kept"' in page  # what was typed is kept
    assert _written() == before


def test_the_coordinators_statement_view_is_logged_and_the_member_can_see_it(world):
    response = _client(world.coordinator).get(f"/timebank/accounts/{world.ann.pk}/")
    assert response.status_code == 200
    logged = RecordAccess.objects.get(viewer=world.coordinator, subject_user=world.ann.user)
    assert logged.detail == "Timebank coordinator"
    _client(world.ann.user).get(f"/timebank/accounts/{world.ann.pk}/")
    assert RecordAccess.objects.filter(subject_user=world.ann.user).count() == 1


def test_the_statement_downloads_as_csv(world):
    actions.record_transfer(
        by=world.bob.user, source=world.ann, destination=world.bob, minutes=45, category="cooking"
    )
    response = _client(world.ann.user).get(f"/timebank/accounts/{world.ann.pk}/?format=csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "When,Minutes,Balance after,With,Category,Reason,Transfer,Recorded"
    assert lines[1].split(",")[1:5] == ["-45", "-45", "Bob Birch", "Cooking and meals"]


def test_the_statement_csv_holds_every_movement_where_the_page_shows_the_latest_200(world):
    day = START + datetime.timedelta(days=1)
    rows = [
        actions.PastExchange(world.bob, world.ann, 1, "cooking", day + datetime.timedelta(minutes=n))
        for n in range(205)
    ]
    actions.import_exchanges(by=world.coordinator, bank=world.bank, exchanges=rows)
    lines = _client(world.ann.user).get(f"/timebank/accounts/{world.ann.pk}/?format=csv")
    assert len(lines.content.decode().splitlines()) == 1 + 205
    page = _client(world.ann.user).get(f"/timebank/accounts/{world.ann.pk}/")
    assert len(page.context["lines"]) == 200


def test_the_coordinator_lets_an_applicant_join_and_sets_a_guardian(world):
    coordinator = _client(world.coordinator)
    path = f"/timebank/coordinate/{world.bank.slug}/accounts/{world.applicant.pk}/join/"
    refused = coordinator.post(
        path, {"interviewed_on": "2026-03-01", "interview_notes": "Met at the hub", "references": ""}
    )
    assert "Record who gave references, and when" in refused.content.decode()
    assert Account.objects.get(pk=world.applicant.pk).status == Account.Status.APPLIED
    coordinator.post(
        path, {"interviewed_on": "2026-03-01", "interview_notes": "Met at the hub", "references": "Two"}
    )
    assert Account.objects.get(pk=world.applicant.pk).status == Account.Status.ACTIVE
    support = f"/timebank/coordinate/{world.bank.slug}/accounts/{world.cat.pk}/support/"
    unknown = coordinator.post(support, {"limit_minutes": "", "guardian_email": "nobody@example.org"})
    assert "No one with this e-mail address has an account." in unknown.content.decode()
    coordinator.post(
        support, {"limit_minutes": "120", "needs_support": "on", "guardian_email": world.guardian.email}
    )
    cat = Account.objects.get(pk=world.cat.pk)
    assert (cat.limit_minutes, cat.needs_support, cat.guardian) == (120, True, world.guardian)
    guardian = _client(world.guardian)
    assert guardian.get(f"/timebank/accounts/{cat.pk}/record/").status_code == 200
    guardian.post(
        f"/timebank/accounts/{cat.pk}/record/",
        {"direction": "gave", "other": str(world.ann.pk), "minutes": "30", "category": "companionship"},
    )
    assert Transfer.objects.get(destination=cat).recorded_as == Transfer.RecordedAs.GUARDIAN


def test_broker_group_session_reversal_and_reports(world):
    coordinator = _client(world.coordinator)
    bank = f"/timebank/coordinate/{world.bank.slug}"
    coordinator.post(
        f"{bank}/broker/",
        {
            "source": str(world.ann.pk),
            "destination": str(world.bob.pk),
            "minutes": "60",
            "category": "transport",
        },
    )
    brokered = Transfer.objects.get(source=world.ann, destination=world.bob)
    assert (brokered.recorded_as, brokered.status) == ("broker", "complete")
    unknown = coordinator.post(
        f"{bank}/group-session/",
        {
            "provider": str(world.group.pk),
            "participants": f"{world.ann.pk}, 424242",
            "title": "Walk",
            "minutes_each": "60",
            "category": "events",
        },
    )
    assert "There is no account number 424242 in Test Timebank." in unknown.content.decode()
    coordinator.post(
        f"{bank}/group-session/",
        {
            "provider": str(world.group.pk),
            "participants": f"{world.bob.pk} {world.cat.pk}",
            "title": "Walk",
            "minutes_each": "60",
            "category": "events",
        },
    )
    assert Account.objects.get(pk=world.group.pk).balance_minutes == 120
    coordinator.post(f"{bank}/transfers/{brokered.pk}/reverse/", {"reason": "Wrong member"})
    assert Transfer.objects.filter(reverses=brokered).count() == 1
    report = coordinator.get(f"{bank}/reports/").content.decode()
    assert "Hours by category" in report
    csv = coordinator.get(f"{bank}/reports/categories.csv").content.decode().splitlines()
    assert csv == [
        "Category,Transfers,Hours",
        "Events and group activities,2,2.0",  # a tie in hours: by the category's key
        "Lifts and transport,2,2.0",
    ]
    assert coordinator.get(f"{bank}/reports/nothing.csv").status_code == 404


def test_contact_details_pass_only_once_the_poster_agrees(world):
    bob = _client(world.bob.user)
    bob.post(
        f"/timebank/accounts/{world.bob.pk}/offers-and-requests/new/",
        {"kind": "offer", "title": "Help with a laptop", "category": "digital", "expires_on": "2099-01-01"},
    )
    listing = world.bob.listings.get()
    cat = _client(world.cat.user)
    found = cat.get(f"/timebank/accounts/{world.cat.pk}/offers-and-requests/?q=laptop").content.decode()
    assert "Help with a laptop" in found
    path = f"/timebank/accounts/{world.cat.pk}/offers-and-requests/{listing.pk}/"
    cat.post(path, {"message": "Could you help on Tuesday?"})
    assert world.bob.phone not in cat.get(path).content.decode()
    poster = bob.get(f"/timebank/accounts/{world.bob.pk}/offers-and-requests/{listing.pk}/").content.decode()
    assert world.cat.user.email not in poster
    answer = Answer.objects.get(listing=listing)
    bob.post(f"/timebank/accounts/{world.bob.pk}/answers/{answer.pk}/decide/", {"agree": "yes"})
    assert world.bob.phone in cat.get(path).content.decode()
    assert (
        world.cat.user.email
        in bob.get(f"/timebank/accounts/{world.bob.pk}/offers-and-requests/{listing.pk}/").content.decode()
    )
    bad = cat.post(
        f"/timebank/accounts/{world.cat.pk}/offers-and-requests/new/",
        {"kind": "request", "title": "", "category": "other", "expires_on": "2001-01-01"},
    )
    assert "Give a short title" in bad.content.decode()
