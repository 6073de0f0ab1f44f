"""Fictional people for the demo borough (pure: no Django).

Names are made obviously fictional (family names are invented compounds that no register holds);
NHS numbers come from the 999 range that NHS England reserves for testing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from commonweal.people.nhs_number import check_digit

GIVEN_NAMES = {
    "female": [
        "Ada",
        "Amara",
        "Bea",
        "Cora",
        "Daisy",
        "Elin",
        "Esme",
        "Fatima",
        "Freya",
        "Grace",
        "Hana",
        "Ines",
        "Isla",
        "Jess",
        "Kiran",
        "Lena",
        "Maya",
        "Nadia",
        "Noor",
        "Olive",
        "Priya",
        "Rosa",
        "Sana",
        "Tess",
        "Una",
        "Vera",
        "Wren",
        "Yara",
        "Zara",
        "Maud",
    ],
    "male": [
        "Aaron",
        "Amir",
        "Arlo",
        "Bilal",
        "Cal",
        "Dev",
        "Eli",
        "Finn",
        "Gus",
        "Hamza",
        "Ivan",
        "Jude",
        "Kofi",
        "Leo",
        "Milo",
        "Nate",
        "Omar",
        "Otis",
        "Ravi",
        "Reuben",
        "Sami",
        "Theo",
        "Tom",
        "Umar",
        "Vik",
        "Wilf",
        "Yusuf",
        "Zac",
        "Ezra",
        "Ned",
    ],
}
_FAMILY_FIRST = [
    "Amber",
    "Bramble",
    "Copper",
    "Dapple",
    "Elder",
    "Fern",
    "Glimmer",
    "Hazel",
    "Ivy",
    "Juniper",
    "Kettle",
    "Lark",
    "Moss",
    "Nettle",
    "Oak",
    "Pebble",
    "Quill",
    "Rook",
    "Sorrel",
    "Thistle",
    "Umber",
    "Velvet",
    "Willow",
    "Yarrow",
]
_FAMILY_SECOND = [
    "bottom",
    "brook",
    "combe",
    "dale",
    "field",
    "ford",
    "gate",
    "holt",
    "hurst",
    "mere",
    "shaw",
    "stead",
    "thwaite",
    "wick",
]

# Age bands (years, inclusive) with approximate shares of a north-west English borough's population
# (rounded from the shape of ONS mid-year estimates); a fictional population, not a statistic.
AGE_BANDS: tuple[tuple[int, int, float], ...] = (
    (16, 24, 0.12),
    (25, 34, 0.15),
    (35, 44, 0.17),
    (45, 54, 0.17),
    (55, 64, 0.15),
    (65, 74, 0.12),
    (75, 84, 0.08),
    (85, 99, 0.04),
)

# NHS ethnic category codes with approximate shares for Trafford (rounded from Census 2021 shape).
ETHNICITY_SHARES: tuple[tuple[str, float], ...] = (
    ("A", 0.72),
    ("B", 0.015),
    ("C", 0.045),
    ("D", 0.012),
    ("E", 0.005),
    ("F", 0.01),
    ("G", 0.008),
    ("H", 0.025),
    ("J", 0.05),
    ("K", 0.003),
    ("L", 0.02),
    ("M", 0.01),
    ("N", 0.015),
    ("P", 0.005),
    ("R", 0.01),
    ("S", 0.015),
    ("Z", 0.032),
)


@dataclass(frozen=True)
class FictionalResident:
    """One fictional resident, before they are given a database row."""

    given_name: str
    family_name: str
    sex: str
    date_of_birth: datetime.date
    ethnicity: str
    nhs_number: str
    postcode: str


def _test_nhs_number(rng: random.Random, used: set[str]) -> str:
    while True:
        first_nine = "999" + f"{rng.randrange(10**6):06d}"
        digit = check_digit(first_nine)
        if digit is not None and first_nine + str(digit) not in used:
            number = first_nine + str(digit)
            used.add(number)
            return number


def fictional_residents(
    rng: random.Random, count: int, postcodes: list[str], reference_date: datetime.date
) -> list[FictionalResident]:
    """Draw `count` fictional residents on the given postcodes, reproducibly from `rng`."""
    band_weights = [share for _, _, share in AGE_BANDS]
    ethnicity_codes = [code for code, _ in ETHNICITY_SHARES]
    ethnicity_weights = [share for _, share in ETHNICITY_SHARES]
    used_numbers: set[str] = set()
    residents = []
    for _ in range(count):
        sex = "female" if rng.random() < 0.51 else "male"
        low, high, _share = rng.choices(AGE_BANDS, weights=band_weights)[0]
        age_days = rng.randint(low * 365, high * 365 + 364)
        residents.append(
            FictionalResident(
                given_name=rng.choice(GIVEN_NAMES[sex]),
                family_name=rng.choice(_FAMILY_FIRST) + rng.choice(_FAMILY_SECOND),
                sex=sex,
                date_of_birth=reference_date - datetime.timedelta(days=age_days),
                ethnicity=rng.choices(ethnicity_codes, weights=ethnicity_weights)[0],
                nhs_number=_test_nhs_number(rng, used_numbers),
                postcode=rng.choice(postcodes),
            )
        )
    return residents
