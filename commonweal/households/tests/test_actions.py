"""Households, patches, visits, imports and access by relationship, through the actions."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.audit.models import AuditEvent, RecordAccess
from commonweal.households import access, actions, queries
from commonweal.households.actions import HouseholdError, MemberSeen
from commonweal.households.models import (
    Household,
    HouseholdStatus,
    MemberCheck,
    PatchAssignment,
    PreventionStatus,
    Visit,
)
from commonweal.households.rules import household_relationship
from commonweal.households.tests.world import T0, World, valid_nhs_numbers
from commonweal.people.rules import relationship_grant
from commonweal.referrals.models import Referral

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def test_a_household_is_registered_on_a_real_postcode_with_its_members(world: World) -> None:
    assert (world.home.postcode, world.home.lsoa.code[:3]) == ("M33 7AA", "E01")
    assert [(m.person.given_name, m.relationship) for m in queries.members_of(world.home)] == [
        ("Alice", "head"),
        ("Bob", "partner"),
    ]


@pytest.mark.parametrize(
    ("postcode", "message"),
    [("NOT A CODE", "postcode"), ("SW1A 1AA", "SW1A 1AA is not a postcode in the area this service covers")],
)
def test_a_household_on_a_postcode_we_do_not_hold_is_refused(
    world: World, postcode: str, message: str
) -> None:
    with pytest.raises(HouseholdError, match=message):
        actions.register_household(
            reference="X1", address="1 X", street="X", postcode=postcode, patch=None, by=world.administrator
        )
    assert not Household.objects.filter(reference="X1").exists()


def test_a_worker_cannot_register_households(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.register_household(
            reference="X2", address="1 X", street="X", postcode="M33 7AA", patch=world.ash, by=world.chw
        )
    assert not Household.objects.filter(reference="X2").exists()


def test_reassigning_a_patch_keeps_its_history_and_ends_the_old_workers_access(world: World) -> None:
    assert household_relationship(world.chw, world.alice) is not None
    actions.reassign_patch(
        patch=world.ash, chw=world.other_chw, supervisor=world.supervisor, by=world.administrator, at=T0 + DAY
    )
    history = list(
        PatchAssignment.objects.filter(patch=world.ash)
        .order_by("started_at")
        .values_list("chw_id", "ended_at")
    )
    assert history == [(world.chw.pk, T0 + DAY), (world.other_chw.pk, None)]
    assert household_relationship(world.chw, world.alice) is None
    assert household_relationship(world.other_chw, world.alice) == household_relationship(
        world.other_chw, world.bob
    )
    assert AuditEvent.objects.filter(action="households.reassign_patch", target_id=world.ash.pk).count() == 1


def test_a_worker_cannot_reassign_a_patch(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.reassign_patch(patch=world.ash, chw=world.chw, supervisor=None, by=world.chw)
    world.ash.refresh_from_db()
    assert world.ash.supervisor == world.supervisor


def test_the_worker_reads_members_records_with_the_reason_household_and_each_read_is_logged(
    world: World,
) -> None:
    members = access.open_household(world.chw, world.home, "/households/1/")
    assert len(members) == 2
    logged = list(
        RecordAccess.objects.filter(viewer=world.chw).values_list("subject_id", "reason", "subject_user_id")
    )
    assert sorted(logged) == sorted(
        [(world.alice.pk, "household", world.resident.pk), (world.bob.pk, "household", None)]
    )
    # The person record pages ask the same registered relationship.
    assert relationship_grant(world.chw, world.alice).reason == RecordAccess.Reason.HOUSEHOLD  # type: ignore[union-attr]


def test_a_worker_cannot_open_a_household_outside_their_patch_and_the_refusal_is_logged(world: World) -> None:
    with pytest.raises(PermissionDenied):
        access.open_household(world.chw, world.away, "/households/2/")
    assert not RecordAccess.objects.filter(viewer=world.chw).exists()
    assert (
        AuditEvent.objects.filter(
            action="households.open_refused", actor=world.chw, target_id=world.away.pk
        ).count()
        == 1
    )
    assert relationship_grant(world.chw, world.carol) is None


def _visit(world: World, **kwargs: Any) -> actions.VisitResult:
    fields: dict[str, Any] = {
        "household": world.home,
        "outcome": "done",
        "reasons": ["periodic"],
        "by": world.chw,
    }
    fields.update(kwargs)
    return actions.record_visit(**fields)


def test_sending_the_same_visit_twice_creates_it_once(world: World) -> None:
    client_id = uuid.uuid4()
    first = _visit(world, client_id=client_id, seen=[MemberSeen(world.alice.pk, {"life_satisfaction": "7"})])
    second = _visit(
        world, client_id=str(client_id), seen=[MemberSeen(world.alice.pk, {"life_satisfaction": "7"})]
    )
    assert (first.created, second.created, second.visit.pk) == (True, False, first.visit.pk)
    assert Visit.objects.filter(client_id=client_id).count() == 1
    assert list(MemberCheck.objects.filter(visit=first.visit).values_list("answers", flat=True)) == [
        {"life_satisfaction": 7}
    ]


def test_a_visit_to_a_household_outside_the_patch_is_refused_logged_and_not_kept(world: World) -> None:
    with pytest.raises(PermissionDenied, match="not in your patch"):
        _visit(world, household=world.away)
    assert not Visit.objects.exists()
    assert AuditEvent.objects.filter(action="households.visit_refused", actor=world.chw).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reasons": []}, "Choose at least one reason"),
        ({"outcome": "nobody_in", "seen": [MemberSeen(1)]}, "Nobody is seen"),
        ({"seen": [MemberSeen(0)]}, "does not live in this household"),
        ({"at": T0, "visited_at": T0 + DAY}, "cannot be in the future"),
    ],
)
def test_a_bad_visit_is_refused_with_a_clear_message(
    world: World, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(HouseholdError, match=message):
        _visit(world, **kwargs)
    assert not Visit.objects.exists()


def test_a_need_found_becomes_a_referral_to_the_link_worker_team_with_consent(world: World) -> None:
    result = _visit(
        world,
        seen=[
            MemberSeen(
                world.bob.pk,
                {"lonely": "Often or always"},
                need_found=True,
                need_note="Lonely since his wife died",
                refer=True,
                consents_to_referral=True,
            )
        ],
    )
    [referral] = result.referrals
    assert (referral.person, referral.team, referral.referred_by, referral.status) == (
        world.bob,
        world.places.practice,
        world.chw,
        "awaiting_triage",
    )
    assert "Lonely since his wife died" in referral.reason_detail
    check = MemberCheck.objects.get(visit=result.visit)
    assert (check.referral, check.consents_to_referral, check.need_found) == (referral, True, True)


def test_a_referral_without_consent_is_refused_and_nothing_is_kept(world: World) -> None:
    with pytest.raises(HouseholdError, match="needs their consent"):
        _visit(world, seen=[MemberSeen(world.bob.pk, refer=True)])
    assert (Visit.objects.count(), Referral.objects.count()) == (0, 0)


def test_a_visit_to_a_household_that_moved_while_offline_is_kept_and_reaches_both_supervisors(
    world: World,
) -> None:
    visited = T0 + DAY
    actions.move_household(
        household=world.home, to_patch=world.birch, by=world.administrator, at=T0 + 2 * DAY
    )
    result = _visit(world, visited_at=visited, chw_patch=world.ash, at=T0 + 3 * DAY)
    visit = result.visit
    assert (visit.patch, visit.chw_patch, visit.needs_resolution) == (world.birch, world.ash, True)
    assert list(queries.review_queue(world.supervisor)) == [visit]
    assert list(queries.review_queue(world.other_supervisor)) == [visit]
    actions.mark_reviewed(visit=visit, by=world.other_supervisor, at=T0 + 4 * DAY)
    visit.refresh_from_db()
    assert (visit.needs_resolution, visit.resolved_by, visit.reviewed_by) == (
        False,
        world.other_supervisor,
        world.other_supervisor,
    )


def test_a_visit_made_before_the_patch_was_given_to_someone_else_is_kept(world: World) -> None:
    actions.reassign_patch(
        patch=world.ash,
        chw=world.other_chw,
        supervisor=world.supervisor,
        by=world.administrator,
        at=T0 + 2 * DAY,
    )
    kept = _visit(world, visited_at=T0 + DAY, chw_patch=world.ash, at=T0 + 3 * DAY)
    assert (kept.created, kept.visit.chw, kept.visit.patch) == (True, world.chw, world.ash)
    # A visit dated after the patch was given away is still refused.
    with pytest.raises(PermissionDenied):
        _visit(world, visited_at=T0 + 2 * DAY + DAY, chw_patch=world.ash, at=T0 + 4 * DAY)


def test_a_visit_after_the_move_is_refused(world: World) -> None:
    actions.move_household(household=world.home, to_patch=world.birch, by=world.administrator, at=T0 + DAY)
    with pytest.raises(PermissionDenied):
        _visit(world, visited_at=T0 + 2 * DAY, chw_patch=world.ash, at=T0 + 3 * DAY)


def test_only_a_supervisor_of_the_patch_marks_a_visit_reviewed(world: World) -> None:
    visit = _visit(world).visit
    for user in (world.chw, world.other_supervisor):
        with pytest.raises(PermissionDenied):
            actions.mark_reviewed(visit=visit, by=user)
    visit.refresh_from_db()
    assert visit.reviewed_at is None


def test_muting_a_household_stops_its_tasks_and_is_audited(world: World) -> None:
    assert [task.rule_id for task in queries.tasks_of(world.home, T0.date())] == ["monthly-visit"]
    actions.set_status(
        household=world.home,
        status="muted",
        reason="Bereavement: family asked for a pause",
        by=world.chw,
        at=T0,
    )
    world.home.refresh_from_db()
    assert (world.home.status, world.home.status_reason, world.home.status_changed_at) == (
        "muted",
        "Bereavement: family asked for a pause",
        T0,
    )
    assert queries.tasks_of(world.home, T0.date()) == []
    event = AuditEvent.objects.get(action="households.set_status")
    assert (event.actor, event.detail["before"], event.detail["after"]) == (world.chw, "active", "muted")


def test_muting_needs_a_reason_and_another_worker_cannot_mute(world: World) -> None:
    with pytest.raises(HouseholdError, match="Give a reason"):
        actions.set_status(household=world.home, status="muted", by=world.chw)
    with pytest.raises(PermissionDenied):
        actions.set_status(household=world.home, status="muted", reason="x", by=world.other_chw)
    world.home.refresh_from_db()
    assert world.home.status == HouseholdStatus.ACTIVE


def test_a_resident_asks_to_stop_visits_and_the_household_leaves_the_agenda(world: World) -> None:
    assert [
        entry.household
        for entry in queries.agenda([world.ash.pk], queries.AgendaFilter(), T0.date() + 40 * DAY)
    ] == [world.home]
    actions.ask_to_stop_visits(household=world.home, by=world.resident, at=T0)
    world.home.refresh_from_db()
    assert (world.home.status, world.home.consents_to_visits) == ("refused", False)
    assert queries.agenda([world.ash.pk], queries.AgendaFilter(), T0.date() + 40 * DAY) == []
    with pytest.raises(PermissionDenied):
        actions.ask_to_stop_visits(household=world.away, by=world.resident)


def test_a_refused_visit_drops_the_household_off_the_agenda_for_90_days(world: World) -> None:
    _visit(world, outcome="refused", visited_at=T0, at=T0)
    today = T0.date()
    assert queries.agenda([world.ash.pk], queries.AgendaFilter(), today + 89 * DAY) == []
    [entry] = queries.agenda([world.ash.pk], queries.AgendaFilter(), today + 90 * DAY)
    assert entry.household == world.home


def test_the_agenda_filters_by_due_date_priority_reason_and_street(world: World) -> None:
    actions.import_gp_extract(
        text=f"nhs_number,programme,status,due_date\n{world.alice.nhs_number},cervical_screening,overdue,2026-06-01\n",
        by=world.administrator,
        at=T0,
    )
    today = T0.date()
    [entry] = queries.agenda([world.ash.pk], queries.AgendaFilter(), today)
    # Both due the same day: the high priority one first.
    assert [(t.rule_id, t.due_on) for t in entry.tasks] == [
        ("screening-active-search", today + 30 * DAY),
        ("monthly-visit", today + 30 * DAY),
    ]
    high = queries.agenda([world.ash.pk], queries.AgendaFilter(priority="high"), today)
    assert [t.rule_id for t in high[0].tasks] == ["screening-active-search"]
    assert queries.agenda([world.ash.pk], queries.AgendaFilter(due_by=today + 29 * DAY), today) == []
    assert len(queries.agenda([world.ash.pk], queries.AgendaFilter(due_by=today + 30 * DAY), today)) == 1
    assert queries.agenda([world.ash.pk], queries.AgendaFilter(reason="discharge"), today) == []
    assert queries.agenda([world.ash.pk], queries.AgendaFilter(street="Birch"), today) == []
    assert len(queries.agenda([world.ash.pk], queries.AgendaFilter(street="ash lane"), today)) == 1


# -------------------------------------------------------------------------------------- imports


def test_a_households_file_with_one_bad_row_imports_nothing_and_names_each_row(world: World) -> None:
    text = (
        "reference,address,street,postcode,patch,consents_to_visits\n"
        "H10,1 Oak Street,Oak Street,M33 7AA,Ash,yes\n"
        "H11,2 Oak Street,Oak Street,SW1A 1AA,Ash,yes\n"
        "H1,3 Oak Street,Oak Street,M33 7AA,Elm,maybe\n"
    )
    report = actions.import_households(text=text, by=world.administrator)
    assert report.imported == 0
    assert [(row.line, row.ok, row.message) for row in report.rows] == [
        (2, True, "H10 ready"),
        (3, False, "SW1A 1AA is not a postcode in the area this service covers"),
        (4, False, "reference H1 is already used; no patch called Elm; consents_to_visits must be yes or no"),
    ]
    assert not Household.objects.filter(reference="H10").exists()


def test_a_good_households_file_imports_every_row(world: World) -> None:
    text = (
        "reference,address,street,postcode,patch,consents_to_visits\n"
        "H10,1 Oak St,Oak St,m337aa,Ash,yes\n"
        "H11,2 Oak St,Oak St,M33 7AA,,no\n"
    )
    report = actions.import_households(text=text, by=world.administrator)
    assert (report.imported, [row.message for row in report.rows]) == (2, ["H10 imported", "H11 imported"])
    assert list(
        Household.objects.filter(reference__in=["H10", "H11"]).values_list(
            "patch__name", "consents_to_visits", "postcode"
        )
    ) == [
        ("Ash", True, "M33 7AA"),
        (None, False, "M33 7AA"),
    ]


def test_a_file_missing_a_column_is_refused(world: World) -> None:
    with pytest.raises(HouseholdError, match="no column postcode"):
        actions.import_households(text="reference,address,street\nH1,a,b\n", by=world.administrator)


def test_a_gp_extract_reports_each_row_and_a_malformed_row_imports_nothing(world: World) -> None:
    stranger = valid_nhs_numbers(1, start=943476700)[0]
    text = (
        "nhs_number,programme,status,due_date\n"
        f"{world.alice.nhs_number},cervical_screening,overdue,2026-06-01\n"
        f"{stranger},bowel_screening,overdue,\n"
        f"{world.bob.nhs_number},flu,overdue,2026-13-01\n"
    )
    report = actions.import_gp_extract(text=text, by=world.administrator, at=T0)
    assert [(row.line, row.ok) for row in report.rows] == [(2, True), (3, True), (4, False)]
    assert report.rows[0].message == "matched Alice Testperson: cervical_screening overdue"
    assert report.rows[1].message == "no one with this NHS number is known here: skipped"
    assert (
        report.rows[2].message.startswith("programme must be one of")
        and "due_date must be a date" in report.rows[2].message
    )
    assert (report.imported, PreventionStatus.objects.count()) == (0, 0)
    good = "\n".join(text.splitlines()[:3]) + "\n"
    report = actions.import_gp_extract(text=good, by=world.administrator, at=T0)
    assert report.imported == 1
    assert list(
        PreventionStatus.objects.values_list("person_id", "programme", "status", "known_since", "source")
    ) == [(world.alice.pk, "cervical_screening", "overdue", T0.date(), "gp_extract")]
    assert [gap.person for gap in queries.gaps_of(world.home)] == [world.alice]


def test_only_an_administrator_imports(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.import_gp_extract(text="nhs_number,programme,status,due_date\n", by=world.chw)
    with pytest.raises(PermissionDenied):
        actions.import_households(text="reference,address,street,postcode\n", by=world.supervisor)
