"""Organisers' pages for an assembly's recruitment and selection: invitations, letters, the pool,
quotas, the selection and publication, drop-outs and replacements; every body's work (members,
sessions, recommendations and responses); and the public pages, including "you said, we did"."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonweal.accounts.permissions import Capability, requires, signed_in_user
from commonweal.assemblies import actions, queries, rules
from commonweal.assemblies.actions import AssemblyError
from commonweal.assemblies.core.features import ASKED_FEATURES
from commonweal.assemblies.core.pool import SelectionInputError
from commonweal.assemblies.core.quotas import FeasibilityReport, check_feasibility
from commonweal.assemblies.forms import (
    AssemblyForm,
    DeliveryForm,
    EvidenceForm,
    InvitationForm,
    LeaveForm,
    MemberForm,
    QuotaChangeForm,
    QuotaTableForm,
    RecommendationForm,
    RegistrationForm,
    ReplacementForm,
    ResponseForm,
    SelectionForm,
    SessionForm,
    SteeringGroupForm,
    VotesForm,
    WithdrawForm,
)
from commonweal.assemblies.models import (
    PRIVACY_NOTICE_VERSION,
    Assembly,
    Body,
    Membership,
    Quota,
    Recommendation,
    Registration,
    Selection,
    Session,
)
from commonweal.places.models import Area
from commonweal.ui import progress, spreadsheets
from commonweal.ui.forms import show_error
from commonweal.ui.idempotency import submitted_once, submitted_once_per_session


def _body_to_manage(request: HttpRequest, pk: int, *, kind: str | None = None) -> Body:
    """Load a body the signed-in user runs; 404 if there is none, 403 if it is outside their places."""
    queryset = Body.objects.select_related("place", "responsible_organisation")
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    body = get_object_or_404(queryset, pk=pk)
    if not rules.may_run_body(request.user, body):
        raise PermissionDenied("You do not run assemblies or steering groups in this place.")
    return body


def _assembly(request: HttpRequest, pk: int) -> Assembly:
    body = _body_to_manage(request, pk, kind=Body.Kind.ASSEMBLY)
    return Assembly.objects.select_related("body__place", "body__responsible_organisation").get(pk=body.pk)


def _fresh_seed() -> int:
    # 32 random bits from the operating system: short enough to read out, too many to guess.
    return secrets.randbits(32)


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


@requires(Capability.RUN_ASSEMBLIES)
@submitted_once
def assembly_create(request: HttpRequest) -> HttpResponse:
    """Set up a citizens' assembly in one of the organiser's places."""
    form = AssemblyForm(request.POST or None, places=queries.places_to_run_in(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assembly = actions.create_assembly(
                place=data["place"],
                name=data["name"],
                remit=data["remit"],
                panel_size=data["panel_size"],
                quota_features=data["quota_features"],
                responsible_organisation=data["responsible_organisation"],
                people_per_letter=data["people_per_letter"],
                one_per_household=data["one_per_household"],
                registration_closes_on=data["registration_closes_on"],
                by=signed_in_user(request),
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(request, f"{assembly.body.name} set up. Next, send the invitations.")
            return redirect("assemblies:manage", pk=assembly.pk)
    return render(request, "assemblies/assembly_form.html", {"form": form}, status=_status(bool(form.errors)))


@requires(Capability.RUN_ASSEMBLIES)
@submitted_once
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    """Draw postcodes by stratified lottery and see the letters drawn so far."""
    assembly = _assembly(request, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seed = form.cleaned_data["seed"]
        try:
            drawn = actions.draw_invitations(
                assembly=assembly,
                postcodes=form.cleaned_data["postcodes"],
                letters_per_postcode=form.cleaned_data["letters_per_postcode"],
                seed=_fresh_seed() if seed is None else seed,
                by=signed_in_user(request),
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            letters = drawn.postcodes_drawn * drawn.letters_per_postcode
            messages.success(
                request,
                f"Round {drawn.number}: {letters} letters to {drawn.postcodes_drawn} postcodes, "
                f"seed {drawn.seed}.",
            )
            return redirect("assemblies:invitations", pk=assembly.pk)
    frame = queries.invitation_frame(assembly)
    return render(
        request,
        "assemblies/invitations.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "form": form,
            "rounds": assembly.invitation_rounds.order_by("number"),
            "letters": assembly.invitations.count(),
            "frame_size": len(frame.postcodes),
            "stratified_by": frame.stratified_by,
            "can_invite": assembly.stage in (Assembly.Stage.SETTING_UP, Assembly.Stage.RECRUITING),
        },
        status=_status(bool(form.errors)),
    )


def _register_url(request: HttpRequest, assembly: Assembly) -> str:
    return request.build_absolute_uri(reverse("assemblies:register", kwargs={"pk": assembly.pk}))


@requires(Capability.RUN_ASSEMBLIES)
def invitations_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every letter as a row for a mail merge: the code, the postcode and where to register."""
    assembly = _assembly(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assembly-{assembly.pk}-letters.csv"'
    writer = spreadsheets.writer(response)
    writer.writerow(
        [
            "code",
            "postcode",
            "letter_number",
            "letters_at_postcode",
            "stratum",
            "lsoa_code",
            "lsoa_name",
            "round",
            "register_at",
            "assembly",
            "registration_closes_on",
        ]
    )
    register_url = _register_url(request, assembly)
    closes = assembly.registration_closes_on.isoformat() if assembly.registration_closes_on else ""
    for invitation in assembly.invitations.select_related("postcode__lsoa", "round"):
        writer.writerow(
            [
                invitation.display_code,
                invitation.postcode.postcode,
                invitation.letter_number,
                invitation.letters_at_postcode,
                invitation.stratum,
                invitation.postcode.lsoa.code,
                invitation.postcode.lsoa.name,
                invitation.round.number,
                register_url,
                assembly.body.name,
                closes,
            ]
        )
    return response


@requires(Capability.RUN_ASSEMBLIES)
def letters(request: HttpRequest, pk: int) -> HttpResponse:
    """The letters as a printable page: one A4 page each."""
    assembly = _assembly(request, pk)
    chosen = assembly.invitations.select_related("postcode", "round")
    round_number = request.GET.get("round", "")
    if round_number.isdigit():
        chosen = chosen.filter(round__number=int(round_number))
    return render(
        request,
        "assemblies/letters.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "invitations": chosen,
            "register_url": _register_url(request, assembly),
        },
    )


