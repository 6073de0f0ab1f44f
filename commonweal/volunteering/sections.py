"""This app's part of a person's record: their buddies (proposals, matches, contacts), for the person's
own page and download, and for staff with a reason to look (with the way to ask for a buddy)."""

from __future__ import annotations

from typing import Any

from commonweal.accounts.models import User
from commonweal.people.models import Person
from commonweal.people.record_sections import RecordSection


def _matches(person: Person) -> list[Any]:
    from commonweal.volunteering.models import Match

    return list(Match.objects.filter(person=person).select_related("volunteer").order_by("-proposed_at"))


def _collect(person: Person) -> dict[str, Any]:
    return {"buddy_matches": _matches(person)}


def _export(person: Person) -> dict[str, Any]:
    from commonweal.volunteering.models import BuddyRequest, Match

    return {
        "buddy_requests": [
            {
                "asked_on": request.created_at.date().isoformat(),
                "needs": request.needs,
                "what_you_agreed_to_share": request.consent_note,
                "status": request.status,
            }
            for request in BuddyRequest.objects.filter(person=person)
        ],
        "buddy_matches": [
            {
                "volunteer": match.volunteer.full_name,
                "status": match.status,
                "start": match.start_on.isoformat() if match.start_on else None,
                "end": match.end_on.isoformat() if match.end_on else None,
                "why_proposed": match.reasons,
                "contacts": [
                    {"on": c.happened_on.isoformat(), "minutes": c.minutes, "how": c.medium, "notes": c.notes}
                    for c in match.contacts.all()
                ],
            }
            for match in Match.objects.filter(person=person)
            .select_related("volunteer")
            .prefetch_related("contacts")
            .order_by("-proposed_at")
        ],
    }


def _collect_for_staff(person: Person, viewer: User) -> dict[str, Any]:
    from commonweal.volunteering.rules import may_request_buddy

    return {"buddy_matches": _matches(person), "may_request_buddy": may_request_buddy(viewer, person)}


BUDDY_SECTION = RecordSection(
    key="buddies",
    title="Your buddy",
    template="volunteering/_my_buddies.html",
    collect=_collect,
    export=_export,
    staff_template="volunteering/_staff_buddies.html",
    collect_for_staff=_collect_for_staff,
)
