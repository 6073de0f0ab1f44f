"""Erasure on request: an administrator finds the person, sees what will be removed and what kept, and
confirms with the reason. The page is a PersonRecordView, so opening it is logged in the access log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can, requires, signed_in_user
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.audit.views import PersonRecordView
from commonweal.people.models import Person
from commonweal.privacy import rules
from commonweal.privacy.actions import erase_person
from commonweal.privacy.forms import ErasureForm, FindPersonForm
from commonweal.ui.forms import show_error


@requires(Capability.MANAGE_ACCESS)
def find_person(request: HttpRequest) -> HttpResponse:
    """Find the person a request for erasure is about, by NHS number."""
    form = FindPersonForm(request.GET or None)
    if form.is_valid():
        person = Person.objects.filter(nhs_number=form.cleaned_data["nhs_number"]).first()
        if person is not None:
            return redirect("privacy:erase-person", person_id=person.pk)
        form.add_error("nhs_number", "No one with this NHS number has a record here")
    status = 400 if form.errors else 200
    return render(request, "privacy/find_person.html", {"form": form}, status=status)


class ErasePersonView(PersonRecordView):
    """What erasure would remove and keep for one person, and the form that carries it out."""

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(Person, pk=kwargs["person_id"])

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if can(request.user, Capability.MANAGE_ACCESS):
            return AccessGrant(RecordAccess.Reason.ADMINISTRATION)
        return None

    def _render(self, request: HttpRequest, form: ErasureForm, status: int = 200) -> HttpResponse:
        actor = signed_in_user(request)
        preview = erase_person(self.subject, by=actor, reason="", dry_run=True)
        return render(
            request,
            "privacy/erase_person.html",
            {"person": self.subject, "form": form, "preview": preview},
            status=status,
        )

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if not rules.may_erase_personal_data(signed_in_user(request), self.subject):
            raise PermissionDenied("Only an administrator may carry out a request for erasure.")
        return self._render(request, ErasureForm())

    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        actor = signed_in_user(request)
        if not rules.may_erase_personal_data(actor, self.subject):
            raise PermissionDenied("Only an administrator may carry out a request for erasure.")
        form = ErasureForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        try:
            report = erase_person(self.subject, by=actor, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            show_error(form, ValidationError(error.messages[0]))
            return self._render(request, form, status=400)
        return render(request, "privacy/erased.html", {"report": report})
