"""Measures pages: answering (staff, the person's own account, a one-time link), schedules, trends, alerts.

Every page that shows one person's answers is a PersonRecordView, so staff reach it only through a
relationship (or break-glass) and every view by anyone but the person is logged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can, requires, signed_in_user
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.audit.views import PersonRecordView
from commonweal.measures import actions, conf, queries, registry, rules
from commonweal.measures.definitions import InstrumentDefinition, UnknownInstrumentError
from commonweal.measures.forms import (
    AcknowledgeForm,
    AnswersForm,
    CorrectionReasonForm,
    LanguageForm,
    LinkForm,
    ScheduleForm,
    StartForm,
)
from commonweal.measures.models import AnswerLink, Response, SafetyAlert, ScheduledMeasure
from commonweal.measures.scoring import score
from commonweal.people.models import Person
from commonweal.ui.idempotency import submitted_once

PAGE_SIZE = 50


def _crisis_context() -> dict[str, Any]:
    return {"crisis_contacts": conf.crisis_contacts()}


def _definition_or_404(code: str, version: str | None = None) -> InstrumentDefinition:
    try:
        return registry.definition(code, version)
    except UnknownInstrumentError as error:
        raise Http404(str(error)) from error


def _response_definition(response: Response) -> InstrumentDefinition:
    definition = queries.definition_of(response)
    if definition is None:
        raise Http404(
            f"{response.instrument_code} {response.instrument_version} is no longer available here, "
            "so these answers cannot be shown as questions."
        )
    return definition


# ------------------------------------------------------------------------------ shared answering flow


@dataclass(frozen=True)
class AnswerSession:
    """Who is answering which response, and where the pages of the flow are."""

    response: Response
    definition: InstrumentDefinition
    by: User | None
    link: AnswerLink | None
    base: str  # the flow's address, ending in "/"; questions are base + "<n>/"
    done_url: str
    later_url: str  # where "save and come back later" goes
    staff: bool

    def question_url(self, number: int) -> str:
        """Return the address of one question's page."""
        return f"{self.base}{number}/"

    @property
    def check_url(self) -> str:
        """Return the address of the check-your-answers page."""
        return f"{self.base}check/"

    @property
    def count(self) -> int:
        """Return how many questions there are."""
        return len(self.definition.items)


def _flow_context(session: AnswerSession, **extra: Any) -> dict[str, Any]:
    alerts = list(session.response.safety_alerts.all()) if session.response.pk else []
    return {
        "session": session,
        "response": session.response,
        "definition": session.definition,
        "title": session.definition.title.in_language(session.response.language),
        "preamble": session.definition.preamble.in_language(session.response.language)
        if session.definition.preamble
        else "",
        "has_alert": bool(alerts),
        **_crisis_context(),
        **extra,
    }


def _first_unanswered(session: AnswerSession) -> int:
    for number, item in enumerate(session.definition.items, start=1):
        if item.item_id not in session.response.answers:
            return number
    return 0


def _save(request: HttpRequest, session: AnswerSession, form: AnswersForm) -> tuple[bool, list[SafetyAlert]]:
    try:
        raised = actions.save_answers(
            response=session.response, answers=form.answers(), by=session.by, link=session.link
        )
    except actions.MeasureError as error:
        form.add_error(None, str(error))
        return False, []
    session.response.refresh_from_db()
    return True, raised


def _submit(request: HttpRequest, session: AnswerSession, form: AnswersForm | None) -> HttpResponse | None:
    try:
        actions.submit_response(response=session.response, by=session.by, link=session.link)
    except actions.MeasureError as error:
        if form is not None:
            form.add_error(None, str(error))
        else:
            messages.error(request, str(error))
        return None
    return redirect(session.done_url)


def answer_all(request: HttpRequest, session: AnswerSession) -> HttpResponse:
    """Every question on one page: submit, or save and come back later."""
    response = session.response
    if response.is_submitted:
        return redirect(session.done_url)
    submitting = request.method == "POST" and "save" not in request.POST
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        initial=response.answers,
        definition=session.definition,
        language=response.language,
        require_all=submitting,
    )
    if request.method == "POST" and form.is_valid():
        saved, _ = _save(request, session, form)
        if saved and not submitting:
            messages.success(request, "Your answers are saved. You can come back and finish at any time.")
            return redirect(session.later_url)
        if saved:
            done = _submit(request, session, form)
            if done is not None:
                return done
    return render(request, "measures/answer_all.html", _flow_context(session, form=form))


