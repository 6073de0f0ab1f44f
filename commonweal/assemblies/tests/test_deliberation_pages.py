"""Steering groups and assemblies at work: members, sessions, evidence, recommendations, votes, the
responsible organisation's response, delivery, and the public "you said, we did" page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from commonweal.assemblies import actions
from commonweal.assemblies.models import (
    Body,
    EvidenceItem,
    Membership,
    Recommendation,
    Response,
    Session,
    Vote,
)
from commonweal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def group(organiser, places):
    body = actions.create_steering_group(
        place=places.north,
        name="North Trafford Steering Group",
        remit="Decide where the neighbourhood's health money goes.",
        responsible_organisation=places.icb,
        by=organiser,
    )
    for name, role in (("Amara Chair", "chair"), ("Bilal Member", "member"), ("Cora Member", "member")):
        actions.add_member(
            body=body,
            full_name=name,
            role=role,
            affiliation="Resident",
            joined_on=datetime.date(2026, 1, 5),
            by=organiser,
        )
    return body


@pytest.fixture
def recommendation(organiser, group):
    return actions.make_recommendation(
        body=group,
        title="A walking group in every park",
        text="Fund a weekly led walk in each of the neighbourhood's parks.",
        made_on=datetime.date(2026, 2, 1),
        session=None,
        by=organiser,
    )


def test_an_organiser_sets_up_a_steering_group_and_adds_members(organiser, places):
    client = _client(organiser)
    response = client.post(
        "/participation/steering-groups/new/",
        {
            "name": "North Steering Group",
            "place": places.north.pk,
            "remit": "Health priorities",
            "responsible_organisation": "",
        },
    )
    body = Body.objects.get(kind=Body.Kind.STEERING_GROUP)
    assert response["Location"] == f"/participation/bodies/{body.pk}/"
    response = client.post(
        f"/participation/bodies/{body.pk}/members/",
        {
            "full_name": "Noor Q",
            "role": "chair",
            "affiliation": "Gorse Hill Tenants",
            "joined_on": "2026-01-10",
        },
    )
    assert response.status_code == 302
    member = Membership.objects.get(body=body)
    assert (member.full_name, member.role, member.route, member.joined_on) == (
        "Noor Q",
        "chair",
        "appointed",
        datetime.date(2026, 1, 10),
    )
    public = Client().get(f"/participation/steering-groups/{body.pk}/").content.decode()
    assert "Noor Q (chair), Gorse Hill Tenants" in public


def test_adding_a_member_without_a_name_or_date_is_explained(organiser, group):
    before = Membership.objects.count()
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/members/",
        {"full_name": "", "role": "member", "joined_on": "31/02/2026"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter the member&#x27;s full name" in page
    assert "Enter a real date, for example 2026-03-31" in page
    assert Membership.objects.count() == before


def test_a_session_gets_an_agenda_an_evidence_pack_and_published_notes(organiser, group):
    client = _client(organiser)
    response = client.post(
        f"/participation/bodies/{group.pk}/sessions/new/",
        {
            "title": "Session 1: what matters",
            "held_on": "2026-01-20",
            "venue": "Library",
            "agenda": "Welcome; stories",
        },
    )
    session = Session.objects.get(body=group)
    assert response["Location"] == f"/participation/bodies/{group.pk}/sessions/{session.pk}/"
    response = client.post(
        f"/participation/bodies/{group.pk}/sessions/{session.pk}/evidence/",
        {
            "evidence-title": "Local health profile",
            "evidence-presented_by": "Public health team",
            "evidence-link": "www.example.org/profile",
            "evidence-summary": "Life expectancy by ward.",
        },
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(session=session)
    assert item.link == "https://www.example.org/profile"
    client.post(
        f"/participation/bodies/{group.pk}/sessions/{session.pk}/",
        {
            "title": session.title,
            "held_on": "2026-01-20",
            "venue": "Library",
            "agenda": "Welcome; stories",
            "notes": "We heard 12 stories.",
        },
    )
    public = Client().get(f"/participation/bodies/{group.pk}/sessions/{session.pk}/notes/").content.decode()
    assert "Local health profile" in public
    assert "We heard 12 stories." in public


def test_evidence_with_a_bad_link_is_explained_and_kept(organiser, group):
    session = actions.record_session(
        body=group,
        title="S1",
        held_on=datetime.date(2026, 1, 20),
        venue="",
        agenda="A",
        notes="",
        by=organiser,
    )
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/sessions/{session.pk}/evidence/",
        {"evidence-title": "Profile", "evidence-link": "not a link at all"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a web address, like https://www.example.org/report" in page
    assert 'value="Profile"' in page
    assert EvidenceItem.objects.count() == 0


def test_members_votes_are_recorded_and_only_the_tally_is_published(organiser, group, recommendation):
    members = list(Membership.objects.filter(body=group).order_by("full_name"))
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/votes/",
        {
            f"member_{members[0].pk}": "for",
            f"member_{members[1].pk}": "for",
            f"member_{members[2].pk}": "abstain",
        },
    )
    assert response.status_code == 302
    assert sorted(Vote.objects.values_list("choice", flat=True)) == ["abstain", "for", "for"]
    public = Client().get(f"/participation/steering-groups/{group.pk}/").content.decode()
    assert (
        "Members&#x27; votes: 2 for, 0 against, 1 abstained." in public
        or "Members' votes: 2 for, 0 against, 1 abstained." in public
    )


def test_the_response_and_delivery_appear_on_you_said_we_did(organiser, group, recommendation, places):
    client = _client(organiser)
    response = client.post(
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/response/",
        {
            "decision": "partly",
            "reasons": "We will fund walks in the four largest parks this year.",
            "responder": "Jo Bloggs, Director of Strategy",
            "responded_on": "2026-03-01",
        },
    )
    assert response.status_code == 302
    client.post(
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/delivery/",
        {"status": "in_progress", "note": "Two walks running.", "reported_on": "2026-05-01"},
    )
    page = Client().get(f"/participation/you-said-we-did/{places.north.code}/").content.decode()
    assert "1. A walking group in every park" in page
    assert "Partly accepted" in page
    assert "We will fund walks in the four largest parks this year." in page
    assert "Jo Bloggs, Director of Strategy, 1 March 2026" in page
    assert "In progress" in page
    # The borough's page includes its neighbourhoods' recommendations.
    borough = Client().get(f"/participation/you-said-we-did/{places.borough.code}/").content.decode()
    assert "A walking group in every park" in borough
    assert "in North Trafford" in borough
    index = Client().get("/participation/you-said-we-did/").content.decode()
    assert f'href="/participation/you-said-we-did/{places.north.code}/"' in index
    assert AuditEvent.objects.filter(action="participation.record_response").count() == 1


def test_a_later_response_replaces_the_current_one_and_the_earlier_stays_in_the_history(
    organiser, group, recommendation
):
    actions.record_response(
        recommendation=recommendation,
        decision="rejected",
        reasons="No budget this year.",
        responder="Jo Bloggs",
        responded_on=datetime.date(2026, 3, 1),
        by=organiser,
    )
    actions.record_response(
        recommendation=recommendation,
        decision="accepted",
        reasons="Money found in the prevention fund.",
        responder="Jo Bloggs",
        responded_on=datetime.date(2026, 4, 1),
        by=organiser,
    )
    assert recommendation.current_response().decision == Response.Decision.ACCEPTED
    page = (
        _client(organiser)
        .get(f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/")
        .content.decode()
    )
    assert "No budget this year." in page
    assert "(replaced by a later response)" in page


def test_a_response_without_reasons_or_before_the_recommendation_is_refused(organiser, group, recommendation):
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/response/",
        {"decision": "accepted", "reasons": "", "responder": "Jo", "responded_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert "Give the reasons for the decision" in response.content.decode()
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/response/",
        {"decision": "accepted", "reasons": "Yes", "responder": "Jo", "responded_on": "2026-01-01"},
    )
    assert response.status_code == 400
    assert (
        "The recommendation was made on 1 February 2026; the response cannot come before it."
        in response.content.decode()
    )
    assert Response.objects.count() == 0


def test_delivery_of_a_rejected_recommendation_is_refused(organiser, group, recommendation):
    actions.record_response(
        recommendation=recommendation,
        decision="rejected",
        reasons="No.",
        responder="Jo",
        responded_on=datetime.date(2026, 3, 1),
        by=organiser,
    )
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/delivery/",
        {"status": "delivered", "note": "Done", "reported_on": "2026-05-01"},
    )
    assert response.status_code == 400
    assert "This recommendation was rejected, so there is nothing to deliver." in response.content.decode()
    assert recommendation.delivery_updates.count() == 0


def test_recommendations_are_numbered_in_order(organiser, group, recommendation):
    response = _client(organiser).post(
        f"/participation/bodies/{group.pk}/recommendations/new/",
        {"title": "Second", "text": "More benches", "made_on": "2026-02-02", "session": ""},
    )
    second = Recommendation.objects.get(title="Second")
    assert response["Location"] == f"/participation/bodies/{group.pk}/recommendations/{second.pk}/"
    assert (recommendation.number, second.number) == (1, 2)
