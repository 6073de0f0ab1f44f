"""Residents' pages for participatory budgeting: every round, one round in its phase, sharing an idea,
voting (and changing a vote until voting closes), the results with their explanations, and the export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from commonweal.accounts.models import User
from commonweal.accounts.permissions import signed_in, signed_in_user
from commonweal.participation import budgeting_queries as queries
from commonweal.participation.actions import budgeting as actions
from commonweal.participation.errors import ParticipationError
from commonweal.participation.forms import show_error
from commonweal.participation.forms.budgeting import BallotForm, IdeaForm, ballot_initial
from commonweal.participation.models import Ballot, BudgetRound
from commonweal.participation.pb_rounds.voters import WEIGHTING_EXPLANATION

Phase = BudgetRound.Phase


def _round(pk: int) -> BudgetRound:
    return get_object_or_404(BudgetRound.objects.select_related("place"), pk=pk)


def budgets(request: HttpRequest) -> HttpResponse:
    """Every round, grouped by what residents can do in it now."""
    rounds = list(BudgetRound.objects.select_related("place").order_by("place__name", "-created_at"))
    groups = [
        ("Share your ideas", [r for r in rounds if r.phase == Phase.IDEAS]),
        ("Vote now", [r for r in rounds if r.phase == Phase.VOTING]),
        ("Projects being developed", [r for r in rounds if r.phase == Phase.DEVELOPMENT]),
        ("Results and delivery", [r for r in rounds if r.phase in (Phase.RESULTS, Phase.DELIVERY)]),
    ]
    return render(request, "participation/budgeting/list.html", {"groups": groups})


def _my_ballot(request: HttpRequest, budget_round: BudgetRound) -> Ballot | None:
    if not isinstance(request.user, User):
        return None
    return budget_round.ballots.filter(person__user=request.user).first()


def budget_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A round's public page: the money, the phase, the ideas and projects, and what to do next."""
    budget_round = _round(pk)
    proposals = list(budget_round.proposals.order_by("number"))
    context: dict[str, Any] = {
        "budget_round": budget_round,
        "phases": Phase.choices,
        "phase_index": Phase.values.index(budget_round.phase),
        "ideas": budget_round.ideas.order_by("submitted_at", "pk").select_related("proposal"),
        "proposals": proposals,
        "not_on_ballot": [proposal for proposal in proposals if not proposal.is_on_ballot],
        "rules": budget_round.ballot_rules(),
        "eligibility": budget_round.eligibility(),
        "voting_open": budget_round.voting_is_open(),
        "my_ballot": _my_ballot(request, budget_round),
        "result": getattr(budget_round, "result", None),
        "delivery": queries.delivery_progress(budget_round),
        "weighting": WEIGHTING_EXPLANATION,
    }
    return render(request, "participation/budgeting/round.html", context)


@signed_in
def idea_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Share an idea for what the round's money could do."""
    budget_round = _round(pk)
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_idea(budget_round=budget_round, by=signed_in_user(request), **form.cleaned_data)
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request, "Thank you: your idea is published below. We will say what happens to it."
            )
            return redirect("participation:budget", pk=budget_round.pk)
    return render(
        request,
        "participation/budgeting/idea_form.html",
        {"budget_round": budget_round, "form": form, "open": budget_round.phase == Phase.IDEAS},
        status=400 if form.errors else 200,
    )


def _ballot_form(budget_round: BudgetRound, data: Any = None, **kwargs: Any) -> BallotForm:
    return BallotForm(
        data, budget_round=budget_round, projects=queries.ballot_projects(budget_round), **kwargs
    )


def _vote_page(
    request: HttpRequest,
    budget_round: BudgetRound,
    *,
    form: BallotForm | None,
    ballot: Ballot | None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "participation/budgeting/vote.html",
        {
            "budget_round": budget_round,
            "form": form,
            "ballot": ballot,
            "refusal": refusal,
            "rules": budget_round.ballot_rules(),
            "voting_open": budget_round.voting_is_open(),
            "changing": request.GET.get("change") == "1" or request.POST.get("ballot", "") != "",
            "marks": (
                ballot.marks.select_related("proposal").order_by(
                    "value" if budget_round.is_ranked else "proposal__number"
                )
                if ballot is not None
                else []
            ),
        },
        status=status,
    )


@signed_in
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote online; a voter who has voted sees their ballot and may change it until voting closes."""
    budget_round = _round(pk)
    user = signed_in_user(request)
    ballot = _my_ballot(request, budget_round)
    if budget_round.phase != Phase.VOTING:
        return _vote_page(request, budget_round, form=None, ballot=ballot)
    try:
        actions.online_voter(budget_round, user)
    except ParticipationError as error:
        return _vote_page(request, budget_round, form=None, ballot=ballot, refusal=str(error), status=403)
    if request.method != "POST":
        initial = ballot_initial(budget_round, ballot.choices()) if ballot is not None else None
        return _vote_page(
            request, budget_round, form=_ballot_form(budget_round, initial=initial), ballot=ballot
        )
    form = _ballot_form(budget_round, request.POST)
    if form.is_valid():
        try:
            # A form that carries no ballot number is a new ballot; one that does changes that ballot.
            changing = request.POST.get("ballot", "")
            if changing:
                own = get_object_or_404(
                    Ballot, round=budget_round, number=int(changing) if changing.isdigit() else 0
                )
                actions.change_online_ballot(ballot=own, choices=form.choices(), by=user)
                messages.success(
                    request, "Your vote is changed. You can change it again until voting closes."
                )
            else:
                actions.cast_online_ballot(budget_round=budget_round, choices=form.choices(), by=user)
                messages.success(
                    request, "Thank you: your vote is recorded. You can change it until voting closes."
                )
        except ParticipationError as error:
            show_error(form, error)
        else:
            return redirect("participation:budget-vote", pk=budget_round.pk)
    return _vote_page(request, budget_round, form=form, ballot=_my_ballot(request, budget_round), status=400)


def _with_result(pk: int) -> BudgetRound:
    budget_round = _round(pk)
    if getattr(budget_round, "result", None) is None:
        raise Http404("This round has not been counted yet.")
    return budget_round


@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The results: the funded projects in order, why each project won or lost, the chart and its table."""
    budget_round = _with_result(pk)
    ballot = _my_ballot(request, budget_round)
    view = queries.results_view(budget_round)
    return render(
        request,
        "participation/budgeting/results.html",
        {
            "budget_round": budget_round,
            "view": view,
            "my_ballot": ballot,
            "my_payments": queries.my_payments(budget_round, ballot) if ballot is not None else [],
            "recount": queries.recount_instructions(budget_round),
            "file_name": queries.export_file_name(budget_round),
            "weighting": WEIGHTING_EXPLANATION,
        },
    )


@require_GET
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The round as a pabulib `.pb` file: anonymous ballots, projects and the funded ones marked."""
    budget_round = _with_result(pk)
    response = HttpResponse(queries.export_text(budget_round), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{queries.export_file_name(budget_round)}"'
    return response


@require_GET
def export_weights(request: HttpRequest, pk: int) -> HttpResponse:
    """A weighted round's voter weights, for recounting with the command line's --weights."""
    budget_round = _with_result(pk)
    if not budget_round.weight_by_deprivation:
        raise Http404("This round does not weight voters.")
    response = HttpResponse(queries.export_weights(budget_round), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="commonweal-round-{budget_round.pk}-weights.csv"'
    return response
