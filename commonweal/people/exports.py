"""A person's copy of everything held about them (their right of access), as plain JSON values."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from commonweal.people import queries, record_sections
from commonweal.people.models import Person, Plan

ABOUT_THIS_FILE = (
    "Everything Commonweal holds about you. Safeguarding notes that staff record are withheld "
    "where sharing them could cause serious harm; ask the service's data protection officer "
    "about them."
)


def export_person(person: Person) -> dict[str, Any]:
    """Return everything held about a person as plain JSON values (staff-only safeguarding withheld)."""
    plan = Plan.objects.filter(person=person).first()
    document: dict[str, Any] = {
        "exported_at": timezone.localtime().isoformat(),
        "about_this_file": ABOUT_THIS_FILE,
        "record": _record(person),
        "network": [
            {"kind": member.get_kind_display(), "name": member.name, "note": member.note}
            for member in person.network.all()
        ],
        "plan": plan.summary if plan else "",
        "goals": _goals(person),
        "who_has_looked_at_my_record": [
            {
                "at": timezone.localtime(entry.accessed_at).isoformat(),
                "who": entry.viewer.full_name,
                "why": entry.get_reason_display(),
                "detail": entry.detail,
            }
            for entry in queries.access_log(person)
        ],
    }
    # The parts of the record that other apps hold (the journey, measures …) add themselves.
    for section in record_sections.sections():
        document[section.key] = section.export(person)
    return document


def _record(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "sex": person.get_sex_display(),
        "ethnicity": person.get_ethnicity_display(),
        "nhs_number": person.nhs_number,
        "postcode": person.postcode,
        "area": person.lsoa.name if person.lsoa else None,
        "deprivation_decile": person.lsoa.imd_decile if person.lsoa else None,
        "gp_practice": person.gp_practice.name if person.gp_practice else None,
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "contact_preferences": person.contact_method_labels,
        "language": person.language,
        "needs_interpreter": person.needs_interpreter,
        "accessibility_needs": person.accessibility_need_labels,
        "accessibility_notes": person.accessibility_notes,
        "what_matters_to_me": person.what_matters,
        "strengths": person.strengths,
        "interests": person.interests,
        "free_times": person.free_time_labels,
        "consent": {
            "gp_and_referrer_may_be_told": person.get_gp_sharing_display(),
            "organisations_may_contact_me": person.organisations_may_contact,
        },
    }


def _goals(person: Person) -> list[dict[str, Any]]:
    return [
        {
            "goal": goal.description,
            "steps": goal.steps,
            "who_helps": goal.who_helps,
            "target_date": goal.target_date.isoformat() if goal.target_date else None,
            "progress": goal.get_progress_display(),
            "reviews": [
                {
                    "at": timezone.localtime(review.reviewed_at).isoformat(),
                    "by": review.reviewed_by.full_name if review.reviewed_by else None,
                    "progress": review.get_progress_display(),
                    "note": review.note,
                }
                for review in goal.reviews.all()
            ],
        }
        for goal in queries.goals_of(person)
    ]
