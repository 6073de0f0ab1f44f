"""The inputs of a selection: the volunteer pool, the quotas and the panel size (no Django)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


class SelectionInputError(ValueError):
    """Raised when the pool, the quotas or the panel size cannot describe a selection."""


def normalise_value(text: str) -> str:
    """Return the form of a feature name or value used to compare them."""
    # Registration forms and spreadsheets differ in case and stray spaces; the Sortition
    # Foundation's tools compare case-insensitively too, so "Female" and "female " match.
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class FeatureQuota:
    """How many panel members must have one value of one feature (inclusive bounds)."""

    feature: str
    value: str
    minimum: int
    maximum: int

    @property
    def key(self) -> tuple[str, str]:
        """Return the normalised (feature, value) pair this quota counts."""
        return (normalise_value(self.feature), normalise_value(self.value))

    def describe(self) -> str:
        """Return the quota as people read it, e.g. `gender = female`."""
        return f"{self.feature} = {self.value}"


@dataclass(frozen=True)
class Volunteer:
    """One member of the pool: an identifier, a value per feature and an optional household."""

    volunteer_id: str
    features: tuple[tuple[str, str], ...]
    household: str | None = None

    def value_of(self, feature: str) -> str | None:
        """Return this volunteer's normalised value for a feature, or None if it is missing."""
        wanted = normalise_value(feature)
        for name, value in self.features:
            if normalise_value(name) == wanted:
                return normalise_value(value)
        return None


@dataclass(frozen=True)
class SelectionProblem:
    """A pool, its quotas, the panel size and whether a household may send only one member."""

    volunteers: tuple[Volunteer, ...]
    quotas: tuple[FeatureQuota, ...]
    panel_size: int
    one_per_household: bool = False

    @property
    def features(self) -> tuple[str, ...]:
        """Return the normalised feature names that carry quotas, in first-seen order."""
        return tuple(dict.fromkeys(quota.key[0] for quota in self.quotas))

    def volunteer_ids(self) -> tuple[str, ...]:
        """Return the volunteers' identifiers in pool order."""
        return tuple(volunteer.volunteer_id for volunteer in self.volunteers)


def check_problem(problem: SelectionProblem) -> None:
    """Raise SelectionInputError, naming every fault found, if the problem is not well formed."""
    faults: list[str] = []
    if problem.panel_size < 1:
        faults.append(f"The panel size must be at least 1 (it is {problem.panel_size}).")
    if problem.panel_size > len(problem.volunteers):
        faults.append(
            f"The panel size ({problem.panel_size}) is larger than the pool ({len(problem.volunteers)})."
        )
    if not problem.quotas:
        faults.append("There are no quotas.")
    quota_counts = Counter(quota.key for quota in problem.quotas)
    for quota in problem.quotas:
        if quota_counts[quota.key] > 1:
            faults.append(f"The quota {quota.describe()} is given more than once.")
            quota_counts[quota.key] = 1
        if quota.minimum < 0 or quota.maximum < quota.minimum:
            faults.append(
                f"The quota {quota.describe()} needs 0 <= minimum <= maximum "
                f"(it has minimum {quota.minimum}, maximum {quota.maximum})."
            )
    id_counts = Counter(problem.volunteer_ids())
    for volunteer_id, count in id_counts.items():
        if count > 1:
            faults.append(f"The volunteer id {volunteer_id!r} appears {count} times.")
    values_by_feature: dict[str, set[str]] = {}
    for feature, value in (quota.key for quota in problem.quotas):
        values_by_feature.setdefault(feature, set()).add(value)
    for volunteer in problem.volunteers:
        for feature, values in values_by_feature.items():
            found = volunteer.value_of(feature)
            if found is None:
                faults.append(f"Volunteer {volunteer.volunteer_id!r} has no value for {feature!r}.")
            elif found not in values:
                faults.append(
                    f"Volunteer {volunteer.volunteer_id!r} has {feature} = {found!r}, which has no quota."
                )
        if len(faults) > 20:
            break
    if faults:
        shown = faults[:20]
        if len(faults) > 20:
            shown.append("(further problems not listed)")
        raise SelectionInputError("\n".join(shown))
