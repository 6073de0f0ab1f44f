"""Reads for households: facts for the task rules, the agenda, the household page and supervision."""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.households import definitions
from commonweal.households.core.tasks import Gap, HouseholdFacts, MemberFacts, Task, VisitFacts, evaluate
from commonweal.households.models import (
    GapStatus,
    Household,
    HouseholdStatus,
    Member,
    MemberCheck,
    Patch,
    PreventionStatus,
    Visit,
    VisitOutcome,
)

RED_AFTER_DAYS = 30


def _start_of(day: datetime.date) -> datetime.datetime:
    """The first moment of a local day: visits are filtered on their indexed time, not a date of it."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def patches_held(user: User) -> QuerySet[Patch]:
    """Return the patches a community health worker holds."""
    return Patch.objects.filter(chw=user)


def patches_supervised(user: User) -> QuerySet[Patch]:
    """Return the patches a user supervises."""
    return Patch.objects.filter(supervisor=user).select_related("chw")


def facts_for(
    households: Iterable[Household], since: datetime.date | None = None
) -> dict[int, HouseholdFacts]:
    """Read the facts the task rules need for many households at once (three queries)."""
    households = list(households)
    ids = [household.pk for household in households]
    visit_query = Visit.objects.filter(household_id__in=ids)
    if since is not None:
        visit_query = visit_query.filter(visited_at__gte=_start_of(since))
    seen: dict[int, set[int]] = defaultdict(set)
    for visit_id, person_id in MemberCheck.objects.filter(visit__in=visit_query).values_list(
        "visit_id", "person_id"
    ):
        seen[visit_id].add(person_id)
    visits: dict[int, list[VisitFacts]] = defaultdict(list)
    zone = timezone.get_current_timezone()  # once: asking for it per visit costs more than the query
    for visit_id, household_id, visited_at, outcome, reasons in visit_query.values_list(
        "pk", "household_id", "visited_at", "outcome", "reasons"
    ):
        visits[household_id].append(
            VisitFacts(
                visited_at.astimezone(zone).date(), outcome, tuple(reasons), frozenset(seen.get(visit_id, ()))
            )
        )
    members: dict[int, list[int]] = defaultdict(list)
    for household_id, person_id in Member.objects.filter(
        household_id__in=ids, left_at__isnull=True
    ).values_list("household_id", "person_id"):
        members[household_id].append(person_id)
    gaps: dict[int, list[Gap]] = defaultdict(list)
    person_ids = [person_id for ids_ in members.values() for person_id in ids_]
    for person_id, programme, status, known_since in PreventionStatus.objects.filter(
        person_id__in=person_ids
    ).values_list("person_id", "programme", "status", "known_since"):
        gaps[person_id].append(Gap(programme, status, known_since))
    return {
        household.pk: HouseholdFacts(
            household_id=household.pk,
            status=household.status,
            consents_to_visits=household.consents_to_visits,
            registered_on=timezone.localdate(household.registered_at),
            visits=tuple(visits.get(household.pk, ())),
            members=tuple(
                MemberFacts(person_id, tuple(gaps.get(person_id, ())))
                for person_id in members.get(household.pk, ())
            ),
        )
        for household in households
    }


def tasks_of(household: Household, today: datetime.date | None = None) -> list[Task]:
    """Return one household's open tasks, every member's included."""
    today = today or timezone.localdate()
    return evaluate(definitions.task_rules(), facts_for([household])[household.pk], today)


@dataclass(frozen=True)
class AgendaFilter:
    due_by: datetime.date | None = None
    priority: str = ""
    reason: str = ""
    street: str = ""


@dataclass(frozen=True)
class AgendaEntry:
    household: Household
    tasks: tuple[Task, ...]
    due_on: datetime.date
    last_visit: datetime.date | None


def agenda(
    patch_ids: list[int], choice: AgendaFilter, today: datetime.date | None = None
) -> list[AgendaEntry]:
    """Return one entry per household with open tasks, each gathering every member's due task."""
    today = today or timezone.localdate()
    households = Household.objects.filter(patch_id__in=patch_ids, status=HouseholdStatus.ACTIVE)
    if choice.street:
        households = households.filter(street__icontains=choice.street)
    households_list = list(households)
    facts = facts_for(households_list, since=today - datetime.timedelta(days=400))
    rules = definitions.task_rules()
    last_visits = dict(
        Visit.objects.filter(household__in=households_list)
        .values("household_id")
        .annotate(last=Max("visited_at"))
        .values_list("household_id", "last")
    )
    entries = []
    for household in households_list:
        tasks = evaluate(rules, facts[household.pk], today)
        if choice.priority:
            tasks = [task for task in tasks if task.priority == choice.priority]
        if choice.reason:
            tasks = [task for task in tasks if task.reason == choice.reason]
        if choice.due_by is not None:
            tasks = [task for task in tasks if task.due_on <= choice.due_by]
        if not tasks:
            continue
        last = last_visits.get(household.pk)
        entries.append(
            AgendaEntry(
                household,
                tuple(tasks),
                min(task.due_on for task in tasks),
                timezone.localdate(last) if last else None,
            )
        )
    entries.sort(key=lambda entry: (entry.due_on, entry.household.street, entry.household.address))
    return entries


