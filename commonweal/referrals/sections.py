"""This app's part of a person's own record: referrals, conversations, connections, messages back."""

from __future__ import annotations

from typing import Any

from commonweal.accounts.models import User
from commonweal.people.models import Person
from commonweal.people.record_sections import RecordSection


def _collect(person: Person) -> dict[str, Any]:
    from commonweal.referrals.queries import journey_of

    return {"journey": journey_of(person)}


def _export(person: Person) -> dict[str, Any]:
    from commonweal.referrals.queries import journey_export

    return journey_export(person)


def _collect_for_staff(person: Person, viewer: User) -> dict[str, Any]:
    from commonweal.referrals.queries import journey_summary

    journey = journey_summary(person)
    open_referral = next((referral for referral in journey.referrals if referral.is_open), None)
    return {"journey": journey, "open_referral": open_referral}


JOURNEY_SECTION = RecordSection(
    key="journey",
    title="Your social prescribing",
    template="referrals/_my_journey.html",
    collect=_collect,
    export=_export,
    staff_template="referrals/_staff_journey.html",
    collect_for_staff=_collect_for_staff,
)