def answer_question(request: HttpRequest, session: AnswerSession, number: int) -> HttpResponse:
    """One question per page, saving each answer as it is given."""
    response = session.response
    if response.is_submitted:
        return redirect(session.done_url)
    if not 1 <= number <= session.count:
        raise Http404("There is no such question.")
    item = session.definition.items[number - 1]
    later = "save" in request.POST
    form = AnswersForm(
        request.POST if request.method == "POST" else None,
        initial=response.answers,
        definition=session.definition,
        language=response.language,
        numbers=[number],
        require_all=request.method == "POST" and not later,
    )
    if request.method == "POST" and form.is_valid():
        saved, _ = _save(request, session, form)
        if saved:
            if later:
                messages.success(request, "Your answers are saved. You can come back and finish at any time.")
                return redirect(session.later_url)
            return redirect(session.question_url(number + 1) if number < session.count else session.check_url)
    previous = session.question_url(number - 1) if number > 1 else session.base
    return render(
        request,
        "measures/answer_question.html",
        _flow_context(
            session, form=form, field=form[item.item_id], item=item, number=number, previous_url=previous
        ),
    )


def answer_check(request: HttpRequest, session: AnswerSession) -> HttpResponse:
    """Check your answers, then submit."""
    response = session.response
    if response.is_submitted:
        return redirect(session.done_url)
    if request.method == "POST":
        done = _submit(request, session, None)
        if done is not None:
            return done
    rows = queries.answer_rows(session.definition, response)
    missing = actions.unanswered_required(session.definition, response)
    return render(request, "measures/answer_check.html", _flow_context(session, rows=rows, missing=missing))


def answer_done(request: HttpRequest, session: AnswerSession) -> HttpResponse:
    """Thank the person; where an answer raised an alert, show crisis contacts at once."""
    if not session.response.is_submitted:
        return redirect(session.base)
    return render(request, "measures/answer_done.html", _flow_context(session))


def answer_start(request: HttpRequest, session: AnswerSession) -> HttpResponse:
    """The flow's first page: what the questionnaire is, and where to begin or carry on."""
    if session.response.is_submitted:
        return redirect(session.done_url)
    resume = _first_unanswered(session)
    return render(
        request,
        "measures/answer_start.html",
        _flow_context(session, resume_url=session.question_url(resume) if resume else session.check_url),
    )


def run_step(request: HttpRequest, session: AnswerSession, step: str, number: int | None) -> HttpResponse:
    """Dispatch one step of the answering flow."""
    if step == "start":
        return answer_start(request, session)
    if step == "all":
        return answer_all(request, session)
    if step == "question":
        assert number is not None
        return answer_question(request, session, number)
    if step == "check":
        return answer_check(request, session)
    return answer_done(request, session)


# -------------------------------------------------------------------------------- access for staff


class MeasuresRecordView(PersonRecordView):
    """A page about one person's measures: the person themself, or staff with a reason (logged)."""

    capability = Capability.RECORD_MEASURES
    staff_only = True
    viewer: User

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and self.staff_only and not can(request.user, self.capability):
            raise PermissionDenied("Your roles do not allow this.")
        if isinstance(request.user, User):
            self.viewer = request.user
        return super().dispatch(request, *args, **kwargs)

    def subject_user_of(self, subject: Person) -> User | None:
        return subject.user

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        user = request.user
        return rules.staff_grant(request, user, subject) if isinstance(user, User) else None

    def refused(self, request: HttpRequest, subject: Person) -> HttpResponse:
        if can(request.user, Capability.BREAK_GLASS) and can(request.user, Capability.RECORD_MEASURES):
            return redirect("people:break-glass", person_id=subject.pk)
        return super().refused(request, subject)

    @property
    def is_owner(self) -> bool:
        """Tell whether the viewer is the person the page is about."""
        return self.subject.user_id is not None and self.subject.user_id == self.viewer.pk


