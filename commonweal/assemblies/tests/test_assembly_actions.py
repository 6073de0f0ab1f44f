"""The assembly actions' rules that the pages rely on: letters, households, withdrawals, quotas and the
background selection."""

from __future__ import annotations

import csv
import datetime
import io
import random

import pytest
from django.test import Client
from django.utils import timezone

from commonweal.assemblies import actions
from commonweal.assemblies.actions import AssemblyError
from commonweal.assemblies.models import (
    Assembly,
    Invitation,
    Membership,
    Quota,
    Registration,
    SelectionRequest,
)
from commonweal.assemblies.tests.conftest import SHARES_CSV, answers_for, share_rows

pytestmark = pytest.mark.django_db


def _register(assembly, invitation, index, **changes):
    values = {
        "assembly": assembly,
        "code": invitation.code,
        "postcode": invitation.postcode.postcode,
        "full_name": f"Housemate {index}",
        "email": f"housemate{index}@example.org",
        "phone": "",
        "answers": answers_for(index),
        "consent": True,
    }
    values.update(changes)
    return actions.register_volunteer(**values)


def test_a_letter_lets_only_as_many_people_register_as_the_assembly_allows(organiser, make_assembly):
    assembly = make_assembly(people_per_letter=2)
    actions.draw_invitations(
        assembly=assembly,
        postcodes=1,
        letters_per_postcode=1,
        seed=1,
        by=organiser,
        code_source=random.Random(1),
    )
    invitation = Invitation.objects.get(assembly=assembly)
    _register(assembly, invitation, 1)
    _register(assembly, invitation, 2)
    with pytest.raises(AssemblyError) as caught:
        _register(assembly, invitation, 3)
    assert str(caught.value) == "2 people have already registered with this letter, the most it allows."
    assert caught.value.field == "code"
    assert Registration.objects.count() == 2


def test_two_people_from_one_letter_never_both_sit_on_the_panel(organiser, make_assembly):
    assembly = make_assembly(people_per_letter=2, panel_size=6)
    mailing = actions.draw_invitations(
        assembly=assembly,
        postcodes=15,
        letters_per_postcode=1,
        seed=3,
        by=organiser,
        code_source=random.Random(3),
    )
    index = 0
    for invitation in mailing.invitations.order_by("pk"):
        for _ in range(2):
            _register(assembly, invitation, index)
            index += 1
    actions.set_quotas(
        assembly=assembly, rows=share_rows(), tolerance_seats=1, source_name="t.csv", by=organiser
    )
    actions.close_registration(assembly=assembly, by=organiser)
    queued = actions.request_selection(assembly=assembly, method="leximin", seed=8, by=organiser)
    assert actions.carry_out_selection(request_id=queued.pk).status == SelectionRequest.Status.DONE
    letters = list(
        Membership.objects.filter(body_id=assembly.pk).values_list("registration__invitation_id", flat=True)
    )
    assert len(letters) == 6
    assert len(set(letters)) == 6
    lottery = Assembly.objects.get(pk=assembly.pk).selection.distribution
    # Housemates are never merged into one group of interchangeable people.
    by_letter = dict(Registration.objects.filter(assembly=assembly).values_list("number", "invitation_id"))
    for group in lottery["groups"]:
        assert len(group) == 1 or len({by_letter[number] for number in group}) == len(group)


def test_a_panel_member_cannot_withdraw_from_the_pool_but_leaves_the_panel_instead(organiser, selected):
    seated = Membership.objects.filter(body_id=selected.pk).first().registration
    with pytest.raises(AssemblyError) as caught:
        actions.withdraw_registration(registration=seated, reason="", by=organiser)
    assert str(caught.value) == (
        f"Volunteer {seated.number} is on the panel: record that they have left the panel instead."
    )
    seated.refresh_from_db()
    assert seated.withdrawn_at is None


def test_withdrawn_volunteers_are_left_out_of_the_selection(organiser, make_assembly, fill_pool):
    assembly = make_assembly()
    volunteers = fill_pool(assembly, 20)
    for registration in volunteers[:5]:
        actions.withdraw_registration(registration=registration, reason="", by=organiser)
    actions.set_quotas(
        assembly=assembly, rows=share_rows(), tolerance_seats=1, source_name="t.csv", by=organiser
    )
    actions.close_registration(assembly=assembly, by=organiser)
    queued = actions.request_selection(assembly=assembly, method="maximin", seed=8, by=organiser)
    actions.carry_out_selection(request_id=queued.pk)
    selection = Assembly.objects.get(pk=assembly.pk).selection
    assert selection.pool_size == 15
    assert set(selection.probabilities.values_list("registration_id", flat=True)) == {
        registration.pk for registration in volunteers[5:]
    }


