"""The tables of assemblies and budgeting were the participation app's. A database at the old schema,
with rows in every part, migrates to the new layout keeping every row and value: the tables are renamed
(assemblies_*, budgeting_*), their content types (the audit log's targets) follow them, and new rows can
still be added. The test takes the test database back to the old schema and forward again."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonweal.accounts.models import Role
from commonweal.assemblies import actions as assembly_actions
from commonweal.assemblies.models import Body, Membership, Registration
from commonweal.audit.models import AuditEvent
from commonweal.budgeting import actions as budgeting_actions
from commonweal.budgeting.models import Ballot, BudgetRound, Proposal
from commonweal.budgeting.tests.budgeting_helpers import make_voter, voting_round
from tests.factories import make_persona

MOVED = {
    "assemblies": [
        "Body",
        "Assembly",
        "InvitationRound",
        "Invitation",
        "Registration",
        "Quota",
        "Selection",
        "SelectionProbability",
        "SelectionRequest",
        "Replacement",
        "Membership",
        "Session",
        "EvidenceItem",
        "Recommendation",
        "Vote",
        "Response",
        "DeliveryUpdate",
    ],
    "budgeting": [
        "BudgetRound",
        "Proposal",
        "Idea",
        "Ballot",
        "BallotMark",
        "PaperBallot",
        "PaperEntry",
        "BudgetResult",
        "Milestone",
        "Spend",
    ],
}
BEFORE = [("participation", "0002_budgeting"), ("assemblies", None), ("budgeting", None)]
DAY = datetime.date(2026, 3, 2)


def rows_of(model: Any) -> list[dict[str, Any]]:
    """Every row of a table as plain values, in key order."""
    return list(model._default_manager.order_by("pk").values())


def build_today(places: Any) -> dict[str, Any]:
    """Rows in both apps through today's actions: an assembly with volunteers, a steering group at
    work, and a round with projects and ballots."""
    organiser = make_persona(Role.COMMUNITY_ORGANISER, places)
    assembly = assembly_actions.create_assembly(
        place=places.north,
        name="Health assembly",
        remit="Q",
        panel_size=6,
        quota_features=["sex"],
        by=organiser,
    )
    drawn = assembly_actions.draw_invitations(
        assembly=assembly,
        postcodes=3,
        letters_per_postcode=1,
        seed=5,
        by=organiser,
        code_source=random.Random(5),
    )
    for index, invitation in enumerate(drawn.invitations.order_by("pk")):
        assembly_actions.register_volunteer(
            assembly=assembly,
            code=invitation.code,
            postcode=invitation.postcode.postcode,
            full_name=f"Volunteer {index}",
            email=f"volunteer{index}@example.org",
            phone="",
            answers={
                "age": "25-34",
                "sex": "female" if index % 2 else "male",
                "ethnicity": "white",
                "disability": "no",
            },
            consent=True,
        )
    group = assembly_actions.create_steering_group(
        place=places.north, name="Steering group", remit="Parks", responsible_organisation=None, by=organiser
    )
    member = assembly_actions.add_member(
        body=group, full_name="Ada", role=Membership.Role.CHAIR, affiliation="", joined_on=DAY, by=organiser
    )
    session = assembly_actions.record_session(
        body=group, title="First", held_on=DAY, venue="Library", agenda="", notes="", by=organiser
    )
    assembly_actions.add_evidence(
        session=session, title="Survey", presented_by="Us", link="", summary="", by=organiser
    )
    recommendation = assembly_actions.make_recommendation(
        body=group, title="Benches", text="More benches.", made_on=DAY, session=session, by=organiser
    )
    assembly_actions.record_votes(recommendation=recommendation, choices={member.pk: "for"}, by=organiser)
    assembly_actions.record_response(
        recommendation=recommendation,
        decision="accepted",
        reasons="Yes.",
        responder="The council",
        responded_on=DAY,
        by=organiser,
    )
    assembly_actions.record_delivery(
        recommendation=recommendation, status="planned", note="", reported_on=DAY, by=organiser
    )
    budget_round = voting_round(places.north, organiser)
    first = budget_round.proposals.order_by("number").first()
    assert first is not None
    for index in range(3):
        budgeting_actions.cast_online_ballot(
            budget_round=budget_round,
            choices={str(first.number): 1},
            by=make_voter(places.north, index=index),
        )
    return {"organiser": organiser, "assembly": assembly, "round": budget_round}


def add_old_rows(old: Any, today: dict[str, Any], places: Any) -> None:
    """Add rows through the participation app's historical models, as the old code would have."""
    body_model = old.get_model("participation", "Body")
    assembly_model = old.get_model("participation", "Assembly")
    registration_model = old.get_model("participation", "Registration")
    body = body_model.objects.create(
        kind="assembly", name="Old assembly", remit="R", place_id=places.south.pk
    )
    assembly_model.objects.create(body=body, panel_size=5, quota_source_name="")
    round_model = old.get_model("participation", "InvitationRound")
    template = old.get_model("participation", "Invitation").objects.order_by("pk").first()
    invitation_round = round_model.objects.create(
        assembly_id=body.pk,
        number=1,
        seed=1,
        postcodes_drawn=1,
        letters_per_postcode=1,
        stratified_by="LSOA",
        allocation={},
    )
    invitation = old.get_model("participation", "Invitation").objects.create(
        round=invitation_round,
        assembly_id=body.pk,
        code="OLDCODE1",
        postcode_id=template.postcode_id,
        stratum="x",
    )
    for number in (1, 2):
        registration_model.objects.create(
            assembly_id=body.pk,
            invitation=invitation,
            number=number,
            full_name=f"Old volunteer {number}",
            email="",
            phone="01611234567",
            age_band="25-34",
            sex="female",
            ethnicity="white",
            disability="no",
            consent_given_at=today["assembly"].body.created_at,
            privacy_notice_version="1",
            withdrawal_reason="",
        )
    budget_round = old.get_model("participation", "BudgetRound").objects.create(
        place_id=places.south.pk, name="Old round", description="D", budget=5000, phase="voting"
    )
    proposals = [
        old.get_model("participation", "Proposal").objects.create(
            round=budget_round,
            number=number,
            title=f"Old project {number}",
            description="",
            cost=1000 * number,
            feasibility_note="",
        )
        for number in (1, 2)
    ]
    ballot = old.get_model("participation", "Ballot").objects.create(
        round=budget_round, number=1, voter_key="old-voter", channel="paper"
    )
    for proposal in proposals:
        old.get_model("participation", "BallotMark").objects.create(ballot=ballot, proposal=proposal, value=1)


