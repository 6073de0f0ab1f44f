"""The organiser's pages for an assembly, from setting it up to replacing a member who left."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonweal.assemblies.models import Assembly, Body, Invitation, Membership, Quota, Registration
from commonweal.assemblies.tests.conftest import SHARES_CSV, answers_for
from commonweal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_organiser_sets_up_an_assembly_in_their_neighbourhood(organiser, places):
    response = _client(organiser).post(
        "/participation/assemblies/new/",
        {
            "name": "North Trafford Health Assembly",
            "place": places.north.pk,
            "remit": "How should we spend the prevention budget?",
            "responsible_organisation": places.icb.pk,
            "panel_size": "24",
            "quota_features": ["age", "sex", "deprivation_quintile"],
            "people_per_letter": "2",
            "one_per_household": "on",
            "registration_closes_on": "2026-03-31",
        },
    )
    assembly = Assembly.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/participation/bodies/{assembly.pk}/"
    assert (assembly.body.name, assembly.body.place, assembly.panel_size) == (
        "North Trafford Health Assembly",
        places.north,
        24,
    )
    assert assembly.quota_features == ["age", "sex", "deprivation_quintile"]
    assert assembly.one_per_household is True
    assert assembly.stage == Assembly.Stage.SETTING_UP
    assert AuditEvent.objects.filter(action="participation.create_assembly", actor=organiser).count() == 1


def test_setting_up_an_assembly_with_bad_input_shows_each_problem_and_keeps_the_answers(organiser, places):
    response = _client(organiser).post(
        "/participation/assemblies/new/",
        {
            "name": "My assembly",
            "place": places.south.pk,
            "remit": "",
            "panel_size": "one",
            "quota_features": ["deprivation_decile", "deprivation_quintile"],
            "people_per_letter": "2",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose one of your places" in page
    assert "Enter the question the assembly will answer" in page
    assert "Enter the number of members as a whole number, like 30" in page
    assert "Choose deprivation by decile or by quintile, not both" in page
    assert 'value="My assembly"' in page
    assert Body.objects.count() == 0


def test_the_organiser_draws_invitations_and_gets_letters_and_a_mail_merge_file(organiser, make_assembly):
    assembly = make_assembly()
    client = _client(organiser)
    response = client.post(
        f"/participation/bodies/{assembly.pk}/invitations/",
        {"postcodes": "40", "letters_per_postcode": "2", "seed": "2026"},
    )
    assert response.status_code == 302
    assert Invitation.objects.filter(assembly=assembly).count() == 80
    assembly.refresh_from_db()
    assert assembly.stage == Assembly.Stage.RECRUITING
    page = client.get(f"/participation/bodies/{assembly.pk}/invitations/").content.decode()
    assert "Round 1: seed 2026, 40 postcodes, 2 letters each" in page
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(f"/participation/bodies/{assembly.pk}/invitations.csv").content.decode())
        )
    )
    assert len(rows) == 80
    first = (
        Invitation.objects.filter(assembly=assembly).order_by("postcode__postcode", "letter_number").first()
    )
    assert rows[0]["code"] == first.display_code
    assert rows[0]["postcode"] == first.postcode.postcode
    assert rows[0]["register_at"] == f"http://testserver/participation/assemblies/{assembly.pk}/register/"
    letters = client.get(f"/participation/bodies/{assembly.pk}/letters/").content.decode()
    assert letters.count('class="cw-letter"') == 80
    assert first.display_code in letters
    # The print rules (one letter per A4 page) live in the letters' own stylesheet: the
    # Content-Security-Policy refuses an inline <style>.
    stylesheet = re.search(
        r'<link rel="stylesheet" href="(/static/ui/build/css/letters\.[0-9a-f]+\.css)">', letters
    )
    assert stylesheet is not None
    printed = Path(finders.find("ui/build/css/letters.css")).read_text()
    assert "@media print" in printed and "break-after: page" in printed and "size: A4" in printed


def test_drawing_more_postcodes_than_the_place_has_is_refused_with_the_count(organiser, make_assembly):
    assembly = make_assembly()
    response = _client(organiser).post(
        f"/participation/bodies/{assembly.pk}/invitations/",
        {"postcodes": "100000", "letters_per_postcode": "1"},
    )
    frame = Invitation.objects.none()
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cannot draw 100000 postcodes: the place has only" in page
    assert 'value="100000"' in page
    assert frame.count() == 0
    assert Invitation.objects.count() == 0


def test_an_invited_resident_registers_with_the_code_on_their_letter(organiser, make_assembly, fill_pool):
    assembly = make_assembly()
    fill_pool(assembly, 1)
    invitation = Invitation.objects.filter(assembly=assembly).first()
    response = Client().post(
        f"/participation/assemblies/{assembly.pk}/register/",
        {
            "code": invitation.display_code.lower(),
            "postcode": invitation.postcode.postcode.replace(" ", "").lower(),
            "full_name": "Ada Volunteer",
            "email": "",
            "phone": "0161 496 0000",
            **answers_for(5),
            "consent": "on",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(full_name="Ada Volunteer")
    assert registration.number == 2
    assert registration.invitation == invitation
    assert registration.deprivation_decile == invitation.postcode.lsoa.imd_decile
    assert registration.privacy_notice_version == "2026-01"
    page = Client().get(response["Location"])
    assert page.status_code == 200


def test_a_wrong_code_or_postcode_is_explained_and_what_was_typed_is_kept(make_assembly, fill_pool):
    assembly = make_assembly()
    fill_pool(assembly, 1)
    invitation = Invitation.objects.filter(assembly=assembly).first()
    data = {
        "code": "ZZZZ-ZZZZ",
        "postcode": invitation.postcode.postcode,
        "full_name": "Ada Volunteer",
        "email": "ada@example.org",
        **answers_for(5),
        "consent": "on",
    }
    before = Registration.objects.count()
    response = Client().post(f"/participation/assemblies/{assembly.pk}/register/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "We cannot find this code. Enter the 8 letters and numbers printed on your letter" in page
    assert 'value="Ada Volunteer"' in page
    response = Client().post(
        f"/participation/assemblies/{assembly.pk}/register/",
        {**data, "code": invitation.code, "postcode": "M1 1AA"},
    )
    assert "This postcode does not match the letter with this code." in response.content.decode()
    response = Client().post(
        f"/participation/assemblies/{assembly.pk}/register/", {**data, "code": invitation.code, "consent": ""}
    )
    assert (
        "Tick the box to agree to us keeping your answers, or you cannot register"
        in response.content.decode()
    )
    assert Registration.objects.count() == before


def test_quotas_come_from_an_uploaded_table_with_the_rounding_stated(organiser, make_assembly, fill_pool):
    assembly = make_assembly()
    client = _client(organiser)
    upload = SimpleUploadedFile("trafford-shares.csv", SHARES_CSV.encode(), content_type="text/csv")
    response = client.post(
        f"/participation/bodies/{assembly.pk}/quotas/", {"table": upload, "tolerance_seats": "0"}
    )
    assert response.status_code == 302
    quotas = {(quota.feature, quota.value): (quota.minimum, quota.maximum) for quota in Quota.objects.all()}
    assert quotas[("sex", "female")] == (3, 3)
    assert quotas[("disability", "yes")] == (1, 2)
    assert quotas[("age", "75+")] == (0, 1)
    page = client.get(f"/participation/bodies/{assembly.pk}/quotas/").content.decode()
    assert "The minimum is that number rounded down and the maximum is it rounded up" in page
    assert "Quotas from trafford-shares.csv, tolerance 0 seats" in page


def test_a_shares_table_that_does_not_add_up_is_refused_with_the_feature_named(organiser, make_assembly):
    assembly = make_assembly()
    table = SHARES_CSV.replace("sex,male,0.5", "sex,male,0.45")
    upload = SimpleUploadedFile("shares.csv", table.encode(), content_type="text/csv")
    response = _client(organiser).post(
        f"/participation/bodies/{assembly.pk}/quotas/", {"table": upload, "tolerance_seats": "0"}
    )
    assert response.status_code == 400
    assert "The shares of sex add up to 0.95, not 1." in response.content.decode()
    assert Quota.objects.count() == 0


def test_a_shares_table_naming_an_unknown_value_is_refused(organiser, make_assembly):
    assembly = make_assembly()
    table = SHARES_CSV.replace("sex,male,0.5", "sex,other,0.5")
    upload = SimpleUploadedFile("shares.csv", table.encode(), content_type="text/csv")
    response = _client(organiser).post(
        f"/participation/bodies/{assembly.pk}/quotas/", {"table": upload, "tolerance_seats": "0"}
    )
    assert response.status_code == 400
    assert "Row 10: &#x27;other&#x27; is not a value of Sex (Female, Male)." in response.content.decode()
    assert Quota.objects.count() == 0


def test_the_panel_is_selected_with_the_seed_and_meets_every_quota(
    organiser, closed_pool, django_capture_on_commit_callbacks
):
    client = _client(organiser)
    # The action queues the selection once its transaction commits; the test runs the queued task.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/participation/bodies/{closed_pool.pk}/selection/", {"method": "leximin", "seed": "20260314"}
        )
    assert response.status_code == 302
    closed_pool.refresh_from_db()
    selection = closed_pool.selection
    assert (selection.method, selection.seed, selection.pool_size, selection.panel_size) == (
        "leximin",
        20260314,
        30,
        6,
    )
    assert closed_pool.stage == Assembly.Stage.SELECTED
    members = Membership.objects.filter(body_id=closed_pool.pk)
    assert members.count() == 6
    chosen = [member.registration for member in members]
    assert sum(1 for entry in chosen if entry.sex == "female") == 3
    assert 1 <= sum(1 for entry in chosen if entry.disability == "yes") <= 2
    probabilities = selection.probabilities.all()
    assert probabilities.count() == 30
    assert sum(entry.probability for entry in probabilities) == pytest.approx(6.0, abs=1e-6)
    assert {entry.registration_id for entry in probabilities if entry.selected} == {
        entry.pk for entry in chosen
    }
    page = client.get(response["Location"]).content.decode()
    assert "20260314" in page
    assert "Publish the selection" in page
    # The same seed on the published lottery draws the same panel.
    from commonweal.assemblies.core.selection import PanelDistribution, PanelTemplate, draw_panel

    lottery = selection.distribution
    distribution = PanelDistribution(
        groups=tuple(tuple(str(number) for number in group) for group in lottery["groups"]),
        templates=tuple(
            PanelTemplate(entry["probability"], tuple(entry["seats"])) for entry in lottery["templates"]
        ),
    )
    redrawn = draw_panel(distribution, 20260314)
    assert sorted(int(number) for number in redrawn.volunteer_ids) == sorted(entry.number for entry in chosen)


def test_a_selection_is_never_re_run(organiser, closed_pool, django_capture_on_commit_callbacks):
    client = _client(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/participation/bodies/{closed_pool.pk}/selection/", {"method": "leximin", "seed": "1"})
    before = list(Membership.objects.values_list("registration_id", flat=True))
    response = client.post(
        f"/participation/bodies/{closed_pool.pk}/selection/", {"method": "leximin", "seed": "2"}
    )
    assert response.status_code == 400
    assert "The panel has already been selected; a selection is never re-run." in response.content.decode()
    assert list(Membership.objects.values_list("registration_id", flat=True)) == before


def test_quotas_no_panel_can_meet_are_named_before_and_after_asking_for_a_selection(
    organiser, closed_pool, django_capture_on_commit_callbacks
):
    from commonweal.assemblies import actions

    # Ages cycle through the seven bands, so 4 of the 30 volunteers are 75 or over; ask for 5.
    quota = Quota.objects.get(assembly=closed_pool, feature="age", value="75+")
    actions.change_quota(quota=quota, minimum=5, maximum=5, by=organiser)
    client = _client(organiser)
    page = client.get(f"/participation/bodies/{closed_pool.pk}/selection/").content.decode()
    assert "No panel from this pool can meet every quota" in page
    assert "Age band = 75 or over: lower the minimum from 5 to 4 (short by 1)" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/participation/bodies/{closed_pool.pk}/selection/", {"method": "leximin", "seed": "5"}
        )
    assert response.status_code == 302
    page = client.get(f"/participation/bodies/{closed_pool.pk}/selection/").content.decode()
    assert "The last selection could not be made" in page
    assert "Seed 5, asked for" in page
    assert "Age band = 75 or over: lower the minimum from 5 to 4 (short by 1)" in page
    closed_pool.refresh_from_db()
    assert closed_pool.stage == Assembly.Stage.POOL_CLOSED
    assert Membership.objects.count() == 0


def test_the_transparency_page_shows_the_selection_only_once_it_is_published(organiser, selected):
    visitor = Client()
    page = visitor.get(f"/participation/assemblies/{selected.pk}/").content.decode()
    assert "Quotas, the pool and the panel" in page
    assert "Every volunteer's chance of selection" not in page
    assert visitor.get(f"/participation/assemblies/{selected.pk}/lottery.json").status_code == 404
    response = _client(organiser).post(f"/participation/bodies/{selected.pk}/selection/publish/")
    assert response["Location"] == f"/participation/assemblies/{selected.pk}/"
    selected.refresh_from_db()
    assert selected.stage == Assembly.Stage.PUBLISHED
    page = visitor.get(f"/participation/assemblies/{selected.pk}/").content.decode()
    assert "Every volunteer's chance of selection (30 volunteers)" in page
    probabilities = selected.selection.probabilities.select_related("registration")
    some = probabilities.first()
    assert f"{some.probability * 100:.2f}%" in page
    assert "Volunteer Person" not in page  # names are never published
    lottery = visitor.get(f"/participation/assemblies/{selected.pk}/lottery.json").json()
    assert lottery["seed"] == 99
    assert lottery["panel"] == sorted(entry.registration.number for entry in probabilities if entry.selected)
    assert sum(template["probability"] for template in lottery["distribution"]["templates"]) == pytest.approx(
        1.0
    )


def test_a_member_who_drops_out_is_replaced_within_the_quotas(organiser, selected):
    client = _client(organiser)
    leaving = Membership.objects.filter(body_id=selected.pk).order_by("registration__number").first()
    response = client.post(
        f"/participation/bodies/{selected.pk}/members/{leaving.pk}/leave/",
        {f"leave-{leaving.pk}-left_on": "2099-01-01", f"leave-{leaving.pk}-reason": "Moved away"},
    )
    assert response["Location"] == f"/participation/bodies/{selected.pk}/panel/"
    leaving.refresh_from_db()
    assert leaving.left_on.isoformat() == "2099-01-01"
    page = client.get(f"/participation/bodies/{selected.pk}/panel/").content.decode()
    assert f"1 seat to fill: volunteer {leaving.registration.number}" in page
    response = client.post(f"/participation/bodies/{selected.pk}/panel/", {"seed": "4242"})
    assert response.status_code == 302
    replacement = selected.replacements.get()
    assert (replacement.seed, replacement.dropped) == (4242, [leaving.registration.number])
    newcomer = Membership.objects.get(body_id=selected.pk, route=Membership.Route.REPLACEMENT)
    assert replacement.drawn == [newcomer.registration.number]
    panel = [
        member.registration for member in Membership.objects.filter(body_id=selected.pk, left_on__isnull=True)
    ]
    assert len(panel) == 6
    assert sum(1 for entry in panel if entry.sex == "female") == 3
    assert 4 <= sum(1 for entry in panel if entry.disability == "no") <= 5
    assert leaving.registration not in panel
    # A second draw with nobody waiting is refused, and changes nothing.
    response = client.post(f"/participation/bodies/{selected.pk}/panel/", {"seed": "1"})
    assert response.status_code == 400
    assert "No member has left since the last replacement draw." in response.content.decode()
    assert selected.replacements.count() == 1


def test_a_leaving_date_that_is_not_a_date_is_explained(organiser, selected):
    member = Membership.objects.filter(body_id=selected.pk).first()
    response = _client(organiser).post(
        f"/participation/bodies/{selected.pk}/members/{member.pk}/leave/",
        {f"leave-{member.pk}-left_on": "last week"},
        follow=True,
    )
    assert "Enter a real date, for example 2026-03-31" in response.content.decode()
    member.refresh_from_db()
    assert member.left_on is None


def test_registration_cannot_close_with_fewer_volunteers_than_seats(organiser, make_assembly, fill_pool):
    assembly = make_assembly()
    fill_pool(assembly, 4)
    response = _client(organiser).post(f"/participation/bodies/{assembly.pk}/pool/", follow=True)
    assert "Only 4 people have registered, fewer than the panel&#x27;s 6 seats." in response.content.decode()
    assembly.refresh_from_db()
    assert assembly.stage == Assembly.Stage.RECRUITING


def test_an_organiser_closes_registration_and_then_nobody_can_register(organiser, make_assembly, fill_pool):
    assembly = make_assembly()
    fill_pool(assembly, 8)
    client = _client(organiser)
    page = client.get(f"/participation/bodies/{assembly.pk}/pool/").content.decode()
    assert "Volunteer Person 7" in page
    client.post(f"/participation/bodies/{assembly.pk}/pool/")
    assembly.refresh_from_db()
    assert assembly.stage == Assembly.Stage.POOL_CLOSED
    invitation = Invitation.objects.filter(assembly=assembly).last()
    response = Client().post(
        f"/participation/assemblies/{assembly.pk}/register/",
        {
            "code": invitation.code,
            "postcode": invitation.postcode.postcode,
            "full_name": "Late Comer",
            "email": "late@example.org",
            **answers_for(1),
            "consent": "on",
        },
    )
    assert response.status_code == 400
    assert "Registration for this assembly is closed." in response.content.decode()
    assert not Registration.objects.filter(full_name="Late Comer").exists()


def test_a_volunteer_who_asks_to_leave_the_pool_is_withdrawn(organiser, make_assembly, fill_pool):
    assembly = make_assembly()
    registrations = fill_pool(assembly, 3)
    response = _client(organiser).post(
        f"/participation/bodies/{assembly.pk}/pool/{registrations[0].number}/withdraw/", {"reason": "Busy"}
    )
    assert response.status_code == 302
    registrations[0].refresh_from_db()
    assert registrations[0].withdrawn_at is not None
    assert registrations[0].withdrawal_reason == "Busy"
