"""Organisers' pages for participatory budgeting rounds: the list, setting up, each round's hub with its
phases, ideas, projects and feasibility review, paper ballots with double entry, and delivery; and the
residents' pages: the rounds, an idea, the ballot, the results and the open data."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, requires, signed_in, signed_in_user
from commonweal.budgeting import actions, queries, rules
from commonweal.budgeting.actions import BudgetingError
from commonweal.budgeting.core.rounds.voters import WEIGHTING_EXPLANATION
from commonweal.budgeting.forms import (
    BallotForm,
    FeasibilityForm,
    IdeaAnswerForm,
    IdeaForm,
    MilestoneDoneForm,
    MilestoneForm,
    OpenVotingForm,
    PaperBallotForm,
    ProposalForm,
    RoundForm,
    SetAsideForm,
    SpendForm,
    ballot_initial,
    round_initial,
)
from commonweal.budgeting.models import Ballot, BudgetRound, Idea, Milestone, PaperBallot, Proposal
from commonweal.ui.forms import show_error
from commonweal.ui.idempotency import submitted_once

Phase = BudgetRound.Phase


def _status(failed: bool) -> int:
    return 400 if failed else 200


def _round_to_manage(request: HttpRequest, pk: int) -> BudgetRound:
    """Load a round the signed-in user runs; 404 if there is none, 403 if it is outside their places."""
    found = get_object_or_404(BudgetRound.objects.select_related("place"), pk=pk)
    if not rules.may_run_round(request.user, found):
        raise PermissionDenied("You do not run budgeting rounds in this place.")
    return found


@requires(Capability.RUN_BUDGETING)
def index(request: HttpRequest) -> HttpResponse:
    """The budgeting rounds in the organiser's places."""
    rounds = (
        BudgetRound.objects.filter(place_id__in=rules.budgeting_place_ids(request.user))
        .select_related("place")
        .order_by("place__name", "-created_at")
    )
    return render(request, "budgeting/index.html", {"rounds": rounds})


