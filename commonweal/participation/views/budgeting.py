"""Organisers' pages for participatory budgeting rounds: the list, setting up, each round's hub with its
phases, ideas, projects and feasibility review, paper ballots with double entry, and delivery."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonweal.accounts.permissions import Capability, requires, signed_in_user
from commonweal.participation import budgeting_queries as queries
from commonweal.participation.actions import budgeting as actions
from commonweal.participation.budgeting_access import budgeting_place_ids, budgeting_places, round_to_manage
from commonweal.participation.errors import ParticipationError
from commonweal.participation.forms import show_error
from commonweal.participation.forms.budgeting import (
    FeasibilityForm,
    IdeaAnswerForm,
    MilestoneDoneForm,
    MilestoneForm,
    OpenVotingForm,
    PaperBallotForm,
    ProposalForm,
    RoundForm,
    SetAsideForm,
    SpendForm,
    round_initial,
)
from commonweal.participation.models import BudgetRound, Idea, Milestone, PaperBallot, Proposal

Phase = BudgetRound.Phase


def _status(failed: bool) -> int:
    return 400 if failed else 200


@requires(Capability.RUN_BUDGETING)
def index(request: HttpRequest) -> HttpResponse:
    """The budgeting rounds in the organiser's places."""
    rounds = (
        BudgetRound.objects.filter(place_id__in=budgeting_place_ids(request.user))
        .select_related("place")
        .order_by("place__name", "-created_at")
    )
    return render(request, "participation/budgeting/index.html", {"rounds": rounds})


