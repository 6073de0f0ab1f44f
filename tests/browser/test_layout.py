"""Nothing makes a page wider than its window, on a desktop or a phone (issue 20, item 9).

The pages a first hour found too wide: the budgeting results (an unwrapped command line), a remit of one
10,000-character word, the caseload's "Only overdue" box outside its column, and chart labels cut off at
the chart's edge. `tests/browser/test_roles.py` checks every page in each role's menu the same way.
"""

from __future__ import annotations

from playwright.sync_api import Page

from commonweal.assemblies.models import Body
from commonweal.budgeting.models import BudgetResult, BudgetRound
from tests.browser.conftest import DESKTOP, PHONE, sideways_scroll, sign_in

SIZES = [DESKTOP, PHONE]


def too_wide(page: Page, paths: list[str]) -> list[str]:
    problems = []
    for size in SIZES:
        page.set_viewport_size(size)
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            problems.append(sideways_scroll(page))
    page.set_viewport_size(DESKTOP)
    return [problem for problem in problems if problem]


def test_budgeting_results_and_a_remit_of_one_enormous_word_fit_a_desktop_and_a_phone(page: Page):
    counted = BudgetResult.objects.order_by("pk").values_list("round_id", flat=True).first()
    assert counted is not None
    body = Body.objects.filter(kind=Body.Kind.ASSEMBLY).order_by("pk").first()
    assert body is not None
    body.remit = "x" * 10_000
    body.save(update_fields=["remit"])
    assert BudgetRound.objects.filter(pk=counted).exists()
    assert (
        too_wide(
            page, [f"/participation/budgets/{counted}/results/", f"/participation/assemblies/{body.pk}/"]
        )
        == []
    )


def test_the_caseload_filter_stays_in_its_column_on_a_desktop_and_a_phone(page: Page):
    sign_in(page, "link.worker@demo.commonweal.invalid")
    assert too_wide(page, ["/caseload/"]) == []
    for size in SIZES:
        page.set_viewport_size(size)
        page.goto("/caseload/")
        box = page.get_by_label("Only overdue").bounding_box()
        form = page.locator("form", has=page.get_by_label("Only overdue")).bounding_box()
        assert box is not None and form is not None
        # NHS.UK checkboxes sit 2 px left of their column by design (their border lines up with text).
        assert form["x"] - 2 <= box["x"] and box["x"] + box["width"] <= form["x"] + form["width"], (size, box)


def test_every_chart_label_is_inside_its_chart(page: Page):
    sign_in(page, "commissioner@demo.commonweal.invalid")
    clipped = []
    for path in [
        "/evidence/uptake/",
        "/evidence/referrals/",
        "/evidence/connections/",
        "/evidence/outcomes/",
    ]:
        page.goto(path)
        assert page.locator("svg.cw-chart").count() > 0, path
        clipped += page.locator("svg.cw-chart").evaluate_all(
            """charts => charts.flatMap(chart => {
                 const frame = chart.getBoundingClientRect();
                 return [...chart.querySelectorAll('text')]
                   .filter(text => {
                     const box = text.getBoundingClientRect();
                     return box.width > 0 && (box.left < frame.left - 0.5 || box.right > frame.right + 0.5);
                   })
                   .map(text => `${chart.id || chart.getAttribute('aria-labelledby')}: ${text.textContent}`);
               })"""
        )
    assert clipped == []
