"""Every page, every role: a role that must be refused gets 403 and nothing changes.

Each row names a page, the method, the form data for a POST, and the roles that may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.test import Client

from commonweal.accounts.models import ApiToken, Role, RoleAssignment
from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from tests.factories import PersonFactory, make_persona

R = Role
EVERYONE = frozenset(Role)
STAFF_WITH_ORGANISATIONS = frozenset(
    {
        R.LINK_WORKER,
        R.REFERRER,
        R.COMMUNITY_HEALTH_WORKER,
        R.COMMUNITY_ORGANISER,
        R.COMMISSIONER,
        R.ADMINISTRATOR,
        R.VOLUNTEER_COORDINATOR,
        R.SAFEGUARDING_LEAD,
    }
)
OWN_ORGANISATION = frozenset(
    {R.ORGANISATION_MEMBER, R.FACILITATOR, R.VOLUNTEER_COORDINATOR, R.SAFEGUARDING_LEAD}
)


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    allowed: frozenset[Role]
    data: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PAGES = [
    Page("GET", "/home/", EVERYONE),
    Page("GET", "/account/", EVERYONE),
    Page("GET", "/me/", frozenset({R.RESIDENT})),
    Page("GET", "/me/who-has-looked/", frozenset({R.RESIDENT})),
    Page("GET", "/people/find/", frozenset({R.LINK_WORKER, R.COMMUNITY_HEALTH_WORKER})),
    Page("GET", "/people/{person}/", frozenset({R.LINK_WORKER, R.COMMUNITY_HEALTH_WORKER})),
    Page(
        "POST",
        "/people/{person}/break-glass/",
        frozenset({R.LINK_WORKER, R.COMMUNITY_HEALTH_WORKER}),
        {"reason": "A reason long enough to be accepted by the form"},
    ),
    Page("GET", "/people/break-glass/reviews/", frozenset({R.ADMINISTRATOR})),
    Page("GET", "/account/api-tokens/", STAFF_WITH_ORGANISATIONS),
    Page("POST", "/account/api-tokens/", STAFF_WITH_ORGANISATIONS, {"name": "matrix"}),
    Page("GET", "/access/users/", frozenset({R.ADMINISTRATOR})),
    Page("GET", "/access/users/{other_user}/", frozenset({R.ADMINISTRATOR})),
    Page(
        "POST",
        "/access/users/{other_user}/",
        frozenset({R.ADMINISTRATOR}),
        {"role": "referrer", "area": "{ics}"},
    ),
    Page("GET", "/organisations/", STAFF_WITH_ORGANISATIONS),
    Page("GET", "/organisations/mine/", OWN_ORGANISATION),
    Page("GET", "/organisations/{other_organisation}/", STAFF_WITH_ORGANISATIONS),
    Page("GET", "/organisations/new/", frozenset({R.ADMINISTRATOR})),
    Page(
        "POST", "/organisations/new/", frozenset({R.ADMINISTRATOR}), {"kind": "vcse", "name": "Matrix Group"}
    ),
    Page("GET", "/places/trafford/neighbourhoods/new/", frozenset({R.COMMUNITY_ORGANISER, R.ADMINISTRATOR})),
    Page(
        "POST",
        "/places/trafford/neighbourhoods/new/",
        frozenset({R.COMMUNITY_ORGANISER, R.ADMINISTRATOR}),
        {"name": "Matrix", "lsoas": "{lsoa}"},
    ),
    Page("GET", "/places/north/edit/", frozenset({R.COMMUNITY_ORGANISER, R.ADMINISTRATOR})),
    Page(
        "POST",
        "/places/north/edit/",
        frozenset({R.COMMUNITY_ORGANISER, R.ADMINISTRATOR}),
        {"name": "Renamed", "lsoas": "{lsoa}"},
    ),
    Page("GET", "/privacy/erasure/", frozenset({R.ADMINISTRATOR})),
    Page("GET", "/privacy/erasure/people/{person}/", frozenset({R.ADMINISTRATOR})),
    Page(
        "POST",
        "/privacy/erasure/people/{person}/",
        frozenset({R.ADMINISTRATOR}),
        {"reason": "Request of 1 May (Art. 17)", "confirm": "on"},
    ),
]

REFUSALS = [(page, role) for page in PAGES for role in Role if role not in page.allowed]


def _snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (ApiToken, AuditEvent, RecordAccess, RoleAssignment, Organisation, Area)
    } | {"north_name": Area.objects.filter(name="North Trafford").count()}


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


@pytest.fixture(scope="module")
def module_subjects(module_places):
    # Built once for the module (see module_transaction); each test is rolled back to these rows.
    places = module_places
    other = make_persona(Role.RESIDENT, places)
    person = PersonFactory(nhs_number="9434765919", user=other)
    return {
        "person": person.pk,
        "other_user": other.pk,
        "other_organisation": places.practice.pk,
        "ics": places.ics.pk,
        "lsoa": places.borough.lsoas.order_by("code").first().pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "role"), REFUSALS, ids=[f"{p}-{r.value}" for p, r in REFUSALS])
def test_a_role_that_must_be_refused_gets_403_and_nothing_changes(places, subjects, page, role):
    client = Client()
    client.force_login(make_persona(role, places))
    before = _snapshot()
    path = _fill(page.path, subjects)
    if page.method == "POST":
        data = {key: _fill(str(value), subjects) for key, value in page.data.items()}
        response = client.post(path, data)
    else:
        response = client.get(path)
    assert response.status_code == 403, (str(page), role)
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES, ids=str)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(places, subjects, page):
    client = Client()
    before = _snapshot()
    path = _fill(page.path, subjects)
    response = (
        client.post(path, page.data and {k: _fill(str(v), subjects) for k, v in page.data.items()})
        if (page.method == "POST")
        else client.get(path)
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "role"),
    [(page, role) for page in PAGES for role in sorted(page.allowed) if page.method == "GET"],
    ids=lambda value: str(value) if isinstance(value, Page) else value.value,
)
def test_a_role_that_may_use_a_page_is_let_in(places, subjects, page, role):
    client = Client()
    client.force_login(make_persona(role, places))
    response = client.get(_fill(page.path, subjects))
    # A staff member with no relationship to the person is taken to break-glass, not refused.
    expected = {302} if page.path == "/people/{person}/" else {200}
    assert response.status_code in expected, (str(page), role)
