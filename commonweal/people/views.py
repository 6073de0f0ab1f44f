"""Person record pages: the person's own view and download, staff access with the audit, break-glass."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can, requires, signed_in_user
from commonweal.audit.actions import AccessGrant
from commonweal.audit.views import PersonRecordView
from commonweal.people import actions, exports, queries, record_sections, rules
from commonweal.people.core import access_runs
from commonweal.people.forms import (
    AboutForm,
    BreakGlassForm,
    BreakGlassReviewForm,
    ConsentForm,
    ContactAndAccessForm,
    FindPersonForm,
    GoalForm,
    GoalUpdateForm,
    NetworkMemberForm,
    PlanForm,
    SafeguardingForm,
)
from commonweal.people.models import BreakGlassOpening, Goal, Person, Plan
from commonweal.people.nhs_number import format_nhs_number
from commonweal.ui.idempotency import submitted_once


def _record_context(person: Person, *, viewer: User | None, for_staff: bool) -> dict[str, Any]:
    """Everything the record pages show about a person (a fixed number of queries)."""
    plan = Plan.objects.filter(person=person).first()
    goals = queries.goals_of(person)
    sections = []
    for section in record_sections.sections():
        if for_staff:
            if section.collect_for_staff is None or viewer is None:
                continue
            sections.append(
                {"section": section, "template": section.staff_template}
                | section.collect_for_staff(person, viewer)
            )
        else:
            sections.append({"section": section, "template": section.template} | section.collect(person))
    return {
        "person": person,
        "plan": plan,
        "open_goals": [goal for goal in goals if goal.is_open],
        "finished_goals": [goal for goal in goals if not goal.is_open],
        "network": list(person.network.all()),
        "sections": sections,
        "nhs_number_shown": format_nhs_number(person.nhs_number) if person.nhs_number else "",
    }


# ------------------------------------------------------------------------------ the person's own


def _own_person(request: HttpRequest) -> Person:
    person = Person.objects.select_related("lsoa", "gp_practice").filter(user=signed_in_user(request)).first()
    if person is None:
        raise Http404("There is no record linked to your account yet.")
    return person


@requires(Capability.VIEW_OWN_RECORD)
def my_record(request: HttpRequest) -> HttpResponse:
    """The person's own record: everything held, their plan and goals, and who has looked."""
    person = Person.objects.select_related("lsoa", "gp_practice").filter(user=signed_in_user(request)).first()
    context: dict[str, Any] = {"person": person}
    if person is not None:
        context |= _record_context(person, viewer=None, for_staff=False)
        context["recent_runs"] = queries.latest_access_runs(person, 5)
        context["window_minutes"] = access_runs.WINDOW_MINUTES
    return render(request, "people/my_record.html", context)


ACCESS_RUNS_PER_PAGE = 50


@requires(Capability.VIEW_OWN_RECORD)
def my_access_log(request: HttpRequest) -> HttpResponse:
    """Who has looked at the person's record and why, repeated views grouped into one row each."""
    person = Person.objects.filter(user=signed_in_user(request)).first()
    runs = list(queries.access_runs(person)) if person else []
    page = Paginator(runs, ACCESS_RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "people/my_access_log.html",
        {"person": person, "page": page, "window_minutes": access_runs.WINDOW_MINUTES},
    )


@requires(Capability.VIEW_OWN_RECORD)
def my_download(request: HttpRequest) -> HttpResponse:
    """Everything held about the person, as a readable page they can print or save."""
    person = _own_person(request)
    context = _record_context(person, viewer=None, for_staff=False)
    context["entries"] = queries.access_log(person)
    return render(request, "people/my_download.html", context)


@requires(Capability.VIEW_OWN_RECORD)
def my_download_json(request: HttpRequest) -> HttpResponse:
    """Everything held about the person, as a JSON file."""
    person = _own_person(request)
    body = json.dumps(exports.export_person(person), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="my-commonweal-record-{timezone.localdate()}.json"'
    )
    return response


FormHandler = Callable[[forms.Form], object]


