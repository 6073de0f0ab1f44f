"""Evidence pages for commissioners and analysts: dashboards, stories, SROI analyses and alliances."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonweal.accounts.permissions import Capability, requires, signed_in_user
from commonweal.evidence import actions, dashboards, queries
from commonweal.evidence.actions import EvidenceError
from commonweal.evidence.breakdowns import FUNNEL, month_label
from commonweal.evidence.dashboards import DASHBOARDS, Dashboard, Section
from commonweal.evidence.forms import (
    AllianceForm,
    AnalysisForm,
    FilterForm,
    InputForm,
    OutcomeForm,
    RefreshForm,
    ScoreForm,
    SharedOutcomeForm,
    StakeholderForm,
    StoryForm,
    WithdrawStoryForm,
)
from commonweal.evidence.indicators import INDICATORS
from commonweal.evidence.models import (
    Alliance,
    SharedOutcome,
    SroiAnalysis,
    SroiInput,
    SroiOutcome,
    SroiStakeholder,
    Story,
)
from commonweal.evidence.queries import Filters
from commonweal.evidence.shared_outcomes import alliance_results
from commonweal.evidence.sroi import Assumption
from commonweal.ui import spreadsheets
from commonweal.ui.idempotency import submitted_once

EVIDENCE = Capability.ANALYSE_EVIDENCE


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


def _freshness() -> dict[str, Any]:
    refresh = queries.latest_refresh()
    return {
        "refresh": refresh,
        "out_of_date": refresh is not None and queries.is_out_of_date(refresh),
        "pending": queries.pending_refresh(),
        "failed": queries.failed_refresh_after(refresh),
        "refresh_form": RefreshForm(),
    }


@requires(EVIDENCE)
def index(request: HttpRequest) -> HttpResponse:
    """The evidence home: the dashboards, how fresh their figures are, SROI analyses and alliances."""
    return render(
        request,
        "evidence/index.html",
        {
            **_freshness(),
            "dashboards": DASHBOARDS,
            "analyses": SroiAnalysis.objects.select_related("organisation").order_by("-updated_at")[:20],
            "alliances": Alliance.objects.prefetch_related("members").order_by("name"),
            "funnel": FUNNEL,
        },
    )


@requires(EVIDENCE)
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    """Ask for the figures to be brought up to date in the background."""
    try:
        actions.request_refresh(by=signed_in_user(request))
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The figures are being brought up to date. This can take a few minutes.")
    return redirect("evidence:index")


# ------------------------------------------------------------------------------------ dashboards


def _build(key: str, filters: Filters, score: str | None) -> Dashboard:
    if key == "uptake":
        return dashboards.uptake_dashboard(filters)
    if key == "referrals":
        return dashboards.referrals_dashboard(filters)
    if key == "connections":
        return dashboards.connections_dashboard(filters)
    choices = {choice.key: choice for choice in dashboards.score_choices()}
    assert score is not None
    return dashboards.outcomes_dashboard(filters, choices[score])


def _filters_description(filters: Filters) -> str:
    parts = [f"{month_label(filters.first_month)} to {month_label(filters.last_month)}"]
    parts.append(filters.neighbourhood.name if filters.neighbourhood else "every place")
    parts.append(filters.organisation.name if filters.organisation else "every organisation")
    if filters.imd_quintile:
        parts.append(f"IMD quintile {filters.imd_quintile}")
    return ", ".join(parts)


def _dashboard_request(request: HttpRequest, key: str) -> tuple[dict[str, Any], Dashboard | None, int]:
    if key not in DASHBOARDS:
        raise Http404("There is no such dashboard.")
    catalogue = queries.catalogue()
    form = FilterForm(request.GET, catalogue=catalogue, providers=key == "connections")
    score_form = ScoreForm(request.GET) if key == "outcomes" else None
    context: dict[str, Any] = {"key": key, "title": DASHBOARDS[key], "form": form, "score_form": score_form}
    if catalogue.last_month is None:
        return context, None, 200
    filters = form.filters()
    score = score_form.chosen() if score_form is not None else None
    if filters is None or (score_form is not None and score is None):
        return context, None, 400
    dashboard = _build(key, filters, score)
    context.update(
        filters=filters, filters_description=_filters_description(filters), query=request.GET.urlencode()
    )
    return context, dashboard, 200


@requires(EVIDENCE)
def dashboard(request: HttpRequest, key: str) -> HttpResponse:
    """A dashboard: filters, headline figures, and each chart with its table, notes, CSV and stories."""
    context, built, status = _dashboard_request(request, key)
    stories = queries.stories_for(key)
    sections = list(built.sections) if built else []
    keys = {section.key for section in sections}
    context.update(
        _freshness(),
        dashboard=built,
        sections=[
            (section, [story for story in stories if story.chart == section.key]) for section in sections
        ],
        page_stories=[story for story in stories if story.chart not in keys],
    )
    return render(request, "evidence/dashboard.html", context, status=status)


def _csv_response(filename: str, header: list[str], rows: list[list[str]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = spreadsheets.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@requires(EVIDENCE)
def dashboard_csv(request: HttpRequest, key: str, section: str) -> HttpResponse:
    """One table of a dashboard as CSV, with the same filters and the same small-number protection."""
    context, built, status = _dashboard_request(request, key)
    if built is None:
        return render(
            request,
            "evidence/dashboard.html",
            {**context, **_freshness(), "dashboard": None},
            status=status or 400,
        )
    try:
        found: Section = built.section(section)
    except KeyError as error:
        raise Http404("There is no such table on this dashboard.") from error
    filters: Filters = context["filters"]
    filename = f"{key}-{section}-{filters.first_month}-{filters.last_month}.csv"
    return _csv_response(filename, found.csv_header, found.csv_rows)


# --------------------------------------------------------------------------------------- stories


def _chart_choices(dashboard_key: str) -> list[tuple[str, str]]:
    titles = {
        "funnel": "The uptake funnel",
        "monthly": "Each month (SPC)",
        "overview": "Every outcome score",
        "service": "By service",
        "term": "By taxonomy term",
        "deprivation": "By deprivation",
        "ethnicity": "By ethnic group",
        "age": "By age band",
        "sex": "By sex",
        "neighbourhood": "By neighbourhood",
        "source": "By who referred",
    }
    sections = {
        "uptake": ["funnel", "deprivation", "ethnicity", "age", "sex", "neighbourhood", "monthly"],
        "referrals": ["monthly", "source", "deprivation", "ethnicity", "age", "sex", "neighbourhood"],
        "connections": [
            "service",
            "term",
            "deprivation",
            "ethnicity",
            "age",
            "sex",
            "neighbourhood",
            "monthly",
        ],
        "outcomes": ["overview", "deprivation", "ethnicity", "age", "sex", "neighbourhood"],
    }
    return [(key, titles[key]) for key in sections.get(dashboard_key, [])]


@requires(EVIDENCE)
def stories(request: HttpRequest) -> HttpResponse:
    """Every story, with its consent, and those withdrawn."""
    return render(
        request,
        "evidence/stories.html",
        {
            "stories": Story.objects.select_related("place", "consent_recorded_by", "withdrawn_by").order_by(
                "-told_on", "-pk"
            )
        },
    )


@requires(EVIDENCE)
@submitted_once
def story_create(request: HttpRequest) -> HttpResponse:
    """Attach a story told with consent to a dashboard, or to one of its charts."""
    dashboard_key = request.POST.get("dashboard") or request.GET.get("dashboard") or "uptake"
    all_charts = sorted({pair for key in DASHBOARDS for pair in _chart_choices(key)})
    initial = {
        "dashboard": dashboard_key if dashboard_key in DASHBOARDS else "uptake",
        "chart": request.GET.get("chart", ""),
    }
    form = StoryForm(request.POST or None, initial=initial, charts=all_charts)
    if request.method == "POST" and form.is_valid():
        fields = {name: value for name, value in form.cleaned_data.items() if name != "confirmed"}
        if fields["chart"] and fields["chart"] not in dict(_chart_choices(fields["dashboard"])):
            form.add_error("chart", "That chart is not on the dashboard you chose.")
        else:
            try:
                story = actions.add_story(fields=fields, by=signed_in_user(request))
            except EvidenceError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"The story “{story.title}” is shown with the {DASHBOARDS[story.dashboard]} dashboard.",
                )
                return redirect(
                    reverse("evidence:dashboard", args=[story.dashboard])
                    + (f"#{story.chart}" if story.chart else "")
                )
    return render(request, "evidence/story_form.html", {"form": form}, status=_status(bool(form.errors)))


@requires(EVIDENCE)
def story_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """The person withdrew their consent: stop showing their story."""
    story = get_object_or_404(Story, pk=pk)
    form = WithdrawStoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_story(story=story, note=form.cleaned_data["note"], by=signed_in_user(request))
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"“{story.title}” is withdrawn and no longer shown.")
            return redirect("evidence:stories")
    return render(
        request,
        "evidence/story_withdraw.html",
        {"story": story, "form": form},
        status=_status(bool(form.errors)),
    )


# ------------------------------------------------------------------------------------------ SROI


@requires(EVIDENCE)
def sroi_list(request: HttpRequest) -> HttpResponse:
    """Every SROI analysis."""
    analyses = SroiAnalysis.objects.select_related("organisation", "created_by").order_by("-updated_at")
    return render(request, "evidence/sroi_list.html", {"analyses": analyses})


@requires(EVIDENCE)
@submitted_once
def sroi_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Start an SROI analysis, or change its scope, period and discount rate."""
    analysis = get_object_or_404(SroiAnalysis, pk=pk) if pk is not None else None
    form = AnalysisForm(request.POST or None, instance=analysis)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = actions.save_analysis(analysis=analysis, fields=fields, by=signed_in_user(request))
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("evidence:sroi-detail", pk=saved.pk)
    return render(
        request,
        "evidence/sroi_form.html",
        {"form": form, "analysis": analysis},
        status=_status(bool(form.errors)),
    )


