"""Pages of volunteering: the volunteer's own pages, the coordinator's, the safeguarding lead's, the
link worker's buddy request and the person's answer. Views authorise, load, validate, call one action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, requires, signed_in, signed_in_user
from commonweal.audit.actions import AccessGrant, record_access
from commonweal.audit.models import RecordAccess
from commonweal.audit.views import PersonRecordView
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.ui.idempotency import submitted_once
from commonweal.volunteering import actions, forms, queries, rules
from commonweal.volunteering.models import (
    Application,
    BuddyRequest,
    Concern,
    Enrolment,
    Expense,
    HoursEntry,
    Match,
    Opportunity,
    PipelineStatus,
    Volunteer,
)
from commonweal.volunteering.roles import ROLES


def _today() -> Any:
    return timezone.localdate()


def _my_volunteer(user: User) -> Volunteer | None:
    return Volunteer.objects.filter(user=user).first()


def _enrolled_organisations(volunteer: Volunteer) -> list[tuple[int, str]]:
    return [
        (e.organisation_id, e.organisation.name)
        for e in volunteer.enrolments.select_related("organisation").exclude(status=PipelineStatus.LEFT)
    ]


# ---------------------------------------------------------------------------------- the volunteer


def _mine_page(
    request: HttpRequest,
    volunteer: Volunteer | None,
    hours_form: forms.HoursForm | None = None,
    expense_form: forms.ExpenseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"volunteer": volunteer}
    if volunteer is not None:
        organisations = _enrolled_organisations(volunteer)
        today = _today()
        context |= {
            "enrolments": volunteer.enrolments.select_related("organisation"),
            "matches": volunteer.matches.exclude(status=Match.Status.DECLINED).select_related("person"),
            "hours": volunteer.hours.select_related("organisation")[:50],
            "hours_approved": queries.hours_total(volunteer),
            "expenses": volunteer.expenses.select_related("organisation")[:50],
            "checks": volunteer.dbs_checks.select_related("organisation"),
            "training": volunteer.training.select_related("organisation"),
            "shares": volunteer.shares.select_related("organisation"),
            "today": today,
            "hours_form": hours_form or forms.HoursForm(organisations=organisations),
            "expense_form": expense_form or forms.ExpenseForm(organisations=organisations),
        }
    return render(request, "volunteering/mine.html", context, status=status)


@requires(Capability.VOLUNTEER)
def mine(request: HttpRequest) -> HttpResponse:
    """My volunteering: matches, hours, expenses, checks and training."""
    return _mine_page(request, _my_volunteer(signed_in_user(request)))


@requires(Capability.VOLUNTEER)
@require_POST
@submitted_once
def log_my_hours(request: HttpRequest) -> HttpResponse:
    """Log hours from the volunteer's own page."""
    user = signed_in_user(request)
    volunteer = _my_volunteer(user)
    if volunteer is None:
        raise PermissionDenied("You are not registered as a volunteer.")
    form = forms.HoursForm(request.POST, organisations=_enrolled_organisations(volunteer))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.log_hours(
                volunteer=volunteer,
                organisation=Organisation.objects.get(pk=data["organisation"]),
                worked_on=data["worked_on"],
                hours=data["hours"],
                description=data["description"],
                by=user,
            )
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Hours logged. Your coordinator will approve them.")
            return redirect("volunteering:mine")
    return _mine_page(request, volunteer, hours_form=form, status=400)


@requires(Capability.VOLUNTEER)
@require_POST
@submitted_once
def claim_my_expense(request: HttpRequest) -> HttpResponse:
    """Claim an expense from the volunteer's own page."""
    user = signed_in_user(request)
    volunteer = _my_volunteer(user)
    if volunteer is None:
        raise PermissionDenied("You are not registered as a volunteer.")
    form = forms.ExpenseForm(request.POST, request.FILES, organisations=_enrolled_organisations(volunteer))
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.claim_expense(
                volunteer=volunteer,
                organisation=Organisation.objects.get(pk=data["organisation"]),
                kind=data["kind"],
                incurred_on=data["incurred_on"],
                description=data["description"],
                amount=data["amount"],
                miles=data["miles"],
                receipt=data["receipt"],
                by=user,
            )
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Expense claimed. Your coordinator will approve it.")
            return redirect("volunteering:mine")
    return _mine_page(request, volunteer, expense_form=form, status=400)