class ResponseAnswerView(MeasuresRecordView):
    """The answering flow for a response, by staff recording it or by the person in their account."""

    staff_only = False
    step = "start"
    response: Response

    def get_subject(self, **kwargs: Any) -> Person:
        self.response = get_object_or_404(
            Response.objects.select_related("person__user"), pk=kwargs["response_id"]
        )
        return self.response.person

    def _session(self, request: HttpRequest) -> AnswerSession:
        if self.is_owner:
            if self.response.mode != Response.Mode.OWN_ACCOUNT:
                raise PermissionDenied("This questionnaire is being recorded by your link worker.")
            later = reverse("measures:mine")
        elif rules.may_answer(self.viewer, self.response):
            later = reverse("measures:person", kwargs={"person_id": self.subject.pk})
        else:
            raise PermissionDenied("Your roles do not allow this.")
        base = reverse("measures:answer", kwargs={"response_id": self.response.pk})
        return AnswerSession(
            response=self.response,
            definition=_response_definition(self.response),
            by=self.viewer,
            link=None,
            base=base,
            done_url=reverse("measures:answer-done", kwargs={"response_id": self.response.pk}),
            later_url=later,
            staff=not self.is_owner,
        )

    def get(self, request: HttpRequest, response_id: int, number: int | None = None) -> HttpResponse:
        return run_step(request, self._session(request), self.step, number)

    def post(self, request: HttpRequest, response_id: int, number: int | None = None) -> HttpResponse:
        return run_step(request, self._session(request), self.step, number)


class LinkAnswerView(View):
    """The answering flow through a one-time link: no account, no personal details shown."""

    step = "start"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        token = kwargs["token"]
        try:
            link = actions.link_for_token(token, allow_used=self.step == "done")
        except actions.LinkError as error:
            return render(request, "measures/link_problem.html", {"problem": str(error)}, status=410)
        base = reverse("measures:link", kwargs={"token": token})
        self.token = token
        self.link = link
        self.base = base
        return super().dispatch(request, *args, **kwargs)

    def _session(self, response: Response) -> AnswerSession:
        return AnswerSession(
            response=response,
            definition=_response_definition(response),
            by=None,
            link=self.link,
            base=self.base,
            done_url=reverse("measures:link-done", kwargs={"token": self.token}),
            later_url=self.base,
            staff=False,
        )

    def _start(self, request: HttpRequest) -> HttpResponse:
        definition = _definition_or_404(self.link.instrument_code, self.link.instrument_version)
        preferred = registry.language_for(definition, self.link.person.language)
        form = LanguageForm(request.POST or None, definition=definition, initial={"language": preferred})
        if request.method == "POST" and form.is_valid():
            try:
                response = actions.open_link(link=self.link, language=form.cleaned_data["language"])
            except actions.LinkError as error:
                return render(request, "measures/link_problem.html", {"problem": str(error)}, status=410)
            session = self._session(response)
            resume = _first_unanswered(session)
            return redirect(session.question_url(resume) if resume else session.check_url)
        if self.link.response is not None:
            session = self._session(self.link.response)
            return answer_start(request, session)
        return render(
            request,
            "measures/link_start.html",
            {
                "definition": definition,
                "title": definition.title.in_language(preferred),
                "form": form,
                "choose_language": len(definition.languages) > 1,
                "expires_at": self.link.expires_at,
            },
        )

    def get(self, request: HttpRequest, token: str, number: int | None = None) -> HttpResponse:
        if self.step == "start":
            return self._start(request)
        if self.link.response is None:
            return redirect(self.base)
        return run_step(request, self._session(self.link.response), self.step, number)

    def post(self, request: HttpRequest, token: str, number: int | None = None) -> HttpResponse:
        return self.get(request, token, number)


# ---------------------------------------------------------------------------------- the person's own


@requires(Capability.ANSWER_OWN_MEASURES)
def mine(request: HttpRequest) -> HttpResponse:
    """The person's own page: what is due, what they started, and their trend with its table."""
    person = Person.objects.filter(user=signed_in_user(request)).first()
    context: dict[str, Any] = {"person": person, **_crisis_context()}
    if person is not None:
        today = timezone.localdate()
        context |= {
            "due": queries.due_for_person(person, today),
            "upcoming": queries.upcoming_for_person(person, today)[:10],
            "in_progress": [
                response
                for response in queries.in_progress_for_person(person)
                if response.mode == Response.Mode.OWN_ACCOUNT
            ],
            "histories": queries.histories(person),
            "start_form": StartForm(answerable_only=True),
            "titles": {
                definition.code: definition.title.in_language() for definition in registry.definitions()
            },
        }
    return render(request, "measures/mine.html", context)