def _analysis(pk: int) -> SroiAnalysis:
    return get_object_or_404(SroiAnalysis.objects.select_related("organisation"), pk=pk)


@requires(EVIDENCE)
def sroi_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The impact map: stakeholders, inputs and outcomes, with links to add and change them."""
    analysis = _analysis(pk)
    return render(
        request,
        "evidence/sroi_detail.html",
        {
            "analysis": analysis,
            "stakeholders": analysis.stakeholders.order_by("pk"),
            "inputs": analysis.inputs.select_related("stakeholder").order_by("pk"),
            "quantities": queries.outcome_quantities(analysis),
        },
    )


@requires(EVIDENCE)
def sroi_stakeholder(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a stakeholder."""
    analysis = _analysis(pk)
    form = StakeholderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_stakeholder(analysis=analysis, by=signed_in_user(request), **form.cleaned_data)
        except EvidenceError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"{form.cleaned_data['name']} added.")
            return redirect("evidence:sroi-detail", pk=analysis.pk)
    return render(
        request,
        "evidence/sroi_item_form.html",
        {"analysis": analysis, "form": form, "heading": "Add a stakeholder", "button": "Add the stakeholder"},
        status=_status(bool(form.errors)),
    )


@requires(EVIDENCE)
@submitted_once
def sroi_input(request: HttpRequest, pk: int) -> HttpResponse:
    """Add an input."""
    analysis = _analysis(pk)
    if not analysis.stakeholders.exists():
        messages.error(request, "Add a stakeholder first: every input is put in by a stakeholder.")
        return redirect("evidence:sroi-detail", pk=analysis.pk)
    form = InputForm(request.POST or None, analysis=analysis)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_input(analysis=analysis, by=signed_in_user(request), **form.cleaned_data)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{form.cleaned_data['description']} added.")
            return redirect("evidence:sroi-detail", pk=analysis.pk)
    return render(
        request,
        "evidence/sroi_item_form.html",
        {"analysis": analysis, "form": form, "heading": "Add an input", "button": "Add the input"},
        status=_status(bool(form.errors)),
    )


