"""How the dashboards group people and define the uptake funnel (no Django).

Groups:
- Deprivation: the IMD 2019 decile of the person's LSOA (1 = most deprived tenth of England); quintile
  q is deciles 2q − 1 and 2q. "Unknown" when there is no LSOA or the LSOA has no IMD 2019 decile.
- Ethnicity: the NHS Data Dictionary ethnic category, grouped into the five high-level groups used by
  the NHS and ONS (White; Mixed or multiple; Asian or Asian British; Black or Black British; Other,
  which includes Chinese in the 2001 categories the Data Dictionary uses) and Not stated. Seventeen
  categories would hide most counts under the small-number rule; the five groups keep them visible.
- Age band: age in whole years on the day of the event (the referral, the request, the first answer).
- Sex as recorded, the NHS Data Dictionary's person stated gender code (people.Sex): Female, Male, and
  one group for Indeterminate (9) and Not known (X). Both are rare, so two groups of a handful would
  mostly be hidden by the small-number rule; one keeps them visible and every table's rows still add up
  to its total. A stored value that is no code counts as not known.

The uptake funnel, from the journey's SNOMED CT codes and statuses (referrals/snomed.py, workflow.py):
- offered: every referral received. A referrer records 871691000000100 "Social prescribing offered" when
  the person agrees to be referred, and a self-referral is the person taking up the offer themselves;
  the count does not rest on that code, because records written elsewhere (imports, the demo) do not
  always carry it, and a referral without it was still offered.
- referred: triage accepted the referral onto a link worker's caseload: 871731000000106 "Referral to
  social prescribing service" (which NHS England uses for the first interaction of an episode), or a
  triaged referral that is open or closed.
- seen: a link worker reached the person: 1362931000000106 "Seen by social prescribing link worker", or
  a first-seen time on the referral.
- connected: at least one connection to a community service was accepted by the organisation running
  it (a transition to the FHIR Task status "accepted"; connections entered in error do not count).
- attended: the person came to at least one session of a service they were connected to.
Declined: the person chose not to go ahead at triage (871711000000103 "Social prescribing declined", or
the decline reason "the person decided not to go ahead"). Each step counts referrals (episodes), not
people: someone referred twice counts twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from commonweal.places.models import imd_quintile_of

OFFERED_CODE = "871691000000100"
REFERRED_CODE = "871731000000106"
SEEN_CODE = "1362931000000106"
DECLINED_CODE = "871711000000103"


@dataclass(frozen=True)
class Category:
    """One group in a breakdown: the key stored in the summaries and the words shown."""

    key: str
    label: str


@dataclass(frozen=True)
class FunnelStep:
    """One step of the uptake funnel."""

    key: str
    label: str
    definition: str


FUNNEL: tuple[FunnelStep, ...] = (
    FunnelStep(
        "offered",
        "Offered",
        f"Every referral received: offered by a referrer (SNOMED CT {OFFERED_CODE}) or a self-referral",
    ),
    FunnelStep("referred", "Referred", f"Accepted at triage (SNOMED CT {REFERRED_CODE})"),
    FunnelStep("seen", "Seen", f"Seen by a link worker (SNOMED CT {SEEN_CODE})"),
    FunnelStep("connected", "Connected", "A community organisation accepted at least one connection"),
    FunnelStep("attended", "Attended", "Came to at least one session of a service they were connected to"),
)

ETHNIC_GROUPS: dict[str, tuple[str, ...]] = {
    "white": ("A", "B", "C"),
    "mixed": ("D", "E", "F", "G"),
    "asian": ("H", "J", "K", "L"),
    "black": ("M", "N", "P"),
    "other": ("R", "S"),
    "not_stated": ("Z",),
}
ETHNICITY: tuple[Category, ...] = (
    Category("white", "White"),
    Category("mixed", "Mixed or multiple ethnic groups"),
    Category("asian", "Asian or Asian British"),
    Category("black", "Black or Black British"),
    Category("other", "Other ethnic groups"),
    Category("not_stated", "Not stated"),
)

# (key, label, youngest age in the band); each band runs to the next band's youngest age.
AGE_BANDS: tuple[tuple[str, str, int], ...] = (
    ("0-17", "Under 18", 0),
    ("18-24", "18 to 24", 18),
    ("25-34", "25 to 34", 25),
    ("35-44", "35 to 44", 35),
    ("45-54", "45 to 54", 45),
    ("55-64", "55 to 64", 55),
    ("65-74", "65 to 74", 65),
    ("75-84", "75 to 84", 75),
    ("85+", "85 and over", 85),
)
AGE: tuple[Category, ...] = tuple(Category(key, label) for key, label, _ in AGE_BANDS)
SEX_NOT_KNOWN = "not_known"
SEX_OWN_GROUPS = ("female", "male")  # stored values that are their own group, under the same key
SEX: tuple[Category, ...] = (
    Category("female", "Female"),
    Category("male", "Male"),
    Category(SEX_NOT_KNOWN, "Indeterminate or not known"),
)
SOURCE: tuple[Category, ...] = (
    Category("gp", "GP practice"),
    Category("housing", "Housing"),
    Category("fire", "Fire and rescue service"),
    Category("social_care", "Social care"),
    Category("pharmacy", "Pharmacy"),
    Category("vcse", "Voluntary or community organisation"),
    Category("hospital", "Hospital or community health team"),
    Category("self", "Self-referral"),
    Category("other", "Another agency"),
)


def _decile_label(decile: int) -> str:
    return {1: "1 (most deprived)", 10: "10 (least deprived)"}.get(decile, str(decile))


DECILES: tuple[Category, ...] = (
    *(Category(str(decile), _decile_label(decile)) for decile in range(1, 11)),
    Category("0", "Unknown"),
)


@dataclass(frozen=True)
class Dimension:
    """A way of breaking figures down."""

    key: str
    label: str
    categories: tuple[Category, ...]


DIMENSIONS: dict[str, Dimension] = {
    "ethnicity": Dimension("ethnicity", "Ethnic group", ETHNICITY),
    "age": Dimension("age", "Age band", AGE),
    "sex": Dimension("sex", "Sex", SEX),
    "source": Dimension("source", "Who referred", SOURCE),
}
DEPRIVATION = Dimension("deprivation", "Deprivation decile (IMD 2019)", DECILES)


def age_band(age: int) -> str:
    """Return the key of the age band an age in whole years falls in."""
    found = AGE_BANDS[0][0]
    for key, _, youngest in AGE_BANDS:
        if age >= youngest:
            found = key
    return found


def sex_group(sex: str) -> str:
    """Return the group of a stored sex: female, male, or not known (with indeterminate)."""
    return sex if sex in SEX_OWN_GROUPS else SEX_NOT_KNOWN


def ethnic_group(code: str) -> str:
    """Return the high-level group of an NHS Data Dictionary ethnic category code."""
    for group, codes in ETHNIC_GROUPS.items():
        if code in codes:
            return group
    return "not_stated"


def deciles_of_quintile(quintile: int) -> tuple[int, int]:
    """Return the two IMD deciles in an IMD quintile (quintile 1 = deciles 1 and 2)."""
    if not 1 <= quintile <= 5:
        raise ValueError(f"An IMD quintile is from 1 to 5; got {quintile}.")
    return 2 * quintile - 1, 2 * quintile


def quintile_of_decile(decile: int) -> int:
    """Return the IMD quintile of a decile (0, unknown, stays 0)."""
    return imd_quintile_of(decile) or 0


def month_number(day: datetime.date) -> int:
    """Return a month as YYYYMM, as the summaries store it."""
    return day.year * 100 + day.month


def month_start(month: int) -> datetime.date:
    """Return the first day of a YYYYMM month."""
    return datetime.date(month // 100, month % 100, 1)


def months_between(first: int, last: int) -> list[int]:
    """Return every YYYYMM month from first to last, inclusive."""
    months = []
    year, month = divmod(first, 100)
    while year * 100 + month <= last:
        months.append(year * 100 + month)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return months


def add_months(month: int, count: int) -> int:
    """Return the YYYYMM month `count` months after (or before, if negative) another."""
    index = (month // 100) * 12 + (month % 100 - 1) + count
    return (index // 12) * 100 + index % 12 + 1


def month_label(month: int) -> str:
    """Write a YYYYMM month as 'Jan 2025'."""
    return month_start(month).strftime("%b %Y")


def financial_quarter(month: int) -> str:
    """Return the NHS financial quarter of a month, e.g. 202505 → '2025/26 Q1' (April to June)."""
    year, number = divmod(month, 100)
    start_year = year if number >= 4 else year - 1
    quarter = ((number - 4) % 12) // 3 + 1
    return f"{start_year}/{(start_year + 1) % 100:02d} Q{quarter}"
