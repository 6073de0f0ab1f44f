"""Reusable reads for assemblies and steering groups: the lottery frame, the pool as a selection problem,
compositions against quotas, and "you said, we did"."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from commonweal.accounts.models import User
from commonweal.assemblies import rules
from commonweal.assemblies.core.features import FEATURES, QuotaFeature
from commonweal.assemblies.core.invitations import FramePostcode
from commonweal.assemblies.core.pool import FeatureQuota, SelectionProblem, Volunteer
from commonweal.assemblies.models import (
    Assembly,
    Body,
    Membership,
    Quota,
    Recommendation,
    Registration,
    Replacement,
)
from commonweal.places.models import Area
from commonweal.places.queries import descendant_ids, postcodes_in


@dataclass(frozen=True)
class LotteryFrame:
    """The postcodes an assembly can still invite, each in its stratum, and what the strata are."""

    postcodes: tuple[FramePostcode, ...]
    stratified_by: str


def invitation_frame(assembly: Assembly) -> LotteryFrame:
    """Return the place's postcodes not yet drawn, stratified by the areas inside the place.

    A borough's strata are its neighbourhoods (an integrated care system's, its boroughs); postcodes in
    no neighbourhood form one more stratum, and a postcode in two overlapping neighbourhoods counts in
    the first by name. A place with no areas inside it (a neighbourhood) is stratified by its LSOAs.
    """
    place = assembly.body.place
    children = list(place.children.order_by("name", "pk").prefetch_related("lsoas"))
    stratum_of_lsoa: dict[int, str] = {}
    for child in children:
        for lsoa in child.lsoas.all():
            stratum_of_lsoa.setdefault(lsoa.pk, child.name)
    already = set(assembly.invitations.values_list("postcode__postcode", flat=True))
    rows = postcodes_in(place.lsoas.all()).values_list("postcode", "lsoa_id", "lsoa__name")
    if children:
        stratified_by = "neighbourhood" if children[0].kind == Area.Kind.NEIGHBOURHOOD else "borough"
        rest = f"Elsewhere in {place.name}"
        frame = [
            FramePostcode(postcode, stratum_of_lsoa.get(lsoa_id, rest))
            for postcode, lsoa_id, _ in rows
            if postcode not in already
        ]
    else:
        stratified_by = "LSOA"
        frame = [FramePostcode(postcode, name) for postcode, _, name in rows if postcode not in already]
    return LotteryFrame(postcodes=tuple(frame), stratified_by=stratified_by)


def pool(assembly: Assembly) -> QuerySet[Registration]:
    """Return the volunteers still in the pool (not withdrawn), by pseudonym number."""
    return assembly.registrations.filter(withdrawn_at__isnull=True).order_by("number")


def _volunteer(registration: Registration, features: list[QuotaFeature], by_household: bool) -> Volunteer:
    """Return the pure core's view of one volunteer; feature names and values are the words people read."""
    return Volunteer(
        volunteer_id=str(registration.number),
        features=tuple(
            (feature.label, feature.label_of(registration.value_of(feature.code))) for feature in features
        ),
        # The letter went to one address, so its code identifies the household.
        household=f"letter-{registration.invitation_id}" if by_household else None,
    )


def pure_quotas(assembly: Assembly) -> tuple[FeatureQuota, ...]:
    """Return the assembly's quotas for the pure core, in words people read."""
    quotas = []
    for quota in assembly.quotas.order_by("position"):
        feature = FEATURES[quota.feature]
        quotas.append(
            FeatureQuota(feature.label, feature.label_of(quota.value), quota.minimum, quota.maximum)
        )
    return tuple(quotas)


def selection_problem(
    assembly: Assembly, registrations: list[Registration] | None = None, panel_size: int | None = None
) -> SelectionProblem:
    """Return the pool (or the given volunteers), quotas and panel size as the pure core's problem."""
    chosen = list(pool(assembly)) if registrations is None else registrations
    features = assembly.features()
    return SelectionProblem(
        volunteers=tuple(_volunteer(entry, features, assembly.one_per_household) for entry in chosen),
        quotas=pure_quotas(assembly),
        panel_size=assembly.panel_size if panel_size is None else panel_size,
        one_per_household=assembly.one_per_household,
    )


