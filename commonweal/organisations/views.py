"""Organisation pages: the list for staff, one organisation, a member's own, and registering one."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.organisations import actions, rules
from commonweal.organisations.forms import OrganisationForm, OrganisationSearchForm
from commonweal.organisations.models import Organisation
from commonweal.organisations.queries import organisation_ids_of

if TYPE_CHECKING:  # the user model is reached through settings.AUTH_USER_MODEL, never imported
    from commonweal.accounts.models import User


@login_required
@permission_required(rules.VIEW_ORGANISATIONS, raise_exception=True)
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
            "can_manage": rules.may_register_organisation(request.user),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("parent", "area"), pk=pk)
    if not rules.may_view_organisation(request.user, organisation):
        raise PermissionDenied("You can see only your own organisation.")
    return render(
        request,
        "organisations/detail.html",
        {"organisation": organisation, "members": organisation.members.order_by("name")},
    )


@login_required
@permission_required(rules.VIEW_OWN_ORGANISATION, raise_exception=True)
def my_organisations(request: HttpRequest) -> HttpResponse:
    mine = Organisation.objects.filter(pk__in=organisation_ids_of(request.user)).order_by("name")
    return render(request, "organisations/mine.html", {"organisations": mine})


@login_required
@permission_required(rules.MANAGE_ORGANISATIONS, raise_exception=True)
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = actions.register_organisation(by=cast("User", request.user), **form.cleaned_data)
        messages.success(request, f"{organisation.name} added.")
        return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/form.html", {"form": form}, status=400 if form.errors else 200)
