"""Onboarding community health workers and supervisors from CSV: all or nothing, a report line per row."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonweal.accounts.models import Role, RoleAssignment
from commonweal.households import actions
from commonweal.households.models import Patch, PatchAssignment
from commonweal.households.tests.world import World
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_workers_and_supervisors_are_put_in_post_with_their_role_and_a_new_patch_is_set_up(
    world: World,
) -> None:
    newcomer = UserFactory.create(email="new.worker@example.org")
    lead = UserFactory.create(email="lead@example.org")
    text = (
        "email,patch,position,place,monthly_goal\n"
        "new.worker@example.org,Cedar,worker,north,120\n"
        "lead@example.org,Cedar,supervisor,,\n"
        "NEW.WORKER@example.org,Ash,worker,north,\n"
    )
    report = actions.import_workers(text=text, by=world.administrator)
    assert report.imported == 3 and not report.failed
    cedar = Patch.objects.get(name="Cedar")
    assert (cedar.chw, cedar.supervisor, cedar.area, cedar.monthly_goal) == (
        newcomer,
        lead,
        world.places.north,
        120,
    )
    ash = Patch.objects.get(pk=world.ash.pk)
    assert (ash.chw, ash.supervisor) == (newcomer, world.supervisor)  # the supervisor stays
    # The worker who held Ash before is in its history, not lost.
    assert PatchAssignment.objects.filter(patch=ash, chw=world.chw, ended_at__isnull=False).exists()
    assert RoleAssignment.objects.filter(
        user=lead, role=Role.COMMUNITY_HEALTH_WORKER, area=world.places.north
    ).exists()


def test_any_bad_row_imports_nothing_and_each_is_named(world: World) -> None:
    UserFactory.create(email="ok@example.org")
    text = (
        "email,patch,position,place,monthly_goal\n"
        "ok@example.org,Ash,worker,north,\n"
        "nobody@example.org,Ash,supervisor,north,\n"
        "ok@example.org,Ash,worker,north,\n"
        "ok@example.org,Elm,boss,nowhere,0\n"
    )
    report = actions.import_workers(text=text, by=world.administrator)
    assert report.imported == 0
    assert [(row.line, row.ok, row.message) for row in report.rows] == [
        (2, True, "ok@example.org: worker of Ash ready"),
        (
            3,
            False,
            "nobody has an account with nobody@example.org: ask them to create one, then send the file again",
        ),
        (4, False, "patch Ash has two workers in this file"),
        (
            5,
            False,
            "position must be worker or supervisor; there is no place with the code nowhere; "
            "monthly_goal must be a whole number from 1 to 1000",
        ),
    ]
    assert Patch.objects.get(pk=world.ash.pk).chw == world.chw
    assert not Patch.objects.filter(name="Elm").exists()


def test_an_existing_patch_without_a_place_needs_one_for_the_role(world: World) -> None:
    UserFactory.create(email="placeless@example.org")
    text = "email,patch,position\nplaceless@example.org,Ash,worker\n"
    report = actions.import_workers(text=text, by=world.administrator)
    assert [row.message for row in report.rows] == [
        "patch Ash covers no place: give the code of the place the role is held in"
    ]


def test_a_file_without_the_columns_is_refused_with_what_is_needed(world: World) -> None:
    with pytest.raises(actions.HouseholdError, match="The file has no column position"):
        actions.import_workers(text="email,patch\nx@example.org,Ash\n", by=world.administrator)


def test_only_an_administrator_onboards_workers(world: World) -> None:
    with pytest.raises(PermissionDenied):
        actions.import_workers(text="email,patch,position\n", by=world.supervisor)


def test_the_administrator_uploads_the_file_on_the_households_page(world: World) -> None:
    UserFactory.create(email="page@example.org")
    client = Client()
    client.force_login(world.administrator)
    upload = SimpleUploadedFile(
        "w.csv", b"email,patch,position,place\npage@example.org,Birch,supervisor,south\n"
    )
    text = client.post("/households/manage/", {"kind": "workers", "file": upload}).content.decode()
    assert "Imported 1 rows." in text and "page@example.org: supervisor of Birch in post" in text


def test_a_goal_written_in_other_digits_is_reported_not_a_server_error(world: World) -> None:
    UserFactory.create(email="digits@example.org")
    text = "email,patch,position,place,monthly_goal\ndigits@example.org,Fir,worker,north,\u00b2\n"
    report = actions.import_workers(text=text, by=world.administrator)
    assert [row.message for row in report.rows] == ["monthly_goal must be a whole number from 1 to 1000"]
