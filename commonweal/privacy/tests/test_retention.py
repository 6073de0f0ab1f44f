"""The retention schedule is data; the sweep anonymises or erases what is due and keeps a report."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from commonweal.audit.models import AuditEvent
from commonweal.audit.queries import chain_break
from commonweal.evidence.models import Story
from commonweal.privacy.retention import ScheduleError, load_schedule, sweep
from commonweal.referrals.models import Referral
from commonweal.referrals.tests.factories import referral_for
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)


def test_the_schedule_names_real_models_fields_periods_and_legal_bases() -> None:
    kinds = {kind.model: kind for kind in load_schedule()}
    assert kinds["referrals.Referral"].action == "anonymise"
    assert kinds["referrals.Referral"].years == 8
    assert kinds["evidence.Story"].action == "erase"
    assert all(kind.legal_basis for kind in kinds.values())


def test_a_schedule_naming_no_such_model_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    schedule = tmp_path / "retention.toml"
    schedule.write_text(
        '[[kind]]\nmodel = "people.Nobody"\nfrom = "x"\nyears = 1\naction = "erase"\nlegal_basis = "x"\n'
    )
    with pytest.raises(ScheduleError, match=r"no such model: 'people\.Nobody'"):
        load_schedule(schedule)


def _closed(world: Any, closed_at: datetime.datetime, detail: str) -> Referral:
    referral = referral_for(world, PersonFactory.create(), reason_detail=detail)
    Referral.objects.filter(pk=referral.pk).update(closed_at=closed_at, closure_note=f"closed: {detail}")
    return referral


@pytest.fixture
def due(world: Any) -> dict[str, Any]:
    old = _closed(world, NOW - datetime.timedelta(days=365 * 9), "lonely since her husband died")
    recent = _closed(world, NOW - datetime.timedelta(days=365), "wants to garden")
    story = Story.objects.create(
        dashboard="referrals",
        title="Allotment",
        text="Rosa's story",
        told_on=datetime.date(2025, 1, 1),
        consent_method="written",
        consent_given_on=datetime.date(2025, 1, 1),
        consent_recorded_by=world.link_worker,
        withdrawn_at=NOW - datetime.timedelta(days=40),
        withdrawn_by=world.link_worker,
    )
    return {"old": old, "recent": recent, "story": story}


def test_a_dry_run_counts_what_is_due_and_changes_nothing(due: dict[str, Any]) -> None:
    events = AuditEvent.objects.count()
    reports = {report.model: report for report in sweep(at=NOW, dry_run=True)}
    assert (reports["referrals.Referral"].due, reports["referrals.Referral"].done) == (1, 1)
    assert reports["evidence.Story"].done == 1
    due["old"].refresh_from_db()
    assert due["old"].reason_detail == "lonely since her husband died"
    assert Story.objects.filter(pk=due["story"].pk).exists()
    assert AuditEvent.objects.count() == events


def test_the_sweep_anonymises_and_erases_what_is_due_and_keeps_its_report(due: dict[str, Any]) -> None:
    reports = {report.model: report for report in sweep(at=NOW)}
    old, recent = Referral.objects.get(pk=due["old"].pk), Referral.objects.get(pk=due["recent"].pk)
    assert (old.reason_detail, old.closure_note, old.reasons) == ("", "", [])
    assert old.person_id == due["old"].person_id  # the row stays for counts
    assert recent.reason_detail == "wants to garden"
    assert not Story.objects.filter(pk=due["story"].pk).exists()
    assert reports["referrals.Referral"].done == 1
    event = AuditEvent.objects.get(action="privacy.retention_sweep")
    assert event.detail["report"]["referrals.Referral"] == {
        "model": "referrals.Referral",
        "action": "anonymise",
        "due": 1,
        "done": 1,
        "problem": "",
    }
    assert event.detail["report"]["evidence.Story"]["done"] == 1
    assert chain_break(AuditEvent) is None


def test_a_second_sweep_finds_nothing_left_to_anonymise(due: dict[str, Any]) -> None:
    sweep(at=NOW)
    again = {report.model: report for report in sweep(at=NOW)}
    assert again["referrals.Referral"].due == 1
    assert again["referrals.Referral"].done == 0


def test_the_command_reports_counts_per_kind(due: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    call_command("retention_sweep", dry_run=True)
    out = capsys.readouterr().out
    assert "referrals.Referral: " in out
    assert "Dry run: nothing was changed" in out