def old_tables(old: Any) -> dict[str, list[dict[str, Any]]]:
    return {name: rows_of(old.get_model("participation", name)) for names in MOVED.values() for name in names}


def new_tables() -> dict[str, list[dict[str, Any]]]:
    return {name: rows_of(apps.get_model(app, name)) for app, names in MOVED.items() for name in names}


@pytest.mark.django_db(transaction=True)
def test_the_participation_tables_move_to_assemblies_and_budgeting_with_every_row(places):
    today = build_today(places)
    content_types = {
        name: ContentType.objects.get_for_model(apps.get_model(app, name)).pk
        for app, names in MOVED.items()
        for name in names
    }
    audit = list(AuditEvent.objects.order_by("pk").values("pk", "target_type_id", "target_id", "action"))
    before = new_tables()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(BEFORE)
        executor.loader.build_graph()
        old = executor.loader.project_state(("participation", "0002_budgeting")).apps
        tables = set(connection.introspection.table_names())
        assert {"participation_body", "participation_budgetround", "participation_ballotmark"} <= tables
        assert not any(table.startswith(("assemblies_", "budgeting_")) for table in tables)
        # Going back kept every row too; then the old code adds some of its own.
        assert old_tables(old) == before
        add_old_rows(old, today, places)
        at_old_schema = old_tables(old)
        assert {name: len(rows) for name, rows in at_old_schema.items()} == {
            name: len(rows)
            + {
                "Body": 1,
                "Assembly": 1,
                "InvitationRound": 1,
                "Invitation": 1,
                "Registration": 2,
                "BudgetRound": 1,
                "Proposal": 2,
                "Ballot": 1,
                "BallotMark": 2,
            }.get(name, 0)
            for name, rows in before.items()
        }

        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()

        assert new_tables() == at_old_schema
        tables = set(connection.introspection.table_names())
        assert not any(table.startswith("participation_") for table in tables)
        assert {
            "assemblies_body",
            "assemblies_registration",
            "budgeting_budgetround",
            "budgeting_ballot",
        } <= tables
        assert Body.objects.get(name="Old assembly").assembly.registrations.count() == 2
        old_round = BudgetRound.objects.get(name="Old round")
        assert [(p.number, p.cost) for p in old_round.proposals.order_by("number")] == [(1, 1000), (2, 2000)]
        assert Ballot.objects.get(round=old_round).marks.count() == 2
        # The content types kept their ids, so the audit log still names the same records.
        assert {
            name: ContentType.objects.get_for_model(apps.get_model(app, name)).pk
            for app, names in MOVED.items()
            for name in names
        } == content_types
        assert not ContentType.objects.filter(app_label="participation").exists()
        assert (
            list(AuditEvent.objects.order_by("pk").values("pk", "target_type_id", "target_id", "action"))
            == audit
        )
        # New rows take the next keys.
        highest = Proposal.objects.order_by("-pk").values_list("pk", flat=True)[0]
        added = Proposal.objects.create(
            round=old_round, number=3, title="New project", description="", cost=500
        )
        assert added.pk == highest + 1
        registration = Registration.objects.filter(assembly__body__name="Old assembly").order_by("pk").last()
        assert registration is not None and registration.number == 2
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()
