"""Reusable reads about people: who has looked at a record, and a person's goals with their reviews."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, Q, QuerySet

from commonweal.audit.models import RecordAccess
from commonweal.people.core.access_runs import Run, runs_of
from commonweal.people.models import BreakGlassOpening, Goal, GoalReview, Person


def access_log(person: Person) -> QuerySet[RecordAccess]:
    """Return every recorded look at a person's record, with who looked (newest first): their person
    record and anything else about them, such as an administrator's view of their account."""
    looks = Q(subject_type=ContentType.objects.get_for_model(Person), subject_id=person.pk)
    if person.user_id is not None:
        looks |= Q(subject_user_id=person.user_id)
    return RecordAccess.objects.filter(looks).select_related("viewer")


def _access_log_in_chunks(person: Person, chunk: int = 500) -> Iterator[RecordAccess]:
    # Each chunk is a query of its own (after the last row read), so a reader that stops early leaves
    # no database cursor open, unlike QuerySet.iterator().
    log = access_log(person).order_by("-accessed_at", "-pk")
    rows = list(log[:chunk])
    while rows:
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1]
        before = Q(accessed_at__lt=last.accessed_at) | Q(accessed_at=last.accessed_at, pk__lt=last.pk)
        rows = list(log.filter(before)[:chunk])


def access_runs(person: Person, *, chunk: int = 500) -> Iterator[Run[RecordAccess]]:
    """Return the looks at a person's record grouped into runs of repeated views (newest first), read
    lazily, `chunk` rows a query: taking the first few runs reads only the rows they need."""
    return runs_of(_access_log_in_chunks(person, chunk))


def latest_access_runs(person: Person, count: int) -> list[Run[RecordAccess]]:
    """Return the latest `count` runs of looks at a person's record, newest first."""
    return list(islice(access_runs(person), count))


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