@requires(Capability.RUN_BUDGETING)
@submitted_once
def round_create(request: HttpRequest) -> HttpResponse:
    """Set up a round: its place, money, ballot, rule and who may vote."""
    form = RoundForm(request.POST or None, places=queries.places_to_run_in(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.create_round(
                place=form.cleaned_data["place"], settings=form.settings(), by=signed_in_user(request)
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, f"{made.name} set up. It is open for residents' ideas.")
            return redirect("budgeting:manage", pk=made.pk)
    return render(
        request,
        "budgeting/round_form.html",
        {"form": form, "budget_round": None},
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_BUDGETING)
def round_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a round's settings, until voting opens."""
    budget_round = _round_to_manage(request, pk)
    form = RoundForm(request.POST or None, initial=round_initial(budget_round))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_round(
                budget_round=budget_round, settings=form.settings(), by=signed_in_user(request)
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, "Settings saved.")
            return redirect("budgeting:manage", pk=budget_round.pk)
    return render(
        request,
        "budgeting/round_form.html",
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
    return render(request, "budgeting/manage.html", context, status=_status(failed))


@requires(Capability.RUN_BUDGETING)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """One round's hub: its phase, each task and the step to the next phase."""
    return _hub(request, _round_to_manage(request, pk))


@requires(Capability.RUN_BUDGETING)
@require_POST
def advance(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Move the round on: close ideas, open voting, close voting and count, or start delivery."""
    budget_round = _round_to_manage(request, pk)
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
            raise BudgetingError("There is no such step.")
    except BudgetingError as error:
        if voting_form is not None:
            show_error(voting_form, error)
            return _hub(request, budget_round, voting_form=voting_form)
        return _hub(request, budget_round, error=str(error))
    return redirect("budgeting:manage", pk=budget_round.pk)


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
        "budgeting/ideas.html",
        {"budget_round": budget_round, "rows": rows, "failed": failed[1] if failed else None},
        status=_status(failed is not None),
    )


@requires(Capability.RUN_BUDGETING)
def ideas(request: HttpRequest, pk: int) -> HttpResponse:
    """Residents' ideas, each with its answer: taken forward into a project, or not and why."""
    return _ideas_page(request, _round_to_manage(request, pk))


@requires(Capability.RUN_BUDGETING)
@require_POST
def idea_answer(request: HttpRequest, pk: int, idea_id: int) -> HttpResponse:
    """Answer one idea."""
    budget_round = _round_to_manage(request, pk)
    idea = get_object_or_404(Idea, round=budget_round, pk=idea_id)
    form = IdeaAnswerForm(
        request.POST, prefix=f"idea-{idea.pk}", proposals=list(budget_round.proposals.order_by("number"))
    )
    if form.is_valid():
        try:
            actions.answer_idea(idea=idea, by=signed_in_user(request), **form.cleaned_data)
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Answer to “{idea.title}” saved.")
            return redirect("budgeting:ideas", pk=budget_round.pk)
    return _ideas_page(request, budget_round, failed=(idea.pk, form))


@requires(Capability.RUN_BUDGETING)
@submitted_once
def projects(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's projects with their feasibility, and a form to add one."""
    budget_round = _round_to_manage(request, pk)
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.save_proposal(
                budget_round=budget_round, by=signed_in_user(request), **form.cleaned_data
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Project {made.number} added. Next, review its feasibility.")
            return redirect("budgeting:project", pk=budget_round.pk, number=made.number)
    return render(
        request,
        "budgeting/projects.html",
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
        "budgeting/project.html",
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
    budget_round = _round_to_manage(request, pk)
    proposal = get_object_or_404(Proposal, round=budget_round, number=number)
    if request.method != "POST":
        return _project_page(request, budget_round, proposal)
    form = ProposalForm(request.POST)
    if form.is_valid():
        try:
            actions.save_proposal(
                budget_round=budget_round, proposal=proposal, by=signed_in_user(request), **form.cleaned_data
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Project {proposal.number} saved.")
            return redirect("budgeting:project", pk=budget_round.pk, number=proposal.number)
    return _project_page(request, budget_round, proposal, form=form)


@requires(Capability.RUN_BUDGETING)
@require_POST
def feasibility(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Record a project's feasibility review."""
    budget_round = _round_to_manage(request, pk)
    proposal = get_object_or_404(Proposal, round=budget_round, number=number)
    form = FeasibilityForm(request.POST)
    if form.is_valid():
        try:
            reviewed = actions.review_feasibility(
                proposal=proposal, by=signed_in_user(request), **form.cleaned_data
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(
                request, f"Project {reviewed.number}: {reviewed.get_feasibility_display().lower()}."
            )
            return redirect("budgeting:projects", pk=budget_round.pk)
    return _project_page(request, budget_round, proposal, review_form=form)


def _paper_form(budget_round: BudgetRound, data: Any = None, **kwargs: Any) -> PaperBallotForm:
    return PaperBallotForm(
        data, budget_round=budget_round, projects=queries.ballot_projects(budget_round), **kwargs
    )


@requires(Capability.RUN_BUDGETING)
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """Key paper ballots (each by two different people) and see the ones waiting."""
    budget_round = _round_to_manage(request, pk)
    form = _paper_form(budget_round, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = actions.key_paper_ballot(
                budget_round=budget_round, keying=form.keying(), by=signed_in_user(request)
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            level = (
                messages.success if outcome.paper.status != PaperBallot.Status.QUEUED else messages.warning
            )
            level(request, outcome.message)
            return redirect("budgeting:paper", pk=budget_round.pk)
    return render(
        request,
        "budgeting/paper.html",
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
        "budgeting/paper_resolve.html",
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
    budget_round = _round_to_manage(request, pk)
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
            except BudgetingError as error:
                show_error(aside_form, error)
            else:
                messages.success(
                    request, f"Paper ballot {paper_ballot.reference} set aside: it is not counted."
                )
                return redirect("budgeting:paper", pk=budget_round.pk)
        return _resolve_page(request, budget_round, paper_ballot, aside_form=aside_form)
    record_form = _paper_form(budget_round, request.POST, with_reference=False, prefix="record")
    if record_form.is_valid():
        try:
            actions.resolve_paper_ballot(
                paper=paper_ballot, keying=record_form.keying(paper_ballot.reference), note="", by=by
            )
        except BudgetingError as error:
            show_error(record_form, error)
        else:
            messages.success(request, f"Paper ballot {paper_ballot.reference} recorded.")
            return redirect("budgeting:paper", pk=budget_round.pk)
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
        "budgeting/delivery.html",
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
    budget_round = _round_to_manage(request, pk)
    return budget_round, get_object_or_404(Proposal, round=budget_round, number=number)


@requires(Capability.RUN_BUDGETING)
def delivery(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """A funded project's delivery: milestones reached and money spent."""
    budget_round, proposal = _funded(request, pk, number)
    return _delivery_page(request, budget_round, proposal)


@requires(Capability.RUN_BUDGETING)
@require_POST
@submitted_once
def milestone_add(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Add a milestone to a funded project."""
    budget_round, proposal = _funded(request, pk, number)
    form = MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        try:
            actions.add_milestone(proposal=proposal, by=signed_in_user(request), **form.cleaned_data)
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Milestone “{form.cleaned_data['title']}” added.")
            return redirect("budgeting:delivery", pk=budget_round.pk, number=proposal.number)
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
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(request, f"“{milestone.title}” reached.")
            return redirect("budgeting:delivery", pk=budget_round.pk, number=proposal.number)
    return _delivery_page(request, budget_round, proposal, done_form=(milestone.pk, form))


@requires(Capability.RUN_BUDGETING)
@require_POST
@submitted_once
def spend(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Record money spent on a funded project."""
    budget_round, proposal = _funded(request, pk, number)
    form = SpendForm(request.POST, prefix="spend")
    if form.is_valid():
        try:
            recorded = actions.record_spend(
                proposal=proposal, by=signed_in_user(request), **form.cleaned_data
            )
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(
                request, f"£{recorded.amount:,.2f} spent on {recorded.spent_on:%-d %B %Y} recorded."
            )
            return redirect("budgeting:delivery", pk=budget_round.pk, number=proposal.number)
    return _delivery_page(request, budget_round, proposal, spend_form=form)


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
    return render(request, "budgeting/list.html", {"groups": groups})


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
    return render(request, "budgeting/round.html", context)


@signed_in
@submitted_once
def idea_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Share an idea for what the round's money could do."""
    budget_round = _round(pk)
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.submit_idea(budget_round=budget_round, by=signed_in_user(request), **form.cleaned_data)
        except BudgetingError as error:
            show_error(form, error)
        else:
            messages.success(
                request, "Thank you: your idea is published below. We will say what happens to it."
            )
            return redirect("budgeting:budget", pk=budget_round.pk)
    return render(
        request,
        "budgeting/idea_form.html",
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
        "budgeting/vote.html",
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
@submitted_once
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote online; a voter who has voted sees their ballot and may change it until voting closes."""
    budget_round = _round(pk)
    user = signed_in_user(request)
    ballot = _my_ballot(request, budget_round)
    if budget_round.phase != Phase.VOTING:
        return _vote_page(request, budget_round, form=None, ballot=ballot)
    try:
        actions.online_voter(budget_round, user)
    except BudgetingError as error:
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
        except BudgetingError as error:
            show_error(form, error)
        else:
            return redirect("budgeting:budget-vote", pk=budget_round.pk)
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
        "budgeting/results.html",
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