@dataclass(frozen=True)
class CompositionRow:
    """One feature value: its quota, its share of the population, and how many are in the pool and panel."""

    feature: str
    value: str
    population_share: float | None
    minimum: int | None
    maximum: int | None
    in_pool: int
    pool_share: float
    on_panel: int

    @property
    def panel_meets_quota(self) -> bool:
        """Tell whether the panel count is within the quota (True when there is no quota)."""
        if self.minimum is None or self.maximum is None:
            return True
        return self.minimum <= self.on_panel <= self.maximum


def composition(assembly: Assembly, panel: list[Registration] | None = None) -> list[CompositionRow]:
    """Return, for every value of every quota feature, the quota and the pool's and panel's counts."""
    volunteers = list(pool(assembly))
    quotas = {(quota.feature, quota.value): quota for quota in assembly.quotas.all()}
    rows = []
    for feature in assembly.features():
        in_pool = Counter(entry.value_of(feature.code) for entry in volunteers)
        on_panel = Counter(entry.value_of(feature.code) for entry in panel or [])
        for value in feature.values:
            quota = quotas.get((feature.code, value.code))
            if quota is None and not in_pool[value.code] and value.code == "unknown":
                continue
            rows.append(
                CompositionRow(
                    feature=feature.label,
                    value=value.label,
                    population_share=quota.population_share if quota else None,
                    minimum=quota.minimum if quota else None,
                    maximum=quota.maximum if quota else None,
                    in_pool=in_pool[value.code],
                    pool_share=in_pool[value.code] / len(volunteers) if volunteers else 0.0,
                    on_panel=on_panel[value.code],
                )
            )
    return rows


def current_panel(assembly: Assembly) -> list[Registration]:
    """Return the volunteers who sit on the panel now (selected or drawn as replacements, not left)."""
    return list(
        Registration.objects.filter(
            memberships__body_id=assembly.pk, memberships__left_on__isnull=True
        ).order_by("number")
    )


def replaced_numbers(assembly: Assembly) -> set[int]:
    """Return the pseudonym numbers of members whose seats a replacement draw has already filled."""
    replaced: set[int] = set()
    for dropped in Replacement.objects.filter(assembly=assembly).values_list("dropped", flat=True):
        replaced.update(int(number) for number in dropped)
    return replaced


def open_dropouts(assembly: Assembly) -> list[Membership]:
    """Return the selected members who have left and whose seats are not yet filled."""
    replaced = replaced_numbers(assembly)
    left = Membership.objects.filter(
        body_id=assembly.pk, registration__isnull=False, left_on__isnull=False
    ).select_related("registration")
    return [
        membership
        for membership in left.order_by("registration__number")
        if membership.registration is not None and membership.registration.number not in replaced
    ]


def current_members(body: Body) -> QuerySet[Membership]:
    """Return the people who sit on the body now."""
    return body.memberships.filter(left_on__isnull=True).order_by("-role", "full_name", "pk")


def quotas_in_order(assembly: Assembly) -> QuerySet[Quota]:
    """Return the assembly's quotas in the order of its features and their values."""
    return assembly.quotas.order_by("position")


@dataclass(frozen=True)
class PlaceRecommendations:
    """ "You said, we did" for one body: its recommendations with their current response and delivery."""

    body: Body
    recommendations: list[Recommendation]


def you_said_we_did(place: Area) -> list[PlaceRecommendations]:
    """Return the bodies of a place and the places inside it, each with its recommendations."""
    bodies = (
        Body.objects.filter(place_id__in=descendant_ids([place.pk]), recommendations__isnull=False)
        .distinct()
        .select_related("place", "responsible_organisation")
        .order_by("place__name", "name", "pk")
    )
    return [
        PlaceRecommendations(
            body=body,
            recommendations=list(
                body.recommendations.order_by("number").prefetch_related(
                    "responses", "delivery_updates", "votes"
                )
            ),
        )
        for body in bodies
    ]


def places_with_bodies() -> QuerySet[Area]:
    """Return the places that have an assembly or a steering group, by name."""
    return Area.objects.filter(bodies__isnull=False).distinct().order_by("name")


def places_to_run_in(user: User | AnonymousUser) -> list[Area]:
    """Return the places the user may run bodies in, broadest first."""
    return list(Area.objects.filter(pk__in=rules.managed_place_ids(user)).order_by("kind", "name"))
