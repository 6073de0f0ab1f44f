"""Pages for community health workers, their supervisors, administrators and residents.

Authorise → load → validate → one action → respond. Every page works without JavaScript; the visit form
is enhanced by a local queue (frontend/visit-queue.js) that keeps visits made offline until sent.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commonweal.accounts.permissions import Capability, requires, signed_in, signed_in_user
from commonweal.households import access, actions, definitions, queries, rules
from commonweal.households.actions import HouseholdError, MemberSeen
from commonweal.households.forms import AgendaFilterForm, CsvUploadForm, StatusForm, StopVisitsForm, VisitForm
from commonweal.households.models import Household, Patch, Visit, VisitOutcome
from commonweal.ui import spreadsheets
from commonweal.ui.forms import show_error

AGENDA_PAGE_SIZE = 50


@require_GET
@requires(Capability.VISIT_HOUSEHOLDS)
def agenda(request: HttpRequest) -> HttpResponse:
    """Today's agenda: one line per household with every member's due task, filtered."""
    user = signed_in_user(request)
    form = AgendaFilterForm(request.GET or None)
    choice = queries.AgendaFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        choice = queries.AgendaFilter(data["due_by"], data["priority"], data["reason"], data["street"])
    patches = list(queries.patches_held(user))
    entries = queries.agenda([patch.pk for patch in patches], choice)
    page = Paginator(entries, AGENDA_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "households/agenda.html",
        {
            "form": form,
            "entries": page.object_list,
            "count": len(entries),
            "page": page,
            "query": query.urlencode(),
            "patches": patches,
            "today": timezone.localdate(),
        },
    )


def _household_for(request: HttpRequest, household_id: int) -> tuple[Household, list[Any]]:
    household = get_object_or_404(Household.objects.select_related("patch", "lsoa"), pk=household_id)
    members = access.open_household(signed_in_user(request), household, request.get_full_path())
    return household, members


@require_GET
@requires(Capability.VISIT_HOUSEHOLDS)
def household(request: HttpRequest, household_id: int) -> HttpResponse:
    """A household: its members, tasks, prevention gaps and visits (each member's read is logged)."""
    found, members = _household_for(request, household_id)
    user = signed_in_user(request)
    return render(
        request,
        "households/household.html",
        {
            "household": found,
            "members": members,
            "tasks": queries.tasks_of(found),
            "gaps": queries.gaps_of(found),
            "visits": queries.visits_of(found)[:20],
            "may_visit": rules.may_visit(user, found),
            "status_form": StatusForm(initial={"status": found.status}),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.VISIT_HOUSEHOLDS)
def record_visit(request: HttpRequest, household_id: int) -> HttpResponse:
    """Record a visit; the same form sent twice (same client id) records it once."""
    user = signed_in_user(request)
    found, members = _household_for(request, household_id)
    if not rules.may_visit(user, found):
        raise PermissionDenied("Only the worker holding this household's patch can record a visit.")
    form = VisitForm(request.POST or None, members=members)
    supervisor = actions.supervisor_at(found.patch, timezone.now()) if found.patch else None
    if request.method == "POST" and form.is_valid() and form.cleaned_data["shadowed"] and supervisor is None:
        form.add_error("shadowed", "This patch has no supervisor to record as coming with you.")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = actions.record_visit(
                household=found,
                outcome=data["outcome"],
                reasons=data["reasons"],
                seen=[MemberSeen(**member) for member in form.seen()],
                client_id=data["client_id"],
                note=data["note"],
                chw_patch=found.patch,
                shadowed_by=supervisor if data["shadowed"] else None,
                by=user,
            )
        except HouseholdError as error:
            show_error(form, error)
        else:
            if not result.created:
                messages.info(request, "This visit was already recorded, so nothing new was made.")
            else:
                messages.success(request, f"Visit recorded: {result.visit.get_outcome_display().lower()}.")
            for referral in result.referrals:
                messages.success(request, f"Referred {referral.person.full_name} to {referral.team.name}.")
            for problem in result.referral_problems:
                messages.warning(request, problem)
            return redirect("households:household", household_id=found.pk)
    return render(
        request,
        "households/visit.html",
        {
            "household": found,
            "form": form,
            "check": definitions.wellbeing_check(),
            "member_fields": form.bound_member_fields(),
        },
    )


@require_POST
@requires(Capability.VISIT_HOUSEHOLDS)
def set_status(request: HttpRequest, household_id: int) -> HttpResponse:
    """Mark a household moved, refused or muted (with a reason), or active again."""
    user = signed_in_user(request)
    found, _ = _household_for(request, household_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            actions.set_status(
                household=found,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
        except HouseholdError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"The household is now {found.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose a status.")
    return redirect("households:household", household_id=found.pk)


@require_GET
@requires(Capability.SUPERVISE_HOUSEHOLDS)
def supervision(request: HttpRequest) -> HttpResponse:
    """The supervisor's dashboard: each patch's month against its goal, refusals, needs, referrals."""
    user = signed_in_user(request)
    patches = list(queries.patches_supervised(user))
    rows = queries.supervision(patches)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="households-supervision.csv"'
        writer = spreadsheets.writer(response)
        writer.writerow(
            [
                "patch",
                "worker",
                "households",
                "visited_this_month",
                "goal",
                "not_visited_30_days",
                "refusals",
                "needs_found",
                "referrals",
                "expected_by_now",
                "shadow_visits",
            ]
        )
        for row in rows:
            writer.writerow(
                [
                    row.patch.name,
                    row.patch.chw.full_name if row.patch.chw else "",
                    row.households,
                    row.visited_this_month,
                    row.goal,
                    row.red,
                    row.refusals,
                    row.needs_found,
                    row.referrals,
                    row.expected_by_now,
                    row.shadow_visits,
                ]
            )
        return response
    queue = queries.review_queue(user)
    return render(
        request,
        "households/supervision.html",
        {
            "rows": rows,
            "attention": queries.digest_of(rows, timezone.localdate()),
            "queue": queue[:50],
            "queue_count": queue.count(),
            "red_after": queries.RED_AFTER_DAYS,
        },
    )


@require_POST
@requires(Capability.SUPERVISE_HOUSEHOLDS)
def review_visit(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Mark a visit reviewed (and, for a household that moved, resolved)."""
    user = signed_in_user(request)
    visit = get_object_or_404(Visit, pk=visit_id)
    if not rules.may_review_visit(user, visit):
        raise PermissionDenied("Only a supervisor of the patch can review this visit.")
    actions.mark_reviewed(visit=visit, by=user)
    messages.success(request, "Visit marked reviewed.")
    return redirect("households:supervision")


@require_http_methods(["GET", "POST"])
@requires(Capability.MANAGE_HOUSEHOLDS)
def manage(request: HttpRequest) -> HttpResponse:
    """Onboard households and import a GP extract from CSV, with a report line per row."""
    user = signed_in_user(request)
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        importer = {
            "households": actions.import_households,
            "gp_extract": actions.import_gp_extract,
            "workers": actions.import_workers,
        }[form.cleaned_data["kind"]]
        try:
            report = importer(text=form.cleaned_data["file"], by=user)
        except HouseholdError as error:
            show_error(form, error)
        else:
            if report.imported:
                messages.success(request, f"Imported {report.imported} rows.")
            else:
                messages.error(
                    request, "Nothing was imported: correct the rows below and send the file again."
                )
    patches = Patch.objects.select_related("chw", "supervisor")
    return render(request, "households/manage.html", {"form": form, "report": report, "patches": patches})


@require_GET
@signed_in
def mine(request: HttpRequest) -> HttpResponse:
    """A resident sees what was recorded about their household, and can ask for visits to stop."""
    user = signed_in_user(request)
    found = queries.household_of(user)
    visits = queries.visits_of(found) if found else []
    return render(
        request,
        "households/mine.html",
        {"household": found, "visits": visits, "form": StopVisitsForm(), "outcomes": VisitOutcome},
    )


@require_POST
@signed_in
def stop_visits(request: HttpRequest) -> HttpResponse:
    """A member of a household asks for visits to stop."""
    user = signed_in_user(request)
    found = queries.household_of(user)
    if found is None:
        raise PermissionDenied("You are not recorded in a household.")
    form = StopVisitsForm(request.POST)
    if form.is_valid():
        actions.ask_to_stop_visits(household=found, note=form.cleaned_data["note"], by=user)
        messages.success(request, "We will not visit your household again unless you ask us to.")
    return redirect("households:mine")


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The visit form's service worker, served under /households/ so that it may look after those pages."""
    path = finders.find("ui/build/js/households-sw.js")
    if not path:
        raise Http404("The static files are not built (make static).")
    with open(str(path), encoding="utf-8") as handle:
        response = HttpResponse(handle.read(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