@requires(EVIDENCE)
@submitted_once
def sroi_outcome(request: HttpRequest, pk: int, outcome_pk: int | None = None) -> HttpResponse:
    """Add an outcome, or change one."""
    analysis = _analysis(pk)
    outcome = (
        get_object_or_404(SroiOutcome, pk=outcome_pk, analysis=analysis) if outcome_pk is not None else None
    )
    if not analysis.stakeholders.exists():
        messages.error(request, "Add a stakeholder first: every outcome is experienced by a stakeholder.")
        return redirect("evidence:sroi-detail", pk=analysis.pk)
    form = OutcomeForm(request.POST or None, instance=outcome, analysis=analysis)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in OutcomeForm.Meta.fields}
        try:
            saved = actions.save_outcome(
                analysis=analysis, outcome=outcome, fields=fields, by=signed_in_user(request)
            )
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("evidence:sroi-detail", pk=analysis.pk)
    heading = "Change an outcome" if outcome else "Add an outcome"
    return render(
        request,
        "evidence/sroi_item_form.html",
        {"analysis": analysis, "form": form, "heading": heading, "button": "Save the outcome"},
        status=_status(bool(form.errors)),
    )


_REMOVABLE: dict[str, Any] = {"input": SroiInput, "outcome": SroiOutcome, "stakeholder": SroiStakeholder}