def test_values_and_features_may_be_named_by_their_words_in_the_shares_table(organiser, make_assembly):
    assembly = make_assembly()
    table = (
        SHARES_CSV.replace("sex,female,0.5", "Sex,Female,50%")
        .replace("disability,yes,0.2", 'Disability,"Yes, limited a lot or a little",0.2')
        .replace("age,75+,", "Age band,75 or over,")
    )
    rows = list(csv.DictReader(io.StringIO(table)))
    actions.set_quotas(assembly=assembly, rows=rows, tolerance_seats=0, source_name="t.csv", by=organiser)
    assert Quota.objects.get(assembly=assembly, feature="sex", value="female").population_share == 0.5
    assert Quota.objects.get(assembly=assembly, feature="disability", value="yes").maximum == 2
    assert Quota.objects.get(assembly=assembly, feature="age", value="75+").population_share == 0.13


def test_a_table_missing_a_feature_is_refused_with_the_feature_named(organiser, make_assembly):
    assembly = make_assembly()
    rows = [row for row in share_rows() if row["feature"] != "disability"]
    with pytest.raises(AssemblyError) as caught:
        actions.set_quotas(assembly=assembly, rows=rows, tolerance_seats=0, source_name="t.csv", by=organiser)
    assert str(caught.value) == "The table has no shares for Disability."


def test_the_quota_template_lists_every_feature_and_value_of_the_assembly(organiser, make_assembly):
    assembly = make_assembly(quota_features=["sex", "deprivation_quintile"])
    client = Client()
    client.force_login(organiser)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/participation/bodies/{assembly.pk}/quotas/template.csv").content.decode()
            )
        )
    )
    assert rows == [
        ["feature", "value", "share"],
        ["sex", "female", ""],
        ["sex", "male", ""],
        ["deprivation_quintile", "1", ""],
        ["deprivation_quintile", "2", ""],
        ["deprivation_quintile", "3", ""],
        ["deprivation_quintile", "4", ""],
        ["deprivation_quintile", "5", ""],
        ["deprivation_quintile", "unknown", ""],
    ]


def test_a_quota_changed_by_hand_needs_its_minimum_below_its_maximum(organiser, closed_pool):
    quota = Quota.objects.filter(assembly=closed_pool).first()
    client = Client()
    client.force_login(organiser)
    response = client.post(
        f"/participation/bodies/{closed_pool.pk}/quotas/{quota.pk}/", {"minimum": "3", "maximum": "1"}
    )
    assert response.status_code == 400
    assert "The maximum must be at least the minimum" in response.content.decode()
    response = client.post(
        f"/participation/bodies/{closed_pool.pk}/quotas/{quota.pk}/", {"minimum": "0", "maximum": "9"}
    )
    assert response.status_code == 400
    assert "Quotas need 0 ≤ minimum ≤ maximum ≤ 6 (the panel size)." in response.content.decode()
    before = (quota.minimum, quota.maximum)
    quota.refresh_from_db()
    assert (quota.minimum, quota.maximum) == before


def test_a_second_selection_cannot_be_asked_for_while_one_is_running(organiser, closed_pool):
    actions.request_selection(assembly=closed_pool, method="leximin", seed=1, by=organiser)
    with pytest.raises(AssemblyError) as caught:
        actions.request_selection(assembly=closed_pool, method="leximin", seed=2, by=organiser)
    assert str(caught.value) == "The selection is already running. Wait for it to finish."
    assert SelectionRequest.objects.count() == 1