# ---------------------------------------------------------------------------------- safeguarding


def _safeguarded_organisations() -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(role_assignments__role=Role.SAFEGUARDING_LEAD)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


@signed_in
@submitted_once
def raise_concern(request: HttpRequest) -> HttpResponse:
    """Raise a safeguarding concern with an organisation's designated safeguarding lead."""
    user = signed_in_user(request)
    if not rules.may_raise_concern(user):
        raise PermissionDenied("Only volunteers and staff raise safeguarding concerns here.")
    form = forms.ConcernForm(request.POST or None, organisations=_safeguarded_organisations())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.raise_concern(
                organisation=Organisation.objects.get(pk=data["organisation"]),
                about=data["about"],
                details=data["details"],
                by=user,
            )
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your concern has gone to the designated safeguarding lead.")
            return redirect("ui:dashboard")
    return render(
        request, "volunteering/raise_concern.html", {"form": form}, status=400 if form.errors else 200
    )


@requires(Capability.RECEIVE_SAFEGUARDING_CONCERNS)
def concerns(request: HttpRequest) -> HttpResponse:
    """The concerns sent to the safeguarding lead's organisations, open ones first."""
    visible = queries.concerns_for(signed_in_user(request))
    return render(
        request,
        "volunteering/concerns.html",
        {
            "open": list(visible.filter(status=Concern.Status.OPEN)),
            "recent": list(visible.filter(status=Concern.Status.ACKNOWLEDGED)[:20]),
        },
    )


@requires(Capability.RECEIVE_SAFEGUARDING_CONCERNS)
def concern(request: HttpRequest, concern_id: int) -> HttpResponse:
    """One concern and the form to acknowledge it with the action taken."""
    user = signed_in_user(request)
    found = get_object_or_404(Concern.objects.select_related("organisation", "raised_by"), pk=concern_id)
    if not rules.may_handle_concern(user, found):
        raise PermissionDenied("Only the organisation's designated safeguarding lead sees this concern.")
    form = forms.AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.acknowledge_concern(
                concern=found, action_taken=form.cleaned_data["action_taken"], by=user
            )
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Concern acknowledged; the action taken is recorded.")
            return redirect("volunteering:concern", concern_id=found.pk)
    return render(
        request,
        "volunteering/concern.html",
        {"concern": found, "form": form},
        status=400 if form.errors else 200,
    )


# ---------------------------------------------------------------------------------- the coordinator


def _coordinated(request: HttpRequest) -> tuple[User, set[int]]:
    user = signed_in_user(request)
    return user, rules.coordinated_organisation_ids(user)


@requires(Capability.COORDINATE_VOLUNTEERS)
def overview(request: HttpRequest) -> HttpResponse:
    """The coordinator's overview: pipeline, no-contact alerts, checks expiring and waiting approvals."""
    user, organisation_ids = _coordinated(request)
    return render(
        request,
        "volunteering/overview.html",
        {
            "overview": queries.overview(organisation_ids, user, _today()),
            "organisations": queries.organisations(organisation_ids),
        },
    )


@requires(Capability.COORDINATE_VOLUNTEERS)
@require_POST
def sweep(request: HttpRequest) -> HttpResponse:
    """Run the no-contact sweep now (it also runs on a schedule: `manage.py volunteering_sweep`)."""
    raised = actions.sweep_no_contact()
    messages.success(request, f"Checked every active match: {len(raised)} new no-contact alerts.")
    return redirect("volunteering:overview")


@requires(Capability.COORDINATE_VOLUNTEERS)
def volunteers(request: HttpRequest) -> HttpResponse:
    """The pipeline: volunteers of the coordinator's organisations, filtered by status."""
    _, organisation_ids = _coordinated(request)
    status = request.GET.get("status", "")
    enrolments = Enrolment.objects.filter(organisation_id__in=organisation_ids).select_related(
        "volunteer", "organisation"
    )
    if status in PipelineStatus.values:
        enrolments = enrolments.filter(status=status)
    return render(
        request,
        "volunteering/volunteers.html",
        {
            "enrolments": enrolments.order_by("status", "volunteer__full_name")[:200],
            "status": status,
            "statuses": PipelineStatus.choices,
        },
    )