def members_of(household: Household) -> list[Member]:
    """Return the household's current members with their people."""
    return list(Member.objects.filter(household=household, left_at__isnull=True).select_related("person"))


def gaps_of(household: Household) -> list[PreventionStatus]:
    """Return the members' prevention programmes that are overdue or due."""
    return list(
        PreventionStatus.objects.filter(
            person__household_memberships__household=household,
            person__household_memberships__left_at__isnull=True,
            status__in=[GapStatus.OVERDUE, GapStatus.DUE],
        ).select_related("person")
    )


def visits_of(household: Household) -> QuerySet[Visit]:
    """Return a household's visits, newest first, with what was checked."""
    return Visit.objects.filter(household=household).select_related("chw").prefetch_related("checks__person")


@dataclass(frozen=True)
class PatchRow:
    patch: Patch
    households: int
    visited_this_month: int
    goal: int
    refusals: int
    needs_found: int
    referrals: int
    referral_outcomes: dict[str, int]
    red: int  # households not visited for RED_AFTER_DAYS days or more
    expected_by_now: int = 0  # the month's goal in proportion to the days gone, rounded down
    shadow_visits: int = 0  # visits this month a supervisor came along to

    @property
    def behind(self) -> bool:
        """Fewer households visited this month than the goal, in proportion to the days gone."""
        return self.visited_this_month < self.expected_by_now


def supervision(patches: list[Patch], today: datetime.date | None = None) -> list[PatchRow]:
    """Return each patch's month against its goal, refusals, needs found, referrals and their outcomes
    (a handful of queries grouped by patch, however many patches)."""
    today = today or timezone.localdate()
    month_start, tomorrow = _start_of(today.replace(day=1)), _start_of(today + datetime.timedelta(days=1))
    cutoff = _start_of(today - datetime.timedelta(days=RED_AFTER_DAYS - 1))
    ids = [patch.pk for patch in patches]
    active = Household.objects.filter(patch_id__in=ids, status=HouseholdStatus.ACTIVE)
    households = dict(active.values("patch_id").annotate(n=Count("pk")).values_list("patch_id", "n"))
    month = Visit.objects.filter(patch_id__in=ids, visited_at__gte=month_start, visited_at__lt=tomorrow)
    visits = {
        row["patch_id"]: row
        for row in month.values("patch_id").annotate(
            visited=Count("household_id", distinct=True, filter=Q(outcome=VisitOutcome.DONE)),
            refusals=Count("pk", filter=Q(outcome=VisitOutcome.REFUSED)),
            shadow=Count("pk", filter=Q(shadowed_by__isnull=False)),
        )
    }
    checks = MemberCheck.objects.filter(visit__in=month)
    needs = dict(
        checks.filter(need_found=True)
        .values("visit__patch_id")
        .annotate(n=Count("pk"))
        .values_list("visit__patch_id", "n")
    )
    outcomes: dict[int, dict[str, int]] = defaultdict(dict)
    for patch_id, status, count in (
        checks.filter(referral__isnull=False)
        .values("visit__patch_id", "referral__status")
        .annotate(n=Count("referral_id", distinct=True))
        .values_list("visit__patch_id", "referral__status", "n")
    ):
        outcomes[patch_id][status] = count
    # Not visited lately: no visit done in this patch (where the household is now) since the cutoff.
    seen_lately = Visit.objects.filter(
        household=OuterRef("pk"),
        patch=OuterRef("patch"),
        outcome=VisitOutcome.DONE,
        visited_at__gte=cutoff,
        visited_at__lt=tomorrow,
    )
    red = dict(
        active.filter(~Exists(seen_lately))
        .values("patch_id")
        .annotate(n=Count("pk"))
        .values_list("patch_id", "n")
    )
    days = calendar.monthrange(today.year, today.month)[1]
    rows = []
    for patch in patches:
        month_row: dict[str, Any] = dict(visits.get(patch.pk, {}))
        found = outcomes.get(patch.pk, {})
        rows.append(
            PatchRow(
                patch,
                households.get(patch.pk, 0),
                month_row.get("visited", 0),
                patch.monthly_goal,
                month_row.get("refusals", 0),
                needs.get(patch.pk, 0),
                sum(found.values()),
                found,
                red.get(patch.pk, 0),
                expected_by_now=patch.monthly_goal * today.day // days,
                shadow_visits=month_row.get("shadow", 0),
            )
        )
    return rows