@requires(Capability.ANSWER_OWN_MEASURES)
def mine_start(request: HttpRequest) -> HttpResponse:
    """Start (or carry on with) a questionnaire from the person's own account."""
    if request.method != "POST":
        return redirect("measures:mine")
    user = signed_in_user(request)
    person = Person.objects.filter(user=user).first()
    if person is None:
        raise PermissionDenied("Your account is not linked to a record yet.")
    scheduled = None
    if request.POST.get("scheduled"):
        scheduled = get_object_or_404(
            ScheduledMeasure, pk=request.POST.get("scheduled"), person=person, completed_at__isnull=True
        )
        code = scheduled.instrument_code
    else:
        form = StartForm(request.POST, answerable_only=True)
        if not form.is_valid():
            messages.error(request, "Choose a questionnaire to answer.")
            return redirect("measures:mine")
        code = form.cleaned_data["instrument"]
    definition = _definition_or_404(code)
    try:
        response = actions.start_response(
            person=person,
            definition=definition,
            mode=Response.Mode.OWN_ACCOUNT,
            scheduled=scheduled,
            language=registry.language_for(definition, person.language),
            by=user,
        )
    except actions.MeasureError as error:
        messages.error(request, str(error))
        return redirect("measures:mine")
    return redirect("measures:answer", response_id=response.pk)


# --------------------------------------------------------------------------------------- staff pages


@dataclass(frozen=True)
class ScheduleRow:
    """One planned questionnaire with its state in words and the colour of its tag."""

    item: ScheduledMeasure
    state: str
    colour: str


def schedule_rows(items: list[ScheduledMeasure], today: datetime.date) -> list[ScheduleRow]:
    """Say of each planned questionnaire whether it is done, overdue, due or not yet due."""
    rows = []
    for item in items:
        if item.is_done:
            rows.append(ScheduleRow(item, "Done", "green"))
        elif item.is_overdue(today):
            rows.append(ScheduleRow(item, "Overdue", "red"))
        elif item.due_on <= today:
            rows.append(ScheduleRow(item, "Due", "yellow"))
        else:
            rows.append(ScheduleRow(item, "Not yet due", "grey"))
    return rows


class PersonMeasures(MeasuresRecordView):
    """A person's measures as staff see them: schedule, scores, change, trends, responses and alerts."""

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(Person.objects.select_related("user"), pk=kwargs["person_id"])

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        person = self.subject
        today = timezone.localdate()
        definitions = {definition.key: definition for definition in registry.definitions()}
        responses = list(queries.responses_of(person)[:200])
        return render(
            request,
            "measures/person.html",
            {
                "person": person,
                "today": today,
                "schedule": schedule_rows(list(person.scheduled_measures.order_by("due_on", "pk")), today),
                "histories": queries.histories(person),
                "responses": responses,
                "definitions": definitions,
                "titles": {d.code: d.short_name for d in definitions.values()},
                "alerts": list(
                    person.safety_alerts.select_related("acknowledged_by").order_by("-raised_at")[:20]
                ),
                "overdue_after": conf.overdue_after_days(),
            },
        )


class PersonRecord(MeasuresRecordView):
    """Start recording answers during a conversation."""

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(Person.objects.select_related("user"), pk=kwargs["person_id"])

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if not rules.may_record_measure(self.viewer, self.subject):
            raise PermissionDenied("Only staff who record measures can do this, and not for themselves.")
        form = StartForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            definition = _definition_or_404(form.cleaned_data["instrument"])
            scheduled = (
                ScheduledMeasure.objects.filter(
                    person=self.subject, instrument_code=definition.code, completed_at__isnull=True
                )
                .filter(due_on__lte=timezone.localdate())
                .order_by("due_on", "pk")
                .first()
            )
            try:
                response = actions.start_response(
                    person=self.subject,
                    definition=definition,
                    mode=Response.Mode.CONVERSATION,
                    scheduled=scheduled,
                    language=registry.language_for(definition, self.subject.language),
                    by=self.viewer,
                )
            except actions.MeasureError as error:
                form.add_error("instrument", str(error))
            else:
                return redirect(reverse("measures:answer", kwargs={"response_id": response.pk}) + "all/")
        return render(request, "measures/record.html", {"person": self.subject, "form": form})