@requires(Capability.RUN_ASSEMBLIES)
def pool(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer pool, its composition, and closing registration."""
    assembly = _assembly(request, pk)
    if request.method == "POST":
        try:
            actions.close_registration(assembly=assembly, by=signed_in_user(request))
        except AssemblyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Registration closed. Next, set the quotas and select the panel.")
        return redirect("assemblies:pool", pk=assembly.pk)
    registrations = assembly.registrations.select_related("invitation__postcode").order_by("number")
    return render(
        request,
        "assemblies/pool.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "registrations": [
                (entry, [feature.label_of(entry.value_of(feature.code)) for feature in assembly.features()])
                for entry in registrations
            ],
            "volunteers": queries.pool(assembly).count(),
            "composition": queries.composition(assembly),
            "features": assembly.features(),
        },
    )


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def withdraw(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Take a volunteer out of the pool at their request."""
    assembly = _assembly(request, pk)
    registration = get_object_or_404(Registration, assembly=assembly, number=number)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_registration(
                registration=registration, reason=form.cleaned_data["reason"], by=signed_in_user(request)
            )
        except AssemblyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{registration.pseudonym} has left the pool.")
    return redirect("assemblies:pool", pk=assembly.pk)


def _feasibility(assembly: Assembly) -> tuple[FeasibilityReport | None, str]:
    """Check whether any panel meets the quotas with the pool as it is; return the report or a problem."""
    if not assembly.quotas.exists() or not queries.pool(assembly).exists():
        return None, ""
    try:
        return check_feasibility(queries.selection_problem(assembly)), ""
    except SelectionInputError as error:
        return None, str(error)


@requires(Capability.RUN_ASSEMBLIES)
def quotas(request: HttpRequest, pk: int) -> HttpResponse:
    """Quotas from an uploaded table of population shares, and whether any panel can meet them."""
    assembly = _assembly(request, pk)
    form = QuotaTableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_quotas(
                assembly=assembly,
                rows=form.cleaned_data["table"],
                tolerance_seats=form.cleaned_data["tolerance_seats"],
                source_name=form.table_name,
                by=signed_in_user(request),
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Quotas set from {form.table_name}.")
            return redirect("assemblies:quotas", pk=assembly.pk)
    report, problem = _feasibility(assembly)
    return render(
        request,
        "assemblies/quotas.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "form": form,
            "quotas": queries.quotas_in_order(assembly),
            "report": report,
            "problem": problem,
            "pool_size": queries.pool(assembly).count(),
            "can_change": assembly.stage
            in (Assembly.Stage.SETTING_UP, Assembly.Stage.RECRUITING, Assembly.Stage.POOL_CLOSED),
        },
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
def quota_template(request: HttpRequest, pk: int) -> HttpResponse:
    """A CSV with every feature and value of this assembly and an empty share, to fill in."""
    assembly = _assembly(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assembly-{assembly.pk}-population-shares.csv"'
    writer = spreadsheets.writer(response)
    writer.writerow(["feature", "value", "share"])
    current = {(quota.feature, quota.value): quota.population_share for quota in assembly.quotas.all()}
    for feature in assembly.features():
        for value in feature.values:
            share = current.get((feature.code, value.code))
            writer.writerow([feature.code, value.code, "" if share is None else repr(share)])
    return response


@requires(Capability.RUN_ASSEMBLIES)
def quota_change(request: HttpRequest, pk: int, quota_id: int) -> HttpResponse:
    """Change one quota's minimum and maximum by hand."""
    assembly = _assembly(request, pk)
    quota = get_object_or_404(Quota, assembly=assembly, pk=quota_id)
    form = QuotaChangeForm(request.POST or None, initial={"minimum": quota.minimum, "maximum": quota.maximum})
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_quota(
                quota=quota,
                minimum=form.cleaned_data["minimum"],
                maximum=form.cleaned_data["maximum"],
                by=signed_in_user(request),
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"{quota.feature_label} = {quota.value_label}: now {quota.minimum} to {quota.maximum}.",
            )
            return redirect("assemblies:quotas", pk=assembly.pk)
    return render(
        request,
        "assemblies/quota_change.html",
        {"assembly": assembly, "body": assembly.body, "quota": quota, "form": form},
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
def selection(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for the selection (once; it runs in the background), see the lottery and the panel, and publish."""
    assembly = _assembly(request, pk)
    form = SelectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seed = form.cleaned_data["seed"]
        try:
            actions.request_selection(
                assembly=assembly,
                method=form.cleaned_data["method"],
                seed=_fresh_seed() if seed is None else seed,
                by=signed_in_user(request),
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            return redirect("assemblies:selection", pk=assembly.pk)
    made = Selection.objects.filter(assembly=assembly).first()
    latest = assembly.selection_requests.order_by("-requested_at", "-pk").first()
    pending = latest is not None and latest.is_pending
    report, problem = (None, "") if made or pending else _feasibility(assembly)
    first_panel = (
        list(
            Registration.objects.filter(
                assembly=assembly, memberships__route=Membership.Route.SELECTED
            ).order_by("number")
        )
        if made
        else []
    )
    response = render(
        request,
        "assemblies/selection.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "form": form,
            "selection": made,
            "latest": latest,
            "waited": progress.duration_in_words(timezone.now() - latest.pending_since)
            if latest is not None and pending
            else "",
            "refresh_seconds": progress.REFRESH_SECONDS,
            "report": report,
            "problem": problem,
            "composition": queries.composition(assembly, first_panel) if made else [],
            "ready": assembly.stage == Assembly.Stage.POOL_CLOSED and assembly.quotas.exists(),
        },
        status=_status(bool(form.errors)),
    )
    return progress.refresh_while_running(response, running=pending)


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the selection on the assembly's public page."""
    assembly = _assembly(request, pk)
    try:
        actions.publish_panel(assembly=assembly, by=signed_in_user(request))
    except AssemblyError as error:
        messages.error(request, str(error))
        return redirect("assemblies:selection", pk=assembly.pk)
    messages.success(request, "The selection is published on the assembly's public page.")
    return redirect("assemblies:assembly", pk=assembly.pk)


@requires(Capability.RUN_ASSEMBLIES)
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The panel as it stands: members with their contact details, who has left, and replacements."""
    assembly = _assembly(request, pk)
    form = ReplacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        seed = form.cleaned_data["seed"]
        try:
            drawn = actions.draw_replacements(
                assembly=assembly, seed=_fresh_seed() if seed is None else seed, by=signed_in_user(request)
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            names = ", ".join(f"volunteer {number}" for number in drawn.drawn)
            messages.success(request, f"Replacements drawn with seed {drawn.seed}: {names}.")
            return redirect("assemblies:panel", pk=assembly.pk)
    members = (
        Membership.objects.filter(body_id=assembly.pk)
        .select_related("registration")
        .order_by("left_on", "registration__number")
    )
    return render(
        request,
        "assemblies/panel.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "form": form,
            "current": [
                (member, LeaveForm(membership=member)) for member in members if member.left_on is None
            ],
            "left": [member for member in members if member.left_on is not None],
            "open_dropouts": queries.open_dropouts(assembly),
            "replacements": assembly.replacements.order_by("created_at", "pk"),
        },
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
def index(request: HttpRequest) -> HttpResponse:
    """The assemblies and steering groups in the organiser's places."""
    bodies = (
        Body.objects.filter(place_id__in=rules.managed_place_ids(request.user))
        .select_related("place", "assembly")
        .order_by("kind", "place__name", "name")
    )
    return render(
        request,
        "assemblies/index.html",
        {
            "assemblies": [body for body in bodies if body.kind == Body.Kind.ASSEMBLY],
            "steering_groups": [body for body in bodies if body.kind == Body.Kind.STEERING_GROUP],
        },
    )


@requires(Capability.RUN_ASSEMBLIES)
@submitted_once
def steering_group_create(request: HttpRequest) -> HttpResponse:
    """Set up a neighbourhood steering group."""
    form = SteeringGroupForm(request.POST or None, places=queries.places_to_run_in(request.user))
    if request.method == "POST" and form.is_valid():
        body = actions.create_steering_group(
            place=form.cleaned_data["place"],
            name=form.cleaned_data["name"],
            remit=form.cleaned_data["remit"],
            responsible_organisation=form.cleaned_data["responsible_organisation"],
            by=signed_in_user(request),
        )
        messages.success(request, f"{body.name} set up. Next, add its members.")
        return redirect("assemblies:manage", pk=body.pk)
    return render(
        request, "assemblies/steering_group_form.html", {"form": form}, status=_status(bool(form.errors))
    )


@requires(Capability.RUN_ASSEMBLIES)
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """One body's hub: for an assembly, each step of recruitment and selection; then its work."""
    body = _body_to_manage(request, pk)
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
    return render(request, "assemblies/manage.html", context)


@requires(Capability.RUN_ASSEMBLIES)
@submitted_once
def members(request: HttpRequest, pk: int) -> HttpResponse:
    """A steering group's members: add someone, or record that someone has left."""
    body = _body_to_manage(request, pk)
    if body.is_assembly:
        return redirect("assemblies:panel", pk=body.pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        membership = actions.add_member(body=body, by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"{membership.full_name} added.")
        return redirect("assemblies:members", pk=body.pk)
    everyone = body.memberships.order_by("left_on", "-role", "full_name", "pk")
    return render(
        request,
        "assemblies/members.html",
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
    body = _body_to_manage(request, pk)
    membership = get_object_or_404(Membership, body=body, pk=membership_id)
    form = LeaveForm(request.POST, membership=membership)
    back = "assemblies:panel" if body.is_assembly else "assemblies:members"
    if form.is_valid():
        try:
            actions.end_membership(
                membership=membership,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                by=signed_in_user(request),
            )
        except AssemblyError as error:
            messages.error(request, str(error))
        else:
            follow_up = " Draw a replacement below." if body.is_assembly else ""
            messages.success(request, f"{membership.full_name} has left.{follow_up}")
            return redirect(back, pk=body.pk)
    else:
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(back, pk=body.pk)


@requires(Capability.RUN_ASSEMBLIES)
@submitted_once
def session_edit(request: HttpRequest, pk: int, session_id: int | None = None) -> HttpResponse:
    """Add a session, or change one and add to its evidence pack."""
    body = _body_to_manage(request, pk)
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
        return redirect("assemblies:session", pk=body.pk, session_id=saved.pk)
    return render(
        request,
        "assemblies/session_form.html",
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
@submitted_once
def evidence_add(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    """Add an item to a session's evidence pack."""
    body = _body_to_manage(request, pk)
    session = get_object_or_404(Session, body=body, pk=session_id)
    form = EvidenceForm(request.POST or None, prefix="evidence")
    if request.method == "POST" and form.is_valid():
        item = actions.add_evidence(session=session, by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"“{item.title}” added to the evidence pack.")
        return redirect("assemblies:session", pk=body.pk, session_id=session.pk)
    return render(
        request,
        "assemblies/session_form.html",
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
@submitted_once
def recommendation_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a recommendation the body has agreed."""
    body = _body_to_manage(request, pk)
    form = RecommendationForm(request.POST or None, sessions=list(body.sessions.all()))
    if request.method == "POST" and form.is_valid():
        try:
            made = actions.make_recommendation(body=body, by=signed_in_user(request), **form.cleaned_data)
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(
                request, f"Recommendation {made.number} recorded. Next, record how members voted."
            )
            return redirect("assemblies:recommendation", pk=body.pk, recommendation_id=made.pk)
    return render(
        request,
        "assemblies/recommendation_form.html",
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
        "assemblies/recommendation.html",
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
    body = _body_to_manage(request, pk)
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
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"Votes recorded: {tally['for']} for, {tally['against']} against, "
                f"{tally['abstain']} abstained.",
            )
            return redirect("assemblies:recommendation", pk=body.pk, recommendation_id=found.pk)
    return _recommendation_page(request, body, found, votes_form=form)


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
@submitted_once
def response(request: HttpRequest, pk: int, recommendation_id: int) -> HttpResponse:
    """Record the responsible organisation's response."""
    body, found = _load_recommendation(request, pk, recommendation_id)
    form = ResponseForm(request.POST)
    if form.is_valid():
        try:
            made = actions.record_response(
                recommendation=found, by=signed_in_user(request), **form.cleaned_data
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Response recorded: {made.get_decision_display().lower()}.")
            return redirect("assemblies:recommendation", pk=body.pk, recommendation_id=found.pk)
    return _recommendation_page(request, body, found, response_form=form)


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
@submitted_once
def delivery(request: HttpRequest, pk: int, recommendation_id: int) -> HttpResponse:
    """Record progress on delivering the recommendation."""
    body, found = _load_recommendation(request, pk, recommendation_id)
    form = DeliveryForm(request.POST)
    if form.is_valid():
        try:
            update = actions.record_delivery(
                recommendation=found, by=signed_in_user(request), **form.cleaned_data
            )
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Delivery update recorded: {update.get_status_display().lower()}.")
            return redirect("assemblies:recommendation", pk=body.pk, recommendation_id=found.pk)
    return _recommendation_page(request, body, found, delivery_form=form)


def _work(body: Body) -> dict[str, Any]:
    """The part every body's page shares: sessions with evidence, recommendations with responses."""
    recommendations = list(body.recommendations.order_by("number").prefetch_related("votes"))
    return {
        "sessions": body.sessions.order_by("held_on", "pk").prefetch_related("evidence"),
        "recommendations": [
            {
                "recommendation": recommendation,
                "tally": _vote_counts(recommendation),
                "response": recommendation.current_response(),
                "delivery": recommendation.current_delivery(),
            }
            for recommendation in recommendations
        ],
    }


def _vote_counts(recommendation: Any) -> dict[str, int]:
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
    return render(request, "assemblies/assembly.html", context)


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
                "commonweal.assemblies.core.selection.draw_panel(distribution, seed) "
                "draws the same panel from the same seed on any Python version."
            ),
        },
        json_dumps_params={"indent": 1},
    )


@submitted_once_per_session
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
        except AssemblyError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"Thank you for volunteering. Your volunteer number is {registration.number}: keep it "
                "to find your chance of selection on this page once the panel is published. "
                "We will contact you either way.",
            )
            return redirect("assemblies:assembly", pk=assembly.pk)
    return render(
        request,
        "assemblies/register.html",
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
        "assemblies/privacy.html",
        {"assembly": assembly, "body": assembly.body, "version": PRIVACY_NOTICE_VERSION},
    )


def steering_group_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A steering group's public page: who sits on it, its sessions and its recommendations."""
    body = get_object_or_404(
        Body.objects.select_related("place", "responsible_organisation"), pk=pk, kind=Body.Kind.STEERING_GROUP
    )
    return render(
        request,
        "assemblies/steering_group.html",
        {"body": body, "members": queries.current_members(body), **_work(body)},
    )


def places(request: HttpRequest) -> HttpResponse:
    """Every place with an assembly or a steering group, each linking to its "you said, we did"."""
    return render(request, "assemblies/places.html", {"places": queries.places_with_bodies()})


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
                    "tally": _vote_counts(recommendation),
                    "response": recommendation.current_response(),
                    "delivery": recommendation.current_delivery(),
                }
                for recommendation in section.recommendations
            ],
        }
        for section in sections
    ]
    bodies = Body.objects.filter(place=place).order_by("name")
    return render(request, "assemblies/place.html", {"place": place, "sections": rows, "bodies": bodies})


def session_page(request: HttpRequest, pk: int, session_id: int) -> HttpResponse:
    """One session's agenda, evidence pack and notes."""
    session = get_object_or_404(Session.objects.select_related("body"), body_id=pk, pk=session_id)
    return render(
        request,
        "assemblies/session.html",
        {"body": session.body, "session": session, "evidence": session.evidence.all()},
    )
