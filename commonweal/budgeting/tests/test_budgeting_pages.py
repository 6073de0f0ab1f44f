"""The budgeting pages: each works for the people it is for, refuses everyone else (changing nothing),
and answers bad input with a message while keeping what was typed."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from fractions import Fraction
from html import escape

import pytest
from django.test import Client

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.budgeting import actions, queries
from commonweal.budgeting.models import (
    Ballot,
    BallotMark,
    BudgetResult,
    BudgetRound,
    Idea,
    Milestone,
    PaperBallot,
    PaperEntry,
    Proposal,
    Spend,
)
from commonweal.budgeting.tests.budgeting_helpers import (
    make_round,
    make_voter,
    pass_closing_day,
    postcode_in,
    today,
    voting_round,
)
from tests.factories import UserFactory, make_persona

pytestmark = pytest.mark.django_db

RUNNING = frozenset({Role.COMMUNITY_ORGANISER, Role.ADMINISTRATOR})
REFUSED_ROLES = [role for role in Role if role not in RUNNING]


@pytest.fixture
def organiser(persona):
    return persona(Role.COMMUNITY_ORGANISER)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@dataclass(frozen=True)
class Page:
    method: str
    path: str
    data: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ORGANISER_PAGES = [
    Page("GET", "/participation/budgeting/"),
    Page("GET", "/participation/budgeting/new/"),
    Page(
        "POST",
        "/participation/budgeting/new/",
        {
            "name": "X",
            "place": "{place}",
            "description": "D",
            "budget": "100",
            "ballot_kind": "approval",
            "min_projects": "1",
            "rule": "greedy",
            "tie_breaking": "lot",
            "minimum_age": "16",
        },
    ),
    Page("GET", "/participation/budgeting/{ideas_round}/"),
    Page("GET", "/participation/budgeting/{ideas_round}/settings/"),
    Page(
        "POST",
        "/participation/budgeting/{ideas_round}/settings/",
        {
            "name": "Renamed",
            "description": "D",
            "budget": "100",
            "ballot_kind": "approval",
            "min_projects": "1",
            "rule": "greedy",
            "tie_breaking": "lot",
            "minimum_age": "16",
        },
    ),
    Page("POST", "/participation/budgeting/{ideas_round}/next/development/"),
    Page("GET", "/participation/budgeting/{ideas_round}/ideas/"),
    Page(
        "POST",
        "/participation/budgeting/{ideas_round}/ideas/{idea}/",
        {"idea-{idea}-status": "not_taken_forward", "idea-{idea}-response": "No"},
    ),
    Page("GET", "/participation/budgeting/{ideas_round}/projects/"),
    Page(
        "POST",
        "/participation/budgeting/{ideas_round}/projects/",
        {"title": "T", "description": "D", "cost": "5"},
    ),
    Page("GET", "/participation/budgeting/{ideas_round}/projects/1/"),
    Page(
        "POST",
        "/participation/budgeting/{ideas_round}/projects/1/",
        {"title": "T", "description": "D", "cost": "5"},
    ),
    Page("POST", "/participation/budgeting/{ideas_round}/projects/1/feasibility/", {"decision": "feasible"}),
    Page("GET", "/participation/budgeting/{voting_round}/paper/"),
    Page(
        "POST",
        "/participation/budgeting/{voting_round}/paper/",
        {
            "reference": "R9",
            "full_name": "A B",
            "date_of_birth": "1970-01-01",
            "postcode": "{postcode}",
            "projects": "1",
        },
    ),
    Page("GET", "/participation/budgeting/{voting_round}/paper/{paper}/"),
    Page(
        "POST",
        "/participation/budgeting/{voting_round}/paper/{paper}/",
        {"decision": "set-aside", "aside-note": "N"},
    ),
    Page("POST", "/participation/budgeting/{voting_round}/next/close/"),
    Page("GET", "/participation/budgeting/{delivery_round}/delivery/{funded}/"),
    Page(
        "POST",
        "/participation/budgeting/{delivery_round}/delivery/{funded}/milestones/",
        {"milestone-title": "M"},
    ),
    Page(
        "POST",
        "/participation/budgeting/{delivery_round}/delivery/{funded}/milestones/{milestone}/done/",
        {"done-{milestone}-done_on": "{today}"},
    ),
    Page(
        "POST",
        "/participation/budgeting/{delivery_round}/delivery/{funded}/spend/",
        {"spend-amount": "10", "spend-spent_on": "{today}", "spend-description": "S"},
    ),
]
MODELS = (
    BudgetRound,
    Idea,
    Proposal,
    Ballot,
    BallotMark,
    PaperBallot,
    PaperEntry,
    BudgetResult,
    Milestone,
    Spend,
)


def _snapshot() -> dict[str, object]:
    counts: dict[str, object] = {model.__name__: model.objects.count() for model in MODELS}
    counts["audit"] = AuditEvent.objects.count()
    counts["phases"] = sorted(BudgetRound.objects.values_list("name", "phase"))
    counts["ideas"] = sorted(Idea.objects.values_list("status", flat=True))
    counts["feasibility"] = sorted(Proposal.objects.values_list("title", "cost", "feasibility"))
    counts["papers"] = sorted(PaperBallot.objects.values_list("status", flat=True))
    counts["milestones"] = sorted(Milestone.objects.values_list("done_on", flat=True), key=str)
    return counts


def _counted_round(place, organiser, second_keyer) -> BudgetRound:
    budget_round = voting_round(place, organiser, name="Delivery round")
    for index, choices in enumerate([{"1": 1, "2": 1}, {"2": 1}, {"3": 1}]):
        actions.cast_online_ballot(
            budget_round=budget_round, choices=choices, by=make_voter(place, index=index)
        )
    pass_closing_day(budget_round)
    actions.close_voting(budget_round=budget_round, by=organiser)
    actions.start_delivery(budget_round=budget_round, by=organiser)
    return budget_round


@pytest.fixture
def subjects(places, organiser):
    second_keyer = make_persona(Role.ADMINISTRATOR, places)
    ideas_round = make_round(places.north, organiser, name="Ideas round")
    idea = actions.submit_idea(
        budget_round=ideas_round, title="Benches", description="To rest.", by=organiser
    )
    actions.save_proposal(
        budget_round=ideas_round, title="Benches", description="Six.", cost=600, by=organiser
    )
    open_round = voting_round(places.north, organiser, name="Voting round")
    keying = actions.PaperKeying(
        reference="Q1",
        full_name="Paper Voter",
        date_of_birth=datetime.date(1960, 1, 1),
        postcode=postcode_in(places.north, 2).postcode,
        choices={"1": 1},
    )
    actions.key_paper_ballot(budget_round=open_round, keying=keying, by=organiser)
    paper = actions.key_paper_ballot(
        budget_round=open_round,
        keying=actions.PaperKeying(**{**keying.__dict__, "choices": {"2": 1}}),
        by=second_keyer,
    ).paper
    delivery_round = _counted_round(places.north, organiser, second_keyer)
    funded = int(delivery_round.result.selected[0])
    milestone = actions.add_milestone(
        proposal=delivery_round.proposals.get(number=funded),
        title="Start",
        due_on=None,
        note="",
        by=organiser,
    )
    return {
        "place": places.north.pk,
        "ideas_round": ideas_round.pk,
        "idea": idea.pk,
        "voting_round": open_round.pk,
        "paper": paper.pk,
        "postcode": postcode_in(places.north, 4).postcode,
        "delivery_round": delivery_round.pk,
        "funded": funded,
        "milestone": milestone.pk,
        "today": today().isoformat(),
    }


def _fill(text: str, values: dict[str, object]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text


def _request(client: Client, page: Page, subjects: dict[str, object]):
    path = _fill(page.path, subjects)
    if page.method == "POST":
        return client.post(
            path, {_fill(key, subjects): _fill(value, subjects) for key, value in page.data.items()}
        )
    return client.get(path)


@pytest.mark.parametrize("role", REFUSED_ROLES, ids=[role.value for role in REFUSED_ROLES])
def test_every_other_role_is_refused_every_organisers_page_and_nothing_changes(places, subjects, role):
    client = _client(make_persona(role, places))
    before = _snapshot()
    for page in ORGANISER_PAGES:
        assert _request(client, page, subjects).status_code == 403, (str(page), role)
    assert _snapshot() == before


def test_an_anonymous_visitor_is_sent_to_sign_in_from_every_organisers_page_and_the_vote(subjects):
    client = Client()
    before = _snapshot()
    for page in [
        *ORGANISER_PAGES,
        Page("GET", "/participation/budgets/{voting_round}/vote/"),
        Page("POST", "/participation/budgets/{voting_round}/vote/", {"projects": "1"}),
        Page("POST", "/participation/budgets/{ideas_round}/ideas/new/", {"title": "T", "description": "D"}),
    ]:
        response = _request(client, page, subjects)
        assert response.status_code == 302, str(page)
        assert response["Location"].startswith("/sign-in/?next=")
    assert _snapshot() == before


def test_an_organiser_of_another_place_is_refused_this_places_rounds_and_nothing_changes(places, subjects):
    outsider = UserFactory.create()
    grant_role(user=outsider, role=Role.COMMUNITY_ORGANISER, area=places.south, by=None)
    client = _client(outsider)
    before = _snapshot()
    for page in ORGANISER_PAGES:
        if "{" not in page.path.replace("{place}", ""):
            continue
        assert _request(client, page, subjects).status_code == 403, str(page)
    response = _request(client, ORGANISER_PAGES[2], subjects)
    assert response.status_code == 400
    assert "Choose one of your places" in _text(response)
    assert list(client.get("/participation/budgeting/").context["rounds"]) == []
    assert _snapshot() == before


@pytest.mark.parametrize("role", sorted(RUNNING), ids=lambda role: role.value)
def test_organisers_and_administrators_may_open_every_organisers_page(places, subjects, role):
    client = _client(make_persona(role, places))
    for page in ORGANISER_PAGES:
        if page.method == "GET":
            assert _request(client, page, subjects).status_code == 200, (str(page), role)


def test_the_public_pages_are_open_to_everyone(subjects):
    client = Client()
    for path in [
        "/participation/budgets/",
        "/participation/budgets/{ideas_round}/",
        "/participation/budgets/{voting_round}/",
        "/participation/budgets/{delivery_round}/",
        "/participation/budgets/{delivery_round}/results/",
        "/participation/budgets/{delivery_round}/round.pb",
    ]:
        assert client.get(_fill(path, subjects)).status_code == 200, path
    assert client.get(_fill("/participation/budgets/{voting_round}/results/", subjects)).status_code == 404
    assert (
        client.get(_fill("/participation/budgets/{delivery_round}/weights.csv", subjects)).status_code == 404
    )
    assert client.get("/participation/budgets/999999/").status_code == 404


# Organisers' pages: happy paths and bad input ---------------------------------------------------------


def test_an_organiser_sets_up_a_round_and_lands_on_its_hub(places, organiser):
    client = _client(organiser)
    response = client.post(
        "/participation/budgeting/new/",
        {
            "name": "North Trafford Fund",
            "place": places.north.pk,
            "description": "For health.",
            "budget": "20000",
            "ballot_kind": "cumulative",
            "min_projects": "1",
            "points": "10",
            "rule": "mes-cost-add1u",
            "tie_breaking": "cost-votes-lot",
            "minimum_age": "16",
        },
    )
    made = BudgetRound.objects.get(name="North Trafford Fund")
    assert response.status_code == 302
    assert response["Location"] == f"/participation/budgeting/{made.pk}/"
    assert (made.budget, made.ballot_kind, made.points, made.phase) == (20000, "cumulative", 10, "ideas")
    hub = _text(client.get(response["Location"]))
    assert "Close ideas and start feasibility review" in hub
    assert "£20,000" in hub


def test_bad_settings_are_explained_and_what_was_typed_is_kept(places, organiser):
    client = _client(organiser)
    response = client.post(
        "/participation/budgeting/new/",
        {
            "name": "Typed name",
            "place": places.north.pk,
            "description": "",
            "budget": "lots",
            "ballot_kind": "cumulative",
            "min_projects": "1",
            "rule": "greedy-threshold",
            "tie_breaking": "lot",
            "minimum_age": "16",
        },
    )
    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert "Say what the money is for" in text
    assert "Enter the budget in pounds as a whole number" in text
    assert 'value="Typed name"' in text
    assert BudgetRound.objects.count() == 0
    # A form that is valid field by field is still refused when the settings do not fit together.
    response = client.post(
        "/participation/budgeting/new/",
        {
            "name": "Typed name",
            "place": places.north.pk,
            "description": "D",
            "budget": "500",
            "ballot_kind": "cumulative",
            "min_projects": "1",
            "rule": "greedy",
            "tie_breaking": "lot",
            "minimum_age": "16",
        },
    )
    assert response.status_code == 400
    assert "Enter how many points each voter shares out." in _text(response)
    assert BudgetRound.objects.count() == 0


def test_an_organiser_answers_ideas_and_reviews_projects(places, organiser, subjects):
    client = _client(organiser)
    pk = subjects["ideas_round"]
    idea = subjects["idea"]
    response = client.post(
        f"/participation/budgeting/{pk}/ideas/{idea}/",
        {
            f"idea-{idea}-status": "taken_forward",
            f"idea-{idea}-proposal": Proposal.objects.get(round_id=pk).pk,
        },
    )
    assert response.status_code == 302
    assert Idea.objects.get(pk=idea).status == "taken_forward"
    response = client.post(
        f"/participation/budgeting/{pk}/projects/1/feasibility/", {"decision": "not_feasible"}
    )
    assert response.status_code == 400
    assert "Say why it is not feasible, in words residents can follow." in _text(response)
    assert Proposal.objects.get(round_id=pk).feasibility == "pending"
    response = client.post(
        f"/participation/budgeting/{pk}/projects/1/feasibility/", {"decision": "feasible", "note": "Easy."}
    )
    assert response.status_code == 302
    assert Proposal.objects.get(round_id=pk).feasibility == "feasible"
    response = client.post(
        f"/participation/budgeting/{pk}/projects/", {"title": "Pool", "description": "", "cost": "0"}
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Say what the project will do" in text
    assert "Enter the cost in pounds of at least 1" in text
    assert 'value="Pool"' in text


def test_an_idea_answered_without_a_project_is_refused_with_the_reason(organiser, subjects):
    client = _client(organiser)
    pk, idea = subjects["ideas_round"], subjects["idea"]
    response = client.post(
        f"/participation/budgeting/{pk}/ideas/{idea}/", {f"idea-{idea}-status": "taken_forward"}
    )
    assert response.status_code == 400
    assert "Choose the project the idea became part of." in _text(response)
    assert Idea.objects.get(pk=idea).status == "new"


def test_opening_voting_with_a_bad_date_or_unfinished_reviews_is_explained(organiser, subjects):
    client = _client(organiser)
    pk = subjects["ideas_round"]
    client.post(f"/participation/budgeting/{pk}/next/development/")
    response = client.post(f"/participation/budgeting/{pk}/next/voting/", {"voting_closes_on": "31/13/2026"})
    assert response.status_code == 400
    text = _text(response)
    assert "Enter a real date, for example 2026-03-31" in text
    assert 'value="31/13/2026"' in text
    response = client.post(
        f"/participation/budgeting/{pk}/next/voting/", {"voting_closes_on": today().isoformat()}
    )
    assert response.status_code == 400
    assert "Review every project&#x27;s feasibility first: 1 project waiting." in _text(response)
    assert BudgetRound.objects.get(pk=pk).phase == "development"


def test_closing_voting_too_early_is_explained_on_the_hub(organiser, subjects):
    client = _client(organiser)
    pk = subjects["voting_round"]
    before = _snapshot()
    response = client.post(f"/participation/budgeting/{pk}/next/close/")
    assert response.status_code == 400
    closes = BudgetRound.objects.get(pk=pk).voting_closes_on
    assert f"Voting is open until the end of {closes.day} {closes:%B %Y}: close it after that day." in _text(
        response
    )
    assert _snapshot() == before


def test_paper_ballots_are_keyed_twice_and_a_mismatch_is_resolved_by_a_third_person(
    places, organiser, subjects
):
    pk = subjects["voting_round"]
    data = {
        "reference": "B7",
        "full_name": "Ada Paper",
        "date_of_birth": "1950-05-05",
        "postcode": subjects["postcode"],
        "projects": ["1", "2"],
    }
    first = _client(organiser).post(f"/participation/budgeting/{pk}/paper/", data)
    assert first.status_code == 302
    second_keyer = make_persona(Role.ADMINISTRATOR, places)
    response = _client(second_keyer).post(f"/participation/budgeting/{pk}/paper/", data, follow=True)
    assert "Paper ballot B7 matches the first keying and is recorded." in _text(response)
    assert PaperBallot.objects.get(reference="B7").ballot.choices() == {"1": 1, "2": 1}
    # The queued ballot from the fixture: its keyers cannot resolve it; a third person can.
    paper = subjects["paper"]
    page = _text(_client(organiser).get(f"/participation/budgeting/{pk}/paper/{paper}/"))
    assert "A third person must resolve it" in page
    assert "The two keyings differ in: project 1, project 2." in page
    third = make_persona(Role.COMMUNITY_ORGANISER, places)
    response = _client(third).post(
        f"/participation/budgeting/{pk}/paper/{paper}/",
        {
            "decision": "record",
            "record-full_name": "Paper Voter",
            "record-date_of_birth": "1960-01-01",
            "record-postcode": postcode_in(places.north, 2).postcode,
            "record-projects": ["2"],
        },
    )
    assert response.status_code == 302
    assert PaperBallot.objects.get(pk=paper).ballot.choices() == {"2": 1}


def test_a_bad_paper_keying_is_explained_and_what_was_typed_is_kept(organiser, subjects):
    pk = subjects["voting_round"]
    before = _snapshot()
    response = _client(organiser).post(
        f"/participation/budgeting/{pk}/paper/",
        {
            "reference": "B8",
            "full_name": "Ada Paper",
            "date_of_birth": "1950-02-30",
            "postcode": "XX",
            "projects": ["1"],
        },
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Enter a real date, for example 2026-03-31" in text
    assert 'value="Ada Paper"' in text
    assert 'value="1" checked' in text
    response = _client(organiser).post(
        f"/participation/budgeting/{pk}/paper/",
        {
            "reference": "B8",
            "full_name": "Ada Paper",
            "date_of_birth": "1950-02-20",
            "postcode": "XX",
            "projects": ["1"],
        },
    )
    assert response.status_code == 400
    assert "“XX” is not a valid UK postcode." in _text(response)
    assert _snapshot() == before


def test_setting_aside_needs_a_reason(places, subjects):
    pk, paper = subjects["voting_round"], subjects["paper"]
    third = make_persona(Role.COMMUNITY_ORGANISER, places)
    response = _client(third).post(f"/participation/budgeting/{pk}/paper/{paper}/", {"decision": "set-aside"})
    assert response.status_code == 400
    assert "Say why the ballot is set aside" in _text(response)
    assert PaperBallot.objects.get(pk=paper).status == "queued"


def test_delivery_milestones_and_spending_with_bad_input_explained(organiser, subjects):
    client = _client(organiser)
    base = f"/participation/budgeting/{subjects['delivery_round']}/delivery/{subjects['funded']}/"
    response = client.post(
        base + "spend/",
        {"spend-amount": "ten", "spend-spent_on": today().isoformat(), "spend-description": "Lamps"},
    )
    assert response.status_code == 400
    text = _text(response)
    assert "Enter the amount as a number, like 1250.50" in text
    assert 'value="Lamps"' in text
    assert Spend.objects.count() == 0
    response = client.post(
        base + "spend/",
        {"spend-amount": "1250.50", "spend-spent_on": today().isoformat(), "spend-description": "Lamps"},
    )
    assert response.status_code == 302
    milestone = subjects["milestone"]
    response = client.post(
        base + f"milestones/{milestone}/done/", {f"done-{milestone}-done_on": "2001-01-01"}
    )
    assert response.status_code == 400
    assert "delivery cannot come before it." in _text(response)
    response = client.post(
        base + f"milestones/{milestone}/done/", {f"done-{milestone}-done_on": today().isoformat()}
    )
    assert response.status_code == 302
    page = _text(client.get(base))
    assert "£1,250.50 of £" in page
    assert "1 of 1" in page
    public = _text(Client().get(f"/participation/budgets/{subjects['delivery_round']}/"))
    assert "Delivered" in public
    assert f"Reached {today().day} {today():%B %Y}: Start" in public


def test_an_unfunded_projects_delivery_page_is_not_found(organiser, subjects):
    budget_round = BudgetRound.objects.get(pk=subjects["delivery_round"])
    unfunded = budget_round.proposals.exclude(
        number__in=[int(n) for n in budget_round.result.selected]
    ).first()
    response = _client(organiser).get(
        f"/participation/budgeting/{budget_round.pk}/delivery/{unfunded.number}/"
    )
    assert response.status_code == 404


# Residents' pages ---------------------------------------------------------------------------------------


def test_a_resident_shares_an_idea_and_sees_it_published(places, subjects):
    resident = make_voter(places.north)
    client = _client(resident)
    pk = subjects["ideas_round"]
    response = client.post(
        f"/participation/budgets/{pk}/ideas/new/", {"title": "", "description": "Benches by the canal"}
    )
    assert response.status_code == 400
    assert "Give your idea a short title" in _text(response)
    assert "Benches by the canal" in _text(response)
    response = client.post(
        f"/participation/budgets/{pk}/ideas/new/",
        {"title": "Canal benches", "description": "By the canal"},
        follow=True,
    )
    assert "Canal benches" in _text(response)
    assert Idea.objects.get(title="Canal benches").submitted_by == resident
    closed = client.post(
        f"/participation/budgets/{subjects['voting_round']}/ideas/new/", {"title": "Late", "description": "x"}
    )
    assert closed.status_code == 400
    assert "This round is no longer collecting ideas." in _text(closed)


def test_a_resident_votes_changes_the_vote_and_a_second_ballot_is_refused(places, subjects):
    voter = make_voter(places.north, index=7)
    client = _client(voter)
    pk = subjects["voting_round"]
    form = _text(client.get(f"/participation/budgets/{pk}/vote/"))
    assert "Choose from 1 to 3 projects." in form
    assert "Cast your vote" in form
    response = client.post(f"/participation/budgets/{pk}/vote/", {"projects": ["1", "2"]})
    assert response.status_code == 302
    ballot = Ballot.objects.get(round_id=pk, person__user=voter)
    assert ballot.choices() == {"1": 1, "2": 1}
    # The same blank form sent again (a second tab, say) is a second ballot: refused, nothing changes.
    before = _snapshot()
    response = client.post(f"/participation/budgets/{pk}/vote/", {"projects": ["3"]})
    assert response.status_code == 400
    assert "You have already voted in this round. To change your vote, use “Change your vote”." in _text(
        response
    )
    assert _snapshot() == before
    # Changing the vote goes through the ballot's own number.
    change = _text(client.get(f"/participation/budgets/{pk}/vote/?change=1"))
    assert f'name="ballot" value="{ballot.number}"' in change
    assert 'value="1" checked' in change
    response = client.post(
        f"/participation/budgets/{pk}/vote/", {"ballot": str(ballot.number), "projects": ["3"]}
    )
    assert response.status_code == 302
    assert Ballot.objects.get(pk=ballot.pk).choices() == {"3": 1}


def test_a_ballot_breaking_the_rules_is_explained_and_the_choices_are_kept(places, subjects):
    client = _client(make_voter(places.north, index=8))
    pk = subjects["voting_round"]
    response = client.post(f"/participation/budgets/{pk}/vote/", {"projects": ["1", "2", "3", "4"]})
    assert response.status_code == 400
    text = _text(response)
    assert "This ballot chooses 4 projects; the most is 3." in text
    assert text.count("checked") == 4
    assert Ballot.objects.filter(round_id=pk, person__user__isnull=False).count() == 0


def test_someone_who_does_not_live_in_the_place_is_told_why_they_cannot_vote(places, subjects):
    client = _client(make_voter(places.south))
    pk = subjects["voting_round"]
    response = client.get(f"/participation/budgets/{pk}/vote/")
    assert response.status_code == 403
    assert (
        "is not in North Trafford: only people who live in North Trafford can vote in this round."
        in _text(response)
    )
    response = client.post(f"/participation/budgets/{pk}/vote/", {"projects": ["1"]})
    assert response.status_code == 403
    assert Ballot.objects.filter(round_id=pk, channel="online").count() == 0


def test_after_the_closing_day_the_vote_page_says_so_and_refuses_changes(places, organiser, subjects):
    voter = make_voter(places.north, index=9)
    client = _client(voter)
    pk = subjects["voting_round"]
    client.post(f"/participation/budgets/{pk}/vote/", {"projects": ["1"]})
    budget_round = BudgetRound.objects.get(pk=pk)
    pass_closing_day(budget_round)
    page = _text(client.get(f"/participation/budgets/{pk}/vote/"))
    assert "your vote can no longer change" in page
    number = Ballot.objects.get(round_id=pk, person__user=voter).number
    response = client.post(f"/participation/budgets/{pk}/vote/", {"ballot": str(number), "projects": ["2"]})
    assert response.status_code == 400
    closes = budget_round.voting_closes_on
    assert (
        f"Voting closed on {closes.day} {closes:%B %Y}: ballots can no longer be cast or changed."
        in _text(response)
    )
    assert Ballot.objects.get(round_id=pk, person__user=voter).choices() == {"1": 1}


def test_the_results_explain_every_project_with_a_chart_and_its_table(places, subjects):
    pk = subjects["delivery_round"]
    budget_round = BudgetRound.objects.get(pk=pk)
    result = budget_round.result
    response = Client().get(f"/participation/budgets/{pk}/results/")
    text = _text(response)
    assert '<svg class="cw-chart"' in text
    assert "The numbers behind the chart" in text
    assert (
        f"{len(result.selected)} projects funded" in text or f"{len(result.selected)} project funded" in text
    )
    for winner in result.winners:
        assert winner["reason"] in text
    rows = queries.results_view(budget_round).rows
    assert [row.proposal.number for row in rows if row.funded] == [int(n) for n in result.selected]
    for row in rows:
        assert escape(row.explanation) in text
    assert "Tie-breaking" in text
    assert ", ".join(budget_round.lot_order) in text
    assert "commonweal budgeting tally commonweal-round-" in text
    export = Client().get(f"/participation/budgets/{pk}/round.pb")
    assert export["Content-Disposition"] == f'attachment; filename="commonweal-round-{pk}.pb"'
    assert export.content.decode().startswith("META\nkey;value\n")


def test_the_results_say_plainly_what_the_count_did_before_the_methods_words(places, organiser):
    # Every project has a voter and they do not all fit, so Equal Shares raises the shares (Add1).
    budget_round = voting_round(places.north, organiser, name="Add1 round")
    for index, choices in enumerate([{"1": 1, "4": 1}, {"4": 1}, {"2": 1, "3": 1}, {"1": 1}]):
        actions.cast_online_ballot(
            budget_round=budget_round, choices=choices, by=make_voter(places.north, index=index)
        )
    pass_closing_day(budget_round)
    actions.close_voting(budget_round=budget_round, by=organiser)
    budget_round.refresh_from_db()
    add1 = next(note for note in budget_round.result.notes if note.startswith("Add1 completion:"))
    assert "runs of Equal Shares computed" in add1
    text = _text(Client().get(f"/participation/budgets/{budget_round.pk}/results/"))
    plain = (
        "Each voter first had an equal share of the budget to spend on the projects they voted for. Money "
        "was left over, so everyone&#x27;s share was raised a little at a time, counting again each time, "
        "for as long as the projects bought still fitted in the budget."
    )
    assert f'<p>{plain}</p><p class="nhsuk-body-s">{escape(add1)}</p>' in text


def test_a_voter_sees_what_their_share_paid_for(places, subjects):
    budget_round = BudgetRound.objects.get(pk=subjects["delivery_round"])
    ballot = budget_round.ballots.order_by("number").first()
    client = _client(ballot.person.user)
    text = _text(client.get(f"/participation/budgets/{budget_round.pk}/results/"))
    assert "Your share paid towards:" in text
    paid = [
        (winner["project"], payment["amount"])
        for winner in budget_round.result.winners
        for payment in winner["payments"]
        if ballot.number in payment["voters"]
    ]
    assert paid
    for project, _ in paid:
        title = budget_round.proposals.get(number=int(project)).title
        assert f"{project}. {title}: £" in text


def test_settings_change_before_voting_and_are_refused_after_it_opens(organiser, subjects):
    client = _client(organiser)
    data = {
        "name": "Ideas round, renamed",
        "description": "D",
        "budget": "12000",
        "ballot_kind": "ranked",
        "min_projects": "1",
        "max_projects": "3",
        "rule": "mes-cost",
        "tie_breaking": "votes-lot",
        "minimum_age": "11",
        "maximum_age": "25",
    }
    response = client.post(f"/participation/budgeting/{subjects['ideas_round']}/settings/", data)
    assert response.status_code == 302
    changed = BudgetRound.objects.get(pk=subjects["ideas_round"])
    assert (changed.name, changed.budget, changed.ballot_kind, changed.minimum_age, changed.maximum_age) == (
        "Ideas round, renamed",
        12000,
        "ranked",
        11,
        25,
    )
    before = _snapshot()
    response = client.post(f"/participation/budgeting/{subjects['voting_round']}/settings/", data)
    assert response.status_code == 400
    assert "Voting has opened, so the ballot, the budget and the rule can no longer change." in _text(
        response
    )
    assert _snapshot() == before
    response = client.post(
        f"/participation/budgeting/{subjects['ideas_round']}/settings/", {**data, "maximum_age": "10"}
    )
    assert response.status_code == 400
    assert "The oldest age must not be below the youngest." in _text(response)
    assert BudgetRound.objects.get(pk=subjects["ideas_round"]).maximum_age == 25


def test_a_changed_project_goes_back_for_review(organiser, subjects):
    client = _client(organiser)
    pk = subjects["ideas_round"]
    client.post(f"/participation/budgeting/{pk}/projects/1/feasibility/", {"decision": "feasible"})
    response = client.post(
        f"/participation/budgeting/{pk}/projects/1/",
        {"title": "Benches", "description": "Eight.", "cost": "800"},
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(round_id=pk, number=1)
    assert (proposal.cost, proposal.feasibility) == (800, "pending")
    response = client.post(
        f"/participation/budgeting/{pk}/projects/1/", {"title": "", "description": "x", "cost": "9"}
    )
    assert response.status_code == 400
    assert "Enter the project&#x27;s title" in _text(response)
    assert Proposal.objects.get(round_id=pk, number=1).cost == 800


def test_a_weighted_round_documents_the_weighting_and_publishes_the_weights(places, organiser):
    budget_round = voting_round(places.north, organiser, weight_by_deprivation=True)
    voters = [make_voter(places.north, index=index) for index in range(2)]
    for voter, choices in zip(voters, [{"1": 1}, {"2": 1}], strict=True):
        actions.cast_online_ballot(budget_round=budget_round, choices=choices, by=voter)
    pass_closing_day(budget_round)
    actions.close_voting(budget_round=budget_round, by=organiser)
    client = Client()
    page = _text(client.get(f"/participation/budgets/{budget_round.pk}/"))
    assert "Shares weighted by deprivation." in page
    assert "a voter in decile 1, the most deprived tenth of areas in England, has twice the share" in page
    results = _text(client.get(f"/participation/budgets/{budget_round.pk}/results/"))
    assert "Shares weighted by deprivation." in results
    weights = (
        client.get(f"/participation/budgets/{budget_round.pk}/weights.csv").content.decode().splitlines()
    )
    deciles = dict(budget_round.ballots.values_list("number", "deprivation_decile"))
    assert weights == ["voter_id,weight"] + [
        f"{number},{Fraction(19 - decile, 9) if decile else 1}" for number, decile in sorted(deciles.items())
    ]


def test_a_loser_under_equal_shares_is_explained_with_the_projects_its_supporters_paid_for(places, organiser):
    budget_round = voting_round(places.north, organiser, max_projects=None)
    # Three voters want the walk and the fridge; one wants youth football too, which their shares cannot buy.
    for index, choices in enumerate([{"1": 1, "2": 1}, {"1": 1, "2": 1}, {"1": 1, "2": 1, "4": 1}]):
        actions.cast_online_ballot(
            budget_round=budget_round, choices=choices, by=make_voter(places.north, index=index)
        )
    pass_closing_day(budget_round)
    result = actions.close_voting(budget_round=budget_round, by=organiser)
    loser = next(item for item in result.losers if item["project"] == "4")
    assert loser["reason"] == "supporters-could-not-afford"
    row = next(row for row in queries.results_view(budget_round).rows if row.proposal.number == 4)
    left = Fraction(loser["money_left"])
    assert row.explanation.startswith(
        f"Its supporters had £{float(left):,.2f} left of their shares, less than its cost of £5,000: "
        "they had spent them on "
    )
    assert "1. Lit walking route in the park (£" in row.explanation
    assert escape(row.explanation) in _text(
        Client().get(f"/participation/budgets/{budget_round.pk}/results/")
    )
