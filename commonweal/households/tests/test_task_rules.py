"""Task rules: each rule's due dates at its boundaries, against a hand-worked table.

The table was worked by hand from the rules file (task_rules.toml), not computed by the code:
- monthly visit: 30 days after the last visit that was done (registration if none); a visit with
  nobody in or refused does not reset it.
- screening active search: 30 days after the overdue status was first known; cleared by a done visit
  on or after that day, for an active search, with the member seen.
- vaccination/health check active search: 60 days after known.
- quiet after refusal: from the day of a refusal up to and including day 89 after it, no task at all;
  on day 90 tasks come back.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from commonweal.households.core.tasks import (
    Gap,
    HouseholdFacts,
    MemberFacts,
    TaskRuleError,
    VisitFacts,
    evaluate,
    load_rules,
    parse_rules,
)

RULES = load_rules(Path(__file__).resolve().parents[1] / "data" / "task_rules.toml")
D = datetime.date
REGISTERED = D(2026, 1, 1)


def household(
    visits: tuple[VisitFacts, ...] = (), members: tuple[MemberFacts, ...] = (), **kw: object
) -> HouseholdFacts:
    fields: dict[str, object] = {
        "household_id": 1,
        "status": "active",
        "consents_to_visits": True,
        "registered_on": REGISTERED,
    }
    fields.update(kw)
    return HouseholdFacts(visits=visits, members=members, **fields)  # type: ignore[arg-type]


def due(facts: HouseholdFacts, today: datetime.date) -> list[tuple[str, int | None, datetime.date]]:
    return [(task.rule_id, task.person_id, task.due_on) for task in evaluate(RULES, facts, today)]


# (case, visits, today, expected (rule, person, due_on) list) — hand-worked.
MONTHLY = [
    (
        "never visited: due 30 days after registration",
        (),
        D(2026, 1, 1),
        [("monthly-visit", None, D(2026, 1, 31))],
    ),
    (
        "done visit on 10 Mar: due 9 Apr",
        (VisitFacts(D(2026, 3, 10), "done"),),
        D(2026, 3, 10),
        [("monthly-visit", None, D(2026, 4, 9))],
    ),
    (
        "nobody in on 20 Mar does not reset: still 9 Apr",
        (VisitFacts(D(2026, 3, 10), "done"), VisitFacts(D(2026, 3, 20), "nobody_in")),
        D(2026, 4, 9),
        [("monthly-visit", None, D(2026, 4, 9))],
    ),
    (
        "a later done visit wins: 1 Apr done, due 1 May",
        (VisitFacts(D(2026, 3, 10), "done"), VisitFacts(D(2026, 4, 1), "done")),
        D(2026, 4, 2),
        [("monthly-visit", None, D(2026, 5, 1))],
    ),
]


@pytest.mark.parametrize(("case", "visits", "today", "expected"), MONTHLY, ids=[row[0] for row in MONTHLY])
def test_the_monthly_visit_falls_due_30_days_after_the_last_done_visit(
    case: str, visits: tuple[VisitFacts, ...], today: datetime.date, expected: list[object]
) -> None:
    assert due(household(visits), today) == expected


REFUSED_ON = D(2026, 2, 1)
QUIET = [
    ("the day of the refusal", D(2026, 2, 1), []),
    ("day 89 after it (1 May)", D(2026, 5, 1), []),
    # 1 Feb + 90 days = 2 May. Last done visit 1 Jan, so the monthly visit has been due since 31 Jan.
    ("day 90 (2 May): tasks come back", D(2026, 5, 2), [("monthly-visit", None, D(2026, 1, 31))]),
]


@pytest.mark.parametrize(("case", "today", "expected"), QUIET, ids=[row[0] for row in QUIET])
def test_after_a_refusal_there_is_no_task_for_90_days(
    case: str, today: datetime.date, expected: list[object]
) -> None:
    visits = (VisitFacts(D(2026, 1, 1), "done"), VisitFacts(REFUSED_ON, "refused"))
    assert due(household(visits), today) == expected


KNOWN = D(2026, 3, 1)
ALICE = 7
SCREENING = [
    (
        "overdue known 1 Mar: active search due 31 Mar",
        (),
        [("screening-active-search", ALICE, D(2026, 3, 31))],
    ),
    (
        "a done active-search visit on the day it was known, Alice seen, clears it",
        (VisitFacts(KNOWN, "done", ("active_search",), frozenset({ALICE})),),
        [],
    ),
    (
        "a done visit the day before it was known does not",
        (VisitFacts(D(2026, 2, 28), "done", ("active_search",), frozenset({ALICE})),),
        [("screening-active-search", ALICE, D(2026, 3, 31))],
    ),
    (
        "a periodic visit (not an active search) does not",
        (VisitFacts(D(2026, 3, 5), "done", ("periodic",), frozenset({ALICE})),),
        [("screening-active-search", ALICE, D(2026, 3, 31))],
    ),
    (
        "an active search where Alice was not seen does not",
        (VisitFacts(D(2026, 3, 5), "done", ("active_search",), frozenset()),),
        [("screening-active-search", ALICE, D(2026, 3, 31))],
    ),
]


@pytest.mark.parametrize(("case", "visits", "expected"), SCREENING, ids=[row[0] for row in SCREENING])
def test_an_overdue_screening_is_searched_for_within_30_days(
    case: str, visits: tuple[VisitFacts, ...], expected: list[object]
) -> None:
    member = MemberFacts(ALICE, (Gap("cervical_screening", "overdue", KNOWN),))
    tasks = [task for task in due(household(visits, (member,)), D(2026, 3, 10)) if task[0] != "monthly-visit"]
    assert tasks == expected


def test_a_vaccination_gap_is_due_60_days_after_it_is_known_and_gaps_not_overdue_give_no_task() -> None:
    member = MemberFacts(
        ALICE,
        (
            Gap("adult_vaccinations", "overdue", KNOWN),  # 1 Mar + 60 days = 30 Apr
            Gap("bowel_screening", "up_to_date", KNOWN),
            Gap("breast_screening", "due", KNOWN),
        ),
    )
    tasks = [task for task in due(household((), (member,)), D(2026, 3, 10)) if task[0] != "monthly-visit"]
    assert tasks == [("vaccination-active-search", ALICE, D(2026, 4, 30))]


@pytest.mark.parametrize("status", ["muted", "moved", "refused"])
def test_a_household_that_is_not_active_has_no_task(status: str) -> None:
    member = MemberFacts(ALICE, (Gap("cervical_screening", "overdue", KNOWN),))
    assert due(household((), (member,), status=status), D(2026, 6, 1)) == []


def test_a_household_that_has_not_consented_has_no_task() -> None:
    assert due(household(consents_to_visits=False), D(2026, 6, 1)) == []


def test_one_agenda_gathers_every_members_tasks_soonest_first() -> None:
    members = (
        MemberFacts(ALICE, (Gap("cervical_screening", "overdue", D(2026, 1, 10)),)),  # due 9 Feb
        MemberFacts(8, (Gap("childhood_vaccinations", "overdue", D(2026, 1, 5)),)),  # due 6 Mar
    )
    assert due(household((), members), D(2026, 1, 20)) == [
        ("monthly-visit", None, D(2026, 1, 31)),
        ("screening-active-search", ALICE, D(2026, 2, 9)),
        ("vaccination-active-search", 8, D(2026, 3, 6)),
    ]


def test_the_rules_file_is_reviewed() -> None:
    assert RULES.review.authored_by
    assert RULES.review.next_review_due > RULES.review.reviewed_on
    assert [rule.id for rule in RULES.rules] == [
        "monthly-visit",
        "screening-active-search",
        "vaccination-active-search",
        "quiet-after-refusal",
    ]


REVIEW = {
    "authored_by": "x",
    "checked_by": "",
    "reviewed_on": D(2026, 1, 1),
    "next_review_due": D(2027, 1, 1),
}


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            {"id": "a", "kind": "every", "interval_days": 0},
            "rule a: interval_days must be a whole number of days above 0",
        ),
        ({"id": "a", "kind": "sometimes"}, "rule a: kind must be every, gap or quiet"),
        (
            {"id": "a", "kind": "gap", "due_within_days": 3},
            "rule a: a gap rule names its programmes and gap_statuses",
        ),
        ({"id": "a", "kind": "quiet", "after": "rain", "days": 3}, "rule a: after must be a visit outcome"),
        (
            {"id": "a", "kind": "every", "interval_days": 3, "priority": "urgent"},
            "rule a: priority must be one of",
        ),
    ],
)
def test_a_broken_rule_is_named_with_its_problem(rule: dict[str, object], message: str) -> None:
    with pytest.raises(TaskRuleError, match=message):
        parse_rules({"review": REVIEW, "rule": [rule]})


def test_a_file_without_a_review_is_refused() -> None:
    with pytest.raises(TaskRuleError, match=r"\[review\]"):
        parse_rules({"rule": [{"id": "a", "kind": "every", "interval_days": 3}]})
