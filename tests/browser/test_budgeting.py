"""A participatory budgeting round from start to finish in a real browser, with an axe scan of each page:
an organiser sets it up, a resident shares an idea, projects are developed and reviewed for feasibility,
residents vote online (a second ballot from the same voter is refused and changes nothing; a change of
vote is allowed until voting closes) and on paper (each paper ballot keyed by two different people, a
mismatch resolved by a third), the votes are counted and explained, and the funded projects are
delivered with milestones and spending."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from playwright.sync_api import Browser, Page, expect

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role, User
from commonweal.budgeting.models import Ballot, BallotMark, BudgetRound, PaperBallot
from commonweal.people.models import Person
from commonweal.places.models import Area, Postcode
from tests.browser.conftest import (
    DEMO_PASSWORD,
    PHONE,
    assert_no_sideways_scroll,
    click_menu_link,
    fill_date,
    sign_in,
)
from tests.browser.test_content_security_policy import assert_no_violation, watch

ORGANISER = "organiser@demo.commonweal.invalid"
ADMINISTRATOR = "admin@demo.commonweal.invalid"
THIRD_PERSON = "second.organiser@demo.commonweal.invalid"
VOTER = "gorse.hill.voter@demo.commonweal.invalid"
RESIDENT = "resident@demo.commonweal.invalid"
ROUND = "Gorse Hill Park Small Grants"
PLACE = "Old Trafford and Gorse Hill"


def _people() -> tuple[Area, Postcode]:
    """A demo resident of the neighbourhood signs up for an account, and a second organiser joins."""
    place = Area.objects.get(name=PLACE)
    person = (
        Person.objects.filter(lsoa__in=place.lsoas.all(), user__isnull=True, date_of_birth__lt="2000-01-01")
        .order_by("pk")
        .first()
    )
    assert person is not None
    voter = User(email=VOTER, full_name=person.full_name)
    voter.set_password(DEMO_PASSWORD)
    voter.save()
    grant_role(user=voter, role=Role.RESIDENT, area=place, by=None)
    person.user = voter
    person.save(update_fields=["user"])
    third = User(email=THIRD_PERSON, full_name="Priya Thornbury")
    third.set_password(DEMO_PASSWORD)
    third.save()
    grant_role(user=third, role=Role.COMMUNITY_ORGANISER, area=place, by=None)
    paper_postcode = Postcode.objects.filter(lsoa__in=place.lsoas.all()).order_by("postcode")[5]
    return place, paper_postcode


def _key_paper(page: Page, reference: str, postcode: str, projects: list[str]) -> None:
    page.get_by_label("Ballot number (written on the paper)").fill(reference)
    page.get_by_label("Voter's full name").fill("Ivy Paperwell")
    fill_date(page, "Voter's date of birth", "1948-11-02")
    page.get_by_label("Voter's postcode").fill(postcode)
    for project in projects:
        page.get_by_label(project).check()
    page.get_by_role("button", name="Key the ballot").click()


def _snapshot(budget_round: BudgetRound) -> tuple[object, ...]:
    return (
        list(
            Ballot.objects.filter(round=budget_round)
            .order_by("number")
            .values_list("number", "times_changed")
        ),
        sorted(
            BallotMark.objects.filter(ballot__round=budget_round).values_list(
                "ballot__number", "proposal__number"
            )
        ),
    )


def test_a_round_goes_from_ideas_through_online_and_paper_voting_to_results_and_delivery(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
):
    place, paper_postcode = _people()
    today = datetime.date.today()

    # The organiser sets up the round; a form sent empty says what is missing.
    organiser = new_page()
    sign_in(organiser, ORGANISER)
    click_menu_link(organiser, "Budgeting rounds")
    check_accessibility(organiser)
    organiser.get_by_role("button", name="Set up a round").click()
    organiser.get_by_role("button", name="Set up the round").click()
    expect(organiser.get_by_role("link", name="Enter the round's name")).to_be_visible()
    check_accessibility(organiser)
    organiser.get_by_label("Name", exact=True).fill(ROUND)
    organiser.get_by_label("Place").select_option(label=f"{PLACE} (neighbourhood)")
    organiser.get_by_label("What the money is for (published)").fill(
        "£20,000 for small projects that get people in Gorse Hill moving and meeting."
    )
    organiser.get_by_label("Budget in pounds").fill("20000")
    organiser.get_by_label("Most projects a voter may choose or rank (optional)").fill("2")
    organiser.get_by_role("button", name="Set up the round").click()
    expect(organiser.get_by_text(f"{ROUND} set up. It is open for residents' ideas.")).to_be_visible()
    check_accessibility(organiser)
    budget_round = BudgetRound.objects.get(name=ROUND)
    assert (budget_round.budget, budget_round.max_projects, budget_round.rule) == (20000, 2, "mes-cost-add1u")

    # A resident shares an idea.
    voter = new_page()
    sign_in(voter, VOTER)
    click_menu_link(voter, "Participatory budgeting")
    check_accessibility(voter)
    voter.get_by_role("link", name=ROUND).click()
    check_accessibility(voter)
    voter.get_by_role("button", name="Share an idea").click()
    voter.get_by_role("button", name="Share the idea").click()
    expect(voter.get_by_role("link", name="Give your idea a short title")).to_be_visible()
    check_accessibility(voter)
    voter.get_by_label("Your idea in a few words").fill("Outdoor table tennis")
    voter.get_by_label("Tell us more").fill(
        "Two tables by the playground, so teenagers and grandparents can play."
    )
    voter.get_by_role("button", name="Share the idea").click()
    expect(voter.get_by_text("Thank you: your idea is published below.")).to_be_visible()
    expect(voter.get_by_text("Outdoor table tennis – waiting for an answer")).to_be_visible()

    # Ideas close; projects are developed and reviewed for feasibility.
    organiser.get_by_role("button", name="Close ideas and start feasibility review").click()
    expect(organiser.get_by_text("Ideas are closed.")).to_be_visible()
    organiser.get_by_role("link", name="Projects and feasibility review").click()
    check_accessibility(organiser)
    for title, description, cost in [
        (
            "Outdoor table tennis tables",
            "Two concrete tables by the playground, with bats to borrow.",
            "6000",
        ),
        ("Walking netball sessions", "A weekly session for a year at the community centre.", "4000"),
        ("Floodlit all-weather pitch", "A new pitch with floodlights.", "19000"),
    ]:
        organiser.get_by_label("Project title").fill(title)
        organiser.get_by_label("What it will do (published on the ballot)").fill(description)
        organiser.get_by_label("Estimated cost in pounds").fill(cost)
        organiser.get_by_role("button", name="Add the project").click()
        expect(
            organiser.get_by_text(re.compile(r"Project \d added\. Next, review its feasibility\."))
        ).to_be_visible()
        if title.startswith("Floodlit"):
            organiser.get_by_label("Not feasible").check()
            organiser.get_by_role("button", name="Record the review").click()
            expect(organiser.get_by_role("link", name="Say why it is not feasible")).to_be_visible()
            check_accessibility(organiser)
            organiser.get_by_label("The review, in words residents can follow (published)").fill(
                "Floodlights need planning permission, which takes longer than this round."
            )
        else:
            organiser.get_by_label("Feasible: it goes on the ballot").check()
        organiser.get_by_role("button", name="Record the review").click()
        expect(organiser.get_by_text(re.compile(r"Project \d: (feasible|not feasible)\."))).to_be_visible()
    check_accessibility(organiser)
    organiser.get_by_role("link", name=ROUND).click()
    organiser.get_by_role("link", name="Residents' ideas").click()
    check_accessibility(organiser)
    organiser.get_by_label("Taken forward into a project").check()
    organiser.get_by_label("The project it became part of").select_option(
        label="1. Outdoor table tennis tables"
    )
    organiser.get_by_role("button", name="Save the answer").click()
    expect(organiser.get_by_text("Answer to “Outdoor table tennis” saved.")).to_be_visible()

    # Voting opens until the end of today.
    organiser.get_by_role("link", name=ROUND).click()
    organiser.get_by_label("Voting closes at the end of").fill(today.isoformat())
    organiser.get_by_role("button", name="Open voting").click()
    expect(
        organiser.get_by_text(re.compile(r"Voting is open until the end of .*Order drawn by lot"))
    ).to_be_visible()
    check_accessibility(organiser)

    # The resident votes online; a second tab opened before voting sends a second ballot, refused.
    second_tab = voter.context.new_page()
    second_tab.goto(f"/participation/budgets/{budget_round.pk}/vote/")
    voter.goto(f"/participation/budgets/{budget_round.pk}/")
    voter.get_by_role("button", name="Vote now").click()
    check_accessibility(voter)
    # The round lets each voter choose 2 projects: the page counts them as they are ticked.
    chosen = voter.get_by_role("status").filter(has_text="chosen")
    expect(chosen).to_have_text("0 of 2 projects chosen; 2 left")
    voter.get_by_label("1. Outdoor table tennis tables (£6,000)").check()
    expect(chosen).to_have_text("1 of 2 projects chosen; 1 left")
    voter.get_by_label("2. Walking netball sessions (£4,000)").check()
    expect(chosen).to_have_text("2 of 2 projects chosen; 0 left")
    voter.get_by_role("button", name="Cast your vote").click()
    expect(voter.get_by_text("Thank you: your vote is recorded.")).to_be_visible()
    check_accessibility(voter)
    before = _snapshot(budget_round)
    assert before == ([(1, 0)], [(1, 1), (1, 2)])
    second_tab.get_by_label("2. Walking netball sessions (£4,000)").check()
    second_tab.get_by_role("button", name="Cast your vote").click()
    expect(
        second_tab.get_by_text(
            "You have already voted in this round. To change your vote, use “Change your vote”."
        ).first
    ).to_be_visible()
    check_accessibility(second_tab)
    assert _snapshot(budget_round) == before
    # Changing the vote is allowed until voting closes.
    voter.get_by_role("button", name="Change your vote").click()
    check_accessibility(voter)
    voter.get_by_label("1. Outdoor table tennis tables (£6,000)").uncheck()
    voter.get_by_role("button", name="Save your changed vote").click()
    expect(voter.get_by_text("Your vote is changed.")).to_be_visible()
    assert _snapshot(budget_round) == ([(1, 1)], [(1, 2)])

    # Paper ballots: two different people key each one; a match records it.
    organiser.get_by_role("link", name="Paper ballots").click()
    check_accessibility(organiser)
    _key_paper(organiser, "GH-1", paper_postcode.postcode, ["1. Outdoor table tennis tables (£6,000)"])
    expect(
        organiser.get_by_text("Paper ballot GH-1 keyed. A different person must now key it again.")
    ).to_be_visible()
    _key_paper(organiser, "GH-1", paper_postcode.postcode, ["1. Outdoor table tennis tables (£6,000)"])
    expect(
        organiser.get_by_role(
            "link", name="You keyed paper ballot GH-1 first; a different person must key it"
        )
    ).to_be_visible()
    check_accessibility(organiser)
    administrator = new_page()
    sign_in(administrator, ADMINISTRATOR)
    administrator.goto(f"/participation/budgeting/{budget_round.pk}/paper/")
    _key_paper(
        administrator, "GH-1", paper_postcode.postcode.lower(), ["1. Outdoor table tennis tables (£6,000)"]
    )
    expect(
        administrator.get_by_text("Paper ballot GH-1 matches the first keying and is recorded.")
    ).to_be_visible()
    # A mismatch waits for a third person, who resolves it from the paper.
    second_voter = Postcode.objects.filter(lsoa__in=place.lsoas.all()).order_by("postcode")[9].postcode
    organiser.goto(f"/participation/budgeting/{budget_round.pk}/paper/")
    organiser.get_by_label("Ballot number (written on the paper)").fill("GH-2")
    organiser.get_by_label("Voter's full name").fill("Omar Ledgerwood")
    fill_date(organiser, "Voter's date of birth", "1990-04-12")
    organiser.get_by_label("Voter's postcode").fill(second_voter)
    organiser.get_by_label("2. Walking netball sessions (£4,000)").check()
    organiser.get_by_role("button", name="Key the ballot").click()
    administrator.get_by_label("Ballot number (written on the paper)").fill("GH-2")
    administrator.get_by_label("Voter's full name").fill("Omar Ledgerwood")
    fill_date(administrator, "Voter's date of birth", "1990-04-12")
    administrator.get_by_label("Voter's postcode").fill(second_voter)
    administrator.get_by_label("1. Outdoor table tennis tables (£6,000)").check()
    administrator.get_by_role("button", name="Key the ballot").click()
    expect(
        administrator.get_by_text(
            "Paper ballot GH-2 does not match the first keying. It waits for a third person."
        )
    ).to_be_visible()
    check_accessibility(administrator)
    third = new_page()
    sign_in(third, THIRD_PERSON)
    third.goto(f"/participation/budgeting/{budget_round.pk}/paper/")
    third.get_by_role("link", name="GH-2").click()
    expect(third.get_by_text("The two keyings differ in: project 1, project 2.")).to_be_visible()
    check_accessibility(third)
    third.get_by_label("Voter's full name").fill("Omar Ledgerwood")
    fill_date(third, "Voter's date of birth", "1990-04-12")
    third.get_by_label("Voter's postcode").fill(second_voter)
    third.get_by_label("2. Walking netball sessions (£4,000)").check()
    third.get_by_role("button", name="Record the ballot").click()
    expect(third.get_by_text("Paper ballot GH-2 recorded.")).to_be_visible()
    assert sorted(PaperBallot.objects.filter(round=budget_round).values_list("reference", "status")) == [
        ("GH-1", "recorded"),
        ("GH-2", "recorded"),
    ]

    # The closing day passes (the round's closing date becomes yesterday), and the votes are counted.
    BudgetRound.objects.filter(pk=budget_round.pk).update(voting_closes_on=today - datetime.timedelta(days=1))
    voter.goto(f"/participation/budgets/{budget_round.pk}/vote/")
    expect(voter.get_by_text("your vote can no longer change")).to_be_visible()
    expect(voter.get_by_role("button", name="Change your vote")).to_have_count(0)
    organiser.goto(f"/participation/budgeting/{budget_round.pk}/")
    organiser.get_by_role("button", name="Close voting and count").click()
    expect(
        organiser.get_by_text("Voting closed and counted: 2 projects funded from 3 ballots.")
    ).to_be_visible()
    check_accessibility(organiser)

    # Anyone can read the results, each project explained, with the chart and its table.
    voter.goto(f"/participation/budgets/{budget_round.pk}/")
    voter.get_by_role("link", name="See the results and why each project won or lost").click()
    expect(voter.get_by_role("heading", name=f"Results: {ROUND}")).to_be_visible()
    expect(voter.get_by_text("2 projects funded, costing £10,000 of the £20,000 budget")).to_be_visible()
    expect(voter.locator("svg.cw-chart")).to_be_visible()
    expect(voter.get_by_role("table", name="The numbers behind the chart")).to_be_visible()
    expect(
        voter.get_by_text(
            re.compile(r"Bought in round \d, when it was the cheapest for its supporters")
        ).first
    ).to_be_visible()
    expect(voter.get_by_text("Your share paid towards:")).to_be_visible()
    expect(voter.get_by_role("link", name=f"commonweal-round-{budget_round.pk}.pb")).to_be_visible()
    check_accessibility(voter)
    result = BudgetRound.objects.get(pk=budget_round.pk).result
    assert sorted(result.selected) == ["1", "2"]
    assert (result.online_ballots, result.paper_ballots) == (1, 2)

    # Delivery: milestones and spending, shown to residents.
    organiser.get_by_role("button", name="Start delivery").click()
    expect(organiser.get_by_text("Delivery has started.")).to_be_visible()
    organiser.get_by_role("link", name="Delivery of 2. Walking netball sessions").click()
    check_accessibility(organiser)
    organiser.get_by_label("Milestone", exact=True).fill("First session held")
    organiser.get_by_role("button", name="Add the milestone").click()
    expect(organiser.get_by_text("Milestone “First session held” added.")).to_be_visible()
    organiser.get_by_label("Reached on").fill(today.isoformat())
    organiser.get_by_role("button", name="Mark as reached").click()
    expect(organiser.get_by_text("“First session held” reached.")).to_be_visible()
    organiser.get_by_label("Amount in pounds").fill("three hundred")
    organiser.get_by_label("Spent on").fill(today.isoformat())
    organiser.get_by_label("What it paid for (published)").fill("Balls, bibs and hall hire")
    organiser.get_by_role("button", name="Record the spending").click()
    expect(organiser.get_by_role("link", name="Enter the amount as a number, like 1250.50")).to_be_visible()
    expect(organiser.get_by_label("What it paid for (published)")).to_have_value("Balls, bibs and hall hire")
    check_accessibility(organiser)
    organiser.get_by_label("Amount in pounds").fill("300")
    organiser.get_by_role("button", name="Record the spending").click()
    expect(organiser.get_by_text(re.compile(r"£300\.00 spent on .* recorded\."))).to_be_visible()
    check_accessibility(organiser)
    voter.goto(f"/participation/budgets/{budget_round.pk}/")
    row = voter.get_by_role("row").filter(has_text="Walking netball sessions")
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("£300 of £4,000")
    check_accessibility(voter)


def test_the_demo_resident_votes_in_the_open_demo_round_and_the_demo_results_are_accessible(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None]
):
    from commonweal.budgeting.demo import RESULTS_ROUND, VOTING_ROUND

    fund = BudgetRound.objects.get(name=VOTING_ROUND)
    chest = BudgetRound.objects.get(name=RESULTS_ROUND)
    resident = new_page()
    sign_in(resident, "resident@demo.commonweal.invalid")
    resident.goto("/participation/budgets/")
    resident.get_by_role("link", name=VOTING_ROUND).click()
    expect(resident.get_by_text("Shares weighted by deprivation.")).to_be_visible()
    check_accessibility(resident)
    resident.get_by_role("button", name="Vote now").click()
    expect(
        resident.get_by_text(
            "Choose the projects you would fund, costing no more than £150,000 in all."
        ).first
    ).to_be_visible()
    # A knapsack ballot over the budget is refused, and what was ticked stays ticked.
    for label in [
        "1. Link worker hours in Partington (£42,000)",
        "3. Food clubs in four community centres (£36,000)",
        "5. Young carers' breaks (£24,000)",
        "7. Outdoor gym in Seymour Park (£28,000)",
        "2. Walking for health across the borough (£18,000)",
        "6. Digital help for older people (£15,000)",
    ]:
        resident.get_by_label(label).check()
    resident.get_by_role("button", name="Cast your vote").click()
    expect(
        resident.get_by_text(
            "The projects chosen cost £163,000 in all, more than the budget of £150,000. Leave some out."
        ).first
    ).to_be_visible()
    expect(resident.get_by_label("6. Digital help for older people (£15,000)")).to_be_checked()
    check_accessibility(resident)
    assert fund.ballots.count() == 0
    resident.get_by_label("6. Digital help for older people (£15,000)").uncheck()
    resident.get_by_role("button", name="Cast your vote").click()
    expect(resident.get_by_text("Thank you: your vote is recorded.")).to_be_visible()
    ballot = fund.ballots.get()
    assert sorted(ballot.choices()) == ["1", "2", "3", "5", "7"]
    assert ballot.deprivation_decile == ballot.lsoa.imd_decile

    # The counted demo round's results, and the organiser's pages for it.
    resident.goto(f"/participation/budgets/{chest.pk}/results/")
    expect(resident.get_by_role("heading", name=f"Results: {RESULTS_ROUND}")).to_be_visible()
    expect(resident.locator("svg.cw-chart rect")).to_have_count(10)
    check_accessibility(resident)
    organiser = new_page()
    sign_in(organiser, ORGANISER)
    for path in ["", "settings/", "ideas/", "projects/", "projects/11/", "paper/"]:
        response = organiser.goto(f"/participation/budgeting/{chest.pk}/{path}")
        assert response is not None and response.status == 200, path
        check_accessibility(organiser)


OVER_BUDGET = [
    "1. Link worker hours in Partington (£42,000)",
    "3. Food clubs in four community centres (£36,000)",
    "5. Young carers' breaks (£24,000)",
    "7. Outdoor gym in Seymour Park (£28,000)",
    "2. Walking for health across the borough (£18,000)",
    "6. Digital help for older people (£15,000)",
]


def test_the_knapsack_ballot_adds_up_what_is_ticked_as_it_is_ticked(
    new_page: Callable[[], Page],
    browser: Browser,
    demo_site: str,
    check_accessibility: Callable[[Page], None],
):
    from commonweal.budgeting.demo import VOTING_ROUND

    fund = BudgetRound.objects.get(name=VOTING_ROUND)
    vote = f"/participation/budgets/{fund.pk}/vote/"

    # Without scripts the total stays hidden, and the server refuses a ballot over the budget with its
    # message, keeping what was ticked.
    context = browser.new_context(base_url=demo_site, locale="en-GB", java_script_enabled=False)
    try:
        plain = context.new_page()
        sign_in(plain, RESIDENT)
        plain.goto(vote)
        expect(plain.locator('[data-module="cw-ballot-total"]')).to_be_hidden()
        for label in OVER_BUDGET:
            plain.get_by_label(label).check()
        plain.get_by_role("button", name="Cast your vote").click()
        expect(
            plain.get_by_text(
                "The projects chosen cost £163,000 in all, more than the budget of £150,000. Leave some out."
            ).first
        ).to_be_visible()
        for label in OVER_BUDGET:
            expect(plain.get_by_label(label)).to_be_checked()
        expect(plain.locator('[data-module="cw-ballot-total"]')).to_be_hidden()
    finally:
        context.close()
    assert fund.ballots.count() == 0

    # With scripts, on a phone: the total before anything is ticked, then project by project, each
    # change said politely to screen readers.
    resident = new_page()
    console = watch(resident)
    resident.set_viewport_size(PHONE)
    sign_in(resident, RESIDENT)
    resident.goto(vote)
    total = resident.get_by_role("status").filter(has_text="chosen")
    expect(total).to_have_text("£0 of £150,000 chosen; £150,000 left")
    expect(total).to_have_attribute("aria-live", "polite")
    resident.get_by_label(OVER_BUDGET[0]).check()
    expect(total).to_have_text("£42,000 of £150,000 chosen; £108,000 left")
    for label in OVER_BUDGET[1:4]:
        resident.get_by_label(label).check()
    expect(total).to_have_text("£130,000 of £150,000 chosen; £20,000 left")
    check_accessibility(resident)
    assert_no_sideways_scroll(resident)
    # Over the budget: the words say so, and the total turns to the error colour.
    resident.get_by_label(OVER_BUDGET[4]).check()
    resident.get_by_label(OVER_BUDGET[5]).check()
    expect(total).to_have_text("£163,000 of £150,000 chosen; £13,000 over the budget. Leave some out.")
    box = resident.locator('[data-module="cw-ballot-total"]')
    expect(box).to_have_class(re.compile(r"\bcw-ballot-total--over\b"))
    expect(total).to_have_css("color", "rgb(213, 40, 27)")
    check_accessibility(resident)
    assert_no_sideways_scroll(resident)
    resident.get_by_label(OVER_BUDGET[5]).uncheck()
    expect(total).to_have_text("£148,000 of £150,000 chosen; £2,000 left")
    expect(box).not_to_have_class(re.compile(r"\bcw-ballot-total--over\b"))
    assert_no_violation(resident, console)
    resident.get_by_role("button", name="Cast your vote").click()
    expect(resident.get_by_text("Thank you: your vote is recorded.")).to_be_visible()
    assert sorted(fund.ballots.get().choices()) == ["1", "2", "3", "5", "7"]
    # Changing the vote starts from the total of the ballot cast.
    resident.get_by_role("button", name="Change your vote").click()
    expect(total).to_have_text("£148,000 of £150,000 chosen; £2,000 left")


def test_a_points_ballot_adds_up_the_points_given_as_they_are_typed(
    page: Page, check_accessibility: Callable[[Page], None]
):
    from commonweal.budgeting.demo import VOTING_ROUND
    from commonweal.budgeting.tests.budgeting_helpers import voting_round

    fund = BudgetRound.objects.get(name=VOTING_ROUND)
    points = voting_round(
        fund.place,
        User.objects.get(email=ADMINISTRATOR),
        name="Points for the park",
        ballot_kind="cumulative",
        points=10,
        max_projects=None,
    )
    sign_in(page, RESIDENT)
    page.goto(f"/participation/budgets/{points.pk}/vote/")
    total = page.get_by_role("status").filter(has_text="given")
    expect(total).to_have_text("0 of 10 points given; 10 left")
    page.get_by_label("Points for 1. Lit walking route in the park (£4,000)").fill("4")
    expect(total).to_have_text("4 of 10 points given; 6 left")
    page.get_by_label("Points for 2. Community fridge (£3,000)").fill("8")
    expect(total).to_have_text("12 of 10 points given; 2 too many. Take some away.")
    expect(page.locator('[data-module="cw-ballot-total"]')).to_have_class(
        re.compile(r"\bcw-ballot-total--over\b")
    )
    check_accessibility(page)
    page.get_by_label("Points for 2. Community fridge (£3,000)").fill("6")
    expect(total).to_have_text("10 of 10 points given; 0 left")
    page.get_by_role("button", name="Cast your vote").click()
    expect(page.get_by_text("Thank you: your vote is recorded.")).to_be_visible()
    assert points.ballots.get().choices() == {"1": 4, "2": 6}
