"""Every timebank page and endpoint, every role: a role that must be refused gets 403 and nothing changes;
an anonymous visitor is sent to sign in. Account pages are refused to everyone who does not act for the
account (a coordinator reads statements but does not record or post for a member)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.timebank import actions
from commonweal.timebank.models import Account, Answer, Listing, Movement, Transfer
from commonweal.timebank.tests.world import START, build_world
from tests.factories import make_persona

R = Role
COORDINATORS = frozenset({R.COMMUNITY_ORGANISER, R.ADMINISTRATOR})
MEMBERS = frozenset({R.RESIDENT, R.ORGANISATION_MEMBER})
NOBODY: frozenset[Role] = frozenset()


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    allowed: frozenset[Role]
    data: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PAGES = [
    Page("GET", "/timebank/", MEMBERS),
    Page("POST", "/timebank/banks/{bank}/join/", frozenset({R.RESIDENT}), {"phone": "1"}),
    Page("GET", "/timebank/accounts/{ann}/", COORDINATORS),
    Page("GET", "/timebank/accounts/{ann}/?format=csv", COORDINATORS),
    Page("GET", "/timebank/accounts/{ann}/record/", NOBODY),
    Page(
        "POST",
        "/timebank/accounts/{ann}/record/",
        NOBODY,
        {"direction": "received", "other": "{bob}", "minutes": "30", "category": "other"},
    ),
    Page("GET", "/timebank/accounts/{ann}/offers-and-requests/", NOBODY),
    Page("GET", "/timebank/accounts/{ann}/offers-and-requests/new/", NOBODY),
    Page(
        "POST",
        "/timebank/accounts/{ann}/offers-and-requests/new/",
        NOBODY,
        {"kind": "offer", "title": "x", "category": "other", "expires_on": "2099-01-01"},
    ),
    Page("GET", "/timebank/accounts/{ann}/offers-and-requests/{listing}/", NOBODY),
    Page("POST", "/timebank/accounts/{ann}/offers-and-requests/{listing}/", NOBODY, {"message": "hello"}),
    Page("POST", "/timebank/accounts/{bob}/answers/{answer}/decide/", NOBODY, {"agree": "yes"}),
    Page("POST", "/timebank/transfers/{pending}/confirm/", NOBODY),
    Page("GET", "/timebank/coordinate/", COORDINATORS),
    Page("GET", "/timebank/coordinate/{bank}/", COORDINATORS),
    Page("GET", "/timebank/coordinate/{bank}/accounts/{applicant}/join/", COORDINATORS),
    Page(
        "POST",
        "/timebank/coordinate/{bank}/accounts/{applicant}/join/",
        COORDINATORS,
        {"interviewed_on": "2026-03-01", "interview_notes": "ok", "references": "two"},
    ),
    Page("GET", "/timebank/coordinate/{bank}/accounts/{ann}/support/", COORDINATORS),
    Page("POST", "/timebank/coordinate/{bank}/accounts/{ann}/support/", COORDINATORS, {"limit_minutes": "0"}),
    Page("GET", "/timebank/coordinate/{bank}/broker/", COORDINATORS),
    Page(
        "POST",
        "/timebank/coordinate/{bank}/broker/",
        COORDINATORS,
        {"source": "{ann}", "destination": "{bob}", "minutes": "30", "category": "other"},
    ),
    Page("GET", "/timebank/coordinate/{bank}/group-session/", COORDINATORS),
    Page(
        "POST",
        "/timebank/coordinate/{bank}/group-session/",
        COORDINATORS,
        {
            "provider": "{group}",
            "participants": "{ann}",
            "title": "x",
            "minutes_each": "30",
            "category": "events",
        },
    ),
    Page(
        "POST",
        "/timebank/coordinate/{bank}/transfers/{counted}/reverse/",
        COORDINATORS,
        {"reason": "mistake"},
    ),
    Page("POST", "/timebank/coordinate/{bank}/transfers/{pending}/decide/", COORDINATORS, {"approve": "yes"}),
    Page("GET", "/timebank/coordinate/{bank}/reports/", COORDINATORS),
    Page("GET", "/timebank/coordinate/{bank}/reports/balances.csv", COORDINATORS),
]
REFUSALS = [(page, role) for page in PAGES for role in Role if role not in page.allowed]


@pytest.fixture(scope="module")
def module_subjects(module_places):
    from commonweal.timebank.core.policies import RecordingPolicy

    world = build_world(module_places, recording=RecordingPolicy.BOTH_CONFIRM)
    counted = actions.record_transfer(
        by=world.coordinator, source=world.ann, destination=world.bob, minutes=30, at=START
    )
    pending = actions.record_transfer(
        by=world.bob.user, source=world.ann, destination=world.bob, minutes=30, at=START
    )
    listing = actions.post_listing(
        by=world.bob.user,
        account=world.bob,
        kind="offer",
        title="Gardening",
        description="",
        category="gardening",
        expires_on=START.date().replace(year=2099),
        at=START,
    )
    answer = actions.answer_listing(
        by=world.cat.user, listing=listing, account=world.cat, message="Yes please", at=START
    )
    personas = {role: make_persona(role, module_places) for role in Role}
    values = {
        "bank": world.bank.slug,
        "ann": world.ann.pk,
        "bob": world.bob.pk,
        "group": world.group.pk,
        "applicant": world.applicant.pk,
        "listing": listing.pk,
        "answer": answer.pk,
        "pending": pending.pk,
        "counted": counted.pk,
    }
    return values, personas


@pytest.fixture
def subjects(module_subjects, db):
    return module_subjects


def _fill(text: str, values: dict[str, object]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _snapshot() -> dict[str, object]:
    return {
        "counts": [
            model.objects.count() for model in (Account, Transfer, Movement, Listing, Answer, AuditEvent)
        ],
        "statuses": list(Transfer.objects.order_by("pk").values_list("status", flat=True)),
        "answers": list(Answer.objects.values_list("status", flat=True)),
        "accounts": list(Account.objects.order_by("pk").values_list("status", "limit_minutes")),
    }


def _send(client: Client, page: Page, values: dict[str, object]):
    path = _fill(page.path, values)
    if page.method == "POST":
        return client.post(path, {key: _fill(value, values) for key, value in page.data.items()})
    return client.get(path)


@pytest.mark.parametrize(("page", "role"), REFUSALS, ids=[f"{p}-{r.value}" for p, r in REFUSALS])
def test_a_role_that_must_be_refused_gets_403_and_nothing_changes(subjects, page, role):
    values, personas = subjects
    client = Client()
    client.force_login(personas[role])
    before = _snapshot()
    assert _send(client, page, values).status_code == 403, (str(page), role)
    assert _snapshot() == before


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(subjects, page):
    values, _ = subjects
    before = _snapshot()
    response = _send(Client(), page, values)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("page", "role"),
    [(page, role) for page in PAGES for role in sorted(page.allowed) if page.method == "GET"],
    ids=lambda value: str(value) if isinstance(value, Page) else value.value,
)
def test_a_role_that_may_use_a_page_is_let_in(subjects, page, role):
    values, personas = subjects
    client = Client()
    client.force_login(personas[role])
    assert _send(client, page, values).status_code == 200, (str(page), role)


API = [
    ("GET", "/api/timebank/accounts/{ann}/movements", 404),
    ("GET", "/api/timebank/transfers/{counted}", 404),
    ("GET", "/api/timebank/banks/{bank}/balances", 404),
    ("POST", "/api/timebank/transfers", 403),
]


@pytest.mark.parametrize(("method", "path", "refusal"), API, ids=[f"{m} {p}" for m, p, _ in API])
def test_every_api_endpoint_refuses_each_role_that_must_be_refused(subjects, method, path, refusal):
    """Coordinators (organiser, administrator) may read these and broker a transfer; every other role is
    refused (404 for what they may not know exists, 403 for a write), and nothing is written."""
    values, personas = subjects
    body = json.dumps({"source": values["ann"], "destination": values["bob"], "minutes": 30})
    for role in Role:
        client = Client()
        client.force_login(personas[role])
        before = _snapshot()
        if method == "POST":
            response = client.post(_fill(path, values), body, content_type="application/json")
        else:
            response = client.get(_fill(path, values))
        if role in COORDINATORS:
            assert response.status_code in {200, 201}, role
        else:
            assert response.status_code == refusal, role
            assert _snapshot() == before
        anonymous = (
            Client().get(_fill(path, values)) if method == "GET" else Client().post(_fill(path, values))
        )
        assert anonymous.status_code == 401
