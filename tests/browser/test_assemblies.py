"""A citizens' assembly from start to finish in a real browser, with an accessibility scan of each page:
an organiser sets it up and sends invitations, residents volunteer with the code on their letter, the
quotas are set, the panel is selected and published, a member drops out and is replaced, and a
recommendation gets a response that appears on "you said, we did"."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from commonweal.assemblies.models import Assembly, Membership, Registration
from tests.browser.conftest import click_menu_link, sign_in

ORGANISER = "organiser@demo.commonweal.invalid"
ASSEMBLY = "Gorse Hill Park Assembly"
VOLUNTEERS = 8


def _volunteer(
    page: Page,
    check_accessibility: Callable[[Page], None],
    register_url: str,
    index: int,
    letter: tuple[str, str],
) -> None:
    """One resident registers with the code and postcode printed on their letter."""
    code, postcode = letter
    page.goto(register_url)
    if index == 0:
        check_accessibility(page)
    page.get_by_label("The code on your letter").fill(code)
    page.get_by_label("The postcode the letter was sent to").fill(postcode.lower().replace(" ", ""))
    page.get_by_label("Your full name").fill(f"Volunteer {'ABCDEFGH'[index]} Parkside")
    page.get_by_label("E-mail address").fill(f"volunteer{index}@example.invalid")
    page.get_by_label("45 to 54" if index % 2 else "25 to 34").check()
    page.get_by_label("Female" if index % 2 else "Male", exact=True).check()
    page.get_by_label("White", exact=True).check()
    page.get_by_label("Yes, limited a lot or a little" if index % 4 == 0 else "No", exact=True).check()
    page.get_by_label("I agree that Commonweal keeps my answers").check()
    page.get_by_role("button", name="Volunteer").click()
    expect(page.get_by_text("Thank you for volunteering. Your volunteer number is")).to_be_visible()


def test_an_assembly_is_recruited_selected_published_topped_up_and_answered(
    new_page: Callable[[], Page], check_accessibility: Callable[[Page], None], tmp_path: Path
):
    organiser = new_page()
    sign_in(organiser, ORGANISER)
    click_menu_link(organiser, "Assemblies")
    check_accessibility(organiser)

    # Set up the assembly.
    organiser.get_by_role("button", name="Set up an assembly").click()
    organiser.get_by_role("button", name="Set up the assembly").click()
    expect(organiser.get_by_text("Enter the assembly's name").first).to_be_visible()
    check_accessibility(organiser)
    organiser.get_by_label("Name").fill(ASSEMBLY)
    organiser.get_by_label("Place").select_option(label="Old Trafford and Gorse Hill (neighbourhood)")
    organiser.get_by_label("The question it will answer").fill(
        "How should Gorse Hill Park help people stay well?"
    )
    organiser.get_by_label("Number of members (panel size)").fill("4")
    organiser.get_by_label("Sex", exact=True).check()
    organiser.get_by_label("Disability", exact=True).check()
    organiser.get_by_role("button", name="Set up the assembly").click()
    expect(organiser.get_by_role("heading", name=ASSEMBLY)).to_be_visible()
    check_accessibility(organiser)
    assembly = Assembly.objects.get(body__name=ASSEMBLY)

    # Send the invitations, and read the codes off the printable letters.
    organiser.get_by_role("link", name="Send invitations").click()
    organiser.get_by_label("Postcodes to draw").fill("30")
    organiser.get_by_label("Seed of the lottery (optional)").fill("7")
    organiser.get_by_role("button", name="Draw the invitations").click()
    expect(organiser.get_by_text("Round 1: 30 letters to 30 postcodes, seed 7.")).to_be_visible()
    check_accessibility(organiser)
    organiser.get_by_role("link", name="Print the letters").click()
    check_accessibility(organiser)
    letters = organiser.locator("article.cw-letter")
    expect(letters).to_have_count(30)
    printed = []
    for position in range(VOLUNTEERS):
        letter = letters.nth(position)
        postcode = letter.locator(".cw-letter__address p").inner_text().splitlines()[-1].strip()
        printed.append((letter.locator(".cw-letter__code").inner_text().strip(), postcode))

    # Residents volunteer with their letters.
    register_url = f"/participation/assemblies/{assembly.pk}/register/"
    for index in range(VOLUNTEERS):
        _volunteer(new_page(), check_accessibility, register_url, index, printed[index])
    assert Registration.objects.filter(assembly=assembly).count() == VOLUNTEERS

    # Quotas from a table of population shares.
    shares = tmp_path / "gorse-hill-shares.csv"
    shares.write_text(
        "feature,value,share\nsex,female,0.5\nsex,male,0.5\ndisability,yes,25%\ndisability,no,75%\n"
    )
    organiser.goto(f"/participation/bodies/{assembly.pk}/quotas/")
    organiser.get_by_label("Population shares (a CSV file)").set_input_files(str(shares))
    organiser.get_by_role("button", name="Set the quotas").click()
    expect(organiser.get_by_text("Quotas set from gorse-hill-shares.csv.")).to_be_visible()
    expect(
        organiser.get_by_text("Feasibility check: at least one panel from this pool meets every quota.")
    ).to_be_visible()
    check_accessibility(organiser)

    # Close registration, select and publish.
    organiser.goto(f"/participation/bodies/{assembly.pk}/pool/")
    check_accessibility(organiser)
    organiser.get_by_role("button", name="Close registration").click()
    expect(
        organiser.get_by_text("Registration closed. Next, set the quotas and select the panel.")
    ).to_be_visible()
    organiser.goto(f"/participation/bodies/{assembly.pk}/selection/")
    check_accessibility(organiser)
    organiser.get_by_label("Seed of the draw (optional)").fill("2026")
    organiser.get_by_role("button", name="Select the panel").click()
    expect(organiser.get_by_text("Seed", exact=True)).to_be_visible()
    expect(organiser.get_by_role("button", name="Publish the selection")).to_be_visible()
    check_accessibility(organiser)
    organiser.get_by_role("button", name="Publish the selection").click()
    expect(organiser.get_by_text("The selection is published on the assembly's public page.")).to_be_visible()
    expect(organiser.get_by_text("2026", exact=True)).to_be_visible()
    organiser.get_by_text("Every volunteer's chance of selection").click()
    expect(organiser.get_by_role("cell", name="50.00%").first).to_be_visible()
    check_accessibility(organiser)
    panel = Membership.objects.filter(body_id=assembly.pk)
    chosen = [member.registration for member in panel]
    assert len(chosen) == 4
    assert sorted(entry.sex for entry in chosen) == ["female", "female", "male", "male"]
    assert sorted(entry.disability for entry in chosen) == ["no", "no", "no", "yes"]

    # A member drops out and is replaced.
    leaving = panel.order_by("registration__number").first()
    organiser.goto(f"/participation/bodies/{assembly.pk}/panel/")
    check_accessibility(organiser)
    organiser.get_by_text(f"{leaving.full_name} has left the panel").click()
    organiser.locator(f"#id_leave-{leaving.pk}-left_on").fill(datetime.date.today().isoformat())
    organiser.locator(f"#id_leave-{leaving.pk}-reason").fill("Started a new job on Thursdays")
    organiser.get_by_role("button", name="Record that they have left").first.click()
    expect(organiser.get_by_text(f"{leaving.full_name} has left. Draw a replacement below.")).to_be_visible()
    organiser.get_by_label("Seed of the replacement draw (optional)").fill("99")
    organiser.get_by_role("button", name="Draw replacements").click()
    expect(
        organiser.get_by_text(re.compile(r"Replacements drawn with seed 99: volunteer \d+\."))
    ).to_be_visible()
    check_accessibility(organiser)
    seated = [
        member.registration for member in Membership.objects.filter(body_id=assembly.pk, left_on__isnull=True)
    ]
    assert len(seated) == 4
    assert leaving.registration not in seated
    assert sorted(entry.sex for entry in seated) == ["female", "female", "male", "male"]
    assert sorted(entry.disability for entry in seated) == ["no", "no", "no", "yes"]

    # A recommendation, and the response to it.
    organiser.goto(f"/participation/bodies/{assembly.pk}/")
    organiser.get_by_role("link", name="Record a recommendation").click()
    organiser.get_by_label("Title").fill("Open the park café all year")
    organiser.get_by_label("The recommendation in full").fill("Keep the café open in winter as a warm space.")
    organiser.get_by_label("Agreed on").fill(datetime.date.today().isoformat())
    organiser.get_by_role("button", name="Record the recommendation").click()
    expect(organiser.get_by_text(re.compile(r"Recommendation 1 recorded"))).to_be_visible()
    check_accessibility(organiser)
    organiser.get_by_label("Accepted", exact=True).check()
    organiser.get_by_label("Reasons, in the organisation's words (published)").fill(
        "The council will fund winter opening from November."
    )
    organiser.get_by_label("Who responded, and their role").fill("Cal Oakthwaite, Head of Population Health")
    organiser.get_by_label("Date of the response").fill(datetime.date.today().isoformat())
    organiser.get_by_role("button", name="Record the response").click()
    expect(organiser.get_by_text("Response recorded: accepted.")).to_be_visible()

    # It appears on "you said, we did" for the place, for anyone.
    visitor = new_page()
    visitor.goto("/participation/you-said-we-did/")
    check_accessibility(visitor)
    visitor.get_by_role("link", name="Old Trafford and Gorse Hill").click()
    expect(
        visitor.get_by_role("heading", name="You said, we did: Old Trafford and Gorse Hill")
    ).to_be_visible()
    row = visitor.get_by_role("row").filter(has_text="Open the park café all year")
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("The council will fund winter opening from November.")
    check_accessibility(visitor)


def test_every_other_assembly_and_steering_group_page_is_accessible(
    page: Page, check_accessibility: Callable[[Page], None]
):
    from commonweal.assemblies.models import Body, Quota

    assembly = Assembly.objects.get(body__name="Old Trafford and Gorse Hill Health Assembly")
    group = Body.objects.get(kind=Body.Kind.STEERING_GROUP)
    session = group.sessions.get()
    recommendation = group.recommendations.get()
    quota = Quota.objects.filter(assembly=assembly).first()
    public = [
        f"/participation/assemblies/{assembly.pk}/",
        f"/participation/assemblies/{assembly.pk}/privacy/",
        f"/participation/steering-groups/{group.pk}/",
        f"/participation/bodies/{group.pk}/sessions/{session.pk}/notes/",
    ]
    for path in public:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(page)
    sign_in(page, ORGANISER)
    for path in [
        f"/participation/bodies/{group.pk}/",
        f"/participation/bodies/{group.pk}/members/",
        f"/participation/bodies/{group.pk}/sessions/new/",
        f"/participation/bodies/{group.pk}/sessions/{session.pk}/",
        f"/participation/bodies/{group.pk}/recommendations/new/",
        f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/",
        f"/participation/bodies/{assembly.pk}/quotas/{quota.pk}/",
        f"/participation/bodies/{assembly.pk}/panel/",
        f"/participation/bodies/{assembly.pk}/selection/",
        "/participation/steering-groups/new/",
    ]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        check_accessibility(page)
    # The details that hide the long tables and forms are scanned open, too.
    page.goto(f"/participation/bodies/{group.pk}/recommendations/{recommendation.pk}/")
    page.get_by_text("Record each member's vote").click()
    check_accessibility(page)
    page.goto(f"/participation/assemblies/{assembly.pk}/")
    page.get_by_text("Every volunteer's chance of selection").click()
    expect(page.get_by_role("columnheader", name="Chance of selection")).to_be_visible()
    check_accessibility(page)
