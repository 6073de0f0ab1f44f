"""Organisation pages: the list for staff, one organisation, a member's own, and registering one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.accounts.permissions import (
    Capability,
    can,
    can_view_organisation,
    organisation_ids_of,
    requires,
    signed_in,
    signed_in_user,
)
from commonweal.organisations import actions
from commonweal.organisations.forms import OrganisationForm, OrganisationSearchForm
from commonweal.organisations.models import Organisation


@requires(Capability.VIEW_ORGANISATIONS)
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationSearchForm(request.GET or None)
    found = Organisation.objects.select_related("parent").filter(is_active=True)
    query_parts = []
    if form.is_valid():
        if form.cleaned_data["q"]:
            text = form.cleaned_data["q"]
            found = found.filter(Q(name__icontains=text) | Q(ods_code__iexact=text))
            query_parts.append(f"q={text}")
        if form.cleaned_data["kind"]:
            found = found.filter(kind=form.cleaned_data["kind"])
            query_parts.append(f"kind={form.cleaned_data['kind']}")
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/list.html",
        {
            "form": form,
            "page": page,
            "query": "&".join(query_parts),
            "can_manage": can(request.user, Capability.MANAGE_ORGANISATIONS),
        },
    )


@signed_in
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("parent", "area"), pk=pk)
    if not can_view_organisation(request.user, organisation.pk):
        raise PermissionDenied("You can see only your own organisation.")
    return render(
        request,
        "organisations/detail.html",
        {"organisation": organisation, "members": organisation.members.order_by("name")},
    )


@requires(Capability.VIEW_OWN_ORGANISATION)
def my_organisations(request: HttpRequest) -> HttpResponse:
    mine = Organisation.objects.filter(pk__in=organisation_ids_of(request.user)).order_by("name")
    return render(request, "organisations/mine.html", {"organisations": mine})


@requires(Capability.MANAGE_ORGANISATIONS)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = actions.register_organisation(by=signed_in_user(request), **form.cleaned_data)
        messages.success(request, f"{organisation.name} added.")
        return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/form.html", {"form": form}, status=400 if form.errors else 200)
