"""Task rules as data: which households and members are due a visit, and by when.

Rules come from a reviewed TOML file (households/data/task_rules.toml). The evaluation takes plain facts
about a household and a day and returns the household's open tasks; nothing here touches a database, so
the whole borough's monthly run is a loop over facts read in bulk.

Semantics (each rule's boundaries are tested against a hand-worked table):
- `every` rules: due `interval_days` after the household's last visit that was done (or after it was
  registered, if never), for households whose status is listed in `statuses`.
- `gap` rules: for each member with a status in `gap_statuses` in one of `programmes`, due `due_within_days`
  after the gap was first known; resolved by a done visit on or after that day, with `reason` among the
  visit's reasons and the member seen.
- `quiet` rules: after a visit with outcome `after`, no task at all until `days` days have passed
  (the day of the refusal plus `days` is the first day tasks come back).
A household that has not consented to visits, or whose status is not listed by a rule, has no tasks.
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRIORITIES = ("high", "routine", "low")


class TaskRuleError(ValueError):
    """A task rules file that cannot be used as written; the message names the rule and the field."""


@dataclass(frozen=True)
class Review:
    authored_by: str
    checked_by: str
    reviewed_on: datetime.date
    next_review_due: datetime.date


@dataclass(frozen=True)
class TaskRule:
    id: str
    kind: str  # every | gap | quiet
    title: str = ""
    priority: str = "routine"
    reason: str = ""
    statuses: tuple[str, ...] = ("active",)
    interval_days: int = 0
    programmes: tuple[str, ...] = ()
    gap_statuses: tuple[str, ...] = ()
    due_within_days: int = 0
    after: str = ""
    days: int = 0


@dataclass(frozen=True)
class TaskRules:
    rules: tuple[TaskRule, ...]
    review: Review


@dataclass(frozen=True)
class Gap:
    programme: str
    status: str
    known_since: datetime.date


@dataclass(frozen=True)
class MemberFacts:
    person_id: int
    gaps: tuple[Gap, ...] = ()


@dataclass(frozen=True)
class VisitFacts:
    on: datetime.date
    outcome: str  # done | refused | nobody_in
    reasons: tuple[str, ...] = ()
    seen: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class HouseholdFacts:
    household_id: int
    status: str
    consents_to_visits: bool
    registered_on: datetime.date
    visits: tuple[VisitFacts, ...] = ()
    members: tuple[MemberFacts, ...] = ()


@dataclass(frozen=True)
class Task:
    rule_id: str
    title: str
    household_id: int
    person_id: int | None
    due_on: datetime.date
    priority: str
    reason: str
    programme: str = ""


def _as_date(value: Any, where: str) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    raise TaskRuleError(f"{where} must be a date (YYYY-MM-DD), not {value!r}")


def _positive(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise TaskRuleError(f"{where} must be a whole number of days above 0, not {value!r}")
    return value


def parse_rules(data: dict[str, Any]) -> TaskRules:
    """Check and read a task rules document (already parsed from TOML)."""
    review_data = data.get("review")
    if not isinstance(review_data, dict):
        raise TaskRuleError(
            "The file needs a [review] table (authored_by, checked_by, reviewed_on, next_review_due)"
        )
    review = Review(
        authored_by=str(review_data.get("authored_by", "")),
        checked_by=str(review_data.get("checked_by", "")),
        reviewed_on=_as_date(review_data.get("reviewed_on"), "review.reviewed_on"),
        next_review_due=_as_date(review_data.get("next_review_due"), "review.next_review_due"),
    )
    if not review.authored_by:
        raise TaskRuleError("review.authored_by is missing")
    rules = []
    seen: set[str] = set()
    for index, raw in enumerate(data.get("rule", [])):
        rule_id = str(raw.get("id", ""))
        where = f"rule {rule_id or index + 1}"
        if not rule_id or rule_id in seen:
            raise TaskRuleError(f"{where}: every rule needs an id of its own")
        seen.add(rule_id)
        kind = raw.get("kind")
        priority = raw.get("priority", "routine")
        if priority not in PRIORITIES:
            raise TaskRuleError(f"{where}: priority must be one of {', '.join(PRIORITIES)}")
        common = {
            "id": rule_id,
            "kind": kind,
            "title": str(raw.get("title", rule_id)),
            "priority": priority,
            "reason": str(raw.get("reason", "")),
            "statuses": tuple(raw.get("statuses", ("active",))),
        }
        if kind == "every":
            rule = TaskRule(
                **common, interval_days=_positive(raw.get("interval_days"), f"{where}: interval_days")
            )
        elif kind == "gap":
            programmes = tuple(raw.get("programmes", ()))
            gap_statuses = tuple(raw.get("gap_statuses", ()))
            if not programmes or not gap_statuses:
                raise TaskRuleError(f"{where}: a gap rule names its programmes and gap_statuses")
            rule = TaskRule(
                **common,
                programmes=programmes,
                gap_statuses=gap_statuses,
                due_within_days=_positive(raw.get("due_within_days"), f"{where}: due_within_days"),
            )
        elif kind == "quiet":
            after = raw.get("after")
            if after not in ("refused", "nobody_in", "done"):
                raise TaskRuleError(f"{where}: after must be a visit outcome (refused, nobody_in, done)")
            rule = TaskRule(**common, after=after, days=_positive(raw.get("days"), f"{where}: days"))
        else:
            raise TaskRuleError(f"{where}: kind must be every, gap or quiet, not {kind!r}")
        rules.append(rule)
    if not rules:
        raise TaskRuleError("The file defines no rule")
    return TaskRules(tuple(rules), review)


def load_rules(path: Path) -> TaskRules:
    """Read and check a task rules file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise TaskRuleError(f"{path.name} is not valid TOML: {error}") from error
    return parse_rules(data)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def quiet_until(rules: TaskRules, facts: HouseholdFacts) -> datetime.date | None:
    """Return the first day tasks come back after the latest quietening visit, if that is still to come."""
    latest: datetime.date | None = None
    for rule in rules.rules:
        if rule.kind != "quiet":
            continue
        for visit in facts.visits:
            if visit.outcome == rule.after:
                end = visit.on + _days(rule.days)
                latest = end if latest is None or end > latest else latest
    return latest


