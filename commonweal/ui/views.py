"""Pages of the shell: home, each role's dashboard, the component library and the error pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from commonweal.accounts.models import Role
from commonweal.accounts.permissions import navigation_for, roles_of, signed_in


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/home.html")


@signed_in
def dashboard(request: HttpRequest) -> HttpResponse:
    """The signed-in home: the user's roles and scopes, and the pages their roles open."""
    assignments = request.user.role_assignments.select_related("organisation", "area")  # type: ignore[union-attr]
    links = [item for item in navigation_for(request.user) if item.url_name != "ui:dashboard"]
    return render(
        request,
        "ui/dashboard.html",
        {
            "assignments": assignments,
            "links": links,
            "is_resident_only": roles_of(request.user) == {Role.RESIDENT},
        },
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/privacy.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/accessibility.html")


class ExampleForm(forms.Form):
    """A form that shows every wrapped field type, with and without errors."""

    name = forms.CharField(label="Full name", help_text="As you would like us to write it")
    email = forms.EmailField(label="E-mail address")
    story = forms.CharField(label="What matters to you?", widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=[("phone", "Phone"), ("email", "E-mail"), ("post", "Post")],
        widget=forms.RadioSelect,
    )
    interests = forms.MultipleChoiceField(
        label="Interests",
        choices=[("walking", "Walking"), ("gardening", "Gardening"), ("singing", "Singing")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    neighbourhood = forms.ChoiceField(label="Neighbourhood", choices=[("", "Choose"), ("north", "North")])
    agree = forms.BooleanField(label="I agree", help_text="You can change your mind at any time")


def components(request: HttpRequest) -> HttpResponse:
    """Every wrapped design-system component, as a living reference for developers."""
    valid_form = ExampleForm(prefix="example")
    invalid_form = ExampleForm({"invalid-email": "not an e-mail"}, prefix="invalid")
    invalid_form.is_valid()
    page = Paginator(list(range(30)), 10).page(2)
    context: dict[str, Any] = {
        "valid_form": valid_form,
        "invalid_form": invalid_form,
        "page": page,
        "summary_rows": [("Name", "Ada Example"), ("Postcode", "M33 7AA"), ("Phone", "")],
        "table_headers": ["Neighbourhood", "LSOAs", "Residents"],
        "table_rows": [["North", 31, 1204], ["Central", 28, 987]],
    }
    return render(request, "ui/components.html", context)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "not_found", "detail": "There is no API endpoint at this address."}, status=404
        )
    return render(request, "404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"error": "server_error", "detail": "Something went wrong on our side. Nothing was changed."},
            status=500,
        )
    # No request context: the context processors read the database, which may be what failed.
    return HttpResponse(loader.get_template("500.html").render(), status=500)