def _form_page(
    request: HttpRequest,
    *,
    form: forms.Form,
    save: FormHandler,
    template: str,
    done: str,
    success: str,
    context: dict[str, Any],
) -> HttpResponse:
    """Show a form; on a valid POST run one action and go back; on an error keep what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except actions.RecordChangeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, success)
            return redirect(done)
    return render(request, template, {"form": form} | context, status=400 if form.errors else 200)


def _about_initial(person: Person) -> dict[str, Any]:
    return {
        "what_matters": person.what_matters,
        "strengths": person.strengths,
        "interests": ", ".join(person.interests),
        "free_times": person.free_times,
    }


def _contact_initial(person: Person) -> dict[str, Any]:
    return {
        "phone": person.phone,
        "email": person.email,
        "address": person.address,
        "postcode": person.postcode,
        "contact_methods": person.contact_methods,
        "language": person.language,
        "needs_interpreter": person.needs_interpreter,
        "accessibility_needs": person.accessibility_needs,
        "accessibility_notes": person.accessibility_notes,
        "gp_practice": person.gp_practice_id,
    }


SECTION_FORMS: dict[str, tuple[type[forms.Form], Callable[[Person], dict[str, Any]], str]] = {
    "about": (AboutForm, _about_initial, "What matters, strengths and interests"),
    "contact": (ContactAndAccessForm, _contact_initial, "Contact, language and access"),
    "consent": (
        ConsentForm,
        lambda person: {
            "gp_sharing": person.gp_sharing,
            "organisations_may_contact": person.organisations_may_contact,
        },
        "Consent choices",
    ),
}


def _edit_section(request: HttpRequest, person: Person, section: str, *, by: User, done: str) -> HttpResponse:
    if section not in SECTION_FORMS:
        raise Http404("No such part of the record")
    form_class, initial, title = SECTION_FORMS[section]
    form = form_class(request.POST or None, initial=initial(person))
    return _form_page(
        request,
        form=form,
        save=lambda form: actions.update_record(person=person, by=by, **form.cleaned_data),
        template="people/edit_section.html",
        done=done,
        success=f"{title} saved.",
        context={"person": person, "title": title, "back": done},
    )


@requires(Capability.MANAGE_OWN_PLAN)
def my_edit(request: HttpRequest, section: str) -> HttpResponse:
    """The person changes their own record: about them, contact and access, or consent."""
    person = _own_person(request)
    return _edit_section(
        request, person, section, by=signed_in_user(request), done=reverse("people:my-record")
    )


@requires(Capability.MANAGE_OWN_PLAN)
def my_plan(request: HttpRequest) -> HttpResponse:
    """The person writes their plan in their own words."""
    person = _own_person(request)
    plan = Plan.objects.filter(person=person).first()
    form = PlanForm(request.POST or None, initial={"summary": plan.summary if plan else ""})
    return _form_page(
        request,
        form=form,
        save=lambda form: actions.update_plan(
            person=person, summary=form.cleaned_data["summary"], by=signed_in_user(request)
        ),
        template="people/plan_form.html",
        done=reverse("people:my-record"),
        success="Your plan is saved.",
        context={"person": person, "back": reverse("people:my-record")},
    )


@requires(Capability.MANAGE_OWN_PLAN)
@submitted_once
def my_goal_new(request: HttpRequest) -> HttpResponse:
    """The person adds a goal from their own account."""
    person = _own_person(request)
    form = GoalForm(request.POST or None)
    return _form_page(
        request,
        form=form,
        save=lambda form: actions.set_goal(person=person, by=signed_in_user(request), **form.cleaned_data),
        template="people/goal_form.html",
        done=reverse("people:my-record"),
        success="Your goal is added.",
        context={"person": person, "back": reverse("people:my-record"), "heading": "Add a goal"},
    )


def _goal_update_page(request: HttpRequest, goal: Goal, *, by: User, done: str) -> HttpResponse:
    form = GoalUpdateForm(
        request.POST or None,
        initial={
            "progress": goal.progress,
            "steps": goal.steps,
            "who_helps": goal.who_helps,
            "target_date": goal.target_date,
        },
    )
    return _form_page(
        request,
        form=form,
        save=lambda form: actions.update_goal(goal=goal, by=by, **form.cleaned_data),
        template="people/goal_update.html",
        done=done,
        success="The goal is updated.",
        context={
            "person": goal.person,
            "goal": goal,
            "reviews": goal.reviews.select_related("reviewed_by"),
            "back": done,
        },
    )


@requires(Capability.MANAGE_OWN_PLAN)
@submitted_once
def my_goal_update(request: HttpRequest, goal_id: int) -> HttpResponse:
    """The person records progress on one of their own goals."""
    person = _own_person(request)
    goal = get_object_or_404(Goal.objects.select_related("person"), pk=goal_id, person=person)
    return _goal_update_page(request, goal, by=signed_in_user(request), done=reverse("people:my-record"))


@requires(Capability.BREAK_GLASS)
def find_person(request: HttpRequest) -> HttpResponse:
    form = FindPersonForm(request.GET or None)
    if form.is_valid():
        person = Person.objects.filter(nhs_number=form.cleaned_data["nhs_number"]).first()
        if person is not None:
            return redirect("people:record", person_id=person.pk)
        form.add_error("nhs_number", "No one with this NHS number is recorded in Commonweal")
    return render(request, "people/find.html", {"form": form})


# ------------------------------------------------------------------------------------ staff pages


class StaffPersonView(PersonRecordView):
    """A staff page about one person, reached only with a recorded reason.

    Reading needs a relationship or a break-glass reason; changing the record needs the person to be
    on the viewer's caseload (their link worker, or a supervisor of the team).
    """

    grant: AccessGrant | None = None

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(
            Person.objects.select_related("lsoa", "user", "gp_practice"), pk=kwargs["person_id"]
        )

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if not isinstance(request.user, User):
            return None
        self.grant = rules.staff_grant(request, request.user, subject)
        return self.grant

    def refused(self, request: HttpRequest, subject: Person) -> HttpResponse:
        if can(request.user, Capability.BREAK_GLASS):
            return redirect("people:break-glass", person_id=subject.pk)
        return super().refused(request, subject)

    @property
    def viewer(self) -> User:
        return signed_in_user(self.request)

    @property
    def is_own_record(self) -> bool:
        return self.grant is None

    def require_caseload(self) -> None:
        """Refuse a change unless the person is on the viewer's caseload."""
        if not rules.may_edit_person(self.viewer, self.subject):
            raise PermissionDenied("Only the person's link worker can change their record.")

    @property
    def record_url(self) -> str:
        return reverse("people:record", kwargs={"person_id": self.subject.pk})