def _volunteer_for(request: HttpRequest, volunteer_id: int) -> tuple[User, Volunteer, list[Enrolment]]:
    user, organisation_ids = _coordinated(request)
    volunteer = get_object_or_404(Volunteer.objects.all(), pk=volunteer_id)
    enrolments = list(
        volunteer.enrolments.filter(organisation_id__in=organisation_ids).select_related("organisation")
    )
    if not enrolments:
        raise PermissionDenied("This volunteer does not volunteer with your organisations.")
    return user, volunteer, enrolments


def _volunteer_page(
    request: HttpRequest, volunteer: Volunteer, enrolments: list[Enrolment], errors: list[str] | None = None
) -> HttpResponse:
    today = _today()
    organisation = enrolments[0].organisation
    eligibility = [
        (role.label, queries.missing_for_role(volunteer, organisation.pk, code, today))
        for code, role in ROLES.items()
    ]
    initial = {"organisation": organisation.pk}
    return render(
        request,
        "volunteering/volunteer.html",
        {
            "volunteer": volunteer,
            "enrolments": enrolments,
            "history": [(e, list(e.history.select_related("by"))) for e in enrolments],
            "checks": volunteer.dbs_checks.select_related("organisation"),
            "training": volunteer.training.select_related("organisation"),
            "assignments": volunteer.assignments.select_related("organisation"),
            "eligibility": eligibility,
            "move_form": forms.MoveForm(initial=initial),
            "assign_form": forms.AssignForm(initial=initial),
            "dbs_form": forms.DbsForm(initial=initial),
            "training_form": forms.TrainingForm(initial=initial),
            "decision_form": forms.DbsDecisionForm(),
            "errors": errors or [],
            "today": today,
        },
        status=400 if errors else 200,
    )


