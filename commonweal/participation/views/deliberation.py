"""Organisers' pages for running assemblies and steering groups: the list, setting up a steering group,
each body's hub, members, sessions with their evidence, recommendations, votes, responses and delivery."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from commonweal.accounts.permissions import Capability, requires, signed_in_user
from commonweal.participation import queries
from commonweal.participation.access import body_to_manage, managed_place_ids, managed_places
from commonweal.participation.actions import deliberation as actions
from commonweal.participation.errors import ParticipationError
from commonweal.participation.forms import show_error
from commonweal.participation.forms.assemblies import LeaveForm
from commonweal.participation.forms.deliberation import (
    DeliveryForm,
    EvidenceForm,
    MemberForm,
    RecommendationForm,
    ResponseForm,
    SessionForm,
    SteeringGroupForm,
    VotesForm,
)
from commonweal.participation.models import Assembly, Body, Membership, Recommendation, Session


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


@requires(Capability.RUN_ASSEMBLIES)
def index(request: HttpRequest) -> HttpResponse:
    """The assemblies and steering groups in the organiser's places."""
    bodies = (
        Body.objects.filter(place_id__in=managed_place_ids(request.user))
        .select_related("place", "assembly")
        .order_by("kind", "place__name", "name")
    )
    return render(
        request,
        "participation/index.html",
        {
            "assemblies": [body for body in bodies if body.kind == Body.Kind.ASSEMBLY],
            "steering_groups": [body for body in bodies if body.kind == Body.Kind.STEERING_GROUP],
        },
    )


@requires(Capability.RUN_ASSEMBLIES)
def steering_group_create(request: HttpRequest) -> HttpResponse:
    """Set up a neighbourhood steering group."""
    form = SteeringGroupForm(request.POST or None, places=managed_places(request.user))
    if request.method == "POST" and form.is_valid():
        body = actions.create_steering_group(
            place=form.cleaned_data["place"],
            name=form.cleaned_data["name"],
            remit=form.cleaned_data["remit"],
            responsible_organisation=form.cleaned_data["responsible_organisation"],
            by=signed_in_user(request),
        )
        messages.success(request, f"{body.name} set up. Next, add its members.")
        return redirect("participation:manage", pk=body.pk)
    return render(
        request, "participation/steering_group_form.html", {"form": form}, status=_status(bool(form.errors))
    )


@requires(Capability.RUN_ASSEMBLIES)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """One body's hub: for an assembly, each step of recruitment and selection; then its work."""
    body = body_to_manage(request, pk)
    assembly = Assembly.objects.get(pk=body.pk) if body.is_assembly else None
    context = {
        "body": body,
        "assembly": assembly,
        "members": queries.current_members(body).count(),
        "sessions": body.sessions.order_by("held_on", "pk"),
        "recommendations": body.recommendations.order_by("number"),
    }
    if assembly is not None:
        context |= {
            "letters": assembly.invitations.count(),
            "rounds": assembly.invitation_rounds.count(),
            "volunteers": queries.pool(assembly).count(),
            "quotas": assembly.quotas.count(),
            "selection": getattr(assembly, "selection", None),
            "open_dropouts": len(queries.open_dropouts(assembly)),
        }
    return render(request, "participation/manage.html", context)


