"""Place pages: the area tree, an area's deprivation profile, postcode lookup, drawing neighbourhoods."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.places import actions, rules
from commonweal.places.forms import NeighbourhoodForm, PostcodeForm
from commonweal.places.models import Area
from commonweal.places.queries import PostcodeNotInAreaError, lookup_postcode
from commonweal.places.rules import DRAW_NEIGHBOURHOODS

if TYPE_CHECKING:  # the user model is reached through settings.AUTH_USER_MODEL, never imported
    from commonweal.accounts.models import User


def area_list(request: HttpRequest) -> HttpResponse:
    systems = Area.objects.filter(kind=Area.Kind.ICS).prefetch_related("children__children")
    return render(request, "places/area_list.html", {"systems": systems})


def area_detail(request: HttpRequest, code: str) -> HttpResponse:
    area = get_object_or_404(Area.objects.select_related("parent"), code=code)
    lsoas = list(area.lsoas.order_by("imd_decile", "name"))
    deciles = Counter(lsoa.imd_decile for lsoa in lsoas)
    profile = [(decile, deciles.get(decile, 0)) for decile in range(1, 11)]
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "lsoas": lsoas,
            "profile": profile,
            "unknown_decile": deciles.get(None, 0),
            "can_draw": rules.may_draw_neighbourhoods(request.user),
            "children": area.children.order_by("name"),
        },
    )


def postcode_lookup(request: HttpRequest) -> HttpResponse:
    """Look up a postcode's LSOA and deprivation; every failure is explained on the page."""
    form = PostcodeForm(request.GET or None)
    answer = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            try:
                answer = lookup_postcode(form.cleaned_data["postcode"])
            except PostcodeNotInAreaError as error:
                form.add_error("postcode", str(error))
        if form.errors:
            status = 400
    return render(request, "places/postcode.html", {"form": form, "answer": answer}, status=status)


def _draw(request: HttpRequest, borough: Area, neighbourhood: Area | None) -> HttpResponse:
    initial = (
        {
            "name": neighbourhood.name,
            "description": neighbourhood.description,
            "lsoas": neighbourhood.lsoas.all(),
        }
        if neighbourhood
        else None
    )
    form = NeighbourhoodForm(request.POST or None, borough=borough, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = actions.draw_neighbourhood(
            borough=borough,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            lsoas=form.cleaned_data["lsoas"],
            neighbourhood=neighbourhood,
            by=cast("User", request.user),
        )
        messages.success(request, f"{saved.name} saved with {saved.lsoas.count()} areas.")
        return redirect("places:detail", code=saved.code)
    return render(
        request,
        "places/neighbourhood_form.html",
        {"form": form, "borough": borough, "neighbourhood": neighbourhood},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(DRAW_NEIGHBOURHOODS, raise_exception=True)
def neighbourhood_create(request: HttpRequest, code: str) -> HttpResponse:
    borough = get_object_or_404(Area, code=code, kind=Area.Kind.BOROUGH)
    return _draw(request, borough, None)


@login_required
@permission_required(DRAW_NEIGHBOURHOODS, raise_exception=True)
def neighbourhood_edit(request: HttpRequest, code: str) -> HttpResponse:
    neighbourhood = get_object_or_404(
        Area.objects.select_related("parent"), code=code, kind=Area.Kind.NEIGHBOURHOOD
    )
    assert neighbourhood.parent is not None
    return _draw(request, neighbourhood.parent, neighbourhood)