@requires(EVIDENCE)
@require_POST
def sroi_remove(request: HttpRequest, pk: int, kind: str, item_pk: int) -> HttpResponse:
    """Remove an input, an outcome or an unused stakeholder."""
    analysis = _analysis(pk)
    if kind not in _REMOVABLE:
        raise Http404("Nothing of that kind can be removed.")
    item = get_object_or_404(_REMOVABLE[kind], pk=item_pk, analysis=analysis)
    try:
        actions.remove_item(analysis=analysis, item=item, by=signed_in_user(request))
    except EvidenceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{item} removed.")
    return redirect("evidence:sroi-detail", pk=analysis.pk)


ASSUMPTION_LABELS = {
    Assumption.QUANTITY: "Quantity",
    Assumption.FINANCIAL_PROXY: "Financial proxy",
    Assumption.DURATION: "Duration (years)",
    Assumption.DEADWEIGHT: "Deadweight",
    Assumption.DISPLACEMENT: "Displacement",
    Assumption.ATTRIBUTION: "Attribution",
    Assumption.DROP_OFF: "Drop-off",
    Assumption.DISCOUNT_RATE: "Discount rate",
}
_FRACTIONS = {
    Assumption.DEADWEIGHT,
    Assumption.DISPLACEMENT,
    Assumption.ATTRIBUTION,
    Assumption.DROP_OFF,
    Assumption.DISCOUNT_RATE,
}