@dataclass(frozen=True)
class HouseholdLine:
    household: Household
    last_visit: datetime.date | None
    days_since: int | None

    @property
    def red(self) -> bool:
        return self.days_since is None or self.days_since >= RED_AFTER_DAYS


def days_since_last_visit(patch: Patch, today: datetime.date | None = None) -> list[HouseholdLine]:
    """Return each active household of a patch with the days since its last visit, longest first."""
    today = today or timezone.localdate()
    # Each household's latest done visit, found through the (household, visited_at) index.
    latest = Visit.objects.filter(household=OuterRef("pk"), outcome=VisitOutcome.DONE).order_by("-visited_at")
    households = Household.objects.filter(patch=patch, status=HouseholdStatus.ACTIVE).annotate(
        last=Subquery(latest.values("visited_at")[:1])
    )
    lines = []
    for household in households:
        last = timezone.localdate(household.last) if household.last else None
        lines.append(HouseholdLine(household, last, (today - last).days if last else None))
    lines.sort(
        key=lambda line: (
            -(line.days_since if line.days_since is not None else 10**6),
            line.household.address,
        )
    )
    return lines


@dataclass(frozen=True)
class DigestEntry:
    """One patch that needs its supervisor's attention, and why."""

    row: PatchRow
    reasons: tuple[str, ...]
    longest_unvisited: tuple[HouseholdLine, ...]


def _households(count: int) -> str:
    return f"{count} household" if count == 1 else f"{count} households"


def digest(patches: list[Patch], today: datetime.date | None = None) -> list[DigestEntry]:
    """Supervision by exception for these patches on a day (see `digest_of`)."""
    today = today or timezone.localdate()
    return digest_of(supervision(patches, today), today)


def digest_of(rows: list[PatchRow], today: datetime.date, *, listed: int = 5) -> list[DigestEntry]:
    """The patches behind their goal so far this month or with households not visited for
    RED_AFTER_DAYS days or more, each with the `listed` households waiting longest."""
    entries = []
    for row in rows:
        reasons = []
        if row.behind:
            reasons.append(
                f"{_households(row.visited_this_month)} visited this month; "
                f"{row.expected_by_now} expected by now (goal {row.goal})"
            )
        if row.red:
            reasons.append(f"{_households(row.red)} not visited for {RED_AFTER_DAYS} days or more")
        if reasons:
            waiting = tuple(line for line in days_since_last_visit(row.patch, today) if line.red)[:listed]
            entries.append(DigestEntry(row, tuple(reasons), waiting))
    return entries


def review_queue(user: User) -> QuerySet[Visit]:
    """Return visits in the patches a user supervises not yet reviewed, moved-household visits first."""
    patch_ids = list(Patch.objects.filter(supervisor=user).values_list("pk", flat=True))
    return (
        Visit.objects.filter(
            Q(patch_id__in=patch_ids) | Q(chw_patch_id__in=patch_ids), reviewed_at__isnull=True
        )
        .select_related("household", "chw", "patch", "chw_patch")
        .order_by("-needs_resolution", "-visited_at")
    )


def household_of(user: User) -> Household | None:
    """Return the household a resident lives in, if one is registered."""
    member = (
        Member.objects.filter(person__user=user, left_at__isnull=True).select_related("household").first()
    )
    return member.household if member else None
