"""This app's part of a person's record: their questionnaires and progress (own page, download, staff)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.people.models import Person
from commonweal.people.record_sections import RecordSection


def _latest(person: Person) -> list[dict[str, Any]]:
    from commonweal.measures.queries import histories

    found = []
    for history in histories(person):
        for trend in history.trends:
            if trend.rows:
                found.append({"history": history, "trend": trend, "row": trend.rows[-1]})
    return found


def _collect(person: Person) -> dict[str, Any]:
    from commonweal.measures.queries import due_for_person

    return {"measures_latest": _latest(person), "measures_due": due_for_person(person, timezone.localdate())}


def _collect_for_staff(person: Person, viewer: User) -> dict[str, Any]:
    from commonweal.measures.queries import open_alerts_of

    return {"measures_latest": _latest(person), "measures_open_alerts": list(open_alerts_of(person))}


def _day(moment: Any) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat()


def _export(person: Person) -> dict[str, Any]:
    from commonweal.measures.models import Response

    return {
        "questionnaires": [
            {
                "instrument": response.instrument_code,
                "instrument_version": response.instrument_version,
                "language": response.language,
                "how": response.get_mode_display(),
                "status": response.get_status_display(),
                "version": response.version,
                "correction_reason": response.correction_reason,
                "started_at": _day(response.started_at),
                "submitted_at": _day(response.submitted_at),
                "answers": response.answers,
            }
            for response in Response.objects.filter(person=person).order_by("started_at", "pk")
        ],
        "planned": [
            {
                "instrument": item.instrument_code,
                "time_point": item.timepoint_label,
                "due_on": item.due_on.isoformat(),
                "answered_at": _day(item.completed_at),
            }
            for item in person.scheduled_measures.order_by("due_on", "pk")
        ],
        "safety_alerts": [
            {
                "raised_at": _day(alert.raised_at),
                "reason": alert.reason,
                "status": alert.get_status_display(),
                "action_taken": alert.action_taken,
            }
            for alert in person.safety_alerts.order_by("raised_at", "pk")
        ],
    }


MEASURES_SECTION = RecordSection(
    key="measures",
    title="Your wellbeing questionnaires",
    template="measures/_record_section.html",
    collect=_collect,
    export=_export,
    staff_template="measures/_staff_record_section.html",
    collect_for_staff=_collect_for_staff,
)
