"""The demo's assembly and steering group: built from the seed, the same every time, never twice."""

from __future__ import annotations

import pytest

from commonweal.assemblies.demo import ASSEMBLY_NAME, STEERING_GROUP_NAME, build_assemblies
from commonweal.assemblies.models import Assembly, Body, Membership, Registration, Vote
from commonweal.demo.builder import _context

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_borough")]


def _fingerprint() -> dict[str, object]:
    assembly = Assembly.objects.get(body__name=ASSEMBLY_NAME)
    selection = assembly.selection
    return {
        "letters": sorted(assembly.invitations.values_list("code", "postcode__postcode")),
        "pool": list(
            Registration.objects.filter(assembly=assembly)
            .order_by("number")
            .values_list(
                "number", "full_name", "age_band", "sex", "ethnicity", "disability", "deprivation_decile"
            )
        ),
        "quotas": list(
            assembly.quotas.order_by("position").values_list("feature", "value", "minimum", "maximum")
        ),
        "seed": selection.seed,
        "probabilities": list(
            selection.probabilities.order_by("registration__number").values_list(
                "registration__number", "probability"
            )
        ),
        "panel": sorted(
            Membership.objects.filter(body_id=assembly.pk, left_on__isnull=True).values_list(
                "registration__number", flat=True
            )
        ),
        "replacements": list(assembly.replacements.values_list("seed", "dropped", "drawn")),
    }


def test_the_demo_assembly_is_published_and_the_steering_group_has_a_response():
    assembly = Assembly.objects.get(body__name=ASSEMBLY_NAME)
    assert assembly.stage == Assembly.Stage.PUBLISHED
    assert assembly.registrations.count() == 120
    assert assembly.invitations.count() == 800
    assert Membership.objects.filter(body_id=assembly.pk, left_on__isnull=True).count() == 20
    assert assembly.replacements.count() == 1
    group = Body.objects.get(name=STEERING_GROUP_NAME)
    recommendation = group.recommendations.get()
    assert recommendation.current_response().decision == "partly"
    assert recommendation.current_delivery().status == "in_progress"
    assert (
        sorted(recommendation.votes.values_list("choice", flat=True)) == ["abstain", "against"] + ["for"] * 5
    )
    # A second run finds it and changes nothing.
    before = _fingerprint()
    assert build_assemblies(_context(2019)) is False
    assert _fingerprint() == before
    assert Body.objects.filter(name=ASSEMBLY_NAME).count() == 1


def test_the_demo_assembly_is_the_same_from_the_same_seed():
    first = _fingerprint()
    demo_bodies = Body.objects.filter(name__in=[ASSEMBLY_NAME, STEERING_GROUP_NAME])
    # Votes, seats and registrations are protected from deletion one by one, so remove them in order.
    Vote.objects.filter(membership__body__in=demo_bodies).delete()
    Membership.objects.filter(body__in=demo_bodies).delete()
    Registration.objects.filter(assembly__body__in=demo_bodies).delete()
    demo_bodies.delete()
    assert build_assemblies(_context(2019)) is True
    assert _fingerprint() == first