class PersonRecord(StaffPersonView):
    """A person's record as staff see it: the record, plan, goals, network and journey."""

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if self.is_own_record:
            return redirect("people:my-record")
        context = _record_context(self.subject, viewer=self.viewer, for_staff=True)
        context |= {
            "runs": queries.latest_access_runs(self.subject, 50),
            "window_minutes": access_runs.WINDOW_MINUTES,
            "may_change": rules.may_edit_person(self.viewer, self.subject),
            "safeguarding": list(self.subject.safeguarding_concerns.select_related("recorded_by")),
            "grant": self.grant,
        }
        return render(request, "people/record.html", context)


class PersonEdit(StaffPersonView):
    """Staff change a part of the record, with the person."""

    def get(self, request: HttpRequest, person_id: int, section: str) -> HttpResponse:
        return self.post(request, person_id, section)

    def post(self, request: HttpRequest, person_id: int, section: str) -> HttpResponse:
        if self.is_own_record:
            return redirect("people:my-edit", section=section)
        self.require_caseload()
        return _edit_section(request, self.subject, section, by=self.viewer, done=self.record_url)


class PersonPlan(StaffPersonView):
    """Staff write the plan with the person, in the person's words."""

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if self.is_own_record:
            return redirect("people:my-plan")
        self.require_caseload()
        plan = Plan.objects.filter(person=self.subject).first()
        form = PlanForm(request.POST or None, initial={"summary": plan.summary if plan else ""})
        return _form_page(
            request,
            form=form,
            save=lambda form: actions.update_plan(
                person=self.subject, summary=form.cleaned_data["summary"], by=self.viewer
            ),
            template="people/plan_form.html",
            done=self.record_url,
            success="The plan is saved.",
            context={"person": self.subject, "back": self.record_url},
        )


class PersonGoalNew(StaffPersonView):
    """Staff set a goal with the person, in the person's own words."""

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if self.is_own_record:
            return redirect("people:my-goal-new")
        self.require_caseload()
        form = GoalForm(request.POST or None)
        return _form_page(
            request,
            form=form,
            save=lambda form: actions.set_goal(person=self.subject, by=self.viewer, **form.cleaned_data),
            template="people/goal_form.html",
            done=self.record_url,
            success="The goal is added.",
            context={
                "person": self.subject,
                "back": self.record_url,
                "heading": f"Add a goal with {self.subject.given_name}",
            },
        )


class PersonGoalUpdate(StaffPersonView):
    """Staff review a goal with the person."""

    def get(self, request: HttpRequest, person_id: int, goal_id: int) -> HttpResponse:
        return self.post(request, person_id, goal_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, person_id: int, goal_id: int) -> HttpResponse:
        if self.is_own_record:
            return redirect("people:my-goal", goal_id=goal_id)
        self.require_caseload()
        goal = get_object_or_404(Goal.objects.select_related("person"), pk=goal_id, person=self.subject)
        return _goal_update_page(request, goal, by=self.viewer, done=self.record_url)


