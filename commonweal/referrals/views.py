"""Pages of the journey: authorise, load, validate, run one action, respond.

Every page that shows a person is a PersonRecordView, so each view of it is logged with its reason
and the person can read the log.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import Capability, can, requires, signed_in_user
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.audit.views import PersonRecordView
from commonweal.directory.models import Service
from commonweal.organisations.models import Organisation
from commonweal.organisations.queries import organisation_ids_of
from commonweal.people import rules as people_rules
from commonweal.people.models import Person
from commonweal.referrals import actions, fhir, queries, rules
from commonweal.referrals.actions import JourneyError
from commonweal.referrals.forms import (
    AttendanceForm,
    BudgetForm,
    CaseloadFilterForm,
    CloseForm,
    ConnectForm,
    ContactForm,
    ConversationForm,
    MyConnectForm,
    NextActionForm,
    ReferForm,
    ReReferForm,
    SelfReferralForm,
    ServiceSearchForm,
    SmallSumDecisionForm,
    SmallSumForm,
    TransitionForm,
    TriageForm,
)
from commonweal.referrals.models import (
    Connection,
    ConversationKind,
    MessageBack,
    Referral,
    ReferralSource,
    ReferralStatus,
    SharedField,
    SmallSum,
)
from commonweal.referrals.service_search import home_point, search_services, suggestions_for
from commonweal.referrals.workflow import Party, Status, allowed_targets, owner
from commonweal.ui.forms import show_error
from commonweal.ui.idempotency import submitted_once, submitted_once_per_session

CASELOAD_PAGE_SIZE = 50
INBOX_PAGE_SIZE = 50


def _gp_practices() -> Any:
    return Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE, is_active=True).order_by("name")


def _form_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    form = context.get("form")
    return render(request, template, context, status=400 if form is not None and form.errors else 200)


# ------------------------------------------------------------------------------------ referral in


@requires(Capability.MAKE_REFERRALS)
@submitted_once
def refer(request: HttpRequest) -> HttpResponse:
    """A referrer sends a referral in: who, why, how urgent, with the person's agreement."""
    user = signed_in_user(request)
    own_organisations = Organisation.objects.filter(pk__in=organisation_ids_of(user)).order_by("pk")
    practice = next((org for org in own_organisations if org.kind == Organisation.Kind.GP_PRACTICE), None)
    home_team = queries.team_for(practice or next(iter(own_organisations), None))
    form = ReferForm(
        request.POST or None,
        teams=queries.social_prescribing_teams(),
        practices=_gp_practices(),
        initial={
            "team": home_team.pk if home_team else None,
            "source": ReferralSource.GP if practice else ReferralSource.OTHER,
            "gp_practice": practice.pk if practice else None,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = actions.refer(
                nhs_number=data["nhs_number"],
                date_of_birth=data["date_of_birth"],
                details={
                    "given_name": data["given_name"],
                    "family_name": data["family_name"],
                    "sex": data["sex"],
                    "postcode": data["postcode"],
                    "phone": data["phone"],
                    "email": data["email"],
                    "gp_practice": data["gp_practice"],
                },
                team=data["team"],
                source=data["source"],
                reasons=data["reasons"],
                reason_detail=data["reason_detail"],
                urgency=data["urgency"],
                referring_organisation=next(iter(own_organisations), None),
                by=user,
            )
        except actions.PersonMismatchError as error:
            form.add_error("nhs_number", str(error))
        except JourneyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Referral sent to {referral.team.name}. You will get a message back when it is accepted, "
                "declined or closed.",
            )
            return redirect("referrals:mine")
    return _form_response(request, "referrals/refer.html", {"form": form})


def _client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR is the connecting address; behind a proxy, set it from the proxy's trusted header there.
    return str(request.META.get("REMOTE_ADDR", "unknown"))


@submitted_once_per_session
def self_refer(request: HttpRequest) -> HttpResponse:
    """The public self-referral form: no account needed, a privacy notice, spam protection."""
    form = SelfReferralForm(request.POST or None, practices=_gp_practices())
    if request.method == "POST":
        address = _client_address(request)
        if not rules.may_self_refer_from(address):
            form.is_valid()
            form.add_error(None, rules.SELF_REFERRAL_LIMIT_REACHED)
            return render(request, "referrals/self_refer.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.self_refer(
                    nhs_number=data["nhs_number"],
                    date_of_birth=data["date_of_birth"],
                    details={
                        "given_name": data["given_name"],
                        "family_name": data["family_name"],
                        "sex": data["sex"],
                        "postcode": data["postcode"],
                        "phone": data["phone"],
                        "email": data["email"],
                        "contact_methods": data["contact_methods"],
                        "gp_practice": data["gp_practice"],
                    },
                    reasons=data["reasons"],
                    reason_detail=data["reason_detail"],
                    urgency=data["urgency"],
                    client_address=address,
                    spam=form.is_spam,
                )
            except JourneyError as error:
                form.add_error(None, str(error))
            else:
                # A dropped spam sender sees the same thanks as everyone else.
                return redirect("referrals:self-refer-sent")
    return _form_response(request, "referrals/self_refer.html", {"form": form})


def self_refer_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/self_refer_sent.html")


@requires(Capability.MAKE_REFERRALS)
def my_referrals(request: HttpRequest) -> HttpResponse:
    """A referrer's referrals and the messages back about them (and about their practice's patients)."""
    user = signed_in_user(request)
    practice_ids = list(
        Organisation.objects.filter(
            pk__in=organisation_ids_of(user, Role.REFERRER), kind=Organisation.Kind.GP_PRACTICE
        ).values_list("pk", flat=True)
    )
    page = Paginator(queries.referrals_made_by(user, practice_ids), 25).get_page(request.GET.get("page"))
    return render(request, "referrals/mine.html", {"page": page, "user_id": user.pk})


# -------------------------------------------------------------------------------- person-level base


class ReferralView(PersonRecordView):
    """A page about one referral: the person it is about is the record whose viewing is logged."""

    referral: Referral
    grant: AccessGrant | None = None
    # Whether the person the referral is about may use the page from their own account.
    person_may_use = False

    def get_subject(self, **kwargs: Any) -> Person:
        self.referral = get_object_or_404(
            Referral.objects.select_related(
                "person__lsoa",
                "person__user",
                "person__gp_practice",
                "team",
                "link_worker",
                "referred_by",
                "referring_organisation",
            ),
            pk=kwargs["referral_id"],
        )
        return self.referral.person

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if not isinstance(request.user, User):
            return None
        self.grant = self.extra_grant(request.user) or people_rules.staff_grant(
            request, request.user, subject
        )
        return self.grant

    def extra_grant(self, user: User) -> AccessGrant | None:
        """A reason to look that this page gives beyond the usual relationships (none by default)."""
        return None

    def refused(self, request: HttpRequest, subject: Person) -> HttpResponse:
        if can(request.user, Capability.BREAK_GLASS):
            return redirect("people:break-glass", person_id=subject.pk)
        return super().refused(request, subject)

    @property
    def viewer(self) -> User:
        return signed_in_user(self.request)

    @property
    def is_the_person(self) -> bool:
        return self.referral.person.user_id is not None and self.referral.person.user_id == self.viewer.pk

    def check_person(self) -> None:
        if self.is_the_person and not self.person_may_use:
            raise PermissionDenied(
                "This page is for the people working with you; see your own record instead."
            )

    def require_case_worker(self) -> None:
        """Refuse unless the viewer is the case's link worker or supervises its team, and it is open."""
        self.check_person()
        if not rules.may_work_case(self.viewer, self.referral):
            if not self.referral.is_open:
                raise PermissionDenied("This case is not open.")
            raise PermissionDenied("Only the person's link worker or a supervisor of the team can do this.")

    @property
    def case_url(self) -> str:
        return reverse("referrals:case", kwargs={"referral_id": self.referral.pk})

    def form_page(
        self,
        *,
        form: forms.Form,
        run: Callable[[forms.Form], Any],
        template: str,
        success: str,
        done: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Show a form; on a valid POST run one action and go back; on an error keep what was typed."""
        if self.request.method == "POST" and form.is_valid():
            try:
                run(form)
            except JourneyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(self.request, success)
                return redirect(done or self.case_url)
        return _form_response(
            self.request,
            template,
            {"form": form, "referral": self.referral, "person": self.referral.person, "back": self.case_url}
            | (context or {}),
        )


# --------------------------------------------------------------------------------------- triage


@requires(Capability.TRIAGE_REFERRALS)
def triage_queue(request: HttpRequest) -> HttpResponse:
    """The referrals waiting for triage in the viewer's teams, most urgent first."""
    team_ids = sorted(queries.link_worker_team_ids(signed_in_user(request)))
    page = Paginator(queries.triage_queue(team_ids), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/triage_queue.html",
        {"page": page, "recently_ended": queries.recently_ended(team_ids)[:25]},
    )


class TriagePage(ReferralView):
    """Triage one referral: accept it onto a link worker's caseload, or say why it does not go ahead."""

    def refused(self, request: HttpRequest, subject: Person) -> HttpResponse:
        # Triage sent again once the referral was declined or given to a colleague: the triager no longer
        # has a reason to see the person, so they go back to the queue rather than to break-glass.
        referral = self.referral
        if (
            referral.status != ReferralStatus.AWAITING_TRIAGE
            and isinstance(request.user, User)
            and rules.may_triage(request.user, referral)
        ):
            messages.info(request, "This referral has already been triaged.")
            return redirect("referrals:triage")
        return super().refused(request, subject)

    def after_triage(self) -> str:
        """The case if the viewer now works it (accepted onto their caseload), else the triage queue:
        a declined case, or one given to a colleague, would only offer them break-glass."""
        referral = Referral.objects.get(pk=self.referral.pk)
        return self.case_url if rules.may_work_case(self.viewer, referral) else reverse("referrals:triage")

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.check_person()
        if self.referral.status != ReferralStatus.AWAITING_TRIAGE:
            messages.info(request, "This referral has already been triaged.")
            return redirect(self.after_triage())
        if not rules.may_triage(self.viewer, self.referral):
            raise PermissionDenied("Only a link worker in the receiving team can triage this referral.")
        form = TriageForm(
            request.POST or None,
            link_workers=queries.team_link_workers(self.referral.team_id),
            initial={"link_worker": self.viewer.pk},
        )

        def run(form: forms.Form) -> None:
            data = form.cleaned_data
            if data["decision"] == "accept":
                actions.accept_referral(
                    referral=self.referral, link_worker=data["link_worker"], by=self.viewer
                )
            else:
                actions.decline_referral(
                    referral=self.referral, reason=data["decline_reason"], note=data["note"], by=self.viewer
                )

        response = self.form_page(
            form=form,
            run=run,
            template="referrals/triage.html",
            success=f"Triage recorded. {_who_reads_the_message_back(self.referral)}",
        )
        return redirect(self.after_triage()) if response.status_code == 302 else response


def _who_reads_the_message_back(referral: Referral) -> str:
    """Say who can read the message back about a referral: its referrer and the person's GP practice.

    They are the readers rules.may_read_message_back lets in; a self-referral has no referrer.
    """
    referrer = referral.referred_by if referral.source != ReferralSource.SELF else None
    practice = referral.person.gp_practice
    if referrer is not None and practice is not None:
        return (
            f"{referrer.full_name} (the referrer) and {practice.name} (the person's GP practice) "
            "can read the message back."
        )
    if referrer is not None:
        return f"{referrer.full_name} (the referrer) can read the message back. No GP practice is known."
    if practice is not None:
        return (
            f"The person referred themselves; their GP practice, {practice.name}, can read the message back."
        )
    return (
        "The person referred themselves and no GP practice is known, so nobody else reads the message "
        "back: tell the person what was decided."
    )


# --------------------------------------------------------------------------------------- the case


class CasePage(ReferralView):
    """One case: the person, next action, contact log, the Three Conversations, connections, money."""

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.check_person()
        referral = self.referral
        person = referral.person
        journey = queries.journey_referrals(person)
        this = next(item for item in journey if item.pk == referral.pk)
        connections = [item for item in queries.person_connections(person) if item.referral_id == referral.pk]
        return render(
            request,
            "referrals/case.html",
            {
                "referral": this,
                "person": person,
                "connections": connections,
                "returned": [item for item in connections if item.needs_attention],
                "small_sum_totals": queries.person_small_sums(person),
                "may_work": rules.may_work_case(self.viewer, referral),
                "may_rerefer": rules.may_rerefer(self.viewer, referral),
                "other_referrals": [item for item in journey if item.pk != referral.pk],
                "goals": list(person.goals.all()),
                "grant": self.grant,
            },
        )


class NextActionPage(ReferralView):
    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.require_case_worker()
        form = NextActionForm(
            request.POST or None,
            initial={
                "next_action": self.referral.next_action,
                "next_action_due": self.referral.next_action_due,
            },
        )
        return self.form_page(
            form=form,
            run=lambda form: actions.set_next_action(
                referral=self.referral,
                next_action=form.cleaned_data["next_action"],
                due=form.cleaned_data["next_action_due"],
                by=self.viewer,
            ),
            template="referrals/next_action.html",
            success="Next action saved.",
        )


class ContactPage(ReferralView):
    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.require_case_worker()
        form = ContactForm(request.POST or None)
        return self.form_page(
            form=form,
            run=lambda form: actions.log_contact(referral=self.referral, by=self.viewer, **form.cleaned_data),
            template="referrals/contact.html",
            success="Contact logged.",
        )


class ConversationPage(ReferralView):
    def get(self, request: HttpRequest, referral_id: int, kind: int) -> HttpResponse:
        return self.post(request, referral_id, kind)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, referral_id: int, kind: int) -> HttpResponse:
        if kind not in ConversationKind.values:
            raise Http404("There are three conversations.")
        self.require_case_worker()
        person = self.referral.person
        initial: dict[str, Any] = {"held_on": datetime.date.today(), "participants": f"{person.full_name}"}
        if kind == ConversationKind.CONNECT:
            initial |= {"what_matters": person.what_matters, "strengths": person.strengths}
        form = ConversationForm(request.POST or None, kind=kind, initial=initial)

        def run(form: forms.Form) -> None:
            data = dict(form.cleaned_data)
            common = {name: data.pop(name) for name in ("held_on", "participants", "summary")}
            emergency = []
            spends = []
            for row in range(1, ConversationForm.ACTION_ROWS + 1):
                action, owner_name, review = (
                    data.pop(f"action_{row}", None),
                    data.pop(f"owner_{row}", None),
                    data.pop(f"review_{row}", None),
                )
                if action:
                    emergency.append(actions.EmergencyActionInput(action, owner_name, review))
                spend, amount = data.pop(f"spend_{row}", None), data.pop(f"spend_amount_{row}", None)
                if spend:
                    spends.append(actions.SpendInput(spend, amount))
            update_record = bool(data.pop("update_record", False))
            actions.record_conversation(
                referral=self.referral,
                kind=kind,
                by=self.viewer,
                emergency_actions=emergency,
                spends=spends,
                update_record=update_record,
                **common,
                **data,
            )

        return self.form_page(
            form=form,
            run=run,
            template="referrals/conversation.html",
            success=f"{ConversationKind(kind).label} recorded.",
            context={"kind": ConversationKind(kind)},
        )


class SmallSumPage(ReferralView):
    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.require_case_worker()
        form = SmallSumForm(request.POST or None)
        latest_crisis = (
            self.referral.conversations.filter(kind=ConversationKind.CRISIS).order_by("-held_on").first()
        )
        return self.form_page(
            form=form,
            run=lambda form: actions.request_small_sum(
                referral=self.referral, conversation=latest_crisis, by=self.viewer, **form.cleaned_data
            ),
            template="referrals/small_sum.html",
            success="Small sum sent to a supervisor for approval.",
            context={
                "person_totals": queries.person_small_sums(self.referral.person),
                "team_position": queries.budget_position(self.referral.team_id),
            },
        )


class ClosePage(ReferralView):
    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.require_case_worker()
        form = CloseForm(request.POST or None)
        return self.form_page(
            form=form,
            run=lambda form: actions.close_referral(
                referral=self.referral, by=self.viewer, **form.cleaned_data
            ),
            template="referrals/close.html",
            success=f"Case closed. {_who_reads_the_message_back(self.referral)}",
        )


class ReReferPage(ReferralView):
    """Refer a closed or declined case again (the referrer, the team, or the person themselves)."""

    person_may_use = True

    def extra_grant(self, user: User) -> AccessGrant | None:
        if rules.may_rerefer(user, self.referral):
            return AccessGrant(RecordAccess.Reason.REFERRAL, "Referring them again")
        return None

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        if not rules.may_rerefer(self.viewer, self.referral):
            raise PermissionDenied("Only the referrer, the team or the person can refer this case again.")
        form = ReReferForm(request.POST or None, by_the_person=self.is_the_person)
        done = (
            reverse("people:my-record")
            if self.is_the_person
            else (
                reverse("referrals:triage")
                if can(self.viewer, Capability.TRIAGE_REFERRALS)
                else reverse("referrals:mine")
            )
        )
        return self.form_page(
            form=form,
            run=lambda form: actions.rerefer(referral=self.referral, by=self.viewer, **form.cleaned_data),
            template="referrals/rerefer.html",
            success="Referred again. The team will triage it.",
            done=done,
        )


# ------------------------------------------------------------------------------------ message back


class ReferrerMayRead(ReferralView):
    """A page the referrer, and referrers at the person's GP practice, may read."""

    def extra_grant(self, user: User) -> AccessGrant | None:
        if rules.may_read_message_back(user, self.referral):
            return AccessGrant(RecordAccess.Reason.REFERRAL, "Message back about their referral")
        return None


class MessageBackView(ReferrerMayRead):
    """The message back to the GP and referrer: a printable page and the same as JSON."""

    person_may_use = True
    as_json = False

    def get(self, request: HttpRequest, referral_id: int, message_id: int) -> HttpResponse:
        message = get_object_or_404(MessageBack, pk=message_id, referral=self.referral)
        if self.as_json:
            response = JsonResponse(message.document, json_dumps_params={"indent": 2, "ensure_ascii": False})
            response["Content-Disposition"] = f'inline; filename="message-back-{message.pk}.json"'
            return response
        return render(
            request,
            "referrals/message_back.html",
            {
                "message": message,
                "document": message.document,
                # A self-referral has no referrer: the person's own name is not who the message is from or to.
                "self_referral": self.referral.source == ReferralSource.SELF,
            },
        )


class FhirExportView(ReferrerMayRead):
    """The referral and its connections as FHIR R4 ServiceRequest and Task resources (a Bundle)."""

    person_may_use = True

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        bundle = fhir.referral_bundle(
            queries.referral_facts(self.referral), base=request.build_absolute_uri("/fhir").rstrip("/")
        )
        response = JsonResponse(bundle, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Type"] = "application/fhir+json; charset=utf-8"
        response["Content-Disposition"] = f'inline; filename="referral-{self.referral.pk}.fhir.json"'
        return response


# --------------------------------------------------------------------------------------- caseload


@requires(Capability.WORK_CASELOAD)
def caseload(request: HttpRequest) -> HttpResponse:
    """A link worker's open cases: next action and due date, last contact, alerts; sort and filter."""
    user = signed_in_user(request)
    form = CaseloadFilterForm(request.GET or None)
    choice = queries.CaseloadFilter()
    if form.is_valid():
        data = form.cleaned_data
        choice = queries.CaseloadFilter(
            sort=data["sort"] or "due",
            overdue_only=data["overdue"],
            alerts_only=data["alerts"],
            urgency=data["urgency"],
            search=data["q"],
        )
    page = Paginator(queries.caseload([user.pk], choice), CASELOAD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode([(key, value) for key, value in request.GET.items() if key != "page"])
    return render(
        request,
        "referrals/caseload.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "counts": queries.caseload_counts(user.pk),
            "supervised": list(Organisation.objects.filter(supervisors__user=user).order_by("name")),
            "today": datetime.date.today(),
        },
    )


def _supervised_team(request: HttpRequest, team_id: int) -> Organisation:
    team = get_object_or_404(Organisation, pk=team_id)
    if not rules.may_supervise_team(signed_in_user(request), team.pk):
        raise PermissionDenied("Only a supervisor of this team can see its caseloads.")
    return team


@requires(Capability.WORK_CASELOAD)
def team_caseloads(request: HttpRequest, team_id: int) -> HttpResponse:
    """A supervisor's view: each link worker's caseload, one worker's cases, small sums and budget."""
    team = _supervised_team(request, team_id)
    workers = queries.team_overview(team.pk)
    worker = None
    page = None
    chosen = request.GET.get("worker", "")
    if chosen.isdigit():
        worker = next((row.user for row in workers if row.user.pk == int(chosen)), None)
        if worker is not None:
            page = Paginator(
                queries.caseload([worker.pk], queries.CaseloadFilter()), CASELOAD_PAGE_SIZE
            ).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/team.html",
        {
            "team": team,
            "workers": workers,
            "worker": worker,
            "page": page,
            "query": f"worker={worker.pk}" if worker else "",
            "position": queries.budget_position(team.pk),
            "waiting": queries.waiting_small_sums([team.pk])[:50],
            "decision_form": SmallSumDecisionForm(),
            "today": datetime.date.today(),
        },
    )


@requires(Capability.WORK_CASELOAD)
def team_budget(request: HttpRequest, team_id: int) -> HttpResponse:
    """A supervisor sets the team's small-sums budget for a period."""
    team = _supervised_team(request, team_id)
    position = queries.budget_position(team.pk)
    initial = {}
    if position.budget is not None:
        initial = {
            "starts_on": position.budget.starts_on,
            "ends_on": position.budget.ends_on,
            "amount": position.budget.amount,
        }
    form = BudgetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_small_sum_budget(team=team, by=signed_in_user(request), **form.cleaned_data)
        except JourneyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Budget saved.")
            return redirect("referrals:team", team_id=team.pk)
    return _form_response(
        request, "referrals/budget.html", {"form": form, "team": team, "position": position}
    )


@require_POST
@requires(Capability.WORK_CASELOAD)
def decide_small_sum(request: HttpRequest, small_sum_id: int) -> HttpResponse:
    """A supervisor approves or refuses a small sum (from the team page)."""
    small_sum = get_object_or_404(SmallSum, pk=small_sum_id)
    _supervised_team(request, small_sum.team_id)
    form = SmallSumDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to approve or refuse the sum.")
    else:
        try:
            actions.decide_small_sum(
                small_sum=small_sum,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                by=signed_in_user(request),
            )
        except JourneyError as error:
            messages.error(request, str(error))
        else:
            verb = "approved" if form.cleaned_data["decision"] == "approve" else "refused"
            messages.success(request, f"£{small_sum.amount:,.2f} {verb}.")
    return redirect("referrals:team", team_id=small_sum.team_id)


# ------------------------------------------------------------------------------------ connections


class ConnectPage(ReferralView):
    """Connect the person to a directory service: suggestions with reasons, search, capacity, consent."""

    def get(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        return self.post(request, referral_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, referral_id: int) -> HttpResponse:
        self.require_case_worker()
        person = self.referral.person
        chosen_id = request.POST.get("service") or request.GET.get("service")
        if chosen_id and chosen_id.isdigit():
            service = get_object_or_404(
                Service.objects.select_related("organisation__organisation", "owner"), pk=int(chosen_id)
            )
            form = ConnectForm(request.POST or None, initial={"shared_fields": [SharedField.WHAT_MATTERS]})
            return self.form_page(
                form=form,
                run=lambda form: actions.connect(
                    person=person,
                    service=service,
                    referral=self.referral,
                    shared_fields=form.cleaned_data["shared_fields"],
                    note=form.cleaned_data["note"],
                    by=self.viewer,
                ),
                template="referrals/connect_confirm.html",
                success=f"Connection to {service.name} sent. The organisation will accept or reject it.",
                context={"service": service, "provider": actions.provider_of(service)},
            )
        search = ServiceSearchForm(request.GET or None)
        found = (
            search_services(search.cleaned_data["q"], home_point(person))
            if search.is_valid() and search.cleaned_data["q"]
            else []
        )
        return render(
            request,
            "referrals/connect.html",
            {
                "referral": self.referral,
                "person": person,
                "search": search,
                "found": found,
                "suggestions": suggestions_for(person, self.referral.reasons),
                "back": self.case_url,
            },
        )


class ConnectionView(PersonRecordView):
    """A page about one connection, for either side: the organisation sees only what was shared."""

    connection: Connection
    parties: set[Party]
    grant: AccessGrant | None = None

    def get_subject(self, **kwargs: Any) -> Person:
        self.connection = get_object_or_404(
            Connection.objects.select_related(
                "person__user",
                "person__lsoa",
                "referral__link_worker",
                "service",
                "organisation",
                "requested_by",
            ),
            pk=kwargs["connection_id"],
        )
        return self.connection.person

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        if not isinstance(request.user, User):
            return None
        self.parties = rules.parties_of(request.user, self.connection)
        if Party.REQUESTER in self.parties:
            self.grant = AccessGrant(RecordAccess.Reason.CASELOAD, "Following up a connection")
        elif Party.TARGET in self.parties:
            self.grant = AccessGrant(
                RecordAccess.Reason.ORGANISATION, f"Connection to {self.connection.service.name}"
            )
        else:
            self.grant = people_rules.staff_grant(request, request.user, subject)
        return self.grant

    def refused(self, request: HttpRequest, subject: Person) -> HttpResponse:
        if can(request.user, Capability.BREAK_GLASS):
            return redirect("people:break-glass", person_id=subject.pk)
        return super().refused(request, subject)

    @property
    def viewer(self) -> User:
        return signed_in_user(self.request)

    def my_parties(self) -> set[Party]:
        if not hasattr(self, "parties"):
            self.parties = rules.parties_of(self.viewer, self.connection)
        return self.parties

    @property
    def url(self) -> str:
        return reverse("referrals:connection", kwargs={"connection_id": self.connection.pk})


class ConnectionPage(ConnectionView):
    """See a connection and change its status (each side only its own moves)."""

    def get(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        return self.post(request, connection_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        parties = self.my_parties()
        connection = self.connection
        moves: list[Status] = []
        for party in sorted(parties, key=lambda party: party.value, reverse=True):
            moves += [
                status for status in allowed_targets(connection.workflow_status, party) if status not in moves
            ]
        if request.method == "POST" and not rules.may_move_connection(self.viewer, connection):
            raise PermissionDenied("You are not a party to this connection.")
        form = TransitionForm(request.POST or None, allowed=moves)
        if request.method == "POST" and form.is_valid():
            try:
                actions.move_connection(connection=connection, by=self.viewer, **form.cleaned_data)
            except JourneyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Status changed.")
                return redirect(self.url)
        is_target_only = Party.TARGET in parties and Party.REQUESTER not in parties
        # Once a connection ended without the person being served, the organisation keeps what it needs
        # (that it ended, when and why in its own terms) and no longer sees who the person is.
        hide_person = is_target_only and connection.ended_unserved
        return render(
            request,
            "referrals/connection.html",
            {
                "connection": connection,
                "person": None if hide_person else connection.person,
                "hide_person": hide_person,
                "form": form,
                "moves": moves,
                "attendance_form": AttendanceForm(auto_id="attendance_%s")
                if Party.TARGET in parties
                else None,
                "is_target_only": is_target_only,
                "is_requester": Party.REQUESTER in parties,
                "transitions": connection.transitions.select_related("actor"),
                "attendances": connection.attendances.all(),
                "holder": "the organisation"
                if owner(connection.workflow_status) == Party.TARGET
                else "the link worker",
                "shares": set(connection.shared_fields),
            },
            status=400 if form.errors else 200,
        )


class AttendancePage(ConnectionView):
    """The organisation records whether the person came to a session."""

    def get(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        return redirect(self.url)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        if not rules.may_respond_to_connection(self.viewer, self.connection):
            raise PermissionDenied("Only the organisation running the service records attendance.")
        form = AttendanceForm(request.POST, auto_id="attendance_%s")
        if form.is_valid():
            try:
                actions.record_attendance(
                    connection=self.connection,
                    session_on=form.cleaned_data["session_on"],
                    attended=form.cleaned_data["attended"] == "yes",
                    note=form.cleaned_data["note"],
                    by=self.viewer,
                )
            except JourneyError as error:
                show_error(form, error)
            else:
                messages.success(request, "Attendance recorded.")
                return redirect(self.url)
        return render(
            request,
            "referrals/attendance.html",
            {"connection": self.connection, "person": self.connection.person, "form": form, "back": self.url},
            status=400,
        )


class AcknowledgePage(ConnectionView):
    """The link worker has seen a returned connection; the alert goes."""

    def get(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        return redirect(self.url)

    def post(self, request: HttpRequest, connection_id: int) -> HttpResponse:
        if not rules.may_follow_up_connection(self.viewer, self.connection):
            raise PermissionDenied("Only the person's link worker can clear this alert.")
        actions.acknowledge_connection(connection=self.connection, by=self.viewer)
        messages.success(request, "Alert cleared.")
        if self.connection.referral_id:
            return redirect("referrals:case", referral_id=self.connection.referral_id)
        return redirect(self.url)


@requires(Capability.RESPOND_TO_CONNECTIONS)
def inbox(request: HttpRequest) -> HttpResponse:
    """A community organisation's connections: new, current and finished."""
    organisation_ids = sorted(organisation_ids_of(signed_in_user(request), Role.ORGANISATION_MEMBER))
    view = request.GET.get("view", "new")
    if view not in queries.INBOX_VIEWS:
        view = "new"
    page = Paginator(queries.inbox(organisation_ids, view), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/inbox.html",
        {
            "page": page,
            "view": view,
            "views": [(key, label) for key, (label, _) in queries.INBOX_VIEWS.items()],
            "counts": queries.inbox_counts(organisation_ids),
            "query": f"view={view}",
        },
    )


# ------------------------------------------------------------------------------ the person's own


def _own_person(request: HttpRequest) -> Person:
    person = Person.objects.select_related("lsoa").filter(user=signed_in_user(request)).first()
    if person is None:
        raise Http404("There is no record linked to your account yet.")
    return person


@requires(Capability.MANAGE_OWN_PLAN)
def my_connect(request: HttpRequest) -> HttpResponse:
    """The person finds services suggested for them and connects themselves."""
    person = _own_person(request)
    search = ServiceSearchForm(request.GET or None)
    found = (
        search_services(search.cleaned_data["q"], home_point(person))
        if search.is_valid() and search.cleaned_data["q"]
        else []
    )
    return render(
        request,
        "referrals/my_connect.html",
        {"person": person, "search": search, "found": found, "suggestions": suggestions_for(person)},
    )


@requires(Capability.MANAGE_OWN_PLAN)
@submitted_once
def my_connect_service(request: HttpRequest, service_id: int) -> HttpResponse:
    """The person asks to join a service, choosing what to share with the organisation."""
    person = _own_person(request)
    service = get_object_or_404(
        Service.objects.select_related("organisation__organisation", "owner"), pk=service_id
    )
    form = MyConnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.connect_myself(
                person=person,
                service=service,
                shared_fields=form.cleaned_data["shared_fields"],
                note=form.cleaned_data["note"],
                by=signed_in_user(request),
            )
        except JourneyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"You asked to join {service.name}. They will reply here.")
            return redirect("people:my-record")
    return _form_response(
        request,
        "referrals/my_connect_confirm.html",
        {"form": form, "service": service, "provider": actions.provider_of(service), "person": person},
    )
