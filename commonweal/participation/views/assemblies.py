"""Organisers' pages for an assembly's recruitment and selection: invitations, letters, the pool,
quotas, the selection and publication, drop-outs and replacements."""

from __future__ import annotations

import csv
import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonweal.accounts.permissions import Capability, requires, signed_in_user
from commonweal.participation import queries, tasks
from commonweal.participation.access import body_to_manage, managed_places
from commonweal.participation.actions import assemblies as actions
from commonweal.participation.assemblies.pool import SelectionInputError
from commonweal.participation.assemblies.quotas import FeasibilityReport, check_feasibility
from commonweal.participation.errors import ParticipationError
from commonweal.participation.forms import show_error
from commonweal.participation.forms.assemblies import (
    AssemblyForm,
    InvitationForm,
    LeaveForm,
    QuotaChangeForm,
    QuotaTableForm,
    ReplacementForm,
    SelectionForm,
    WithdrawForm,
)
from commonweal.participation.models import Assembly, Body, Membership, Quota, Registration, Selection


def _assembly(request: HttpRequest, pk: int) -> Assembly:
    body = body_to_manage(request, pk, kind=Body.Kind.ASSEMBLY)
    return Assembly.objects.select_related("body__place", "body__responsible_organisation").get(pk=body.pk)


def _fresh_seed() -> int:
    # 32 random bits from the operating system: short enough to read out, too many to guess.
    return secrets.randbits(32)


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


@requires(Capability.RUN_ASSEMBLIES)
def assembly_create(request: HttpRequest) -> HttpResponse:
    """Set up a citizens' assembly in one of the organiser's places."""
    form = AssemblyForm(request.POST or None, places=managed_places(request.user))
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
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"{assembly.body.name} set up. Next, send the invitations.")
            return redirect("participation:manage", pk=assembly.pk)
    return render(
        request, "participation/assembly_form.html", {"form": form}, status=_status(bool(form.errors))
    )


@requires(Capability.RUN_ASSEMBLIES)
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
        except ParticipationError as error:
            show_error(form, error)
        else:
            letters = drawn.postcodes_drawn * drawn.letters_per_postcode
            messages.success(
                request,
                f"Round {drawn.number}: {letters} letters to {drawn.postcodes_drawn} postcodes, "
                f"seed {drawn.seed}.",
            )
            return redirect("participation:invitations", pk=assembly.pk)
    frame = queries.invitation_frame(assembly)
    return render(
        request,
        "participation/invitations.html",
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
    return request.build_absolute_uri(reverse("participation:register", kwargs={"pk": assembly.pk}))


@requires(Capability.RUN_ASSEMBLIES)
def invitations_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every letter as a row for a mail merge: the code, the postcode and where to register."""
    assembly = _assembly(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="assembly-{assembly.pk}-letters.csv"'
    writer = csv.writer(response)
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
        "participation/letters.html",
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
        except ParticipationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Registration closed. Next, set the quotas and select the panel.")
        return redirect("participation:pool", pk=assembly.pk)
    registrations = assembly.registrations.select_related("invitation__postcode").order_by("number")
    return render(
        request,
        "participation/pool.html",
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
        except ParticipationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{registration.pseudonym} has left the pool.")
    return redirect("participation:pool", pk=assembly.pk)


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
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(request, f"Quotas set from {form.table_name}.")
            return redirect("participation:quotas", pk=assembly.pk)
    report, problem = _feasibility(assembly)
    return render(
        request,
        "participation/quotas.html",
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
    writer = csv.writer(response)
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
        except ParticipationError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                f"{quota.feature_label} = {quota.value_label}: now {quota.minimum} to {quota.maximum}.",
            )
            return redirect("participation:quotas", pk=assembly.pk)
    return render(
        request,
        "participation/quota_change.html",
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
            queued = actions.request_selection(
                assembly=assembly,
                method=form.cleaned_data["method"],
                seed=_fresh_seed() if seed is None else seed,
                by=signed_in_user(request),
            )
        except ParticipationError as error:
            show_error(form, error)
        else:
            tasks.select_panel.enqueue(queued.pk)
            return redirect("participation:selection", pk=assembly.pk)
    made = Selection.objects.filter(assembly=assembly).first()
    latest = assembly.selection_requests.order_by("-requested_at", "-pk").first()
    report, problem = (None, "") if made or (latest and latest.is_pending) else _feasibility(assembly)
    first_panel = (
        list(
            Registration.objects.filter(
                assembly=assembly, memberships__route=Membership.Route.SELECTED
            ).order_by("number")
        )
        if made
        else []
    )
    return render(
        request,
        "participation/selection.html",
        {
            "assembly": assembly,
            "body": assembly.body,
            "form": form,
            "selection": made,
            "latest": latest,
            "report": report,
            "problem": problem,
            "composition": queries.composition(assembly, first_panel) if made else [],
            "ready": assembly.stage == Assembly.Stage.POOL_CLOSED and assembly.quotas.exists(),
        },
        status=_status(bool(form.errors)),
    )


@requires(Capability.RUN_ASSEMBLIES)
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish the selection on the assembly's public page."""
    assembly = _assembly(request, pk)
    try:
        actions.publish_panel(assembly=assembly, by=signed_in_user(request))
    except ParticipationError as error:
        messages.error(request, str(error))
        return redirect("participation:selection", pk=assembly.pk)
    messages.success(request, "The selection is published on the assembly's public page.")
    return redirect("participation:assembly", pk=assembly.pk)


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
        except ParticipationError as error:
            show_error(form, error)
        else:
            names = ", ".join(f"volunteer {number}" for number in drawn.drawn)
            messages.success(request, f"Replacements drawn with seed {drawn.seed}: {names}.")
            return redirect("participation:panel", pk=assembly.pk)
    members = (
        Membership.objects.filter(body_id=assembly.pk)
        .select_related("registration")
        .order_by("left_on", "registration__number")
    )
    return render(
        request,
        "participation/panel.html",
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
