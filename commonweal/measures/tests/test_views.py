"""Every measures page: the happy path, a refusal for each role that must be refused (nothing changes), and
the message shown for bad input (with what was typed kept)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.measures import actions, registry
from commonweal.measures.models import AnswerLink, MeasureSchedule, Response, SafetyAlert, ScheduledMeasure
from commonweal.measures.tests.conftest import PHQ9_RISK, PHQ9_SAFE, client_for
from tests.factories import make_persona

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, object]:
    return {
        "responses": list(Response.objects.order_by("pk").values_list("pk", "status", "answers", "version")),
        "schedules": MeasureSchedule.objects.count(),
        "scheduled": ScheduledMeasure.objects.count(),
        "links": AnswerLink.objects.count(),
        "alerts": list(SafetyAlert.objects.order_by("pk").values_list("pk", "status", "action_taken")),
        "events": AuditEvent.objects.count(),
        "accesses": RecordAccess.objects.count(),
    }


def _submitted(cast, answers=PHQ9_SAFE, by=None) -> Response:
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("phq-9"),
        mode=Response.Mode.CONVERSATION,
        by=cast.lena,
    )
    actions.save_answers(response=response, answers=answers, by=cast.lena)
    actions.submit_response(response=response, by=cast.lena)
    return Response.objects.get(pk=response.pk)


@pytest.fixture
def subjects(cast):
    submitted = _submitted(cast, PHQ9_RISK)
    own = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("ons4"),
        mode=Response.Mode.OWN_ACCOUNT,
        by=cast.rosa.user,
    )
    return {
        "person": cast.rosa.pk,
        "response": submitted.pk,
        "own": own.pk,
        "alert": submitted.safety_alerts.get().pk,
    }


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    allowed: frozenset[Role]
    data: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


RESIDENT = frozenset({Role.RESIDENT})
LINK_WORKER = frozenset({Role.LINK_WORKER})
PAGES = [
    Page("GET", "/measures/me/", RESIDENT),
    Page("POST", "/measures/me/start/", RESIDENT, {"instrument": "gad-7"}),
    Page("GET", "/measures/people/{person}/", LINK_WORKER),
    Page("POST", "/measures/people/{person}/record/", LINK_WORKER, {"instrument": "gad-7"}),
    Page("POST", "/measures/people/{person}/link/", LINK_WORKER, {"instrument": "gad-7"}),
    Page(
        "POST",
        "/measures/people/{person}/schedule/",
        LINK_WORKER,
        {"instruments": "gad-7", "baseline_on": "2026-03-02", "follow_up_weeks": "6, 12"},
    ),
    Page("GET", "/measures/responses/{response}/", LINK_WORKER),
    Page(
        "POST",
        "/measures/responses/{response}/correct/",
        LINK_WORKER,
        {
            **{key: str(value) for key, value in PHQ9_RISK.items()},
            "phq9_1": "3",
            "reason": "Recorded wrongly",
        },
    ),
    Page("POST", "/measures/responses/{own}/answer/1/", frozenset({Role.RESIDENT, Role.LINK_WORKER}), {}),
    Page("GET", "/measures/due/", LINK_WORKER),
    Page("GET", "/measures/alerts/", LINK_WORKER),
    Page(
        "POST", "/measures/alerts/{alert}/", LINK_WORKER, {"action_taken": "Phoned and agreed a safety plan"}
    ),
    Page("GET", "/measures/instruments/", LINK_WORKER),
]
REFUSALS = [(page, role) for page in PAGES for role in Role if role not in page.allowed]


def _fill(text: str, values: dict[str, int]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


@pytest.mark.parametrize(("page", "role"), REFUSALS, ids=[f"{p}-{r.value}" for p, r in REFUSALS])
def test_a_role_that_must_be_refused_gets_403_and_nothing_changes(places, subjects, page, role):
    client = client_for(make_persona(role, places))
    before = _snapshot()
    path = _fill(page.path, subjects)
    response = client.post(path, page.data) if page.method == "POST" else client.get(path)
    assert response.status_code == 403, (str(page), role)
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(subjects, page):
    before = _snapshot()
    path = _fill(page.path, subjects)
    response = Client().post(path, page.data) if page.method == "POST" else Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


PERSON_PAGES = [page for page in PAGES if "{" in page.path and page.path != "/measures/alerts/{alert}/"]


@pytest.mark.parametrize("page", PERSON_PAGES, ids=str)
def test_a_link_worker_with_no_relationship_is_sent_to_break_glass_and_nothing_changes(cast, subjects, page):
    before = _snapshot()
    path = _fill(page.path, subjects)
    client = client_for(cast.vic)
    response = client.post(path, page.data) if page.method == "POST" else client.get(path)
    assert (response.status_code, response["Location"]) == (302, f"/people/{cast.rosa.pk}/break-glass/")
    assert _snapshot() == before


def test_a_link_worker_told_nothing_about_an_alert_is_refused_and_nothing_changes(cast, subjects):
    before = _snapshot()
    response = client_for(cast.vic).post(
        f"/measures/alerts/{subjects['alert']}/", {"action_taken": "Phoned and agreed a safety plan"}
    )
    assert response.status_code == 403
    assert _snapshot() == before


def test_another_resident_cannot_answer_rosas_questionnaire(places, subjects):
    client = client_for(make_persona(Role.RESIDENT, places))
    before = _snapshot()
    response = client.post(f"/measures/responses/{subjects['own']}/answer/1/", {"life_satisfaction": "7"})
    assert response.status_code == 403
    assert _snapshot() == before


# ------------------------------------------------------------------------------ the person's own pages


def test_the_person_answers_one_question_per_page_and_sees_their_trend(cast):
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=cast.case.received_at.date(),
        follow_up_weeks=[6],
        by=None,
    )
    client = client_for(cast.rosa.user)
    home = client.get("/measures/me/").content.decode()
    assert "Answer Patient Health Questionnaire (PHQ-9)" in home
    scheduled = ScheduledMeasure.objects.get(person=cast.rosa, weeks_after_baseline=0)
    started = client.post("/measures/me/start/", {"scheduled": scheduled.pk})
    response = Response.objects.get(mode=Response.Mode.OWN_ACCOUNT, instrument_code="phq-9")
    assert started["Location"] == f"/measures/responses/{response.pk}/answer/"
    first = client.get(f"/measures/responses/{response.pk}/answer/1/").content.decode()
    assert '<h1 class="nhsuk-fieldset__heading">Little interest or pleasure in doing things</h1>' in first
    assert '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">' in first
    for number in range(1, 10):
        moved = client.post(
            f"/measures/responses/{response.pk}/answer/{number}/",
            {f"phq9_{number}": str(PHQ9_SAFE[f"phq9_{number}"])},
        )
        assert moved["Location"] == f"/measures/responses/{response.pk}/answer/{number + 1}/"
    assert client.post(f"/measures/responses/{response.pk}/answer/10/", {})["Location"] == (
        f"/measures/responses/{response.pk}/answer/check/"
    )
    done = client.post(f"/measures/responses/{response.pk}/answer/check/")
    assert done["Location"] == f"/measures/responses/{response.pk}/answer/done/"
    scheduled.refresh_from_db()
    assert scheduled.is_done
    page = client.get("/measures/me/").content.decode()
    assert "PHQ-9 total score: every answer" in page
    assert '<svg class="cw-chart"' in page
    assert "Nothing is due now. Thank you." in page


def test_saving_for_later_keeps_partial_answers_and_resumes_where_the_person_stopped(cast):
    client = client_for(cast.rosa.user)
    client.post("/measures/me/start/", {"instrument": "phq-9"})
    response = Response.objects.get()
    later = client.post(f"/measures/responses/{response.pk}/answer/1/", {"phq9_1": "2", "save": "1"})
    assert later["Location"] == "/measures/me/"
    response.refresh_from_db()
    assert (response.answers, response.status) == ({"phq9_1": "2"}, Response.Status.IN_PROGRESS)
    start = client.get(f"/measures/responses/{response.pk}/answer/").content.decode()
    assert "You have answered 1 of 10 so far." in start
    assert f'href="/measures/responses/{response.pk}/answer/2/"' in start


def test_an_unanswered_question_shows_its_message_and_nothing_is_saved(cast):
    client = client_for(cast.rosa.user)
    client.post("/measures/me/start/", {"instrument": "phq-9"})
    response = Response.objects.get()
    page = client.post(f"/measures/responses/{response.pk}/answer/1/", {}).content.decode()
    assert "There is a problem" in page
    assert "Select an answer for question 1" in page
    assert page.count("<title>Error: ") == 1
    response.refresh_from_db()
    assert response.answers == {}


def test_an_answer_that_is_not_an_option_is_refused_with_a_message(cast):
    client = client_for(cast.rosa.user)
    client.post("/measures/me/start/", {"instrument": "phq-9"})
    response = Response.objects.get()
    page = client.post(f"/measures/responses/{response.pk}/answer/1/", {"phq9_1": "7"}).content.decode()
    assert "Select one of the answers for question 1" in page
    response.refresh_from_db()
    assert response.answers == {}


def test_submitting_with_questions_unanswered_says_which(cast):
    client = client_for(cast.rosa.user)
    client.post("/measures/me/start/", {"instrument": "phq-9"})
    response = Response.objects.get()
    client.post(f"/measures/responses/{response.pk}/answer/1/", {"phq9_1": "1"})
    page = client.get(f"/measures/responses/{response.pk}/answer/check/").content.decode()
    assert "Answer question 2 before you submit" in page
    submitted = client.post(f"/measures/responses/{response.pk}/answer/check/", follow=True).content.decode()
    assert "Answer every question before you submit (not yet answered: 2, 3, 4, 5, 6, 7, 8, 9)." in submitted
    response.refresh_from_db()
    assert response.status == Response.Status.IN_PROGRESS


def test_starting_without_choosing_says_so_and_creates_nothing(cast):
    before = _snapshot()
    page = client_for(cast.rosa.user).post("/measures/me/start/", {}, follow=True).content.decode()
    assert "Choose a questionnaire to answer." in page
    assert _snapshot() == before


def test_the_person_answering_item_9_above_zero_sees_crisis_contacts_at_once(cast):
    client = client_for(cast.rosa.user)
    client.post("/measures/me/start/", {"instrument": "phq-9"})
    response = Response.objects.get()
    page = client.post(
        f"/measures/responses/{response.pk}/answer/9/", {"phq9_9": "1"}, follow=True
    ).content.decode()
    assert "Thank you for telling us. If you need help now" in page
    assert 'Samaritans: <a href="tel:116123">116 123</a>' in page
    assert SafetyAlert.objects.get().responsible_worker == cast.lena


def test_the_person_cannot_continue_a_questionnaire_their_link_worker_is_recording(cast):
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("gad-7"),
        mode=Response.Mode.CONVERSATION,
        by=cast.lena,
    )
    assert client_for(cast.rosa.user).get(f"/measures/responses/{response.pk}/answer/1/").status_code == 403


# ------------------------------------------------------------------------------------------ staff pages


def test_the_link_worker_sees_scores_change_trend_and_unverified_claims_and_the_view_is_logged(cast):
    first = _submitted(cast, PHQ9_SAFE | {"phq9_1": 3, "phq9_2": 3, "phq9_3": 3})
    second = _submitted(cast, PHQ9_SAFE)
    assert (first.version, second.version) == (1, 1)
    page = client_for(cast.lena).get(f"/measures/people/{cast.rosa.pk}/").content.decode()
    assert "Questionnaires and progress" in page
    assert "Since the first answer: 14 to 8 (-6), reliable improvement (threshold not yet verified)." in page
    assert "A change of 6 points or more (not yet checked against its primary source)" in page
    assert (
        "Not yet checked against the questionnaire's published source, so use with care: "
        "PHQ-9 total score: rule for unanswered items; PHQ-9 total score: reliable change." in page
    )
    assert "Not yet checked against a primary source" not in page
    assert RecordAccess.objects.get().viewer == cast.lena


def test_the_supervisor_may_see_the_page(cast):
    assert client_for(cast.sam).get(f"/measures/people/{cast.rosa.pk}/").status_code == 200


def test_the_link_worker_records_answers_in_a_conversation(cast):
    client = client_for(cast.lena)
    started = client.post(f"/measures/people/{cast.rosa.pk}/record/", {"instrument": "gad-7"})
    response = Response.objects.get()
    assert (response.mode, response.started_by) == (Response.Mode.CONVERSATION, cast.lena)
    assert started["Location"] == f"/measures/responses/{response.pk}/answer/all/"
    answers = {f"gad7_{n}": "1" for n in range(1, 8)}
    page = client.post(
        f"/measures/responses/{response.pk}/answer/all/", {**answers, "gad7_3": ""}
    ).content.decode()
    assert "Select an answer for question 3" in page
    assert 'value="1" checked' in page  # what was typed is kept
    response.refresh_from_db()
    assert response.answers == {}
    done = client.post(f"/measures/responses/{response.pk}/answer/all/", answers)
    assert done["Location"] == f"/measures/responses/{response.pk}/answer/done/"
    response.refresh_from_db()
    assert (response.status, response.submitted_by) == (Response.Status.SUBMITTED, cast.lena)


def test_a_score_entry_instrument_is_recorded_as_numbers_with_range_messages(cast):
    client = client_for(cast.lena)
    client.post(f"/measures/people/{cast.rosa.pk}/record/", {"instrument": "pam"})
    response = Response.objects.get()
    definition = registry.definition("pam")
    fields = [item.item_id for item in definition.items]
    page = client.post(f"/measures/responses/{response.pk}/answer/all/", {fields[0]: "101"}).content.decode()
    assert "Enter a number from 0 to 100" in page
    response.refresh_from_db()
    assert response.answers == {}


def test_recording_without_choosing_shows_the_message(cast):
    before = _snapshot()
    page = client_for(cast.lena).post(f"/measures/people/{cast.rosa.pk}/record/", {}).content.decode()
    assert "Choose a questionnaire" in page
    before["accesses"] = 1
    assert _snapshot() == before


def test_planning_questionnaires(cast):
    client = client_for(cast.lena)
    form = client.get(f"/measures/people/{cast.rosa.pk}/schedule/").content.decode()
    assert 'value="6, 12"' in form
    done = client.post(
        f"/measures/people/{cast.rosa.pk}/schedule/",
        {"instruments": ["phq-9", "ons4"], "baseline_on": "2026-03-02", "follow_up_weeks": "6, 12"},
        follow=True,
    )
    assert "Questionnaires planned: a baseline on 2 March 2026 and 2 follow-ups." in done.content.decode()
    assert ScheduledMeasure.objects.filter(person=cast.rosa).count() == 6


@pytest.mark.parametrize(
    ("weeks", "message"),
    [
        ("six, twelve", "Enter whole numbers of weeks separated by commas, for example 6, 12"),
        ("12, 6", "Enter different numbers of weeks from 1 to 104, smallest first, for example 6, 12"),
    ],
)
def test_planning_with_bad_weeks_shows_the_message_and_keeps_what_was_typed(cast, weeks, message):
    page = client_for(cast.lena).post(
        f"/measures/people/{cast.rosa.pk}/schedule/",
        {"instruments": ["phq-9"], "baseline_on": "2026-03-02", "follow_up_weeks": weeks},
    )
    text = page.content.decode()
    assert message in text
    assert f'value="{weeks}"' in text
    assert MeasureSchedule.objects.count() == 0


def test_making_a_one_time_link_shows_it_once(cast):
    page = client_for(cast.lena).post(f"/measures/people/{cast.rosa.pk}/link/", {"instrument": "ucla-3"})
    text = page.content.decode()
    assert "One-time link made" in text
    assert "http://testserver/measures/link/" in text
    assert AnswerLink.objects.get().instrument_code == "ucla-3"


def test_a_link_for_a_score_entry_instrument_is_not_offered(cast):
    text = (
        client_for(cast.lena)
        .post(f"/measures/people/{cast.rosa.pk}/link/", {"instrument": "pam"})
        .content.decode()
    )
    assert "Choose a questionnaire" in text
    assert AnswerLink.objects.count() == 0


def test_the_response_page_shows_answers_scores_versions_and_alerts(cast, subjects):
    text = client_for(cast.lena).get(f"/measures/responses/{subjects['response']}/").content.decode()
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in text
    assert "More than half the days (2)" in text
    assert "PHQ-9 total score" in text
    assert "Correct these answers" in text
    assert "Waiting for acknowledgement" in text


def test_correcting_makes_a_new_version_and_both_stay_visible(cast, subjects):
    client = client_for(cast.lena)
    data = {key: str(value) for key, value in PHQ9_RISK.items()} | {"phq9_1": "3"}
    done = client.post(
        f"/measures/responses/{subjects['response']}/correct/",
        data | {"reason": "Misheard question 1"},
        follow=True,
    )
    correction = Response.objects.get(version=2)
    assert done.redirect_chain == [(f"/measures/responses/{correction.pk}/", 302)]
    text = done.content.decode()
    assert "Correction saved as version 2." in text
    assert "Reason for the correction: Misheard question 1" in text
    original = client.get(f"/measures/responses/{subjects['response']}/").content.decode()
    assert "A later version corrects this response" in original
    assert "Correct these answers" not in original


def test_a_correction_without_a_reason_shows_the_message_and_keeps_the_answers_typed(cast, subjects):
    before = _snapshot()
    data = {key: str(value) for key, value in PHQ9_RISK.items()} | {"phq9_1": "3"}
    text = (
        client_for(cast.lena)
        .post(f"/measures/responses/{subjects['response']}/correct/", data | {"reason": ""})
        .content.decode()
    )
    assert "Enter why the answers are being corrected" in text
    assert 'id="id_phq9_1_3" name="phq9_1" type="radio" value="3" checked' in text
    before["accesses"] += 1
    assert _snapshot() == before


def test_the_due_list_shows_the_caseload(cast):
    actions.schedule_measures(
        person=cast.rosa,
        instruments=["phq-9"],
        baseline_on=cast.case.received_at.date(),
        follow_up_weeks=[6],
        by=None,
    )
    text = client_for(cast.lena).get("/measures/due/").content.decode()
    assert "Rosa Resident" in text
    assert "Baseline" in text
    empty = client_for(cast.vic).get("/measures/due/").content.decode()
    assert "Nothing is due for people on your caseload." in empty


def test_the_alerts_page_and_acknowledging_with_the_action_taken(cast, subjects):
    client = client_for(cast.lena)
    listing = client.get("/measures/alerts/").content.decode()
    assert "Rosa Resident" in listing
    assert "Every alert was delivered." in listing
    detail = client.get(f"/measures/alerts/{subjects['alert']}/").content.decode()
    assert "Thoughts that you would be better off dead or of hurting yourself in some way" in detail
    assert "More than half the days (2)" in detail
    done = client.post(
        f"/measures/alerts/{subjects['alert']}/",
        {"action_taken": "Phoned Rosa, agreed a safety plan"},
        follow=True,
    )
    text = done.content.decode()
    assert "Alert acknowledged. The action you took is recorded." in text
    assert '<p id="action-taken">Phoned Rosa, agreed a safety plan</p>' in text
    alert = SafetyAlert.objects.get()
    assert (alert.status, alert.acknowledged_by) == (SafetyAlert.Status.ACKNOWLEDGED, cast.lena)


def test_acknowledging_without_saying_what_was_done_shows_the_message(cast, subjects):
    text = (
        client_for(cast.sam)
        .post(f"/measures/alerts/{subjects['alert']}/", {"action_taken": "done"})
        .content.decode()
    )
    assert "Say more about the action you took (at least 10 characters)" in text
    assert "\ndone</textarea>" in text
    assert SafetyAlert.objects.get().status == SafetyAlert.Status.OPEN


def test_the_instruments_page_lists_licences_and_what_is_unverified(cast):
    text = client_for(cast.lena).get("/measures/instruments/").content.decode()
    assert "Patient Health Questionnaire (PHQ-9)" in text
    assert "Scores entered from a licensed tool (no questions shipped)" in text
    assert "PHQ-9 total score: reliable change" in text


def test_operators_see_responses_read_only_in_the_django_admin(cast, subjects):
    from tests.factories import UserFactory

    operator = UserFactory.create(is_staff=True, is_superuser=True)
    page = client_for(operator).get("/django-admin/measures/response/")
    assert page.status_code == 200
    assert "/django-admin/measures/response/add/" not in page.content.decode()
    assert (
        client_for(operator)
        .post(f"/django-admin/measures/response/{subjects['response']}/delete/")
        .status_code
        == 403
    )


def test_a_score_with_no_published_threshold_says_so_and_still_gives_the_direction(cast):
    for answers in (
        {"life_satisfaction": 4, "worthwhile": 5, "happiness": 4, "anxiety": 7},
        {"life_satisfaction": 6, "worthwhile": 6, "happiness": 6, "anxiety": 4},
    ):
        response = actions.start_response(
            person=cast.rosa,
            definition=registry.definition("ons4"),
            mode=Response.Mode.CONVERSATION,
            by=cast.lena,
        )
        actions.save_answers(response=response, answers=answers, by=cast.lena)
        actions.submit_response(response=response, by=cast.lena)
    page = client_for(cast.rosa.user).get("/measures/me/").content.decode()
    # The person reads plain words: which way it went, and why no more is said.
    assert "Since the first answer: 4 to 6 (+2), better." in page
    assert "Since the first answer: 7 to 4 (-3), better." in page
    assert (
        page.count(
            "There is no agreed size of change for this score that shows a real change for one person, "
            "so we only say whether it went up or down."
        )
        == 4
    )
    assert "published threshold" not in page.lower()
    assert "Reliable change" not in page
    assert "ONS publishes thresholds" not in page
    assert "primary source" not in page
    # Their link worker keeps the method's words.
    staff_page = client_for(cast.lena).get(f"/measures/people/{cast.rosa.pk}/").content.decode()
    assert "Since the first answer: 4 to 6 (+2), no published threshold (improved)." in staff_page
    assert "Since the first answer: 7 to 4 (-3), no published threshold (improved)." in staff_page
    # A questionnaire's licence is no business of the page about a person's scores.
    assert "licence terms" not in staff_page
    assert "Life satisfaction: reliable change; Feeling the things you do are worthwhile" in staff_page


def test_the_person_reads_a_reliable_change_in_plain_words(cast):
    _submitted(cast, PHQ9_SAFE | {"phq9_1": 3, "phq9_2": 3, "phq9_3": 3})
    _submitted(cast, PHQ9_SAFE)
    page = client_for(cast.rosa.user).get("/measures/me/").content.decode()
    assert "Since the first answer: 14 to 8 (-6), better, by more than the usual ups and downs." in page
    assert "A change of 6 points or more is more than the usual ups and downs." in page
    assert "reliable improvement" not in page.lower()
    assert "not yet verified" not in page


def test_a_resident_whose_account_has_no_record_is_told_so(places):
    page = client_for(make_persona(Role.RESIDENT, places)).get("/measures/me/").content.decode()
    assert "Your account is not linked to a record yet." in page


def test_a_superseded_version_or_an_unfinished_response_offers_no_correction(cast, subjects):
    client = client_for(cast.lena)
    data = {key: str(value) for key, value in PHQ9_RISK.items()} | {
        "phq9_1": "3",
        "reason": "Misheard question 1",
    }
    client.post(f"/measures/responses/{subjects['response']}/correct/", data)
    before = _snapshot()
    again = client.post(f"/measures/responses/{subjects['response']}/correct/", data | {"phq9_2": "3"})
    assert (
        "This version has already been corrected. Correct the latest version instead."
        in again.content.decode()
    )
    unfinished = client.get(f"/measures/responses/{subjects['own']}/correct/").content.decode()
    assert "This response is still in progress, so it can be changed without a correction." in unfinished
    before["accesses"] += 2
    assert _snapshot() == before