def test_a_selection_pending_for_over_30_minutes_is_given_up_and_another_may_start(organiser, closed_pool):
    stuck = actions.request_selection(assembly=closed_pool, method="leximin", seed=1, by=organiser)
    SelectionRequest.objects.filter(pk=stuck.pk).update(
        status=SelectionRequest.Status.RUNNING, requested_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    fresh = actions.request_selection(assembly=closed_pool, method="leximin", seed=2, by=organiser)
    stuck.refresh_from_db()
    assert stuck.status == SelectionRequest.Status.FAILED
    assert (
        stuck.error
        == "It did not finish within 30 minutes, so the worker probably stopped. Nothing was saved."
    )
    assert fresh.status == SelectionRequest.Status.QUEUED


def test_an_unexpected_failure_is_recorded_and_nothing_is_saved(organiser, closed_pool, monkeypatch):
    queued = actions.request_selection(assembly=closed_pool, method="leximin", seed=1, by=organiser)

    def broken(*args, **kwargs):
        raise ArithmeticError("solver exploded")

    monkeypatch.setattr(actions.sortition, "select", broken)
    with pytest.raises(ArithmeticError):
        actions.carry_out_selection(request_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == SelectionRequest.Status.FAILED
    assert queued.error == "Something went wrong on our side while selecting; nothing was saved. Try again."
    assert Membership.objects.count() == 0
    assert Assembly.objects.get(pk=closed_pool.pk).stage == Assembly.Stage.POOL_CLOSED


def test_a_selection_asked_for_with_a_panel_larger_than_the_pool_is_refused_at_once(
    organiser, make_assembly, fill_pool
):
    assembly = make_assembly(panel_size=6)
    volunteers = fill_pool(assembly, 6)
    actions.set_quotas(
        assembly=assembly, rows=share_rows(), tolerance_seats=1, source_name="t.csv", by=organiser
    )
    actions.close_registration(assembly=assembly, by=organiser)
    actions.withdraw_registration(registration=volunteers[0], reason="", by=organiser)
    with pytest.raises(AssemblyError) as caught:
        actions.request_selection(assembly=assembly, method="leximin", seed=1, by=organiser)
    assert str(caught.value) == "The panel size (6) is larger than the pool (5)."
    assert SelectionRequest.objects.count() == 0


def test_while_the_selection_waits_the_page_says_so_and_offers_no_second_run(organiser, closed_pool):
    actions.request_selection(assembly=closed_pool, method="leximin", seed=31, by=organiser)
    client = Client()
    client.force_login(organiser)
    page = client.get(f"/participation/bodies/{closed_pool.pk}/selection/").content.decode()
    assert "The selection is waiting to start: LEXIMIN" in page
    assert "seed 31" in page
    assert "Check again" in page
    assert "Select the panel</button>" not in page


def _selection_page(organiser, assembly):
    client = Client()
    client.force_login(organiser)
    return client.get(f"/participation/bodies/{assembly.pk}/selection/")


def test_while_the_selection_waits_the_page_refreshes_itself_and_says_how_long_ago_it_was_asked_for(
    organiser, closed_pool
):
    queued = actions.request_selection(assembly=closed_pool, method="leximin", seed=31, by=organiser)
    SelectionRequest.objects.filter(pk=queued.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=3, seconds=10)
    )
    response = _selection_page(organiser, closed_pool)
    assert response["Refresh"] == "5"
    page = response.content.decode()
    assert (
        "Asked for 3 minutes ago; waiting for the background worker to start it. "
        "This page checks again every 5 seconds until the panel is selected."
    ) in page
    assert f'<a href="/participation/bodies/{closed_pool.pk}/selection/">Check again</a>' in page


def test_while_the_selection_runs_the_page_refreshes_itself_and_says_when_it_started(organiser, closed_pool):
    queued = actions.request_selection(assembly=closed_pool, method="leximin", seed=31, by=organiser)
    now = timezone.now()
    SelectionRequest.objects.filter(pk=queued.pk).update(
        status=SelectionRequest.Status.RUNNING,
        requested_at=now - datetime.timedelta(minutes=5),
        started_at=now - datetime.timedelta(minutes=2, seconds=10),
    )
    response = _selection_page(organiser, closed_pool)
    assert response["Refresh"] == "5"
    assert "Started 2 minutes ago. This page checks again every 5 seconds" in response.content.decode()


def test_once_the_selection_is_made_the_page_stops_refreshing(organiser, selected):
    response = _selection_page(organiser, selected)
    assert response.status_code == 200
    assert "Refresh" not in response
    page = response.content.decode()
    assert "Check again" not in page
    assert "The panel as drawn against the quotas" in page


def test_once_the_selection_has_failed_the_page_stops_refreshing(organiser, closed_pool):
    queued = actions.request_selection(assembly=closed_pool, method="leximin", seed=31, by=organiser)
    SelectionRequest.objects.filter(pk=queued.pk).update(
        status=SelectionRequest.Status.FAILED, error="The quotas cannot all be met."
    )
    response = _selection_page(organiser, closed_pool)
    assert "Refresh" not in response
    page = response.content.decode()
    assert "The last selection could not be made" in page
    assert "Check again" not in page


def test_before_any_selection_is_asked_for_the_page_does_not_refresh(organiser, closed_pool):
    response = _selection_page(organiser, closed_pool)
    assert "Refresh" not in response
    assert "Select the panel</button>" in response.content.decode()