@requires(Capability.RUN_ASSEMBLIES)
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """A steering group's members: add someone, or record that someone has left."""
    body = body_to_manage(request, pk)
    if body.is_assembly:
        return redirect("participation:panel", pk=body.pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = actions.add_member(body=body, by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"{membership.full_name} added.")
        return redirect("participation:members", pk=body.pk)
    everyone = body.memberships.order_by("left_on", "-role", "full_name", "pk")
    return render(
        request,
        "participation/members.html",
        {
            "body": body,
            "form": form,
            "current": [
                (member, LeaveForm(membership=member)) for member in everyone if member.left_on is None
            ],
            "left": [member for member in everyone if member.left_on is not None],
        },
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def member_leave(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    """Record that a member has left (for an assembly, a drop-out whose seat can be refilled)."""
    body = body_to_manage(request, pk)
    membership = get_object_or_404(Membership, body=body, pk=membership_id)
    form = LeaveForm(request.POST, membership=membership)
    back = "participation:panel" if body.is_assembly else "participation:members"
    if form.is_valid():
        try:
            actions.end_membership(
                membership=membership,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                by=signed_in_user(request),
            )
        except ParticipationError as error:
            messages.error(request, str(error))
        else:
            follow_up = " Draw a replacement below." if body.is_assembly else ""
            messages.success(request, f"{membership.full_name} has left.{follow_up}")
            return redirect(back, pk=body.pk)
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(back, pk=body.pk)


@requires(Capability.RUN_ASSEMBLIES)
def session_edit(request: HttpRequest, pk: int, session_id: int | None = None) -> HttpResponse:
    """Add a session, or change one and add to its evidence pack."""
    body = body_to_manage(request, pk)
    session = get_object_or_404(Session, body=body, pk=session_id) if session_id is not None else None
    initial = (
        {
            "title": session.title,
            "held_on": session.held_on,
            "venue": session.venue,
            "agenda": session.agenda,
            "notes": session.notes,
        }
        if session
        else None
    )
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = actions.record_session(
            body=body, session=session, by=signed_in_user(request), **form.cleaned_data
        )
        messages.success(request, f"Session “{saved.title}” saved.")
        return redirect("participation:session", pk=body.pk, session_id=saved.pk)
    return render(
        request,
        "participation/session_form.html",
        {
            "body": body,
            "session": session,
            "form": form,
            "evidence_form": EvidenceForm(prefix="evidence"),
            "evidence": session.evidence.all() if session else [],
        },
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
def evidence_add(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    """Add an item to a session's evidence pack."""
    body = body_to_manage(request, pk)
    session = get_object_or_404(Session, body=body, pk=session_id)
    form = EvidenceForm(request.POST or None, prefix="evidence")
    if request.method == "POST" and form.is_valid():
        item = actions.add_evidence(session=session, by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"“{item.title}” added to the evidence pack.")
        return redirect("participation:session", pk=body.pk, session_id=session.pk)
    return render(
        request,
        "participation/session_form.html",
        {
            "body": body,
            "session": session,
            "form": SessionForm(
                initial={
                    "title": session.title,
                    "held_on": session.held_on,
                    "venue": session.venue,
                    "agenda": session.agenda,
                    "notes": session.notes,
                }
            ),
            "evidence_form": form,
            "evidence": session.evidence.all(),
        },
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a recommendation the body has agreed."""
    body = body_to_manage(request, pk)
    form = RecommendationForm(request.POST or None, sessions=list(body.sessions.all()))
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.make_recommendation(body=body, by=signed_in_user(request), **form.cleaned_data)
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request, f"Recommendation {made.number} recorded. Next, record how members voted."
            )
            return redirect("participation:recommendation", pk=body.pk, recommendation_id=made.pk)
    return render(
        request,
        "participation/recommendation_form.html",
        {"body": body, "form": form},
        status=_status(bool(form.errors)),
    )


def _recommendation_page(
    request: HttpRequest,
    body: Body,
    recommendation: Recommendation,
    *,
    votes_form: VotesForm | None = None,
    response_form: ResponseForm | None = None,
    delivery_form: DeliveryForm | None = None,
) -> HttpResponse:
    voters = actions.eligible_voters(recommendation)
    current_votes = {vote.membership_id: vote.choice for vote in recommendation.votes.all()}
    if votes_form is None:
        votes_form = VotesForm(
            voters=voters, initial={f"member_{voter.pk}": current_votes.get(voter.pk, "") for voter in voters}
        )
    failed = any(form is not None and form.errors for form in (votes_form, response_form, delivery_form))
    return render(
        request,
        "participation/recommendation.html",
        {
            "body": body,
            "recommendation": recommendation,
            "votes_form": votes_form,
            "response_form": response_form or ResponseForm(),
            "delivery_form": delivery_form or DeliveryForm(),
            "tally": _tally(recommendation),
            "responses": recommendation.responses.order_by("-recorded_at", "-pk"),
            "current_response": recommendation.current_response(),
            "deliveries": recommendation.delivery_updates.order_by("-reported_on", "-pk"),
        },
        status=_status(failed),
    )


def _tally(recommendation: Recommendation) -> list[tuple[str, int]]:
    counts = {choice: 0 for choice in ("for", "against", "abstain")}
    for vote in recommendation.votes.all():
        counts[vote.choice] += 1
    return [("For", counts["for"]), ("Against", counts["against"]), ("Abstained", counts["abstain"])]


def _load_recommendation(
    request: HttpRequest, pk: int, recommendation_id: int
) -> tuple[Body, Recommendation]:
    body = body_to_manage(request, pk)
    return body, get_object_or_404(
        Recommendation.objects.select_related("session"), body=body, pk=recommendation_id
    )


@requires(Capability.RUN_ASSEMBLIES)
def recommendation(request: HttpRequest, pk: int, recommendation_id: int) -> HttpResponse:
    """A recommendation: how members voted, the response and delivery."""
    body, found = _load_recommendation(request, pk, recommendation_id)
    return _recommendation_page(request, body, found)


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def votes(request: HttpRequest, pk: int, recommendation_id: int) -> HttpResponse:
    """Record how each member voted."""
    body, found = _load_recommendation(request, pk, recommendation_id)
    form = VotesForm(request.POST, voters=actions.eligible_voters(found))
    if form.is_valid():
        try:
            tally = actions.record_votes(
                recommendation=found, choices=form.choices(), by=signed_in_user(request)
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"Votes recorded: {tally['for']} for, {tally['against']} against, "
                f"{tally['abstain']} abstained.",
            )
            return redirect("participation:recommendation", pk=body.pk, recommendation_id=found.pk)
    return _recommendation_page(request, body, found, votes_form=form)


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def response(request: HttpRequest, pk: int, recommendation_id: int) -> HttpResponse:
    """Record the responsible organisation's response."""
    body, found = _load_recommendation(request, pk, recommendation_id)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            made = actions.record_response(
                recommendation=found, by=signed_in_user(request), **form.cleaned_data
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Response recorded: {made.get_decision_display().lower()}.")
            return redirect("participation:recommendation", pk=body.pk, recommendation_id=found.pk)
    return _recommendation_page(request, body, found, response_form=form)


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def delivery(request: HttpRequest, pk: int, recommendation_id: int) -> HttpResponse:
    """Record progress on delivering the recommendation."""
    body, found = _load_recommendation(request, pk, recommendation_id)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            update = actions.record_delivery(
                recommendation=found, by=signed_in_user(request), **form.cleaned_data
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Delivery update recorded: {update.get_status_display().lower()}.")
            return redirect("participation:recommendation", pk=body.pk, recommendation_id=found.pk)
    return _recommendation_page(request, body, found, delivery_form=form)
