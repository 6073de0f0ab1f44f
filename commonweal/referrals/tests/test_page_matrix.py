"""Every journey page, every role: a role that must be refused is refused and nothing changes.

Pages about a person are reached only through a relationship; staff who may break glass are sent to
the break-glass page instead of a 403, and still change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.accounts.permissions import ROLE_CAPABILITIES, Capability
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.people.models import Goal, GoalReview, NetworkMember, Person, Plan, SafeguardingConcern
from commonweal.referrals.models import (
    Attendance,
    Connection,
    ConnectionTransition,
    ContactLogEntry,
    Conversation,
    MessageBack,
    Referral,
    SmallSum,
    SmallSumBudget,
)
from commonweal.referrals.tests.factories import build_world, connection_for, open_case, referral_for
from tests.factories import make_persona

R = Role
EVERYONE = frozenset(Role)
REFERRERS = frozenset({R.REFERRER, R.LINK_WORKER, R.COMMUNITY_HEALTH_WORKER})


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    allowed: frozenset[Role]
    data: dict[str, object] = field(default_factory=dict)
    about_a_person: bool = False

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PERSON_PAGES = [
    Page("GET", "/referrals/{case}/", frozenset(), about_a_person=True),
    # The team's link workers triage (the personas' link worker is in the receiving team).
    Page("GET", "/referrals/{waiting}/triage/", frozenset({R.LINK_WORKER}), about_a_person=True),
    Page(
        "POST",
        "/referrals/{waiting}/triage/",
        frozenset({R.LINK_WORKER}),
        {"decision": "decline", "decline_reason": "not_suitable"},
        True,
    ),
    Page("POST", "/referrals/{case}/next-action/", frozenset(), {"next_action": "Ring back"}, True),
    Page(
        "POST",
        "/referrals/{case}/contacts/new/",
        frozenset(),
        {"kind": "call", "outcome": "spoke", "happened_at": "2026-01-05T10:00"},
        True,
    ),
    Page(
        "POST",
        "/referrals/{case}/conversations/1/new/",
        frozenset(),
        {"held_on": "2026-01-05", "participants": "x", "summary": "y"},
        True,
    ),
    Page("POST", "/referrals/{case}/small-sums/new/", frozenset(), {"amount": "10", "purpose": "Gas"}, True),
    Page(
        "POST", "/referrals/{case}/connect/", frozenset(), {"service": "{food}", "person_agreed": "on"}, True
    ),
    Page("POST", "/referrals/{case}/close/", frozenset(), {"reason": "goals_met"}, True),
    Page(
        "POST",
        "/referrals/{closed}/refer-again/",
        frozenset({R.LINK_WORKER}),
        {"reason_detail": "Again", "urgency": "routine"},
        True,
    ),
    # A referrer at the person's GP practice reads the messages back.
    Page("GET", "/referrals/{case}/messages/{message}/", frozenset({R.REFERRER}), about_a_person=True),
    Page("GET", "/referrals/{case}/messages/{message}.json", frozenset({R.REFERRER}), about_a_person=True),
    # The personas' organisation member belongs to the organisation keeping the connected service.
    Page("GET", "/connections/{connection}/", frozenset({R.ORGANISATION_MEMBER}), about_a_person=True),
    Page(
        "POST",
        "/connections/{connection}/",
        frozenset({R.ORGANISATION_MEMBER}),
        {"to_status": "accepted"},
        True,
    ),
    Page(
        "POST",
        "/connections/{connection}/attendance/",
        frozenset({R.ORGANISATION_MEMBER}),
        {"session_on": "2026-01-05", "attended": "yes"},
        True,
    ),
    Page("POST", "/connections/{returned}/acknowledge/", frozenset(), about_a_person=True),
    Page("GET", "/people/{person}/", frozenset(), about_a_person=True),
    Page("POST", "/people/{person}/edit/about/", frozenset(), {"what_matters": "Changed"}, True),
    Page("POST", "/people/{person}/edit/consent/", frozenset(), {"gp_sharing": "full_summary"}, True),
    Page("POST", "/people/{person}/plan/", frozenset(), {"summary": "A plan"}, True),
    Page("POST", "/people/{person}/goals/new/", frozenset(), {"description": "A goal"}, True),
    Page("POST", "/people/{person}/goals/{goal}/", frozenset(), {"progress": "achieved"}, True),
    Page("POST", "/people/{person}/network/", frozenset(), {"kind": "friend", "name": "Jo"}, True),
    Page("POST", "/people/{person}/safeguarding/", frozenset(), {"concern": "Worried"}, True),
]

ROLE_PAGES = [
    Page("GET", "/refer/", REFERRERS),
    Page(
        "POST",
        "/refer/",
        REFERRERS,
        {
            "nhs_number": "4010232137",
            "given_name": "A",
            "family_name": "B",
            "date_of_birth": "1970-01-01",
            "sex": "male",
            "team": "{team}",
            "source": "gp",
            "reasons": "money",
            "urgency": "routine",
            "person_agreed": "on",
        },
    ),
    Page("GET", "/referrals/mine/", REFERRERS),
    Page("GET", "/referrals/triage/", frozenset({R.LINK_WORKER})),
    Page("GET", "/caseload/", frozenset({R.LINK_WORKER})),
    Page("GET", "/caseload/team/{team}/", frozenset()),
    Page(
        "POST",
        "/caseload/team/{team}/budget/",
        frozenset(),
        {"starts_on": "2026-01-01", "ends_on": "2026-12-31", "amount": "1000"},
    ),
    Page("POST", "/small-sums/{small_sum}/decide/", frozenset(), {"decision": "approve"}),
    Page("GET", "/inbox/", frozenset({R.ORGANISATION_MEMBER})),
    Page("GET", "/me/connect/", frozenset({R.RESIDENT})),
    Page("POST", "/me/connect/{food}/", frozenset({R.RESIDENT}), {"person_agreed": "on"}),
    Page("GET", "/me/download/", frozenset({R.RESIDENT})),
    Page("GET", "/me/download.json", frozenset({R.RESIDENT})),
    Page("POST", "/me/edit/about/", frozenset({R.RESIDENT}), {"what_matters": "Changed"}),
    Page("POST", "/me/plan/", frozenset({R.RESIDENT}), {"summary": "Mine"}),
    Page("POST", "/me/goals/new/", frozenset({R.RESIDENT}), {"description": "Mine"}),
]

PAGES = PERSON_PAGES + ROLE_PAGES
REFUSALS = [(page, role) for page in PAGES for role in Role if role not in page.allowed]


def _snapshot() -> dict[str, object]:
    models = (
        Referral,
        Connection,
        ConnectionTransition,
        ContactLogEntry,
        Conversation,
        SmallSum,
        SmallSumBudget,
        MessageBack,
        Attendance,
        Goal,
        GoalReview,
        Plan,
        NetworkMember,
        SafeguardingConcern,
        Person,
        AuditEvent,
    )
    return {model.__name__: model.objects.count() for model in models} | {
        "statuses": sorted(Referral.objects.values_list("pk", "status")),
        "connection_statuses": sorted(Connection.objects.values_list("pk", "status", "needs_attention")),
        "what_matters": sorted(Person.objects.values_list("pk", "what_matters", "gp_sharing")),
        "small_sums": sorted(SmallSum.objects.values_list("pk", "status")),
        "goals": sorted(Goal.objects.values_list("pk", "progress")),
    }


@pytest.fixture(scope="module")
def module_subjects(module_places):
    # Built once for the module: every test here is a refusal, rolled back to these rows after it.
    places = module_places
    world = build_world(places)
    case = open_case(world)
    connection = connection_for(world, case)
    returned = connection_for(world, case, world.food)
    from commonweal.people import actions as people_actions
    from commonweal.referrals import actions

    actions.move_connection(
        connection=returned, to_status="rejected", rejection_reason="at-capacity", by=world.other_member
    )
    waiting_person = make_persona(R.RESIDENT, places)
    from tests.factories import PersonFactory

    waiting = referral_for(world, PersonFactory.create(user=waiting_person))
    closed_person = PersonFactory.create()
    closed = open_case(world, closed_person)
    actions.close_referral(referral=closed, reason="goals_met", by=world.link_worker)
    small_sum = actions.request_small_sum(referral=case, amount=15, purpose="Bus fares", by=world.link_worker)
    goal = people_actions.set_goal(person=world.rosa, description="Walk weekly", by=world.link_worker)
    return {
        "world": world,
        "case": case.pk,
        "waiting": waiting.pk,
        "closed": closed.pk,
        "connection": connection.pk,
        "returned": returned.pk,
        "person": world.rosa.pk,
        "goal": goal.pk,
        "message": case.messages_back.get().pk,
        "team": world.team.pk,
        "small_sum": small_sum.pk,
        "food": world.food.pk,
    }


@pytest.fixture
def places(module_places, db):
    return module_places


@pytest.fixture
def subjects(module_subjects, db):
    return module_subjects


def _fill(text: str, values: dict[str, object]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _send(client: Client, page: Page, subjects: dict[str, object]):
    path = _fill(page.path, subjects)
    if page.method == "POST":
        return client.post(path, {key: _fill(str(value), subjects) for key, value in page.data.items()})
    return client.get(path)


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role"), REFUSALS, ids=[f"{p}-{r.value}" for p, r in REFUSALS])
def test_a_role_that_must_be_refused_is_refused_and_nothing_changes(places, subjects, page, role):
    client = Client()
    client.force_login(make_persona(role, places))
    before = _snapshot()
    accesses = RecordAccess.objects.count()
    response = _send(client, page, subjects)
    if page.about_a_person and Capability.BREAK_GLASS in ROLE_CAPABILITIES[role]:
        key = "waiting" if "{waiting}" in page.path else "closed" if "{closed}" in page.path else "case"
        person_id = Referral.objects.get(pk=subjects[key]).person_id
        assert (response.status_code, response["Location"]) == (302, f"/people/{person_id}/break-glass/"), (
            str(page)
        )
    else:
        assert response.status_code == 403, (str(page), role)
    assert _snapshot() == before
    assert RecordAccess.objects.count() == accesses


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(subjects, page):
    before = _snapshot()
    response = _send(Client(), page, subjects)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        page
        for page in PERSON_PAGES
        if page.method == "POST" and "{waiting}" not in page.path and "{closed}" not in page.path
    ],
    ids=str,
)
def test_break_glass_lets_staff_look_but_never_change_anything(places, subjects, page):
    client = Client()
    outsider = make_persona(R.LINK_WORKER, places)
    client.force_login(outsider)
    client.post(
        f"/people/{subjects['person']}/break-glass/",
        {"reason": "Paramedics asking for her emergency contacts"},
    )
    assert client.get(f"/people/{subjects['person']}/").status_code == 200
    before = _snapshot()
    response = _send(client, page, subjects)
    assert response.status_code == 403, str(page)
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_colleague_in_the_team_who_is_not_a_supervisor_cannot_see_the_team_or_decide_sums(
    subjects, client_for
):
    world = subjects["world"]
    client = client_for(world.colleague)
    before = _snapshot()
    assert client.get(f"/caseload/team/{world.team.pk}/").status_code == 403
    assert (
        client.post(f"/small-sums/{subjects['small_sum']}/decide/", {"decision": "approve"}).status_code
        == 403
    )
    assert client.get(f"/referrals/{subjects['case']}/").status_code == 302
    assert _snapshot() == before


@pytest.mark.django_db
def test_another_team_cannot_triage_or_see_a_waiting_referral(subjects, client_for):
    world = subjects["world"]
    client = client_for(world.outsider_worker)
    before = _snapshot()
    response = client.post(
        f"/referrals/{subjects['waiting']}/triage/", {"decision": "decline", "decline_reason": "not_suitable"}
    )
    assert response.status_code == 302
    assert "/break-glass/" in response["Location"]
    assert "awaiting" not in client.get("/referrals/triage/").content.decode()
    assert _snapshot() == before
