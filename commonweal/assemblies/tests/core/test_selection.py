"""The lottery: marginals, draws, reproducibility, households and replacements."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest
from scipy.stats import binomtest

from commonweal.assemblies.core.pool import FeatureQuota, SelectionProblem, Volunteer
from commonweal.assemblies.core.replication_format import read_problem, sortition_foundation_fixture
from commonweal.assemblies.core.selection import (
    InfeasibleQuotasError,
    Method,
    SelectionResult,
    draw_panel,
    find_distribution,
    legacy_panel,
    panel_meets_quotas,
    replace_dropouts,
    select,
)


@cache
def _fixture() -> SelectionProblem:
    files = sortition_foundation_fixture()
    return read_problem(
        files.categories,
        files.respondents,
        files.panel_size,
        household_columns=("primary_address1", "primary_zip"),
    )


@cache
def _result(method: Method) -> SelectionResult:
    return find_distribution(_fixture(), method)


def _households_pool() -> SelectionProblem:
    # 12 people in 8 households; households h0-h3 hold two people each.
    people = []
    for index in range(12):
        people.append(
            Volunteer(
                volunteer_id=f"v{index}",
                features=(("sex", "f" if index % 2 else "m"), ("age", "young" if index < 6 else "old")),
                household=f"h{index // 2}" if index < 8 else f"h{index}",
            )
        )
    quotas = (
        FeatureQuota("sex", "f", 2, 2),
        FeatureQuota("sex", "m", 2, 2),
        FeatureQuota("age", "young", 2, 2),
        FeatureQuota("age", "old", 2, 2),
    )
    return SelectionProblem(volunteers=tuple(people), quotas=quotas, panel_size=4, one_per_household=True)


@pytest.mark.parametrize("method", [Method.LEXIMIN, Method.MAXIMIN])
def test_marginals_of_the_panel_distribution_equal_the_reported_probabilities(method: Method) -> None:
    result = _result(method)
    distribution = result.distribution
    assert sum(template.probability for template in distribution.templates) == pytest.approx(1.0, abs=1e-12)
    # Recompute the marginals here from the templates, independently of the module's helper.
    expected = {member: 0.0 for group in distribution.groups for member in group}
    for template in distribution.templates:
        assert sum(template.seats) == 22
        for members, seats in zip(distribution.groups, template.seats, strict=True):
            assert 0 <= seats <= len(members)
            for member in members:
                expected[member] += template.probability * seats / len(members)
    for entry in result.probabilities:
        assert entry.probability == pytest.approx(expected[entry.volunteer_id], abs=1e-12)
    assert sum(entry.probability for entry in result.probabilities) == pytest.approx(22.0, abs=1e-6)
    assert result.minimum_probability == min(entry.probability for entry in result.probabilities)


@pytest.mark.parametrize("method", [Method.LEXIMIN, Method.MAXIMIN])
def test_every_drawn_panel_meets_every_quota(method: Method) -> None:
    distribution = _result(method).distribution
    used_templates = set()
    for seed in range(400):
        panel = draw_panel(distribution, seed)
        used_templates.add(panel.template_index)
        assert panel_meets_quotas(_fixture(), panel.volunteer_ids) == ()
    assert len(used_templates) > 1


def test_legacy_panels_meet_every_quota() -> None:
    for seed in range(50):
        assert panel_meets_quotas(_fixture(), legacy_panel(_fixture(), seed).volunteer_ids) == ()


def test_empirical_frequencies_over_seeded_draws_agree_with_the_probabilities() -> None:
    result = _result(Method.LEXIMIN)
    draws = 4000
    counts: Counter[str] = Counter()
    for seed in range(draws):
        counts.update(draw_panel(result.distribution, seed).volunteer_ids)
    # Two-sided exact binomial test per volunteer, Bonferroni-corrected to a family-wise alpha of 0.01.
    alpha = 0.01 / len(result.probabilities)
    p_values = [
        binomtest(counts[entry.volunteer_id], draws, entry.probability).pvalue
        for entry in result.probabilities
    ]
    assert min(p_values) > alpha


def test_the_same_seed_draws_the_same_panel_and_another_seed_usually_does_not() -> None:
    distribution = _result(Method.LEXIMIN).distribution
    assert draw_panel(distribution, 2026) == draw_panel(distribution, 2026)
    panels = {draw_panel(distribution, seed).volunteer_ids for seed in range(20)}
    assert len(panels) == 20


def test_a_full_selection_is_reproducible_from_its_seed() -> None:
    first = select(_fixture(), Method.LEXIMIN, 99)
    second = select(_fixture(), Method.LEXIMIN, 99)
    assert first[1] == second[1]
    assert first[0].probabilities == second[0].probabilities


def test_at_most_one_person_per_household_is_selected() -> None:
    problem = _households_pool()
    result = find_distribution(problem, Method.LEXIMIN)
    households = {volunteer.volunteer_id: volunteer.household for volunteer in problem.volunteers}
    for seed in range(200):
        panel = draw_panel(result.distribution, seed)
        assert panel_meets_quotas(problem, panel.volunteer_ids) == ()
        assert len({households[member] for member in panel.volunteer_ids}) == 4
    # Housemates are never merged into one group: each of the eight is a group of one.
    assert sorted(len(group) for group in result.distribution.groups) == [1] * 8 + [2, 2]


def test_grouping_interchangeable_people_does_not_change_leximin_with_households() -> None:
    problem = _households_pool()
    grouped = find_distribution(problem, Method.LEXIMIN).probability_by_id()
    person_level = find_distribution(problem, Method.LEXIMIN, merge_interchangeable=False).probability_by_id()
    for volunteer_id, probability in person_level.items():
        assert grouped[volunteer_id] == pytest.approx(probability, abs=1e-6)


def test_replacements_keep_the_quotas_and_come_from_the_rest_of_the_pool() -> None:
    problem = _fixture()
    _, panel = select(problem, Method.LEXIMIN, 5)
    dropped = panel.volunteer_ids[:3]
    replacement = replace_dropouts(problem, panel.volunteer_ids, dropped, seed=11)
    assert len(replacement.replacements) == 3
    assert not set(replacement.replacements) & set(panel.volunteer_ids)
    assert set(panel.volunteer_ids) - set(dropped) <= set(replacement.panel.volunteer_ids)
    assert panel_meets_quotas(problem, replacement.panel.volunteer_ids) == ()
    assert replace_dropouts(problem, panel.volunteer_ids, dropped, seed=11) == replacement


def test_replacing_someone_not_on_the_panel_is_refused() -> None:
    problem = _fixture()
    _, panel = select(problem, Method.LEXIMIN, 5)
    outsider = next(v.volunteer_id for v in problem.volunteers if v.volunteer_id not in panel.volunteer_ids)
    with pytest.raises(ValueError, match=f"not on the panel: {outsider}"):
        replace_dropouts(problem, panel.volunteer_ids, [outsider], seed=1)


def test_infeasible_quotas_are_reported_with_the_quotas_responsible() -> None:
    # Five young people and one old: any panel of four has at least three young and at most one old.
    people = tuple(
        Volunteer(
            f"v{index}",
            (("age", "old" if index == 5 else "young"), ("sex", "f" if index in (0, 1, 5) else "m")),
        )
        for index in range(6)
    )
    quotas = (
        FeatureQuota("age", "young", 2, 2),
        FeatureQuota("age", "old", 2, 2),
        FeatureQuota("sex", "f", 2, 2),
        FeatureQuota("sex", "m", 2, 2),
    )
    problem = SelectionProblem(volunteers=people, quotas=quotas, panel_size=4)
    with pytest.raises(InfeasibleQuotasError):
        find_distribution(problem, Method.LEGACY)
    with pytest.raises(InfeasibleQuotasError) as caught:
        find_distribution(problem, Method.LEXIMIN)
    shortfalls = caught.value.report.shortfalls
    assert [(s.quota.value, s.relaxed_minimum, s.relaxed_maximum) for s in shortfalls] == [
        ("young", 2, 3),
        ("old", 1, 2),
    ]
    assert str(caught.value) == (
        "No panel can meet every quota. The smallest change that would allow one:\n"
        "  - age = young: raise the maximum from 2 to 3 (over by 1)\n"
        "  - age = old: lower the minimum from 2 to 1 (short by 1)"
    )
