"""Reusable reads about people: who has looked at a record, and a person's goals with their reviews."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet

from commonweal.audit.models import RecordAccess
from commonweal.people.models import BreakGlassOpening, Goal, GoalReview, Person


def access_log(person: Person) -> QuerySet[RecordAccess]:
    """Return every recorded look at a person's record, with who looked (newest first): their person
    record and anything else about them, such as an administrator's view of their account."""
    looks = Q(subject_type=ContentType.objects.get_for_model(Person), subject_id=person.pk)
    if person.user_id is not None:
        looks |= Q(subject_user_id=person.user_id)
    return RecordAccess.objects.filter(looks).select_related("viewer")


def goals_of(person: Person) -> list[Goal]:
    """Return a person's goals, soonest target first, with their reviews and reviewers (two queries)."""
    return list(
        person.goals.prefetch_related(
            Prefetch("reviews", queryset=GoalReview.objects.select_related("reviewed_by"))
        ).order_by("target_date", "pk")
    )


def break_glass_openings(*, reviewed: bool) -> QuerySet[BreakGlassOpening]:
    """Return break-glass openings waiting for review (oldest first) or reviewed (latest first)."""
    found = BreakGlassOpening.objects.select_related("opened_by", "reviewed_by").filter(
        reviewed_at__isnull=not reviewed
    )
    return found.order_by("-reviewed_at", "-pk") if reviewed else found.order_by("opened_at", "pk")
