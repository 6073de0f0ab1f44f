"""The features an assembly can set quotas on, and the values a volunteer can have (no Django).

The questions follow the Office for National Statistics' Census 2021 wording, so that the answers can
be compared with published population shares; deprivation is not asked but derived from the home's
area (its LSOA's decile of the English Index of Multiple Deprivation 2019).
"""

from __future__ import annotations

from dataclasses import dataclass

from commonweal.assemblies.core.pool import normalise_value

UNKNOWN_DEPRIVATION = "unknown"


@dataclass(frozen=True)
class FeatureValue:
    """One answer: the code stored and used in quotas, and the words people read."""

    code: str
    label: str


@dataclass(frozen=True)
class QuotaFeature:
    """A feature that can carry quotas."""

    code: str
    label: str
    question: str
    values: tuple[FeatureValue, ...]
    derived: bool = False

    def label_of(self, code: str) -> str:
        """Return the words for a value code (the code itself when it is not one of this feature's)."""
        return next((value.label for value in self.values if value.code == code), code)

    def resolve(self, text: str) -> str | None:
        """Return the value code that `text` names (its code or its label, any case), or None."""
        wanted = normalise_value(text)
        for value in self.values:
            if wanted in (normalise_value(value.code), normalise_value(value.label)):
                return value.code
        return None


AGE = QuotaFeature(
    code="age",
    label="Age band",
    question="How old are you?",
    values=(
        FeatureValue("16-24", "16 to 24"),
        FeatureValue("25-34", "25 to 34"),
        FeatureValue("35-44", "35 to 44"),
        FeatureValue("45-54", "45 to 54"),
        FeatureValue("55-64", "55 to 64"),
        FeatureValue("65-74", "65 to 74"),
        FeatureValue("75+", "75 or over"),
    ),
)
SEX = QuotaFeature(
    code="sex",
    label="Sex",
    question="What is your sex?",
    values=(FeatureValue("female", "Female"), FeatureValue("male", "Male")),
)
ETHNICITY = QuotaFeature(
    code="ethnicity",
    label="Ethnic group",
    question="What is your ethnic group?",
    # The five high-level groups of the Census 2021 question for England.
    values=(
        FeatureValue("asian", "Asian, Asian British or Asian Welsh"),
        FeatureValue("black", "Black, Black British, Black Welsh, Caribbean or African"),
        FeatureValue("mixed", "Mixed or Multiple ethnic groups"),
        FeatureValue("white", "White"),
        FeatureValue("other", "Other ethnic group"),
    ),
)
DISABILITY = QuotaFeature(
    code="disability",
    label="Disability",
    question=(
        "Are your day-to-day activities limited because of a health problem or disability which has "
        "lasted, or is expected to last, at least 12 months?"
    ),
    # Census 2021 counts "limited a lot" and "limited a little" as disabled under the Equality Act 2010.
    values=(
        FeatureValue("yes", "Yes, limited a lot or a little"),
        FeatureValue("no", "No"),
    ),
)
DEPRIVATION_DECILE = QuotaFeature(
    code="deprivation_decile",
    label="Deprivation decile of the home's area",
    question="Worked out from your postcode: the IMD 2019 decile of your area (1 is the most deprived).",
    values=(
        *(
            FeatureValue(
                str(decile),
                f"Decile {decile}"
                + (" (most deprived)" if decile == 1 else " (least deprived)" if decile == 10 else ""),
            )
            for decile in range(1, 11)
        ),
        FeatureValue(UNKNOWN_DEPRIVATION, "Not known (the area's code changed in 2021)"),
    ),
    derived=True,
)
DEPRIVATION_QUINTILE = QuotaFeature(
    code="deprivation_quintile",
    label="Deprivation quintile of the home's area",
    question="Worked out from your postcode: the IMD 2019 quintile of your area (1 is the most deprived).",
    values=(
        *(
            FeatureValue(
                str(quintile),
                f"Quintile {quintile}"
                + (" (most deprived)" if quintile == 1 else " (least deprived)" if quintile == 5 else ""),
            )
            for quintile in range(1, 6)
        ),
        FeatureValue(UNKNOWN_DEPRIVATION, "Not known (the area's code changed in 2021)"),
    ),
    derived=True,
)

FEATURES: dict[str, QuotaFeature] = {
    feature.code: feature
    for feature in (AGE, SEX, ETHNICITY, DISABILITY, DEPRIVATION_DECILE, DEPRIVATION_QUINTILE)
}
ASKED_FEATURES = (AGE, SEX, ETHNICITY, DISABILITY)


def deprivation_value(feature_code: str, decile: int | None) -> str:
    """Return a volunteer's deprivation value for the decile or quintile feature."""
    if decile is None:
        return UNKNOWN_DEPRIVATION
    if feature_code == DEPRIVATION_QUINTILE.code:
        return str((decile + 1) // 2)
    return str(decile)


def resolve_feature(text: str) -> QuotaFeature | None:
    """Return the feature that `text` names (its code or its label, any case), or None."""
    wanted = normalise_value(text)
    for feature in FEATURES.values():
        if wanted in (normalise_value(feature.code), normalise_value(feature.label)):
            return feature
    return None