@requires(Capability.COORDINATE_VOLUNTEERS)
def volunteer(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """One volunteer: profile, pipeline history, checks, training, roles and what each role still needs."""
    _, found, enrolments = _volunteer_for(request, volunteer_id)
    return _volunteer_page(request, found, enrolments)


def _organisation_of(enrolments: list[Enrolment], organisation_id: int | None) -> Organisation:
    for enrolment in enrolments:
        if enrolment.organisation_id == organisation_id:
            return enrolment.organisation
    raise PermissionDenied("Choose one of your organisations.")


@requires(Capability.COORDINATE_VOLUNTEERS)
@require_POST
def move(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """Move a volunteer in the pipeline, or record a DBS check, training or DBS decision (one action each)."""
    user, found, enrolments = _volunteer_for(request, volunteer_id)
    what = request.POST.get("what", "move")
    form_class = {
        "move": forms.MoveForm,
        "dbs": forms.DbsForm,
        "training": forms.TrainingForm,
        "decision": forms.DbsDecisionForm,
    }.get(what)
    if form_class is None:
        raise Http404("Unknown step.")
    form = form_class(request.POST)
    if not form.is_valid():
        return _volunteer_page(
            request,
            found,
            enrolments,
            [f"{name}: {' '.join(str(m) for m in e)}" for name, e in form.errors.items()],
        )
    data = form.cleaned_data
    try:
        if what == "decision":
            check = get_object_or_404(found.dbs_checks, pk=data["check"])
            actions.decide_dbs(
                check=check, accept=data["accept"], risk_assessment=data["risk_assessment"], by=user
            )
        else:
            organisation = _organisation_of(enrolments, data["organisation"])
            if what == "move":
                enrolment = next(e for e in enrolments if e.organisation_id == organisation.pk)
                actions.move_pipeline(
                    enrolment=enrolment, to_status=data["to_status"], reason=data["reason"], by=user
                )
            elif what == "dbs":
                actions.record_dbs_certificate(
                    volunteer=found,
                    organisation=organisation,
                    level=data["level"],
                    clear=data["clear"],
                    issued_on=data["issued_on"],
                    expires_on=data["expires_on"],
                    certificate_number=data["certificate_number"],
                    update_service_number=data["update_service_number"],
                    by=user,
                )
            else:
                actions.record_training(
                    volunteer=found,
                    organisation=organisation,
                    course=data["course"],
                    completed_on=data["completed_on"],
                    expires_on=data["expires_on"],
                    by=user,
                )
    except actions.VolunteeringError as error:
        return _volunteer_page(request, found, enrolments, [str(error)])
    messages.success(request, "Saved.")
    return redirect("volunteering:volunteer", volunteer_id=found.pk)


@requires(Capability.COORDINATE_VOLUNTEERS)
@require_POST
def assign(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """Assign a volunteer to a role; a missing or expired check is refused with the reason."""
    user, found, enrolments = _volunteer_for(request, volunteer_id)
    form = forms.AssignForm(request.POST)
    if not form.is_valid():
        return _volunteer_page(request, found, enrolments, ["Choose a role."])
    organisation = _organisation_of(enrolments, form.cleaned_data["organisation"])
    try:
        actions.assign_role(
            volunteer=found, organisation=organisation, role=form.cleaned_data["role"], by=user
        )
    except actions.VolunteeringError as error:
        return _volunteer_page(request, found, enrolments, [str(error)])
    messages.success(request, "Role assigned.")
    return redirect("volunteering:volunteer", volunteer_id=found.pk)


@requires(Capability.COORDINATE_VOLUNTEERS)
def requests(request: HttpRequest) -> HttpResponse:
    """Buddy requests sent to the coordinator's organisations."""
    _, organisation_ids = _coordinated(request)
    found = BuddyRequest.objects.filter(organisation_id__in=organisation_ids).select_related(
        "person", "requested_by", "organisation"
    )
    return render(request, "volunteering/requests.html", {"requests": found[:200]})


class RequestDetail(PersonRecordView):
    """A buddy request with its ranked candidates and their reasons, and the form to propose one."""

    found: BuddyRequest

    def get_subject(self, **kwargs: Any) -> Person:
        self.found = get_object_or_404(
            BuddyRequest.objects.select_related("person__user", "person__lsoa", "organisation"),
            pk=kwargs["request_id"],
        )
        return self.found.person

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if isinstance(request.user, User) and rules.may_coordinate(request.user, self.found.organisation_id):
            return AccessGrant(RecordAccess.Reason.ORGANISATION, "Matching a buddy")
        return None

    def get(self, request: HttpRequest, request_id: int) -> HttpResponse:
        return self._page(request, forms.ProposeForm(), [])

    def post(self, request: HttpRequest, request_id: int) -> HttpResponse:
        user = signed_in_user(request)
        form = forms.ProposeForm(request.POST)
        errors: list[str] = []
        if form.is_valid():
            volunteer = get_object_or_404(Volunteer, pk=form.cleaned_data["volunteer"])
            try:
                match = actions.propose_match(
                    request=self.found,
                    volunteer=volunteer,
                    no_contact_days=form.cleaned_data["no_contact_days"],
                    by=user,
                )
            except actions.VolunteeringError as error:
                errors.append(str(error))
            else:
                messages.success(request, f"{volunteer} proposed. The person will see it in their account.")
                return redirect("volunteering:match", match_id=match.pk)
        else:
            errors.append("Choose a volunteer and the days without contact before an alert.")
        return self._page(request, form, errors)

    def _page(self, request: HttpRequest, form: forms.ProposeForm, errors: list[str]) -> HttpResponse:
        ranking, unsafe = actions.ranking_for(self.found, _today())
        names = dict(
            Volunteer.objects.filter(pk__in=unsafe).select_related("user").values_list("pk", "full_name")
        )
        return render(
            request,
            "volunteering/request.html",
            {
                "buddy_request": self.found,
                "ranked": ranking.ranked[: actions.SHOWN],
                "excluded": ranking.excluded[:50],
                "unsafe": [(names.get(pk, pk), reasons) for pk, reasons in unsafe.items()],
                "form": form,
                "errors": errors,
                "matches": self.found.matches.select_related("volunteer"),
            },
            status=400 if errors else 200,
        )


request_detail = RequestDetail.as_view()


@requires(Capability.COORDINATE_VOLUNTEERS)
def approvals(request: HttpRequest) -> HttpResponse:
    """Hours and expenses waiting for the coordinator; approve, reject, or mark paid."""
    user, organisation_ids = _coordinated(request)
    if request.method == "POST":
        form = forms.DecisionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"] == "hours":
                    entry = get_object_or_404(
                        HoursEntry, pk=data["item"], organisation_id__in=organisation_ids
                    )
                    actions.decide_hours(entry=entry, approve=data["decision"] == "approve", by=user)
                elif data["decision"] == "paid":
                    expense = get_object_or_404(
                        Expense, pk=data["item"], organisation_id__in=organisation_ids
                    )
                    actions.mark_expense_paid(expense=expense, by=user)
                else:
                    expense = get_object_or_404(
                        Expense, pk=data["item"], organisation_id__in=organisation_ids
                    )
                    actions.decide_expense(expense=expense, approve=data["decision"] == "approve", by=user)
            except actions.VolunteeringError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, "Decision recorded.")
        else:
            messages.error(request, "Choose what to decide.")
        return redirect("volunteering:approvals")
    return render(
        request,
        "volunteering/approvals.html",
        {
            "hours": HoursEntry.objects.filter(
                organisation_id__in=organisation_ids, status=HoursEntry.Status.LOGGED
            ).select_related("volunteer")[:100],
            "expenses": Expense.objects.filter(
                organisation_id__in=organisation_ids,
                status__in=[Expense.Status.SUBMITTED, Expense.Status.APPROVED],
            ).select_related("volunteer")[:100],
        },
    )


# ---------------------------------------------------------------------------------- link worker and person


def _volunteering_organisations() -> list[tuple[int, str]]:
    return list(
        Organisation.objects.filter(role_assignments__role=Role.VOLUNTEER_COORDINATOR)
        .distinct()
        .order_by("name")
        .values_list("pk", "name")
    )


class RequestBuddyView(PersonRecordView):
    """The link worker asks for a buddy for a person on their caseload (with the person's consent)."""

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(Person.objects.select_related("user"), pk=kwargs["person_id"])

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if isinstance(request.user, User) and rules.may_request_buddy(request.user, subject):
            return AccessGrant(RecordAccess.Reason.CASELOAD, "Asking for a buddy")
        return None

    def _form(self, data: Any = None) -> forms.BuddyRequestForm:
        person: Person = self.subject
        return forms.BuddyRequestForm(
            data,
            organisations=_volunteering_organisations(),
            initial={"interests": person.interests, "language": person.language, "times": person.free_times},
        )

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self._page(request, self._form())

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        form = self._form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.request_buddy(
                    person=self.subject,
                    organisation=Organisation.objects.get(pk=data["organisation"]),
                    person_consented=data["person_consented"],
                    consent_note=data["consent_note"],
                    role=data["role"],
                    needs=data["needs"],
                    interests=data["interests"],
                    language=data["language"],
                    times=data["times"],
                    preferred_sex=data["preferred_sex"],
                    max_distance_km=data["max_distance_km"],
                    by=signed_in_user(request),
                )
            except actions.VolunteeringError as error:
                form.add_error("person_consented" if "agreed" in str(error) else None, str(error))
            else:
                messages.success(request, "Request sent to the volunteer coordinator.")
                return redirect("volunteering:request-buddy", person_id=self.subject.pk)
        return self._page(request, form)

    def _page(self, request: HttpRequest, form: forms.BuddyRequestForm) -> HttpResponse:
        return render(
            request,
            "volunteering/request_buddy.html",
            {
                "person": self.subject,
                "form": form,
                "earlier": self.subject.buddy_requests.select_related("organisation"),
                "matches": self.subject.buddy_matches.select_related("volunteer"),
            },
            status=400 if form.errors else 200,
        )


request_buddy = RequestBuddyView.as_view()


@requires(Capability.VIEW_OWN_RECORD)
def proposals(request: HttpRequest) -> HttpResponse:
    """The person's buddies: proposals to accept or decline, and their matches."""
    user = signed_in_user(request)
    person = Person.objects.filter(user=user).first()
    if request.method == "POST":
        form = forms.AnswerForm(request.POST)
        if form.is_valid():
            found = get_object_or_404(Match, pk=form.cleaned_data["match"])
            actions.answer_proposal(match=found, accept=form.cleaned_data["accept"], by=user)
            messages.success(
                request,
                "Thank you. Your buddy will be in touch." if form.cleaned_data["accept"] else "Noted.",
            )
        return redirect("volunteering:proposals")
    matches = (
        Match.objects.filter(person=person).select_related("volunteer").order_by("-proposed_at")
        if person
        else Match.objects.none()
    )
    return render(request, "volunteering/proposals.html", {"matches": matches})


MATCH_GRANT = AccessGrant(RecordAccess.Reason.ORGANISATION, "Supporting a buddy match")


class MatchDetail(PersonRecordView):
    """A match: dates, why it was proposed, contacts, the person's wellbeing before and after."""

    found: Match

    def get_subject(self, **kwargs: Any) -> Person:
        self.found = get_object_or_404(
            Match.objects.select_related("person__user", "volunteer", "request", "supervisor"),
            pk=kwargs["match_id"],
        )
        return self.found.person

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if isinstance(request.user, User) and rules.may_view_match(request.user, self.found):
            return MATCH_GRANT
        return None

    def get(self, request: HttpRequest, match_id: int) -> HttpResponse:
        return match_page(request, self.found, forms.ContactForm(), forms.EndMatchForm())


def match_page(
    request: HttpRequest,
    found: Match,
    contact_form: forms.ContactForm,
    end_form: forms.EndMatchForm,
    status: int = 200,
) -> HttpResponse:
    """Render a match page (shared by the contact and end forms when they fail)."""
    user = signed_in_user(request)
    staff_view = found.person.user_id != user.pk
    return render(
        request,
        "volunteering/match.html",
        {
            "match": found,
            "contacts": found.contacts.select_related("logged_by")[:100],
            "alerts": found.alerts.select_related("raised_to")[:20],
            "show_wellbeing": rules.may_see_wellbeing(user, found),
            "wellbeing": queries.wellbeing_around(found, timezone.now())
            if rules.may_see_wellbeing(user, found)
            else [],
            "may_log": rules.may_log_contact(user, found),
            "may_end": rules.may_end_match(user, found),
            "contact_form": contact_form,
            "end_form": end_form,
            "staff_view": staff_view,
        },
        status=status,
    )


match = MatchDetail.as_view()


def _match_page_again(
    request: HttpRequest,
    user: User,
    found: Match,
    contact_form: forms.ContactForm,
    end_form: forms.EndMatchForm,
) -> HttpResponse:
    """Show the match page again with a form's errors: a reading of the person's record, logged as the
    page's own reading is (MatchDetail)."""
    if found.person.user_id != user.pk:
        record_access(
            viewer=user,
            subject=found.person,
            subject_user=found.person.user,
            grant=MATCH_GRANT,
            path=request.get_full_path(),
        )
    return match_page(request, found, contact_form, end_form, status=400)


def _match_for_post(request: HttpRequest, match_id: int) -> tuple[User, Match]:
    user = signed_in_user(request)
    found = get_object_or_404(
        Match.objects.select_related("person__user", "volunteer", "request"), pk=match_id
    )
    if not rules.may_view_match(user, found):
        raise PermissionDenied("This match is not yours to change.")
    return user, found


@signed_in
@require_POST
@submitted_once
def log_contact(request: HttpRequest, match_id: int) -> HttpResponse:
    """Log a contact on a match."""
    user, found = _match_for_post(request, match_id)
    if not rules.may_log_contact(user, found):
        raise PermissionDenied("Only the volunteer or a coordinator logs contacts on an active match.")
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.log_contact(
                match=found,
                happened_on=data["happened_on"],
                minutes=data["minutes"],
                medium=data["medium"],
                notes=data["notes"],
                by=user,
            )
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Contact logged.")
            return redirect("volunteering:match", match_id=found.pk)
    return _match_page_again(request, user, found, form, forms.EndMatchForm())


@signed_in
@require_POST
def end_match(request: HttpRequest, match_id: int) -> HttpResponse:
    """End a match with a reason."""
    user, found = _match_for_post(request, match_id)
    if not rules.may_end_match(user, found):
        raise PermissionDenied("Only the supervisor or a coordinator ends a match.")
    form = forms.EndMatchForm(request.POST)
    if form.is_valid():
        try:
            actions.end_match(match=found, reason=form.cleaned_data["reason"], by=user)
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Match ended.")
            return redirect("volunteering:match", match_id=found.pk)
    return _match_page_again(request, user, found, forms.ContactForm(), form)


# ---------------------------------------------------------------------------------- opportunities


@signed_in
def opportunities(request: HttpRequest) -> HttpResponse:
    """Open volunteering opportunities, for anyone signed in to apply to."""
    found = Opportunity.objects.filter(is_open=True).select_related("organisation").prefetch_related("shifts")
    return render(request, "volunteering/opportunities.html", {"opportunities": found[:100]})


@signed_in
def opportunity(request: HttpRequest, opportunity_id: int) -> HttpResponse:
    """One opportunity, its shifts, and the form to apply."""
    user = signed_in_user(request)
    found = get_object_or_404(
        Opportunity.objects.select_related("organisation"), pk=opportunity_id, is_open=True
    )
    shifts = list(found.shifts.all())
    choices = [
        (s.pk, f"{timezone.localtime(s.starts_at):%-d %b %Y, %H:%M} to {timezone.localtime(s.ends_at):%H:%M}")
        for s in shifts
    ]
    form = forms.ApplyForm(request.POST or None, shifts=choices)
    if request.method == "POST" and form.is_valid():
        shift = next((s for s in shifts if s.pk == form.cleaned_data["shift"]), None)
        try:
            actions.apply(opportunity=found, shift=shift, message=form.cleaned_data["message"], by=user)
        except actions.VolunteeringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you for applying. The organisation will be in touch.")
            return redirect("volunteering:opportunity", opportunity_id=found.pk)
    applied = Application.objects.filter(opportunity=found, applicant=user).first()
    return render(
        request,
        "volunteering/opportunity.html",
        {"opportunity": found, "shifts": shifts, "form": form, "applied": applied},
        status=400 if form.errors else 200,
    )


@requires(Capability.COORDINATE_VOLUNTEERS)
@submitted_once
def manage_opportunities(request: HttpRequest) -> HttpResponse:
    """Post opportunities and shifts, and decide applications (each POST is one action)."""
    user, organisation_ids = _coordinated(request)
    choices = list(queries.organisations(organisation_ids).values_list("pk", "name"))
    form = forms.OpportunityForm(organisations=choices)
    errors: list[str] = []
    if request.method == "POST":
        what = request.POST.get("what", "")
        try:
            if what == "post":
                form = forms.OpportunityForm(request.POST, organisations=choices)
                if form.is_valid():
                    data = form.cleaned_data
                    actions.post_opportunity(
                        organisation=Organisation.objects.get(pk=data["organisation"]),
                        title=data["title"],
                        description=data["description"],
                        role=data["role"],
                        place=data["place"],
                        by=user,
                    )
                    messages.success(request, "Opportunity posted.")
                    return redirect("volunteering:manage-opportunities")
            elif what == "shift":
                shift_form = forms.ShiftForm(request.POST)
                if shift_form.is_valid():
                    data = shift_form.cleaned_data
                    target = get_object_or_404(
                        Opportunity, pk=data["opportunity"], organisation_id__in=organisation_ids
                    )
                    actions.add_shift(
                        opportunity=target,
                        starts_at=data["starts_at"],
                        ends_at=data["ends_at"],
                        places=data["places"],
                        by=user,
                    )
                    messages.success(request, "Shift added.")
                    return redirect("volunteering:manage-opportunities")
                errors.append("Give the shift's start, end and the volunteers it needs.")
            elif what == "decide":
                application = get_object_or_404(
                    Application,
                    pk=request.POST.get("application", 0),
                    opportunity__organisation_id__in=organisation_ids,
                )
                actions.decide_application(
                    application=application, accept=request.POST.get("accept") == "yes", by=user
                )
                messages.success(request, "Decision recorded.")
                return redirect("volunteering:manage-opportunities")
            else:
                raise Http404("Unknown step.")
        except actions.VolunteeringError as error:
            errors.append(str(error))
    return render(
        request,
        "volunteering/manage_opportunities.html",
        {
            "form": form,
            "shift_form": forms.ShiftForm(),
            "errors": errors,
            "opportunities": Opportunity.objects.filter(organisation_id__in=organisation_ids)
            .select_related("organisation")
            .prefetch_related("shifts", "applications__applicant")[:100],
        },
        status=400 if errors or form.errors else 200,
    )