class PersonSchedule(MeasuresRecordView):
    """Plan a baseline and follow-ups for a person."""

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(Person.objects.select_related("user"), pk=kwargs["person_id"])

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    @method_decorator(submitted_once)
    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if not rules.may_record_measure(self.viewer, self.subject):
            raise PermissionDenied("Only staff who record measures can do this, and not for themselves.")
        form = ScheduleForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                schedule = actions.schedule_measures(
                    person=self.subject,
                    instruments=form.cleaned_data["instruments"],
                    baseline_on=form.cleaned_data["baseline_on"],
                    follow_up_weeks=form.cleaned_data["follow_up_weeks"],
                    by=self.viewer,
                )
            except actions.MeasureError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    f"Questionnaires planned: a baseline on {schedule.baseline_on:%-d %B %Y} and "
                    f"{len(schedule.follow_up_weeks)} follow-up{pluralize(len(schedule.follow_up_weeks))}.",
                )
                return redirect("measures:person", person_id=self.subject.pk)
        return render(request, "measures/schedule.html", {"person": self.subject, "form": form})


class PersonLink(MeasuresRecordView):
    """Make a one-time link the person can answer with, without an account."""

    def get_subject(self, **kwargs: Any) -> Person:
        return get_object_or_404(Person.objects.select_related("user"), pk=kwargs["person_id"])

    def get(self, request: HttpRequest, person_id: int) -> HttpResponse:
        return self.post(request, person_id)

    def post(self, request: HttpRequest, person_id: int) -> HttpResponse:
        if not rules.may_record_measure(self.viewer, self.subject):
            raise PermissionDenied("Only staff who record measures can do this, and not for themselves.")
        form = LinkForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            definition = _definition_or_404(form.cleaned_data["instrument"])
            scheduled = (
                ScheduledMeasure.objects.filter(
                    person=self.subject, instrument_code=definition.code, completed_at__isnull=True
                )
                .order_by("due_on", "pk")
                .first()
            )
            try:
                link, token = actions.create_answer_link(
                    person=self.subject, definition=definition, scheduled=scheduled, by=self.viewer
                )
            except actions.MeasureError as error:
                form.add_error("instrument", str(error))
            else:
                url = request.build_absolute_uri(reverse("measures:link", kwargs={"token": token}))
                return render(
                    request,
                    "measures/link_created.html",
                    {"person": self.subject, "link": link, "url": url, "definition": definition},
                )
        return render(request, "measures/link_form.html", {"person": self.subject, "form": form})


class ResponseDetail(MeasuresRecordView):
    """One response as staff see it: every answer, the scores, every version and any alerts."""

    response: Response

    def get_subject(self, **kwargs: Any) -> Person:
        self.response = get_object_or_404(
            Response.objects.select_related("person__user", "started_by", "submitted_by"),
            pk=kwargs["response_id"],
        )
        return self.response.person

    def get(self, request: HttpRequest, response_id: int) -> HttpResponse:
        response = self.response
        definition = _response_definition(response)
        result = score(definition, response.answer_values())
        return render(
            request,
            "measures/response.html",
            {
                "person": self.subject,
                "response": response,
                "definition": definition,
                "rows": queries.answer_rows(definition, response),
                "result": result,
                "chain": queries.version_chain(response),
                "alerts": list(response.safety_alerts.select_related("acknowledged_by")),
                "unverified": definition.unverified_scoring(),
            },
        )


class ResponseCorrect(MeasuresRecordView):
    """Correct a submitted response: a new version with a reason; the original stays as it was."""

    response: Response

    def get_subject(self, **kwargs: Any) -> Person:
        self.response = get_object_or_404(
            Response.objects.select_related("person__user"), pk=kwargs["response_id"]
        )
        return self.response.person

    def get(self, request: HttpRequest, response_id: int) -> HttpResponse:
        return self.post(request, response_id)

    def post(self, request: HttpRequest, response_id: int) -> HttpResponse:
        response = self.response
        if not rules.may_correct_response(self.viewer, response):
            raise PermissionDenied("Only staff who record measures can correct a response.")
        definition = _response_definition(response)
        posting = request.method == "POST"
        form = AnswersForm(
            request.POST if posting else None,
            initial=response.answers,
            definition=definition,
            language=response.language,
            require_all=True,
        )
        reason_form = CorrectionReasonForm(request.POST if posting else None)
        problem = ""
        if not response.is_submitted:
            problem = "This response is still in progress, so it can be changed without a correction."
        elif not response.is_current:
            problem = "This version has already been corrected. Correct the latest version instead."
        if posting and not problem and form.is_valid() & reason_form.is_valid():
            try:
                correction = actions.correct_response(
                    response=response,
                    answers=form.answers(),
                    reason=reason_form.cleaned_data["reason"],
                    by=self.viewer,
                )
            except actions.MeasureError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, f"Correction saved as version {correction.version}.")
                return redirect("measures:response", response_id=correction.pk)
        return render(
            request,
            "measures/correct.html",
            {
                "person": self.subject,
                "response": response,
                "definition": definition,
                "form": form,
                "reason_form": reason_form,
                "problem": problem,
                "preamble": definition.preamble.in_language(response.language) if definition.preamble else "",
            },
        )