def evaluate(rules: TaskRules, facts: HouseholdFacts, today: datetime.date) -> list[Task]:
    """Return a household's open tasks on `today`, each member's included, soonest due first."""
    if not facts.consents_to_visits:
        return []
    quiet_end = quiet_until(rules, facts)
    if quiet_end is not None and today < quiet_end:
        return []
    done = [visit for visit in facts.visits if visit.outcome == "done"]
    tasks: list[Task] = []
    for rule in rules.rules:
        if facts.status not in rule.statuses:
            continue
        if rule.kind == "every":
            last_done = max((visit.on for visit in done), default=None)
            start = last_done if last_done is not None else facts.registered_on
            tasks.append(
                Task(
                    rule.id,
                    rule.title,
                    facts.household_id,
                    None,
                    start + _days(rule.interval_days),
                    rule.priority,
                    rule.reason,
                )
            )
        elif rule.kind == "gap":
            for member in facts.members:
                for gap in member.gaps:
                    if gap.programme not in rule.programmes or gap.status not in rule.gap_statuses:
                        continue
                    resolved = any(
                        visit.on >= gap.known_since
                        and member.person_id in visit.seen
                        and (not rule.reason or rule.reason in visit.reasons)
                        for visit in done
                    )
                    if not resolved:
                        tasks.append(
                            Task(
                                rule.id,
                                rule.title,
                                facts.household_id,
                                member.person_id,
                                gap.known_since + _days(rule.due_within_days),
                                rule.priority,
                                rule.reason,
                                gap.programme,
                            )
                        )
    tasks.sort(
        key=lambda task: (task.due_on, PRIORITIES.index(task.priority), task.rule_id, task.person_id or 0)
    )
    return tasks