class PersonNetwork(StaffPersonView):
    """Staff add someone to the person's network."""

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if self.is_own_record:
            return redirect("people:my-record")
        self.require_caseload()
        form = NetworkMemberForm(request.POST or None)
        return _form_page(
            request,
            form=form,
            save=lambda form: actions.add_network_member(
                person=self.subject, by=self.viewer, **form.cleaned_data
            ),
            template="people/network_form.html",
            done=self.record_url,
            success="Added to their network.",
            context={"person": self.subject, "back": self.record_url},
        )


class PersonSafeguarding(StaffPersonView):
    """Staff record a safeguarding concern (never shown to the person or to organisations)."""

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if self.is_own_record:
            raise PermissionDenied("Safeguarding concerns are recorded by staff.")
        if not rules.may_record_safeguarding_concern(self.viewer, self.subject):
            raise PermissionDenied("Only the person's link worker can record a safeguarding concern.")
        form = SafeguardingForm(request.POST or None)
        return _form_page(
            request,
            form=form,
            save=lambda form: actions.record_safeguarding_concern(
                person=self.subject, by=self.viewer, **form.cleaned_data
            ),
            template="people/safeguarding_form.html",
            done=self.record_url,
            success="Safeguarding concern recorded.",
            context={"person": self.subject, "back": self.record_url},
        )


def _remember_break_glass(request: HttpRequest, person: Person, reason: str) -> None:
    """Keep a break-glass reason for this person for the rest of the viewer's session."""
    reasons = dict(request.session.get(rules.BREAK_GLASS_SESSION_KEY, {}))
    reasons[str(person.pk)] = reason
    request.session[rules.BREAK_GLASS_SESSION_KEY] = reasons


@requires(Capability.BREAK_GLASS)
@submitted_once
def break_glass_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Ask for and record a reason before opening a record with no relationship."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    if not rules.may_break_glass(signed_in_user(request), person):
        raise PermissionDenied("This is your own record: open it from your account.")
    form = BreakGlassForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.break_glass(person=person, reason=form.cleaned_data["reason"], by=signed_in_user(request))
        except actions.TooManyBreakGlassOpenings as error:
            form.add_error(None, str(error))
            status = 429
        except actions.BreakGlassError as error:
            form.add_error("reason", str(error))
        else:
            _remember_break_glass(request, person, form.cleaned_data["reason"])
            messages.warning(
                request,
                "Break-glass access recorded. The person can see that you opened their record, "
                "and an administrator will review it.",
            )
            return redirect(reverse("people:record", kwargs={"person_id": person.pk}))
    if form.errors and status == 200:
        status = 400
    return render(request, "people/break_glass.html", {"form": form, "person_id": person_id}, status=status)


# The break-glass page shows no personal data: only a form asking for a reason.
break_glass_view.shows_no_person_data = True  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------ break-glass review


def _review_page(
    request: HttpRequest, forms_by_opening: dict[int, BreakGlassReviewForm] | None = None, status: int = 200
) -> HttpResponse:
    waiting = list(queries.break_glass_openings(reviewed=False))
    forms_by_opening = forms_by_opening or {}
    rows = [
        (opening, forms_by_opening.get(opening.pk) or BreakGlassReviewForm(prefix=f"review-{opening.pk}"))
        for opening in waiting
    ]
    return render(
        request,
        "people/break_glass_reviews.html",
        {"waiting": rows, "reviewed": queries.break_glass_openings(reviewed=True)[:50], "me": request.user},
        status=status,
    )


def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    """Every break-glass opening, those waiting first, for an administrator to review."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.may_review_break_glass(signed_in_user(request)):
        raise PermissionDenied("Only an administrator can review break-glass openings.")
    return _review_page(request)


def break_glass_review(request: HttpRequest, opening_id: int) -> HttpResponse:
    """Mark one opening reviewed, with what the review found."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = signed_in_user(request)
    if not rules.may_review_break_glass(user):
        raise PermissionDenied("Only an administrator can review break-glass openings.")
    if request.method != "POST":
        return redirect("people:break-glass-reviews")
    opening = get_object_or_404(BreakGlassOpening, pk=opening_id)
    form = BreakGlassReviewForm(request.POST, prefix=f"review-{opening.pk}")
    if form.is_valid():
        try:
            actions.review_break_glass(opening=opening, note=form.cleaned_data["note"], by=user)
        except actions.RecordChangeError as error:
            form.add_error("note", str(error))
        else:
            messages.success(request, "Marked reviewed.")
            return redirect("people:break-glass-reviews")
    return _review_page(request, {opening.pk: form}, status=400)


# The review pages show the reasons staff gave and a person's reference number, no personal data.
break_glass_reviews.shows_no_person_data = True  # type: ignore[attr-defined]
break_glass_review.shows_no_person_data = True  # type: ignore[attr-defined]