@requires(Capability.RECORD_MEASURES)
def due(request: HttpRequest) -> HttpResponse:
    """Questionnaires due or overdue for people on the user's caseloads."""
    overdue_only = request.GET.get("show") == "overdue"
    today = timezone.localdate()
    found = queries.due_measures(signed_in_user(request), today, overdue_only=overdue_only)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "measures/due.html",
        {
            "page": page,
            "today": today,
            "overdue_only": overdue_only,
            "overdue_after": conf.overdue_after_days(),
            "query": "show=overdue" if overdue_only else "",
            "titles": {d.code: d.short_name for d in registry.definitions()},
        },
    )


@requires(Capability.RESPOND_TO_SAFETY_ALERTS)
def alerts(request: HttpRequest) -> HttpResponse:
    """Safety alerts for the user: open ones first, then recent acknowledgements, then failed deliveries."""
    user = signed_in_user(request)
    visible = queries.alerts_for(user)
    open_alerts = list(visible.filter(status=SafetyAlert.Status.OPEN))
    recent = list(visible.filter(status=SafetyAlert.Status.ACKNOWLEDGED)[:20])
    failures = list(queries.failed_deliveries([alert.pk for alert in open_alerts + recent])[:50])
    return render(
        request,
        "measures/alerts.html",
        {
            "open_alerts": open_alerts,
            "recent": recent,
            "failures": failures,
            "escalate_after": conf.escalate_after_minutes(),
        },
    )


class AlertDetail(MeasuresRecordView):
    """One safety alert, who was told, and the form to acknowledge it with the action taken."""

    capability = Capability.RESPOND_TO_SAFETY_ALERTS
    alert: SafetyAlert

    def get_subject(self, **kwargs: Any) -> Person:
        self.alert = get_object_or_404(
            SafetyAlert.objects.select_related("person__user", "response", "responsible_worker", "team"),
            pk=kwargs["alert_id"],
        )
        return self.alert.person

    def access_grant(self, request: HttpRequest, subject: Person) -> AccessGrant | None:
        user = request.user
        if rules.may_respond_to_alert(user, self.alert):
            return AccessGrant(RecordAccess.Reason.CASELOAD, "Responding to a safety alert")
        return None

    def refused(self, request: HttpRequest, subject: Person) -> HttpResponse:
        raise PermissionDenied("This alert was not sent to you or your team.")

    def get(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        return self._page(request, AcknowledgeForm())

    def post(self, request: HttpRequest, alert_id: int) -> HttpResponse:
        form = AcknowledgeForm(request.POST)
        if form.is_valid():
            try:
                actions.acknowledge_alert(
                    alert=self.alert, action_taken=form.cleaned_data["action_taken"], by=self.viewer
                )
            except actions.MeasureError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Alert acknowledged. The action you took is recorded.")
                return redirect("measures:alert", alert_id=self.alert.pk)
        return self._page(request, form)

    def _page(self, request: HttpRequest, form: AcknowledgeForm) -> HttpResponse:
        alert = self.alert
        definition = queries.definition_of(alert.response)
        item_text = ""
        answer_text = f"{alert.answer.normalize():f}"
        if definition is not None:
            item = definition.item(alert.item_id)
            item_text = item.wording()
            option = item.option_for(int(alert.answer)) if item.item_type == "choice" else None
            if option is not None:
                answer_text = f"{option.label.in_language()} ({answer_text})"
        return render(
            request,
            "measures/alert.html",
            {
                "alert": alert,
                "person": alert.person,
                "form": form,
                "item_text": item_text,
                "answer_text": answer_text,
                "deliveries": list(alert.deliveries.select_related("recipient")),
                "definition": definition,
                **_crisis_context(),
            },
        )


@requires(Capability.RECORD_MEASURES)
def instruments(request: HttpRequest) -> HttpResponse:
    """The instruments this deployment can administer, with their licence and what is still unverified."""
    found = registry.catalogue()
    return render(
        request,
        "measures/instruments.html",
        {
            "definitions": found.definitions,
            "licensed_problem": found.licensed_problem,
            "language_names": registry.LANGUAGE_NAMES,
        },
    )
