"""Closed-loop connections in the database: each side makes only its own moves; a refusal changes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.html import escape

from commonweal.audit.models import AuditEvent
from commonweal.referrals import actions
from commonweal.referrals.actions import JourneyError
from commonweal.referrals.models import Attendance, Connection, ConnectionTransition, Referral
from commonweal.referrals.tests.factories import connection_for, open_case, referral_for
from commonweal.referrals.workflow import NEXT, SET_BY, Party, Status


def _snapshot(connection):
    connection = Connection.objects.get(pk=connection.pk)
    referral = Referral.objects.get(pk=connection.referral_id)
    return (
        connection.status,
        connection.status_reason,
        connection.rejection_reason,
        connection.needs_attention,
        connection.status_changed_at,
        ConnectionTransition.objects.filter(connection=connection).count(),
        referral.open_alerts,
        AuditEvent.objects.count(),
    )


def _reset(connection, status):
    Connection.objects.filter(pk=connection.pk).update(status=status.value, needs_attention=False)
    Referral.objects.filter(pk=connection.referral_id).update(open_alerts=0)
    ConnectionTransition.objects.filter(connection=connection).exclude(from_status="").delete()


def _arguments(target: Status) -> dict[str, str]:
    if target == Status.REJECTED:
        return {"rejection_reason": "at-capacity", "note": ""}
    return {"note": "because"}


@pytest.mark.django_db
@pytest.mark.parametrize("current", list(Status), ids=str)
def test_every_move_from_a_status_by_every_kind_of_user(world, current):
    referral = open_case(world)
    connection = connection_for(world, referral)
    actors = {
        "link worker": (world.link_worker, Party.REQUESTER),
        "the person": (world.resident, Party.REQUESTER),
        "organisation": (world.member, Party.TARGET),
    }
    strangers = [world.other_member, world.colleague, world.outsider_worker, world.referrer]
    for target in Status:
        for name, (user, party) in actors.items():
            _reset(connection, current)
            before = _snapshot(connection)
            legal = target in NEXT[current] and party in SET_BY[target]
            if legal:
                moved = actions.move_connection(
                    connection=connection, to_status=target.value, by=user, **_arguments(target)
                )
                assert moved.status == target.value, (current, target, name)
                last = ConnectionTransition.objects.filter(connection=connection).order_by("pk").last()
                assert (last.from_status, last.to_status, last.party, last.actor_id) == (
                    current.value,
                    target.value,
                    party.value,
                    user.pk,
                )
            else:
                with pytest.raises(JourneyError):
                    actions.move_connection(
                        connection=connection, to_status=target.value, by=user, **_arguments(target)
                    )
                assert _snapshot(connection) == before, (current, target, name)
        for stranger in strangers:
            _reset(connection, current)
            before = _snapshot(connection)
            with pytest.raises(PermissionDenied):
                actions.move_connection(
                    connection=connection, to_status=target.value, by=stranger, **_arguments(target)
                )
            assert _snapshot(connection) == before


@pytest.mark.django_db
def test_a_rejection_by_the_organisation_returns_it_with_an_alert_and_cancelling_yourself_does_not(world):
    referral = open_case(world)
    rejected = connection_for(world, referral)
    actions.move_connection(
        connection=rejected, to_status="rejected", rejection_reason="at-capacity", by=world.member
    )
    cancelled = connection_for(world, referral, world.food)
    actions.move_connection(
        connection=cancelled, to_status="cancelled", note="Rosa changed her mind", by=world.link_worker
    )
    rejected.refresh_from_db()
    cancelled.refresh_from_db()
    referral.refresh_from_db()
    assert (rejected.needs_attention, cancelled.needs_attention, referral.open_alerts) == (True, False, 1)


@pytest.mark.django_db
def test_the_wrong_organisation_cannot_see_or_move_a_connection(world, client_for):
    referral = open_case(world)
    connection = connection_for(world, referral)
    before = _snapshot(connection)
    client = client_for(world.other_member)
    assert client.get(f"/connections/{connection.pk}/").status_code == 403
    assert client.post(f"/connections/{connection.pk}/", {"to_status": "accepted"}).status_code == 403
    assert _snapshot(connection) == before
    assert "Rosa" not in client.get("/inbox/").content.decode()


@pytest.mark.django_db
def test_a_link_worker_cannot_accept_on_the_organisations_behalf_and_is_told_why(world, client_for):
    referral = open_case(world)
    connection = connection_for(world, referral)
    before = _snapshot(connection)
    response = client_for(world.link_worker).post(f"/connections/{connection.pk}/", {"to_status": "accepted"})
    assert response.status_code == 400
    assert "Select a valid choice. accepted is not one of the available choices." in response.content.decode()
    assert _snapshot(connection) == before


@pytest.mark.django_db
def test_rejecting_for_another_reason_needs_words_and_keeps_the_choice(world, client_for):
    referral = open_case(world)
    connection = connection_for(world, referral)
    before = _snapshot(connection)
    response = client_for(world.member).post(
        f"/connections/{connection.pk}/", {"to_status": "rejected", "rejection_reason": "other", "note": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Say why the connection is rejected." in page
    assert '<option value="other" selected>' in page
    assert _snapshot(connection) == before


@pytest.mark.django_db
def test_attendance_only_by_the_organisation_and_only_once_accepted(world, client_for):
    referral = open_case(world)
    connection = connection_for(world, referral)
    # A session on the day the connection was made (in London), so only the rule under test refuses it.
    made_on = timezone.localdate(connection.requested_at)
    with pytest.raises(JourneyError) as raised:
        actions.record_attendance(connection=connection, session_on=made_on, attended=True, by=world.member)
    assert str(raised.value) == "Attendance can be recorded once the connection is accepted; it is requested."
    actions.move_connection(connection=connection, to_status="accepted", by=world.member)
    with pytest.raises(PermissionDenied):
        actions.record_attendance(
            connection=connection, session_on=made_on, attended=True, by=world.link_worker
        )
    response = client_for(world.link_worker).post(
        f"/connections/{connection.pk}/attendance/", {"session_on": made_on.isoformat(), "attended": "yes"}
    )
    assert response.status_code == 403
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client_for(world.member).post(
        f"/connections/{connection.pk}/attendance/", {"session_on": tomorrow.isoformat(), "attended": "yes"}
    )
    assert (
        "Attendance cannot be recorded for a session that has not happened yet." in response.content.decode()
    )
    assert Attendance.objects.count() == 0
    actions.record_attendance(connection=connection, session_on=made_on, attended=False, by=world.member)
    connection.refresh_from_db()
    assert (connection.status, connection.sessions_attended) == ("accepted", 0)


def _before_the_connection(day: datetime.date, made_on: datetime.date) -> str:
    return (
        f"Attendance can only be recorded from {made_on.day} {made_on:%B %Y} (when Rosa Resident was "
        f"connected to Sale Walking Group); {day.day} {day:%B %Y} is before that."
    )


@pytest.mark.django_db
def test_a_session_before_the_connection_was_made_is_refused_and_one_on_that_day_is_recorded(world):
    connection = connection_for(world, open_case(world))
    actions.move_connection(connection=connection, to_status="accepted", by=world.member)
    made_on = timezone.localdate(connection.requested_at)
    day_before = made_on - datetime.timedelta(days=1)
    before = _snapshot(connection)
    with pytest.raises(JourneyError) as raised:
        actions.record_attendance(
            connection=connection, session_on=day_before, attended=True, by=world.member
        )
    assert str(raised.value) == _before_the_connection(day_before, made_on)
    assert raised.value.field == "session_on"
    assert _snapshot(connection) == before
    assert Attendance.objects.count() == 0
    actions.record_attendance(connection=connection, session_on=made_on, attended=True, by=world.member)
    connection.refresh_from_db()
    assert (connection.status, connection.sessions_attended) == ("in-progress", 1)
    assert Attendance.objects.get().session_on == made_on


@pytest.mark.django_db
def test_the_day_a_connection_was_made_is_its_day_in_london(world):
    # 23:30 UTC on 30 June is half past midnight on 1 July in London (British Summer Time).
    made_at = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    referral = actions.accept_referral(
        referral=referral_for(world, at=made_at - datetime.timedelta(days=7)),
        link_worker=world.link_worker,
        by=world.link_worker,
        at=made_at - datetime.timedelta(days=6),
    )
    connection = actions.connect(
        person=world.rosa,
        service=world.walking,
        shared_fields=["what_matters"],
        referral=referral,
        by=world.link_worker,
        at=made_at,
    )
    later = made_at + datetime.timedelta(days=3)
    actions.move_connection(connection=connection, to_status="accepted", by=world.member, at=later)
    with pytest.raises(JourneyError) as raised:
        actions.record_attendance(
            connection=connection,
            session_on=datetime.date(2026, 6, 30),
            attended=True,
            by=world.member,
            at=later,
        )
    assert str(raised.value) == _before_the_connection(datetime.date(2026, 6, 30), datetime.date(2026, 7, 1))
    assert Attendance.objects.count() == 0
    actions.record_attendance(
        connection=connection, session_on=datetime.date(2026, 7, 1), attended=True, by=world.member, at=later
    )
    assert Attendance.objects.get().session_on == datetime.date(2026, 7, 1)


@pytest.mark.django_db
def test_the_attendance_page_shows_a_session_before_the_connection_beside_the_date_and_keeps_it(
    world, client_for
):
    connection = connection_for(world, open_case(world))
    member = client_for(world.member)
    member.post(f"/connections/{connection.pk}/", {"to_status": "accepted"})
    made_on = timezone.localdate(connection.requested_at)
    typed = made_on - datetime.timedelta(days=3)
    before = _snapshot(connection)
    response = member.post(
        f"/connections/{connection.pk}/attendance/",
        {"session_on": typed.isoformat(), "attended": "yes", "note": "Came with her neighbour"},
    )
    page = response.content.decode()
    message = escape(_before_the_connection(typed, made_on))
    assert response.status_code == 400
    assert response.context["form"].errors == {"session_on": [_before_the_connection(typed, made_on)]}
    assert (
        '<span class="nhsuk-error-message" id="attendance_session_on-error">'
        f'<span class="nhsuk-u-visually-hidden">Error:</span> {message}</span>'
    ) in page
    assert f'<a href="#attendance_session_on">{message}</a>' in page
    # What was typed is still there: the date, the answer and the note.
    assert f'<input type="date" name="session_on" value="{typed.isoformat()}"' in page
    assert 'id="attendance_attended_0" name="attended" type="radio" value="yes" checked>' in page
    assert '<input type="text" name="note" value="Came with her neighbour"' in page
    assert _snapshot(connection) == before
    assert Attendance.objects.count() == 0


@pytest.mark.django_db
def test_connecting_is_refused_when_the_service_is_full_or_already_joined(world, client_for):
    referral = open_case(world)
    world.food.accepting_referrals = "no"
    world.food.save()
    with pytest.raises(JourneyError) as raised:
        connection_for(world, referral, world.food)
    assert (
        str(raised.value)
        == "Stretford Food Club is not taking referrals at the moment. Choose another service."
    )
    connection_for(world, referral)
    with pytest.raises(JourneyError) as raised:
        connection_for(world, referral)
    assert str(raised.value) == "Rosa Resident is already connected to Sale Walking Group."
    response = client_for(world.link_worker).post(
        f"/referrals/{referral.pk}/connect/",
        {
            "service": world.walking.pk,
            "shared_fields": ["what_matters"],
            "note": "kept note",
            "person_agreed": "on",
        },
    )
    page = response.content.decode()
    assert "Rosa Resident is already connected to Sale Walking Group." in page
    assert "kept note</textarea>" in page
    assert Connection.objects.count() == 1


@pytest.mark.django_db
def test_the_connect_page_shows_capacity_before_connecting(world, client_for):
    referral = open_case(world)
    world.walking.accepting_referrals = "waiting_list"
    world.walking.waiting_list_band = "1_to_3_months"
    world.walking.save()
    page = (
        client_for(world.link_worker)
        .get(f"/referrals/{referral.pk}/connect/?service={world.walking.pk}")
        .content.decode()
    )
    assert "Waiting list: 1 to 3 months" in page
    assert Connection.objects.count() == 0


@pytest.mark.django_db
def test_only_a_connection_that_can_be_rejected_asks_why_it_is_rejected(world, client_for):
    connection = connection_for(world, open_case(world))
    member = client_for(world.member)
    assert "If you reject it, why?" in member.get(f"/connections/{connection.pk}/").content.decode()
    member.post(f"/connections/{connection.pk}/", {"to_status": "accepted", "note": ""})
    page = member.get(f"/connections/{connection.pk}/").content.decode()
    assert 'value="in-progress"' in page
    assert "reject" not in page.lower()
    assert Connection.objects.get(pk=connection.pk).status == "accepted"


@pytest.mark.django_db
def test_a_note_is_shown_as_from_whoever_asked_for_the_connection(world, client_for):
    asked_by_worker = connection_for(world, open_case(world), shared=["note"])
    asked_by_person = actions.connect_myself(
        person=world.rosa,
        service=world.food,
        shared_fields=["note"],
        note="I love cooking",
        by=world.resident,
    )
    assert (
        "Note from the link worker</dt>"
        in client_for(world.member).get(f"/connections/{asked_by_worker.pk}/").content.decode()
    )
    page = client_for(world.other_member).get(f"/connections/{asked_by_person.pk}/").content.decode()
    assert "Note from the person</dt>" in page
    assert "link worker" not in page


@pytest.mark.django_db
def test_the_persons_own_connect_form_speaks_to_them(world, client_for):
    page = client_for(world.resident).post(f"/me/connect/{world.walking.pk}/", {"note": ""}).content.decode()
    assert "What you agree to share with the organisation" in page
    assert "Your name is always shared, so the organisation knows who is coming." in page
    assert page.count("Confirm that you agree to this connection") == 2
    assert "the person" not in page
    assert "link worker&#x27;s note" not in page
    assert Connection.objects.count() == 0


@pytest.mark.django_db
def test_the_person_can_connect_themselves_and_cancel_but_not_accept(world, client_for):
    client = client_for(world.resident)
    response = client.post(
        f"/me/connect/{world.walking.pk}/", {"shared_fields": ["what_matters"], "person_agreed": "on"}
    )
    assert response.status_code == 302
    connection = Connection.objects.get()
    assert (connection.requested_by, connection.referral) == (world.resident, None)
    with pytest.raises(JourneyError):
        actions.move_connection(connection=connection, to_status="accepted", by=world.resident)
    actions.move_connection(
        connection=connection, to_status="cancelled", note="Found another group", by=world.resident
    )
    connection.refresh_from_db()
    assert connection.status == "cancelled"
