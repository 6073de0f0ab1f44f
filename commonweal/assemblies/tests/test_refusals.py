"""Every assemblies action that changes something refuses a user who does not run the body's place:
an organiser from another place and a resident each get PermissionDenied, and nothing changes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from commonweal.accounts.actions import grant_role
from commonweal.accounts.models import Role
from commonweal.assemblies import actions, selection_run
from commonweal.assemblies.models import Membership, Quota, Registration
from commonweal.assemblies.tests.conftest import share_rows
from commonweal.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def database_snapshot():
    """Every row of every assemblies table, and the audit log, as plain values."""
    tables = {
        model.__name__: list(model._default_manager.order_by("pk").values())
        for model in apps.get_app_config("assemblies").get_models()
    }
    tables["AuditEvent"] = list(AuditEvent.objects.order_by("pk").values())
    return tables


@pytest.fixture
def world(places, organiser, selected):
    """A selected assembly and a steering group with a member, a session and a recommendation."""
    group = actions.create_steering_group(
        place=places.north,
        name="Stretford steering group",
        remit="Parks",
        responsible_organisation=None,
        by=organiser,
    )
    member = actions.add_member(
        body=group,
        full_name="Ada Member",
        role=Membership.Role.CHAIR,
        affiliation="",
        joined_on=DAY,
        by=organiser,
    )
    session = actions.record_session(
        body=group, title="First", held_on=DAY, venue="Library", agenda="", notes="", by=organiser
    )
    recommendation = actions.make_recommendation(
        body=group,
        title="More benches",
        text="Put benches in the park.",
        made_on=DAY,
        session=session,
        by=organiser,
    )
    return {
        "place": places.north,
        "assembly": selected,
        "registration": Registration.objects.filter(assembly=selected).order_by("pk").first(),
        "quota": Quota.objects.filter(assembly=selected).order_by("pk").first(),
        "group": group,
        "member": member,
        "session": session,
        "recommendation": recommendation,
    }


ACTIONS: dict[str, Callable[[dict[str, Any], Any], object]] = {
    "create_assembly": lambda w, by: actions.create_assembly(
        place=w["place"],
        name="Another",
        remit="Q",
        panel_size=6,
        quota_features=["sex"],
        responsible_organisation=None,
        by=by,
    ),
    "draw_invitations": lambda w, by: actions.draw_invitations(
        assembly=w["assembly"], postcodes=1, letters_per_postcode=1, seed=1, by=by
    ),
    "withdraw_registration": lambda w, by: actions.withdraw_registration(
        registration=w["registration"], reason="", by=by
    ),
    "close_registration": lambda w, by: actions.close_registration(assembly=w["assembly"], by=by),
    "set_quotas": lambda w, by: actions.set_quotas(
        assembly=w["assembly"], rows=share_rows(), tolerance_seats=0, source_name="t.csv", by=by
    ),
    "change_quota": lambda w, by: actions.change_quota(quota=w["quota"], minimum=0, maximum=6, by=by),
    "run_selection": lambda w, by: actions.run_selection(
        assembly=w["assembly"], method="leximin", seed=1, by=by
    ),
    "request_selection": lambda w, by: actions.request_selection(
        assembly=w["assembly"], method="leximin", seed=1, by=by
    ),
    "publish_panel": lambda w, by: actions.publish_panel(assembly=w["assembly"], by=by),
    "draw_replacements": lambda w, by: actions.draw_replacements(assembly=w["assembly"], seed=1, by=by),
    "create_steering_group": lambda w, by: actions.create_steering_group(
        place=w["place"], name="Another", remit="R", responsible_organisation=None, by=by
    ),
    "add_member": lambda w, by: actions.add_member(
        body=w["group"], full_name="Bo", role=Membership.Role.MEMBER, affiliation="", joined_on=DAY, by=by
    ),
    "end_membership": lambda w, by: actions.end_membership(
        membership=w["member"], left_on=DAY, reason="", by=by
    ),
    "record_session": lambda w, by: actions.record_session(
        body=w["group"], title="Second", held_on=DAY, venue="Hall", agenda="", notes="", by=by
    ),
    "add_evidence": lambda w, by: actions.add_evidence(
        session=w["session"], title="Survey", presented_by="Us", link="", summary="", by=by
    ),
    "make_recommendation": lambda w, by: actions.make_recommendation(
        body=w["group"], title="Trees", text="Plant trees.", made_on=DAY, session=None, by=by
    ),
    "record_votes": lambda w, by: actions.record_votes(
        recommendation=w["recommendation"], choices={w["member"].pk: "for"}, by=by
    ),
    "record_response": lambda w, by: actions.record_response(
        recommendation=w["recommendation"],
        decision="accepted",
        reasons="Good idea.",
        responder="The council",
        responded_on=DAY,
        by=by,
    ),
    "record_delivery": lambda w, by: actions.record_delivery(
        recommendation=w["recommendation"], status="planned", note="", reported_on=DAY, by=by
    ),
}


@pytest.fixture(params=["organiser elsewhere", "resident", "nobody"])
def refused(request, places, persona):
    """A user who must be refused: an organiser of another place, a resident, or no signed-in user."""
    if request.param == "organiser elsewhere":
        outsider = UserFactory()
        grant_role(user=outsider, role=Role.COMMUNITY_ORGANISER, area=places.south, by=None)
        return outsider
    if request.param == "resident":
        return persona(Role.RESIDENT)
    return None


@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_an_action_refuses_a_user_who_does_not_run_the_place_and_changes_nothing(world, refused, name):
    before = database_snapshot()
    with pytest.raises(PermissionDenied) as caught:
        ACTIONS[name](world, refused)
    assert str(caught.value) == "You do not run assemblies or steering groups in this place."
    assert database_snapshot() == before


def test_every_action_that_changes_something_is_checked_here_or_is_open_by_design():
    public = {"register_volunteer", "carry_out_selection"}
    writers = {
        name
        for module in (actions, selection_run)
        for name, value in vars(module).items()
        if callable(value)
        and getattr(value, "__module__", "") == module.__name__
        and hasattr(value, "__wrapped__")
    }
    assert writers - public == set(ACTIONS)