@requires(Capability.RUN_BUDGETING)
def round_create(request: HttpRequest) -> HttpResponse:
    """Set up a round: its place, money, ballot, rule and who may vote."""
    form = RoundForm(request.POST or None, places=budgeting_places(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.create_round(
                place=form.cleaned_data["place"], settings=form.settings(), by=signed_in_user(request)
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"{made.name} set up. It is open for residents' ideas.")
            return redirect("participation:budgeting-manage", pk=made.pk)
    return render(
        request,
        "participation/budgeting/round_form.html",
        {"form": form, "budget_round": None},
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_BUDGETING)
def round_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a round's settings, until voting opens."""
    budget_round = round_to_manage(request, pk)
    form = RoundForm(request.POST or None, initial=round_initial(budget_round))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_round(
                budget_round=budget_round, settings=form.settings(), by=signed_in_user(request)
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("participation:budgeting-manage", pk=budget_round.pk)
    return render(
        request,
        "participation/budgeting/round_form.html",
        {"form": form, "budget_round": budget_round},
        status=_status(bool(form.errors)),
    )


def _hub(
    request: HttpRequest,
    budget_round: BudgetRound,
    *,
    voting_form: OpenVotingForm | None = None,
    error: str = "",
) -> HttpResponse:
    proposals = list(budget_round.proposals.order_by("number"))
    ideas = budget_round.ideas.all()
    context: dict[str, Any] = {
        "budget_round": budget_round,
        "ideas": ideas.count(),
        "ideas_waiting": ideas.filter(status=Idea.Status.NEW).count(),
        "projects": len(proposals),
        "projects_waiting": sum(1 for p in proposals if p.feasibility == Proposal.Feasibility.PENDING),
        "projects_feasible": sum(1 for p in proposals if p.feasibility == Proposal.Feasibility.FEASIBLE),
        "ballots": queries.ballots_by_channel(budget_round),
        "paper": queries.paper_counts(budget_round),
        "result": getattr(budget_round, "result", None),
        "funded": queries.funded_projects(budget_round),
        "voting_form": voting_form or OpenVotingForm(),
        "error": error,
        "phases": Phase.choices,
    }
    failed = bool(error) or bool(voting_form is not None and voting_form.errors)
    return render(request, "participation/budgeting/manage.html", context, status=_status(failed))


@requires(Capability.RUN_BUDGETING)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """One round's hub: its phase, each task and the step to the next phase."""
    return _hub(request, round_to_manage(request, pk))


@requires(Capability.RUN_BUDGETING)
@require_POST
def advance(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Move the round on: close ideas, open voting, close voting and count, or start delivery."""
    budget_round = round_to_manage(request, pk)
    by = signed_in_user(request)
    voting_form = None
    try:
        if step == "development":
            actions.start_development(budget_round=budget_round, by=by)
            messages.success(request, "Ideas are closed. Develop the projects and review their feasibility.")
        elif step == "voting":
            voting_form = OpenVotingForm(request.POST)
            if not voting_form.is_valid():
                return _hub(request, budget_round, voting_form=voting_form)
            opened = actions.open_voting(
                budget_round=budget_round,
                voting_closes_on=voting_form.cleaned_data["voting_closes_on"],
                by=by,
            )
            messages.success(
                request,
                f"Voting is open until the end of {opened.voting_closes_on:%-d %B %Y}. "
                f"Order drawn by lot for ties: {', '.join(opened.lot_order)}.",
            )
        elif step == "close":
            result = actions.close_voting(budget_round=budget_round, by=by)
            messages.success(
                request,
                f"Voting closed and counted: {len(result.selected)} projects funded "
                f"from {result.ballots_counted} ballots.",
            )
        elif step == "delivery":
            actions.start_delivery(budget_round=budget_round, by=by)
            messages.success(request, "Delivery has started. Add each funded project's milestones.")
        else:
            raise ParticipationError("There is no such step.")
    except ParticipationError as error:
        if voting_form is not None:
            show_error(voting_form, error)
            return _hub(request, budget_round, voting_form=voting_form)
        return _hub(request, budget_round, error=str(error))
    return redirect("participation:budgeting-manage", pk=budget_round.pk)


def _ideas_page(
    request: HttpRequest, budget_round: BudgetRound, *, failed: tuple[int, IdeaAnswerForm] | None = None
) -> HttpResponse:
    proposals = list(budget_round.proposals.order_by("number"))
    rows = []
    for idea in budget_round.ideas.order_by("submitted_at", "pk").select_related("proposal"):
        if failed is not None and failed[0] == idea.pk:
            form = failed[1]
        else:
            form = IdeaAnswerForm(
                prefix=f"idea-{idea.pk}",
                proposals=proposals,
                initial={
                    "status": idea.status if idea.status != Idea.Status.NEW else None,
                    "proposal": idea.proposal_id,
                    "response": idea.response,
                },
            )
        rows.append((idea, form))
    return render(
        request,
        "participation/budgeting/ideas.html",
        {"budget_round": budget_round, "rows": rows, "failed": failed[1] if failed else None},
        status=_status(failed is not None),
    )


@requires(Capability.RUN_BUDGETING)
def ideas(request: HttpRequest, pk: int) -> HttpResponse:
    """Residents' ideas, each with its answer: taken forward into a project, or not and why."""
    return _ideas_page(request, round_to_manage(request, pk))


@requires(Capability.RUN_BUDGETING)
@require_POST
def idea_answer(request: HttpRequest, pk: int, idea_id: int) -> HttpResponse:
    """Answer one idea."""
    budget_round = round_to_manage(request, pk)
    idea = get_object_or_404(Idea, round=budget_round, pk=idea_id)
    form = IdeaAnswerForm(
        request.POST, prefix=f"idea-{idea.pk}", proposals=list(budget_round.proposals.order_by("number"))
    )
    if form.is_valid():
        try:
            actions.answer_idea(idea=idea, by=signed_in_user(request), **form.cleaned_data)
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Answer to “{idea.title}” saved.")
            return redirect("participation:budgeting-ideas", pk=budget_round.pk)
    return _ideas_page(request, budget_round, failed=(idea.pk, form))


@requires(Capability.RUN_BUDGETING)
def projects(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's projects with their feasibility, and a form to add one."""
    budget_round = round_to_manage(request, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.save_proposal(
                budget_round=budget_round, by=signed_in_user(request), **form.cleaned_data
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Project {made.number} added. Next, review its feasibility.")
            return redirect("participation:budgeting-project", pk=budget_round.pk, number=made.number)
    return render(
        request,
        "participation/budgeting/projects.html",
        {"budget_round": budget_round, "proposals": budget_round.proposals.order_by("number"), "form": form},
        status=_status(bool(form.errors)),
    )


def _project_page(
    request: HttpRequest,
    budget_round: BudgetRound,
    proposal: Proposal,
    *,
    form: ProposalForm | None = None,
    review_form: FeasibilityForm | None = None,
) -> HttpResponse:
    form = form or ProposalForm(
        initial={"title": proposal.title, "description": proposal.description, "cost": proposal.cost}
    )
    review_form = review_form or FeasibilityForm(
        initial={
            "decision": proposal.feasibility
            if proposal.feasibility != Proposal.Feasibility.PENDING
            else None,
            "note": proposal.feasibility_note,
        }
    )
    return render(
        request,
        "participation/budgeting/project.html",
        {
            "budget_round": budget_round,
            "proposal": proposal,
            "form": form,
            "review_form": review_form,
            "ideas": proposal.ideas.order_by("submitted_at"),
        },
        status=_status(bool(form.errors or review_form.errors)),
    )


@requires(Capability.RUN_BUDGETING)
def project(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """One project: change it (it goes back for review), and its feasibility review."""
    budget_round = round_to_manage(request, pk)
    proposal = get_object_or_404(Proposal, round=budget_round, number=number)
    if request.method != "POST":
        return _project_page(request, budget_round, proposal)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            actions.save_proposal(
                budget_round=budget_round, proposal=proposal, by=signed_in_user(request), **form.cleaned_data
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Project {proposal.number} saved.")
            return redirect("participation:budgeting-project", pk=budget_round.pk, number=proposal.number)
    return _project_page(request, budget_round, proposal, form=form)


@requires(Capability.RUN_BUDGETING)
@require_POST
def feasibility(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Record a project's feasibility review."""
    budget_round = round_to_manage(request, pk)
    proposal = get_object_or_404(Proposal, round=budget_round, number=number)
    form = FeasibilityForm(request.POST)
    if form.is_valid():
        try:
            reviewed = actions.review_feasibility(
                proposal=proposal, by=signed_in_user(request), **form.cleaned_data
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request, f"Project {reviewed.number}: {reviewed.get_feasibility_display().lower()}."
            )
            return redirect("participation:budgeting-projects", pk=budget_round.pk)
    return _project_page(request, budget_round, proposal, review_form=form)


def _paper_form(budget_round: BudgetRound, data: Any = None, **kwargs: Any) -> PaperBallotForm:
    return PaperBallotForm(
        data, budget_round=budget_round, projects=queries.ballot_projects(budget_round), **kwargs
    )


@requires(Capability.RUN_BUDGETING)
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Key paper ballots (each by two different people) and see the ones waiting."""
    budget_round = round_to_manage(request, pk)
    form = _paper_form(budget_round, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.key_paper_ballot(
                budget_round=budget_round, keying=form.keying(), by=signed_in_user(request)
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            level = (
                messages.success if outcome.paper.status != PaperBallot.Status.QUEUED else messages.warning
            )
            level(request, outcome.message)
            return redirect("participation:budgeting-paper", pk=budget_round.pk)
    return render(
        request,
        "participation/budgeting/paper.html",
        {
            "budget_round": budget_round,
            "form": form,
            "counts": queries.paper_counts(budget_round),
            "queue": queries.paper_queue(budget_round),
            "me": signed_in_user(request),
        },
        status=_status(bool(form.errors)),
    )


def _resolve_page(
    request: HttpRequest,
    budget_round: BudgetRound,
    paper_ballot: PaperBallot,
    *,
    record_form: PaperBallotForm | None = None,
    aside_form: SetAsideForm | None = None,
) -> HttpResponse:
    entries = list(paper_ballot.entries.select_related("keyed_by").order_by("keyed_at", "pk"))
    titles = {proposal.project_id: proposal.title for proposal in queries.ballot_projects(budget_round)}
    shown = [
        (
            entry,
            [
                (project, titles.get(project, ""), value)
                for project, value in sorted(entry.choices.items(), key=lambda item: int(item[0]))
            ],
        )
        for entry in entries
    ]
    keyed_it = any(entry.keyed_by_id == request.user.pk for entry in entries)
    failed = bool((record_form and record_form.errors) or (aside_form and aside_form.errors))
    return render(
        request,
        "participation/budgeting/paper_resolve.html",
        {
            "budget_round": budget_round,
            "paper": paper_ballot,
            "entries": shown,
            "keyed_it": keyed_it,
            "record_form": record_form or _paper_form(budget_round, with_reference=False, prefix="record"),
            "aside_form": aside_form or SetAsideForm(prefix="aside"),
        },
        status=_status(failed),
    )


@requires(Capability.RUN_BUDGETING)
def paper_resolve(request: HttpRequest, pk: int, paper_id: int) -> HttpResponse:
    """A paper ballot waiting for a third person: both keyings side by side; key it or set it aside."""
    budget_round = round_to_manage(request, pk)
    paper_ballot = get_object_or_404(PaperBallot, round=budget_round, pk=paper_id)
    if request.method != "POST":
        return _resolve_page(request, budget_round, paper_ballot)
    by = signed_in_user(request)
    if request.POST.get("decision") == "set-aside":
        aside_form = SetAsideForm(request.POST, prefix="aside")
        if aside_form.is_valid():
            try:
                actions.resolve_paper_ballot(
                    paper=paper_ballot, keying=None, note=aside_form.cleaned_data["note"], by=by
                )
            except ParticipationError as error:
                show_error(aside_form, error)
            else:
                messages.success(
                    request, f"Paper ballot {paper_ballot.reference} set aside: it is not counted."
                )
                return redirect("participation:budgeting-paper", pk=budget_round.pk)
        return _resolve_page(request, budget_round, paper_ballot, aside_form=aside_form)
    record_form = _paper_form(budget_round, request.POST, with_reference=False, prefix="record")
    if record_form.is_valid():
        try:
            actions.resolve_paper_ballot(
                paper=paper_ballot, keying=record_form.keying(paper_ballot.reference), note="", by=by
            )
        except ParticipationError as error:
            show_error(record_form, error)
        else:
            messages.success(request, f"Paper ballot {paper_ballot.reference} recorded.")
            return redirect("participation:budgeting-paper", pk=budget_round.pk)
    return _resolve_page(request, budget_round, paper_ballot, record_form=record_form)


def _delivery_page(
    request: HttpRequest,
    budget_round: BudgetRound,
    proposal: Proposal,
    *,
    milestone_form: MilestoneForm | None = None,
    done_form: tuple[int, MilestoneDoneForm] | None = None,
    spend_form: SpendForm | None = None,
) -> HttpResponse:
    progress = next(
        (item for item in queries.delivery_progress(budget_round) if item.proposal.pk == proposal.pk), None
    )
    if progress is None:
        raise Http404("This project was not funded.")
    done_forms = [
        (
            milestone,
            done_form[1]
            if done_form is not None and done_form[0] == milestone.pk
            else MilestoneDoneForm(prefix=f"done-{milestone.pk}"),
        )
        for milestone in progress.milestones
    ]
    failed = bool(
        (milestone_form and milestone_form.errors)
        or (done_form and done_form[1].errors)
        or (spend_form and spend_form.errors)
    )
    return render(
        request,
        "participation/budgeting/delivery.html",
        {
            "budget_round": budget_round,
            "proposal": proposal,
            "progress": progress,
            "done_forms": done_forms,
            "failed_done": done_form[1] if done_form is not None else None,
            "milestone_form": milestone_form or MilestoneForm(prefix="milestone"),
            "spend_form": spend_form or SpendForm(prefix="spend"),
            "spending": proposal.spending.order_by("spent_on", "pk"),
        },
        status=_status(failed),
    )


def _funded(request: HttpRequest, pk: int, number: int) -> tuple[BudgetRound, Proposal]:
    budget_round = round_to_manage(request, pk)
    return budget_round, get_object_or_404(Proposal, round=budget_round, number=number)


@requires(Capability.RUN_BUDGETING)
def delivery(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A funded project's delivery: milestones reached and money spent."""
    budget_round, proposal = _funded(request, pk, number)
    return _delivery_page(request, budget_round, proposal)


@requires(Capability.RUN_BUDGETING)
@require_POST
def milestone_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Add a milestone to a funded project."""
    budget_round, proposal = _funded(request, pk, number)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            actions.add_milestone(proposal=proposal, by=signed_in_user(request), **form.cleaned_data)
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Milestone “{form.cleaned_data['title']}” added.")
            return redirect("participation:budgeting-delivery", pk=budget_round.pk, number=proposal.number)
    return _delivery_page(request, budget_round, proposal, milestone_form=form)


@requires(Capability.RUN_BUDGETING)
@require_POST
def milestone_done(request: HttpRequest, pk: int, number: int, milestone_id: int) -> HttpResponse:
    """Record that a milestone was reached."""
    budget_round, proposal = _funded(request, pk, number)
    milestone = get_object_or_404(Milestone, proposal=proposal, pk=milestone_id)
    form = MilestoneDoneForm(request.POST, prefix=f"done-{milestone.pk}")
    if form.is_valid():
        try:
            actions.complete_milestone(
                milestone=milestone, done_on=form.cleaned_data["done_on"], by=signed_in_user(request)
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"“{milestone.title}” reached.")
            return redirect("participation:budgeting-delivery", pk=budget_round.pk, number=proposal.number)
    return _delivery_page(request, budget_round, proposal, done_form=(milestone.pk, form))


@requires(Capability.RUN_BUDGETING)
@require_POST
def spend(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Record money spent on a funded project."""
    budget_round, proposal = _funded(request, pk, number)
    form = SpendForm(request.POST, prefix="spend")
    if form.is_valid():
        try:
            recorded = actions.record_spend(
                proposal=proposal, by=signed_in_user(request), **form.cleaned_data
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request, f"£{recorded.amount:,.2f} spent on {recorded.spent_on:%-d %B %Y} recorded."
            )
            return redirect("participation:budgeting-delivery", pk=budget_round.pk, number=proposal.number)
    return _delivery_page(request, budget_round, proposal, spend_form=form)
