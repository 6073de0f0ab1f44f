"""Who may use which page: organisers and administrators run assemblies and steering groups in their
own places; every other role is refused and nothing changes; the public pages are open to all."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest
from django.test import Client

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role
from commonweal.assemblies import actions as deliberation
from commonweal.assemblies.models import (
    Body,
    EvidenceItem,
    Invitation,
    InvitationRound,
    Membership,
    Quota,
    Recommendation,
    Registration,
    Replacement,
    Response,
    Selection,
    SelectionRequest,
    Session,
    Vote,
)
from commonweal.audit.models import AuditEvent
from tests.factories import UserFactory, make_persona

pytestmark = pytest.mark.django_db

RUNNING = frozenset({Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    data: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


PAGES = [
    Page("GET", "/participation/"),
    Page("GET", "/participation/assemblies/new/"),
    Page(
        "POST",
        "/participation/assemblies/new/",
        {
            "name": "X",
            "place": "{place}",
            "remit": "Q",
            "panel_size": "5",
            "quota_features": "sex",
            "people_per_letter": "1",
        },
    ),
    Page("GET", "/participation/steering-groups/new/"),
    Page("POST", "/participation/steering-groups/new/", {"name": "X", "place": "{place}", "remit": "R"}),
    Page("GET", "/participation/bodies/{assembly}/"),
    Page("GET", "/participation/bodies/{assembly}/invitations/"),
    Page(
        "POST",
        "/participation/bodies/{assembly}/invitations/",
        {"postcodes": "5", "letters_per_postcode": "1"},
    ),
    Page("GET", "/participation/bodies/{assembly}/invitations.csv"),
    Page("GET", "/participation/bodies/{assembly}/letters/"),
    Page("GET", "/participation/bodies/{assembly}/pool/"),
    Page("POST", "/participation/bodies/{assembly}/pool/"),
    Page("POST", "/participation/bodies/{assembly}/pool/{number}/withdraw/"),
    Page("GET", "/participation/bodies/{assembly}/quotas/"),
    Page("GET", "/participation/bodies/{assembly}/quotas/template.csv"),
    Page("GET", "/participation/bodies/{assembly}/quotas/{quota}/"),
    Page("POST", "/participation/bodies/{assembly}/quotas/{quota}/", {"minimum": "0", "maximum": "6"}),
    Page("GET", "/participation/bodies/{assembly}/selection/"),
    Page("POST", "/participation/bodies/{assembly}/selection/", {"method": "leximin", "seed": "3"}),
    Page("POST", "/participation/bodies/{assembly}/selection/publish/"),
    Page("GET", "/participation/bodies/{assembly}/panel/"),
    Page("POST", "/participation/bodies/{assembly}/panel/", {"seed": "3"}),
    Page(
        "POST",
        "/participation/bodies/{assembly}/members/{seat}/leave/",
        {"leave-{seat}-left_on": "2099-01-01"},
    ),
    Page("GET", "/participation/bodies/{group}/members/"),
    Page(
        "POST",
        "/participation/bodies/{group}/members/",
        {"full_name": "X", "role": "member", "joined_on": "2026-01-01"},
    ),
    Page("GET", "/participation/bodies/{group}/sessions/new/"),
    Page(
        "POST",
        "/participation/bodies/{group}/sessions/new/",
        {"title": "T", "held_on": "2026-01-01", "agenda": "A"},
    ),
    Page("GET", "/participation/bodies/{group}/sessions/{session}/"),
    Page("POST", "/participation/bodies/{group}/sessions/{session}/evidence/", {"evidence-title": "E"}),
    Page("GET", "/participation/bodies/{group}/recommendations/new/"),
    Page(
        "POST",
        "/participation/bodies/{group}/recommendations/new/",
        {"title": "T", "text": "X", "made_on": "2026-02-01"},
    ),
    Page("GET", "/participation/bodies/{group}/recommendations/{recommendation}/"),
    Page(
        "POST",
        "/participation/bodies/{group}/recommendations/{recommendation}/votes/",
        {"member_{member}": "for"},
    ),
    Page(
        "POST",
        "/participation/bodies/{group}/recommendations/{recommendation}/response/",
        {"decision": "accepted", "reasons": "R", "responder": "J", "responded_on": "2026-03-01"},
    ),
    Page(
        "POST",
        "/participation/bodies/{group}/recommendations/{recommendation}/delivery/",
        {"status": "planned", "note": "N", "reported_on": "2026-03-01"},
    ),
]
REFUSED_ROLES = [role for role in Role if role not in RUNNING]
MODELS = (
    Body,
    Invitation,
    InvitationRound,
    Registration,
    Quota,
    Selection,
    SelectionRequest,
    Replacement,
    Membership,
    Session,
    EvidenceItem,
    Recommendation,
    Vote,
    Response,
    AuditEvent,
)


@pytest.fixture
def subjects(organiser, selected, places):
    group = deliberation.create_steering_group(place=places.north, name="G", remit="R", by=organiser)
    member = deliberation.add_member(
        body=group,
        full_name="M",
        role="member",
        affiliation="",
        joined_on=datetime.date(2026, 1, 1),
        by=organiser,
    )
    session = deliberation.record_session(
        body=group, title="S", held_on=datetime.date(2026, 1, 2), venue="", agenda="A", notes="", by=organiser
    )
    recommendation = deliberation.make_recommendation(
        body=group, title="R", text="T", made_on=datetime.date(2026, 2, 1), session=None, by=organiser
    )
    seat = Membership.objects.filter(body_id=selected.pk).first()
    return {
        "place": places.north.pk,
        "assembly": selected.pk,
        "number": Registration.objects.filter(assembly=selected)
        .exclude(memberships__isnull=False)
        .first()
        .number,
        "quota": Quota.objects.filter(assembly=selected).first().pk,
        "seat": seat.pk,
        "group": group.pk,
        "member": member.pk,
        "session": session.pk,
        "recommendation": recommendation.pk,
    }


def _fill(text: str, values: dict[str, object]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _snapshot() -> dict[str, object]:
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in MODELS}
    counts["stages"] = sorted(
        Body.objects.filter(assembly__isnull=False).values_list("assembly__stage", flat=True)
    )
    counts["left"] = Membership.objects.filter(left_on__isnull=False).count()
    counts["withdrawn"] = Registration.objects.filter(withdrawn_at__isnull=False).count()
    counts["quotas"] = sorted(Quota.objects.values_list("minimum", "maximum"))
    return counts


def _request(client: Client, page: Page, subjects: dict[str, object]):
    path = _fill(page.path, subjects)
    if page.method == "POST":
        return client.post(
            path, {_fill(key, subjects): _fill(value, subjects) for key, value in page.data.items()}
        )
    return client.get(path)


@pytest.mark.parametrize("role", REFUSED_ROLES, ids=[role.value for role in REFUSED_ROLES])
def test_every_other_role_is_refused_every_organisers_page_and_nothing_changes(places, subjects, role):
    client = Client()
    client.force_login(make_persona(role, places))
    before = _snapshot()
    for page in PAGES:
        response = _request(client, page, subjects)
        assert response.status_code == 403, (str(page), role)
    assert _snapshot() == before


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_organisers_page(subjects):
    client = Client()
    before = _snapshot()
    for page in PAGES:
        response = _request(client, page, subjects)
        assert response.status_code == 302, str(page)
        assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


def test_an_organiser_of_another_place_is_refused_this_places_bodies_and_nothing_changes(places, subjects):
    outsider = UserFactory.create()
    grant_role(user=outsider, role=Role.COMMUNITY_ORGANISER, area=places.south, by=None)
    client = Client()
    client.force_login(outsider)
    before = _snapshot()
    for page in PAGES:
        if "/bodies/" not in page.path:
            continue
        response = _request(client, page, subjects)
        assert response.status_code == 403, str(page)
    response = client.post("/participation/assemblies/new/", _fill_data(PAGES[2], subjects))
    assert response.status_code == 400
    assert "Choose one of your places" in response.content.decode()
    assert "G" not in [body.name for body in client.get("/participation/").context["steering_groups"]]
    assert _snapshot() == before


def _fill_data(page: Page, subjects: dict[str, object]) -> dict[str, str]:
    return {_fill(key, subjects): _fill(value, subjects) for key, value in page.data.items()}


@pytest.mark.parametrize("role", sorted(RUNNING), ids=lambda role: role.value)
def test_organisers_and_administrators_may_open_every_organisers_page(places, subjects, role):
    client = Client()
    client.force_login(make_persona(role, places))
    for page in PAGES:
        if page.method == "GET":
            assert _request(client, page, subjects).status_code == 200, (str(page), role)


def test_the_public_pages_are_open_to_everyone(subjects, places):
    client = Client()
    for path in [
        "/participation/assemblies/{assembly}/",
        "/participation/assemblies/{assembly}/privacy/",
        "/participation/assemblies/{assembly}/register/",
        "/participation/steering-groups/{group}/",
        "/participation/bodies/{group}/sessions/{session}/notes/",
        "/participation/you-said-we-did/",
        f"/participation/you-said-we-did/{places.north.code}/",
    ]:
        assert client.get(_fill(path, subjects)).status_code == 200, path
    assert client.get("/participation/steering-groups/{assembly}/".format(**subjects)).status_code == 404
    assert client.get("/participation/you-said-we-did/nowhere/").status_code == 404