def _assumption_value(assumption: Assumption, value: float | None) -> str:
    if value is None:
        return "none within range"
    if assumption in _FRACTIONS:
        return f"{value * 100:.1f}%"
    if assumption == Assumption.FINANCIAL_PROXY:
        return f"£{value:,.2f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _report_rows(report: queries.SroiReport) -> dict[str, list[list[str]]]:
    """The report's tables as rows of text (the page and the CSV show the same)."""
    tables: dict[str, list[list[str]]] = {"outcomes": [], "years": [], "sensitivity": [], "break_even": []}
    result = report.result
    if result is None:
        return tables
    for each in result.outcomes:
        tables["outcomes"].append(
            [
                each.outcome.stakeholder,
                each.outcome.name,
                f"{each.outcome.quantity:,.2f}".rstrip("0").rstrip("."),
                f"£{each.outcome.proxy.value:,.2f}",
                f"£{each.impact:,.2f}",
                str(each.outcome.duration_years),
                f"£{each.present_value:,.2f}",
            ]
        )
    for year, (value, present) in enumerate(
        zip(result.values_by_year, result.present_values_by_year, strict=True), start=1
    ):
        tables["years"].append([str(year), f"£{value:,.2f}", f"£{present:,.2f}"])
    if report.sensitivity is not None:
        for case in report.sensitivity.cases:
            tables["sensitivity"].append(
                [
                    ASSUMPTION_LABELS[case.assumption],
                    case.outcome or "All outcomes",
                    _assumption_value(case.assumption, case.baseline_value),
                    _assumption_value(case.assumption, case.tested_value),
                    f"{case.ratio:.2f}",
                    f"{case.change_in_ratio:+.2f}".replace("-", "−"),
                ]
            )
        for point in report.sensitivity.break_even:
            tables["break_even"].append(
                [
                    ASSUMPTION_LABELS[point.assumption],
                    point.outcome or "All outcomes",
                    _assumption_value(point.assumption, point.baseline_value),
                    _assumption_value(point.assumption, point.value_at_one_to_one),
                ]
            )
    return tables


REPORT_HEADERS = {
    "outcomes": [
        "Stakeholder",
        "Outcome",
        "Quantity",
        "Financial proxy",
        "Impact in year 1",
        "Duration (years)",
        "Present value",
    ],
    "years": ["Year", "Value", "Present value"],
    "sensitivity": ["Assumption", "Outcome", "As entered", "Tested", "SROI ratio", "Change in ratio"],
    "break_even": ["Assumption", "Outcome", "As entered", "Value at which the ratio is 1:1"],
}


@requires(EVIDENCE)
def sroi_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The SROI report: present value, net present value, ratio, payback and the sensitivity table."""
    analysis = _analysis(pk)
    report = queries.sroi_report(analysis)
    return render(
        request,
        "evidence/sroi_report.html",
        {"analysis": analysis, "report": report, "tables": _report_rows(report), "headers": REPORT_HEADERS},
    )


@requires(EVIDENCE)
def sroi_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The SROI report as one CSV: the totals, each outcome, each year and the sensitivity analysis."""
    analysis = _analysis(pk)
    report = queries.sroi_report(analysis)
    if report.result is None:
        messages.error(request, f"The report cannot be worked out yet: {report.problem}")
        return redirect("evidence:sroi-report", pk=analysis.pk)
    result = report.result
    rows: list[list[str]] = [
        ["Analysis", analysis.name],
        ["Period", f"{analysis.period_start:%Y-%m-%d} to {analysis.period_end:%Y-%m-%d}"],
        ["Discount rate (%)", f"{analysis.discount_rate}"],
        ["Total inputs (£)", f"{result.total_inputs:.2f}"],
        ["Present value (£)", f"{result.present_value:.2f}"],
        ["Net present value (£)", f"{result.net_present_value:.2f}"],
        ["SROI ratio", "" if result.ratio is None else f"{result.ratio:.4f}"],
        ["Net SROI ratio", "" if result.net_ratio is None else f"{result.net_ratio:.4f}"],
        ["Payback (months)", "" if result.payback_months is None else f"{result.payback_months:.2f}"],
    ]
    for name, table in _report_rows(report).items():
        rows.append([])
        rows.append([name.replace("_", " ").capitalize()])
        rows.append(REPORT_HEADERS[name])
        rows.extend(table)
    return _csv_response(f"sroi-{analysis.pk}.csv", ["Item", "Value"], rows)


# ------------------------------------------------------------------------------------- alliances


@requires(EVIDENCE)
def alliance_list(request: HttpRequest) -> HttpResponse:
    """Every alliance."""
    alliances = Alliance.objects.prefetch_related("members", "shared_outcomes").order_by("name")
    return render(request, "evidence/alliance_list.html", {"alliances": alliances})


