"""Volunteering pages: every role that must be refused is refused and nothing changes; the happy paths
and the bad input each page must explain."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.measures import actions as measures_actions
from commonweal.measures import registry
from commonweal.volunteering import actions
from commonweal.volunteering.models import (
    Application,
    Assignment,
    BuddyRequest,
    Concern,
    Contact,
    DbsCheck,
    Enrolment,
    Expense,
    HoursEntry,
    Match,
    NoContactAlert,
    Opportunity,
    Shift,
    StatusChange,
)
from commonweal.volunteering.tests.factories import build_volunteering_world, make_volunteer
from tests.blank_values import blank_values
from tests.factories import make_persona

R = Role
NOT_RESIDENT = frozenset(Role) - {R.RESIDENT}
COORDINATOR = frozenset({R.VOLUNTEER_COORDINATOR})
LEAD = frozenset({R.SAFEGUARDING_LEAD})


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    allowed: frozenset[Role]
    data: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PAGES = [
    Page("GET", "/volunteering/me/", frozenset({R.FACILITATOR})),
    Page("POST", "/volunteering/me/hours/", frozenset(), {"organisation": "{organisation}", "hours": "2"}),
    Page(
        "POST",
        "/volunteering/me/expenses/",
        frozenset(),
        {"organisation": "{organisation}", "kind": "mileage"},
    ),
    Page("GET", "/volunteering/concerns/new/", NOT_RESIDENT),
    Page(
        "POST", "/volunteering/concerns/new/", frozenset(), {"organisation": "{organisation}", "about": "x"}
    ),
    Page("GET", "/volunteering/concerns/", LEAD),
    Page("GET", "/volunteering/concerns/{concern}/", LEAD),
    Page("POST", "/volunteering/concerns/{concern}/", frozenset(), {"action_taken": "Rang the council"}),
    Page("GET", "/volunteering/coordinator/", COORDINATOR),
    Page("POST", "/volunteering/coordinator/sweep/", frozenset()),
    Page("GET", "/volunteering/coordinator/volunteers/", COORDINATOR),
    Page("GET", "/volunteering/coordinator/volunteers/{volunteer}/", COORDINATOR),
    Page(
        "POST",
        "/volunteering/coordinator/volunteers/{volunteer}/move/",
        frozenset(),
        {"what": "move", "organisation": "{organisation}", "to_status": "paused", "reason": "Away"},
    ),
    Page(
        "POST",
        "/volunteering/coordinator/volunteers/{volunteer}/assign/",
        frozenset(),
        {"organisation": "{organisation}", "role": "health_champion"},
    ),
    Page("GET", "/volunteering/coordinator/requests/", COORDINATOR),
    Page("GET", "/volunteering/coordinator/requests/{request}/", COORDINATOR),
    Page(
        "POST",
        "/volunteering/coordinator/requests/{request}/",
        frozenset(),
        {"volunteer": "{volunteer}", "no_contact_days": "14"},
    ),
    Page("GET", "/volunteering/coordinator/approvals/", COORDINATOR),
    Page(
        "POST",
        "/volunteering/coordinator/approvals/",
        frozenset(),
        {"kind": "hours", "item": "{hours}", "decision": "approve"},
    ),
    Page("GET", "/volunteering/buddy/{person}/", frozenset()),
    Page("POST", "/volunteering/buddy/{person}/", frozenset(), {"person_consented": "on"}),
    Page("GET", "/volunteering/proposals/", frozenset({R.RESIDENT})),
    Page("POST", "/volunteering/proposals/", frozenset(), {"match": "{proposed}", "accept": "yes"}),
    Page("GET", "/volunteering/matches/{match}/", COORDINATOR),
    Page("GET", "/volunteering/opportunities/", frozenset(Role)),
    Page("GET", "/volunteering/opportunities/{opportunity}/", frozenset(Role)),
    Page("GET", "/volunteering/coordinator/opportunities/", COORDINATOR),
    Page(
        "POST",
        "/volunteering/coordinator/opportunities/",
        frozenset(),
        {"what": "decide", "application": "{application}", "accept": "yes"},
    ),
    Page(
        "POST",
        "/volunteering/matches/{match}/contacts/",
        frozenset(),
        {"happened_on": "2026-01-01", "minutes": "30", "medium": "phone"},
    ),
    Page("POST", "/volunteering/matches/{match}/end/", frozenset(), {"reason": "Done"}),
]
# A POST is refused for every role but the one whose page it is (the personas of the role that may
# post are in the subjects' organisation, so their POSTs are tested as happy paths below instead).


def _post_allowed(page: Page) -> frozenset[Role]:
    if page.method != "POST" or page.path.startswith("/volunteering/buddy/"):
        return page.allowed
    if page.path.startswith("/volunteering/coordinator/") or page.path.startswith("/volunteering/matches/"):
        return COORDINATOR
    if page.path.startswith("/volunteering/concerns/{concern}"):
        return LEAD
    if page.path == "/volunteering/concerns/new/":
        return NOT_RESIDENT
    if page.path == "/volunteering/proposals/":
        return frozenset({R.RESIDENT})
    if page.path.startswith("/volunteering/me/"):
        return frozenset({R.FACILITATOR})
    return page.allowed


REFUSALS = [(page, role) for page in PAGES for role in Role if role not in _post_allowed(page)]


@pytest.fixture(scope="module")
def module_world(module_places):
    world = build_volunteering_world(module_places)
    volunteer = make_volunteer(world, "Vic Volunteer", skills=["shopping"], interests=["gardening"])
    request = actions.request_buddy(
        person=world.person,
        organisation=world.organisation,
        person_consented=True,
        needs=["shopping"],
        by=world.link_worker,
    )
    match = actions.propose_match(request=request, volunteer=volunteer, by=world.coordinator)
    match = actions.answer_proposal(match=match, accept=True, by=world.person.user)
    second = actions.request_buddy(
        person=world.person, organisation=world.organisation, person_consented=True, by=world.link_worker
    )
    other = make_volunteer(world, "Otto Other")
    proposed = actions.propose_match(request=second, volunteer=other, by=world.coordinator)
    third = actions.request_buddy(
        person=world.person, organisation=world.organisation, person_consented=True, by=world.link_worker
    )
    hours = actions.log_hours(
        volunteer=volunteer,
        organisation=world.organisation,
        worked_on=timezone.localdate(),
        hours=Decimal(2),
        by=volunteer.user,
    )
    concern = actions.raise_concern(
        organisation=world.organisation, about="A neighbour", details="Worried about them", by=volunteer.user
    )
    opportunity = actions.post_opportunity(
        organisation=world.organisation,
        title="Market stall helpers",
        description="Help at the health stall",
        role="community_ambassador",
        by=world.coordinator,
    )
    application = actions.apply(opportunity=opportunity, by=world.journey.resident)
    subjects = {
        "opportunity": opportunity.pk,
        "application": application.pk,
        "organisation": world.organisation.pk,
        "volunteer": volunteer.pk,
        "request": third.pk,
        "match": match.pk,
        "proposed": proposed.pk,
        "hours": hours.pk,
        "concern": concern.pk,
        "person": world.person.pk,
    }
    personas = {role: make_persona(role, world.journey.places) for role in Role}
    return world, volunteer, match, subjects, personas


@pytest.fixture
def setup(module_world, db):
    return module_world


def _fill(text: str, values: dict[str, object]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _snapshot() -> dict[str, object]:
    models = (
        AuditEvent,
        StatusChange,
        Assignment,
        DbsCheck,
        BuddyRequest,
        Match,
        Contact,
        NoContactAlert,
        HoursEntry,
        Expense,
        Concern,
        Application,
        Opportunity,
        Shift,
    )
    return {model.__name__: model.objects.count() for model in models} | {
        "statuses": sorted(Enrolment.objects.values_list("pk", "status")),
        "matches": sorted(Match.objects.values_list("pk", "status")),
        "hours": sorted(HoursEntry.objects.values_list("pk", "status")),
        "concerns": sorted(Concern.objects.values_list("pk", "status")),
    }


def _send(client: Client, page: Page, subjects: dict[str, object]):
    path = _fill(page.path, subjects)
    if page.method == "POST":
        return client.post(path, {key: _fill(str(value), subjects) for key, value in page.data.items()})
    return client.get(path)


@pytest.mark.parametrize(("page", "role"), REFUSALS, ids=[f"{p}-{r.value}" for p, r in REFUSALS])
def test_a_role_that_must_be_refused_gets_403_and_nothing_changes(setup, page, role):
    _, _, _, subjects, personas = setup
    client = Client()
    client.force_login(personas[role])
    before = _snapshot()
    response = _send(client, page, subjects)
    assert response.status_code == 403, (str(page), role)
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(setup, page):
    _, _, _, subjects, _ = setup
    before = _snapshot()
    response = _send(Client(), page, subjects)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


GETS = [(page, role) for page in PAGES if page.method == "GET" for role in sorted(page.allowed)]


@pytest.mark.parametrize(("page", "role"), GETS, ids=[f"{p}-{r.value}" for p, r in GETS])
def test_a_role_that_may_use_a_page_is_let_in(setup, page, role):
    _, _, _, subjects, personas = setup
    client = Client()
    client.force_login(personas[role])
    assert _send(client, page, subjects).status_code == 200


# ---------------------------------------------------------------------------- happy paths and bad input


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_coordinator_sees_ranked_candidates_with_reasons_and_proposes_one(setup):
    world, _, _, subjects, _ = setup
    fresh = make_volunteer(world, "Fay Fresh", skills=["shopping"], capacity=2)
    client = _as(world.coordinator)
    page = client.get(f"/volunteering/coordinator/requests/{subjects['request']}/")
    assert page.status_code == 200
    row = page.text.split("Fay Fresh")[1].split("</tr>")[0]
    assert "Speaks English (+4)" in row
    assert "Vic Volunteer: Already supports 1 (offered 1)." in page.text
    response = client.post(
        f"/volunteering/coordinator/requests/{subjects['request']}/",
        {"volunteer": fresh.pk, "no_contact_days": "10"},
    )
    created = Match.objects.get(request_id=subjects["request"])
    assert response.status_code == 302
    assert (created.volunteer_id, created.no_contact_days, created.status) == (fresh.pk, 10, "proposed")
    assert RecordAccess.objects.filter(viewer=world.coordinator, subject_id=world.person.pk).exists()


def test_assigning_a_role_without_its_checks_shows_why_and_stores_nothing(setup):
    world, _, _, _, _ = setup
    unchecked = make_volunteer(world, "Ursula Unchecked", checked_for=None)
    response = _as(world.coordinator).post(
        f"/volunteering/coordinator/volunteers/{unchecked.pk}/assign/",
        {"organisation": world.organisation.pk, "role": "driver"},
    )
    assert response.status_code == 400
    assert (
        "An Enhanced with barred list (adults) DBS check is needed and none is recorded as clear."
        in response.text
    )
    assert not Assignment.objects.filter(volunteer=unchecked).exists()


def test_a_link_worker_asking_without_the_persons_consent_is_told_and_nothing_is_stored(setup):
    world, _, _, _, _ = setup
    before = BuddyRequest.objects.count()
    response = _as(world.link_worker).post(
        f"/volunteering/buddy/{world.person.pk}/",
        {
            "organisation": world.organisation.pk,
            "role": "buddy",
            "needs": "shopping, confidence",
            "language": "English",
            "max_distance_km": "10",
        },
    )
    assert response.status_code == 400
    assert "has not agreed to be matched with a volunteer" in response.text
    assert 'value="shopping, confidence"' in response.text
    assert BuddyRequest.objects.count() == before


def test_a_volunteer_logs_hours_and_is_told_when_a_receipt_is_missing(setup):
    world, volunteer, _, _, _ = setup
    client = _as(volunteer.user)
    today = timezone.localdate().isoformat()
    response = client.post(
        "/volunteering/me/hours/",
        {
            "organisation": world.organisation.pk,
            "worked_on": today,
            "hours": "1.5",
            "description": "Shopping",
        },
    )
    assert response.status_code == 302
    assert volunteer.hours.filter(hours=Decimal("1.5"), status="logged").exists()
    response = client.post(
        "/volunteering/me/expenses/",
        {
            "organisation": world.organisation.pk,
            "kind": "actual",
            "incurred_on": today,
            "description": "Bus",
            "amount": "3.20",
        },
    )
    assert response.status_code == 400
    assert "Attach the receipt" in response.text
    assert not volunteer.expenses.exists()


def test_the_match_page_shows_the_persons_wellbeing_before_and_after_to_staff_not_the_buddy(setup):
    world, volunteer, match, _, _ = setup
    definition = registry.definition("ucla-3")
    start = timezone.make_aware(datetime.datetime.combine(match.start_on, datetime.time(9)))
    for days, answers in ((-10, (3, 3, 2)), (20, (2, 1, 1))):
        at = start + datetime.timedelta(days=days)
        response = measures_actions.start_response(
            person=world.person, definition=definition, mode="own_account", by=world.person.user, at=at
        )
        items = dict(zip(("lack_companionship", "left_out", "isolated"), answers, strict=True))
        measures_actions.save_answers(response=response, answers=items, by=world.person.user, at=at)
        measures_actions.submit_response(response=response, by=world.person.user, at=at)
    Match.objects.filter(pk=match.pk).update(
        status="ended",
        end_on=match.start_on + datetime.timedelta(days=30),
        ended_at=start + datetime.timedelta(days=30),
        agreed_at=start,
    )
    page = _as(match.request.requested_by).get(f"/volunteering/matches/{match.pk}/")
    assert page.status_code == 200
    row = page.text.split("UCLA-3: ")[1].split("</tr>")[0]
    before = (match.start_on - datetime.timedelta(days=10)).strftime("%-d %b %Y")
    after = (match.start_on + datetime.timedelta(days=20)).strftime("%-d %b %Y")
    assert row == (
        'UCLA-3 loneliness score (lower is better)</td><td class="nhsuk-table__cell">'
        f'8 ({before})</td><td class="nhsuk-table__cell">4 ({after})</td>'
        '<td class="nhsuk-table__cell">-4</td>'
    )
    # The buddy sees the match but not the person's questionnaire scores (health records).
    buddy = _as(volunteer.user).get(f"/volunteering/matches/{match.pk}/")
    assert buddy.status_code == 200 and "UCLA-3" not in buddy.text
    assert "not by their buddy: ask them how they are" in buddy.text


def test_a_contact_form_shown_again_with_its_errors_is_a_logged_reading_of_the_persons_record(setup):
    world, volunteer, match, _, _ = setup
    before = RecordAccess.objects.filter(subject_user=world.person.user, viewer=volunteer.user).count()
    page = _as(volunteer.user).post(f"/volunteering/matches/{match.pk}/contacts/", {"minutes": "-5"})
    assert page.status_code == 400
    assert world.person.given_name in page.text
    after = RecordAccess.objects.filter(subject_user=world.person.user, viewer=volunteer.user).count()
    assert after == before + 1


def test_the_persons_record_shows_their_buddies_and_their_link_worker_the_way_to_ask(setup):
    world, _, _, _, _ = setup
    page = _as(world.link_worker).get(f"/people/{world.person.pk}/")
    assert page.status_code == 200
    assert f'<a href="/volunteering/buddy/{world.person.pk}/">Ask for a buddy for Rosa</a>' in page.text
    document = _as(world.person.user).get("/me/download.json").json()
    assert {(m["volunteer"], m["status"]) for m in document["buddies"]["buddy_matches"]} == {
        ("Vic Volunteer", "active"),
        ("Otto Other", "proposed"),
    }
    # The team's supervisor may read the record but is not the person's link worker: no link to ask.
    supervisor = _as(world.journey.supervisor).get(f"/people/{world.person.pk}/")
    assert supervisor.status_code == 200
    assert "Buddies and peer support" in supervisor.text
    assert "Ask for a buddy" not in supervisor.text


def test_a_buddy_request_shows_when_the_person_is_free_and_their_preference_in_words(setup):
    world, _, _, _, _ = setup
    request = actions.request_buddy(
        person=world.person,
        organisation=world.organisation,
        person_consented=True,
        times=["weekday_morning", "weekend"],
        preferred_sex="female",
        by=world.link_worker,
    )
    page = _as(world.coordinator).get(f"/volunteering/coordinator/requests/{request.pk}/").text
    assert '<dd class="nhsuk-summary-list__value">Weekday mornings, Weekends</dd>' in page
    assert '<dd class="nhsuk-summary-list__value">A female volunteer; within 10 km</dd>' in page
    assert blank_values(page) == []


def test_a_buddy_request_with_no_preference_says_so_rather_than_none(setup):
    world, _, _, subjects, _ = setup
    page = _as(world.coordinator).get(f"/volunteering/coordinator/requests/{subjects['request']}/").text
    assert '<dd class="nhsuk-summary-list__value">No preference; within 10 km</dd>' in page
    assert blank_values(page) == []


def test_a_preference_is_for_a_female_or_a_male_volunteer_or_none(setup):
    """Sex has four codes (people.Sex), but Indeterminate and Not known describe a record, not a
    volunteer someone could ask for."""
    world, _, _, _, _ = setup
    page = _as(world.link_worker).get(f"/volunteering/buddy/{world.person.pk}/").text
    section = page[
        page.index('name="preferred_sex"') : page.index("</select>", page.index('name="preferred_sex"'))
    ]
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', section) == [
        ("", "No preference"),
        ("female", "Female"),
        ("male", "Male"),
    ]


def test_the_coordinator_reads_when_a_volunteer_is_free_in_words(setup):
    world, _, _, _, _ = setup
    free = make_volunteer(world, "Fern Free", availability=["weekday_evening"])
    page = _as(world.coordinator).get(f"/volunteering/coordinator/volunteers/{free.pk}/").text
    assert '<dd class="nhsuk-summary-list__value">Weekday evenings</dd>' in page
    assert blank_values(page) == []
