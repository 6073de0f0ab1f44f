"""Schedules: a baseline at first contact and follow-ups at configurable intervals, reminders through the task
queue, the overdue list, and the `commonweal measures_reminders` sweep."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from commonweal.measures import actions, queries
from commonweal.measures.models import MeasureSchedule, ScheduledMeasure
from commonweal.measures.tests.conftest import open_case
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the sweep, then the reminders it queued, as the worker does once the sweep is committed."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return actions.run_sweep(**kwargs)

    return run


def _due_dates(person) -> list[tuple[str, int, datetime.date]]:
    return list(
        ScheduledMeasure.objects.filter(person=person)
        .order_by("due_on", "instrument_code")
        .values_list("instrument_code", "weeks_after_baseline", "due_on")
    )


def test_a_schedule_plans_a_baseline_and_each_follow_up_for_each_instrument(cast):
    schedule = actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9", "ons4"],
        baseline_on=DAY,
        follow_up_weeks=[6, 12],
        by=cast.lena,
    )
    assert (schedule.origin, schedule.created_by) == (MeasureSchedule.Origin.LINK_WORKER, cast.lena)
    assert _due_dates(cast.rosa) == [
        ("ons4", 0, datetime.date(2026, 3, 2)),
        ("phq-9", 0, datetime.date(2026, 3, 2)),
        ("ons4", 6, datetime.date(2026, 4, 13)),
        ("phq-9", 6, datetime.date(2026, 4, 13)),
        ("ons4", 12, datetime.date(2026, 5, 25)),
        ("phq-9", 12, datetime.date(2026, 5, 25)),
    ]


@pytest.mark.parametrize(
    ("instruments", "weeks", "message"),
    [
        ([], [6], "Choose at least one questionnaire."),
        (["no-such"], [6], "There is no instrument 'no-such' here."),
        (["phq-9"], [12, 6], "Give the follow-up weeks as different whole numbers above 0, e.g. 6, 12."),
        (["phq-9"], [0], "Give the follow-up weeks as different whole numbers above 0, e.g. 6, 12."),
    ],
)
def test_a_schedule_with_bad_choices_is_refused_and_nothing_is_planned(cast, instruments, weeks, message):
    with pytest.raises(actions.MeasureError) as refused:
        actions.schedule_measures(
            person=cast.rosa, instruments=instruments, baseline_on=DAY, follow_up_weeks=weeks, by=cast.lena
        )
    assert str(refused.value) == message
    assert MeasureSchedule.objects.count() == 0


def test_first_contact_starts_the_default_schedule_once(cast, settings):
    settings.MEASURES_DEFAULT_INSTRUMENTS = "ons4,phq-9"
    settings.MEASURES_FOLLOW_UP_WEEKS = "6,12"
    seen = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 30))
    cast.case.received_at = seen - datetime.timedelta(days=5)
    cast.case.first_seen_at = seen
    cast.case.save()
    (schedule,) = actions.schedule_first_contact_baselines(at=seen + datetime.timedelta(hours=1))
    assert (schedule.origin, schedule.baseline_on, schedule.instruments, schedule.follow_up_weeks) == (
        MeasureSchedule.Origin.FIRST_CONTACT,
        DAY,
        ["ons4", "phq-9"],
        [6, 12],
    )
    assert actions.schedule_first_contact_baselines(at=seen + datetime.timedelta(days=1)) == []
    assert ScheduledMeasure.objects.filter(person=cast.rosa).count() == 6


def test_a_case_not_yet_seen_gets_no_schedule(cast):
    assert actions.schedule_first_contact_baselines() == []


def test_the_reminder_emails_a_fresh_one_time_link(cast, settings, mailoutbox, sweep):
    settings.SITE_URL = "https://commonweal.example.org"
    cast.rosa.email = "rosa.home@example.org"
    cast.rosa.save()
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=timezone.localdate(),
        follow_up_weeks=[6],
        by=cast.lena,
    )
    report = sweep()
    assert (report.baselines_scheduled, report.reminders_queued, report.alerts_escalated) == (0, 1, 0)
    (mail,) = mailoutbox
    assert (mail.to, mail.subject) == (
        ["rosa.home@example.org"],
        "A short questionnaire from your link worker",
    )
    assert "https://commonweal.example.org/measures/link/" in mail.body
    baseline = ScheduledMeasure.objects.get(person=cast.rosa, weeks_after_baseline=0)
    assert baseline.reminders_sent == 1
    assert baseline.reminder_note.startswith("Reminder e-mailed on ")
    assert baseline.links.count() == 1
    # Not again until the reminder interval has passed.
    assert sweep().reminders_queued == 0


def test_a_person_without_email_is_not_reminded_and_the_list_says_why(cast, mailoutbox, sweep):
    cast.rosa.user.email = ""
    cast.rosa.user.save()
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=timezone.localdate(),
        follow_up_weeks=[6],
        by=cast.lena,
    )
    sweep()
    baseline = ScheduledMeasure.objects.get(person=cast.rosa, weeks_after_baseline=0)
    assert (baseline.reminders_sent, baseline.reminder_note) == (
        0,
        "Not reminded: no e-mail address is recorded. Contact the person another way.",
    )
    assert mailoutbox == []


def test_a_person_who_asked_not_to_be_contacted_is_not_reminded(cast, mailoutbox, sweep):
    cast.rosa.contact_methods = ["none"]
    cast.rosa.save()
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=timezone.localdate(),
        follow_up_weeks=[6],
        by=cast.lena,
    )
    sweep()
    baseline = ScheduledMeasure.objects.get(person=cast.rosa, weeks_after_baseline=0)
    assert (
        baseline.reminder_note
        == "Not reminded: the person asked not to be contacted. Follow up in a conversation."
    )
    assert mailoutbox == []


def test_reminders_stop_after_the_maximum(cast, settings, mailoutbox, sweep):
    settings.MEASURES_MAX_REMINDERS = 2
    settings.MEASURES_REMINDER_EVERY_DAYS = 7
    start = timezone.now()
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=timezone.localdate(),
        follow_up_weeks=[6],
        by=cast.lena,
    )
    queued = [sweep(at=start + datetime.timedelta(days=days)).reminders_queued for days in (0, 7, 14)]
    assert queued == [1, 1, 0]
    assert len(mailoutbox) == 2


def test_the_overdue_list_shows_the_caseload_only(cast, settings):
    settings.MEASURES_OVERDUE_AFTER_DAYS = 14
    today = datetime.date(2026, 6, 1)
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=datetime.date(2026, 4, 1),
        follow_up_weeks=[8],
        by=None,
    )
    stranger = PersonFactory()
    actions.schedule_measures(
        person=stranger,
        instruments=["phq-9"],
        baseline_on=datetime.date(2026, 4, 1),
        follow_up_weeks=[8],
        by=None,
    )
    due = [(m.person, m.weeks_after_baseline) for m in queries.due_measures(cast.lena, today)]
    assert due == [(cast.rosa, 0), (cast.rosa, 8)]
    overdue = [
        (m.person, m.weeks_after_baseline) for m in queries.due_measures(cast.lena, today, overdue_only=True)
    ]
    assert overdue == [(cast.rosa, 0)]
    assert [m.person for m in queries.due_measures(cast.sam, today)] == [cast.rosa, cast.rosa]
    assert list(queries.due_measures(cast.vic, today)) == []
    open_case(stranger, cast.vic, cast.vic.role_assignments.get().organisation)
    assert [m.person for m in queries.due_measures(cast.vic, today)] == [stranger, stranger]


def test_the_command_runs_the_sweep_and_reports_what_it_did(cast, settings):
    settings.MEASURES_ALERT_ESCALATE_AFTER_MINUTES = 1
    cast.case.first_seen_at = timezone.now() - datetime.timedelta(days=1)
    cast.case.save()
    out = io.StringIO()
    call_command("measures_reminders", stdout=out)
    assert (
        out.getvalue().strip()
        == "1 baseline schedule started, 3 reminders queued, 0 safety alerts escalated."
    )


def test_the_command_stops_with_a_clear_message_on_a_bad_setting(cast, settings):
    settings.MEASURES_FOLLOW_UP_WEEKS = "six, twelve"
    err = io.StringIO()
    with pytest.raises(SystemExit) as stopped:
        call_command("measures_reminders", stderr=err)
    assert stopped.value.code == 2
    assert err.getvalue().strip() == (
        "commonweal measures_reminders: MEASURES_FOLLOW_UP_WEEKS must be whole numbers of weeks separated by "
        "commas, e.g. 6,12; not 'six,twelve'."
    )


def test_a_stranger_has_no_schedule(db):
    assert list(queries.due_for_person(PersonFactory(), datetime.date(2026, 1, 1))) == []