@requires(EVIDENCE)
def alliance_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Form an alliance, or change its members."""
    alliance = get_object_or_404(Alliance, pk=pk) if pk is not None else None
    initial = (
        {"name": alliance.name, "description": alliance.description, "members": alliance.members.all()}
        if alliance
        else None
    )
    form = AllianceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_alliance(alliance=alliance, by=signed_in_user(request), **form.cleaned_data)
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{saved.name} saved.")
            return redirect("evidence:alliance-detail", pk=saved.pk)
    return render(
        request,
        "evidence/alliance_form.html",
        {"form": form, "alliance": alliance},
        status=_status(bool(form.errors)),
    )


@requires(EVIDENCE)
def alliance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An alliance's shared outcomes, each by quarter against its target."""
    alliance = get_object_or_404(Alliance.objects.prefetch_related("members"), pk=pk)
    return render(
        request,
        "evidence/alliance_detail.html",
        {**_freshness(), "alliance": alliance, "results": alliance_results(alliance, queries.catalogue())},
    )


ALLIANCE_CSV_HEADER = [
    "indicator",
    "place",
    "imd_quintile",
    "target",
    "unit",
    "quarter",
    "counted",
    "out_of",
    "value",
    "lower_95",
    "upper_95",
    "against_target",
]


@requires(EVIDENCE)
def alliance_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every shared outcome of an alliance, by quarter, as one CSV."""
    alliance = get_object_or_404(Alliance, pk=pk)
    rows: list[list[str]] = []
    for found in alliance_results(alliance, queries.catalogue()):
        shared = found.shared_outcome
        place = shared.neighbourhood.name if shared.neighbourhood else "every place"
        start = [
            found.indicator.code,
            place,
            str(shared.imd_quintile or ""),
            f"{shared.target}",
            found.indicator.unit,
        ]
        for row in found.section.csv_rows:
            if found.indicator.kind == "proportion":
                quarter, counted, out_of, *rest = row
            else:
                quarter, counted, *rest = row
                out_of = ""
            rows.append([*start, quarter, counted, out_of, *rest])
    return _csv_response(f"alliance-{alliance.pk}-shared-outcomes.csv", ALLIANCE_CSV_HEADER, rows)


@requires(EVIDENCE)
def shared_outcome_edit(request: HttpRequest, pk: int, outcome_pk: int | None = None) -> HttpResponse:
    """Agree an indicator and target for the alliance, or change one."""
    alliance = get_object_or_404(Alliance, pk=pk)
    shared = (
        get_object_or_404(SharedOutcome, pk=outcome_pk, alliance=alliance) if outcome_pk is not None else None
    )
    initial = (
        {
            "indicator": shared.indicator,
            "target": shared.target,
            "neighbourhood": shared.neighbourhood,
            "imd_quintile": shared.imd_quintile or "",
            "agreed_on": shared.agreed_on,
        }
        if shared
        else None
    )
    form = SharedOutcomeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_shared_outcome(
                alliance=alliance, shared_outcome=shared, by=signed_in_user(request), **form.cleaned_data
            )
        except EvidenceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{INDICATORS[form.cleaned_data['indicator']].label} saved.")
            return redirect("evidence:alliance-detail", pk=alliance.pk)
    return render(
        request,
        "evidence/shared_outcome_form.html",
        {"form": form, "alliance": alliance, "shared": shared, "indicators": INDICATORS.values()},
        status=_status(bool(form.errors)),
    )


@requires(EVIDENCE)
@require_POST
def shared_outcome_remove(request: HttpRequest, pk: int, outcome_pk: int) -> HttpResponse:
    """Stop tracking an indicator."""
    alliance = get_object_or_404(Alliance, pk=pk)
    shared = get_object_or_404(SharedOutcome, pk=outcome_pk, alliance=alliance)
    actions.remove_shared_outcome(shared_outcome=shared, by=signed_in_user(request))
    messages.success(request, f"{INDICATORS[shared.indicator].label} is no longer tracked.")
    return redirect("evidence:alliance-detail", pk=alliance.pk)
