"""Public pages: an assembly's transparency page and registration, a steering group's page, and
"you said, we did" for each place. Nobody needs to sign in to read them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.participation import queries
from commonweal.participation.actions import assemblies as actions
from commonweal.participation.assemblies.features import ASKED_FEATURES
from commonweal.participation.errors import ParticipationError
from commonweal.participation.forms import show_error
from commonweal.participation.forms.assemblies import RegistrationForm
from commonweal.participation.models import Assembly, Body, Membership, Registration, Session
from commonweal.participation.models.assemblies import PRIVACY_NOTICE_VERSION
from commonweal.places.models import Area


def _work(body: Body) -> dict[str, Any]:
    """The part every body's page shares: sessions with evidence, recommendations with responses."""
    recommendations = list(body.recommendations.order_by("number").prefetch_related("votes"))
    return {
        "sessions": body.sessions.order_by("held_on", "pk").prefetch_related("evidence"),
        "recommendations": [
            {
                "recommendation": recommendation,
                "tally": _tally(recommendation),
                "response": recommendation.current_response(),
                "delivery": recommendation.current_delivery(),
            }
            for recommendation in recommendations
        ],
    }


def _tally(recommendation: Any) -> dict[str, int]:
    counts = {"for": 0, "against": 0, "abstain": 0}
    for vote in recommendation.votes.all():
        counts[vote.choice] += 1
    return counts


def assembly_page(request: HttpRequest, pk: int) -> HttpResponse:
    """An assembly's public page: how it is chosen (quotas, pool, probabilities, seed) and its work."""
    assembly = get_object_or_404(
        Assembly.objects.select_related("body__place", "body__responsible_organisation"), pk=pk
    )
    published = assembly.stage == Assembly.Stage.PUBLISHED
    made = getattr(assembly, "selection", None) if published else None
    context: dict[str, Any] = {
        "assembly": assembly,
        "body": assembly.body,
        "rounds": assembly.invitation_rounds.order_by("number"),
        "letters": assembly.invitations.count(),
        "quotas": queries.quotas_in_order(assembly),
        "pool_closed": assembly.stage
        in (Assembly.Stage.POOL_CLOSED, Assembly.Stage.SELECTED, Assembly.Stage.PUBLISHED),
        "selection": made,
        "members": queries.current_members(assembly.body).count(),
        **_work(assembly.body),
    }
    if context["pool_closed"]:
        first_panel = (
            list(
                Registration.objects.filter(
                    assembly=assembly, memberships__route=Membership.Route.SELECTED
                ).order_by("number")
            )
            if made
            else None
        )
        context["composition"] = queries.composition(assembly, first_panel)
        context["pool_size"] = queries.pool(assembly).count()
    if made is not None:
        context["probabilities"] = [
            (entry.registration.number, entry.probability * 100, entry.selected)
            for entry in made.probabilities.select_related("registration").order_by("registration__number")
        ]
        context["replacements"] = [
            (replacement, min(replacement.probabilities.values()) * 100 if replacement.probabilities else 0.0)
            for replacement in assembly.replacements.order_by("created_at", "pk")
        ]
    return render(request, "participation/assembly.html", context)


def distribution(request: HttpRequest, pk: int) -> JsonResponse:
    """The published lottery as JSON, so that anyone can re-run the draw from the seed."""
    assembly = get_object_or_404(Assembly, pk=pk)
    made = getattr(assembly, "selection", None)
    if assembly.stage != Assembly.Stage.PUBLISHED or made is None:
        raise Http404("This assembly's selection is not published yet.")
    panel = sorted(
        entry.registration.number
        for entry in made.probabilities.select_related("registration")
        if entry.selected
    )
    return JsonResponse(
        {
            "assembly": assembly.body.name,
            "method": made.method,
            "seed": made.seed,
            "pool_size": made.pool_size,
            "panel_size": made.panel_size,
            "minimum_probability": made.minimum_probability,
            "panel": panel,
            "distribution": made.distribution,
            "replacements": [
                {
                    "seed": replacement.seed,
                    "method": replacement.method,
                    "dropped": replacement.dropped,
                    "drawn": replacement.drawn,
                    "distribution": replacement.distribution,
                }
                for replacement in assembly.replacements.order_by("created_at", "pk")
            ],
            "how_to_check": (
                "Volunteers are numbered; 'groups' lists them, and each template says how many seats "
                "each group gets, with what probability. "
                "commonweal.participation.assemblies.selection.draw_panel(distribution, seed) "
                "draws the same panel from the same seed on any Python version."
            ),
        },
        json_dumps_params={"indent": 1},
    )


def register(request: HttpRequest, pk: int) -> HttpResponse:
    """Volunteer for an assembly with the code from an invitation letter."""
    assembly = get_object_or_404(Assembly.objects.select_related("body__place"), pk=pk)
    form = RegistrationForm(request.POST or None, initial={"code": request.GET.get("code", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration = actions.register_volunteer(
                assembly=assembly,
                code=data["code"],
                postcode=data["postcode"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"].strip(),
                answers={feature.code: data[feature.code] for feature in ASKED_FEATURES},
                consent=data["consent"],
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"Thank you for volunteering. Your volunteer number is {registration.number}: keep it "
                "to find your chance of selection on this page once the panel is published. "
                "We will contact you either way.",
            )
            return redirect("participation:assembly", pk=assembly.pk)
    return render(
        request,
        "participation/register.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "form": form,
            "about_you": [form[feature.code] for feature in ASKED_FEATURES],
        },
        status=400 if form.errors else 200,
    )


def privacy(request: HttpRequest, pk: int) -> HttpResponse:
    """What an assembly does with volunteers' answers, for how long, and their rights."""
    assembly = get_object_or_404(
        Assembly.objects.select_related("body__place", "body__responsible_organisation"), pk=pk
    )
    return render(
        request,
        "participation/privacy.html",
        {"assembly": assembly, "body": assembly.body, "version": PRIVACY_NOTICE_VERSION},
    )


def steering_group_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A steering group's public page: who sits on it, its sessions and its recommendations."""
    body = get_object_or_404(
        Body.objects.select_related("place", "responsible_organisation"), pk=pk, kind=Body.Kind.STEERING_GROUP
    )
    return render(
        request,
        "participation/steering_group.html",
        {"body": body, "members": queries.current_members(body), **_work(body)},
    )


def places(request: HttpRequest) -> HttpResponse:
    """Every place with an assembly or a steering group, each linking to its "you said, we did"."""
    return render(request, "participation/places.html", {"places": queries.places_with_bodies()})


def place_page(request: HttpRequest, code: str) -> HttpResponse:
    """ "You said, we did" for a place: every recommendation, the response and what has been delivered."""
    place = get_object_or_404(Area, code=code)
    sections = queries.you_said_we_did(place)
    rows = [
        {
            "body": section.body,
            "items": [
                {
                    "recommendation": recommendation,
                    "tally": _tally(recommendation),
                    "response": recommendation.current_response(),
                    "delivery": recommendation.current_delivery(),
                }
                for recommendation in section.recommendations
            ],
        }
        for section in sections
    ]
    bodies = Body.objects.filter(place=place).order_by("name")
    return render(request, "participation/place.html", {"place": place, "sections": rows, "bodies": bodies})


def session_page(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    """One session's agenda, evidence pack and notes."""
    session = get_object_or_404(Session.objects.select_related("body"), body_id=pk, pk=session_id)
    return render(
        request,
        "participation/session.html",
        {"body": session.body, "session": session, "evidence": session.evidence.all()},
    )
