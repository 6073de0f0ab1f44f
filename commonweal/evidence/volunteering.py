"""Volunteering evidence: volunteers, approved hours and active matches by neighbourhood, IMD quintile,
age band, sex and ethnic group, with the small-number suppression every published table gets; volunteer
hours as an SROI input with its financial proxy stated."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from commonweal.evidence.breakdowns import AGE, ETHNICITY, SEX, age_band, ethnic_group, sex_group
from commonweal.evidence.disclosure import Sum as Total
from commonweal.evidence.disclosure import protect
from commonweal.places.models import Area, imd_quintile_of
from commonweal.volunteering.models import HoursEntry, Match, PipelineStatus, Volunteer

# The financial proxy for an hour of volunteering: its replacement cost at the National Living Wage
# (£12.21 an hour from 1 April 2025, GOV.UK "National Minimum Wage and National Living Wage rates").
# A conservative choice: the Social Value Bank and some SROI guides value an hour at median pay.
HOUR_PROXY_POUNDS = Decimal("12.21")
HOUR_PROXY_SOURCE = (
    "Replacement cost at the National Living Wage, £12.21 an hour from 1 April 2025 (GOV.UK, National "
    "Minimum Wage and National Living Wage rates); conservative, as volunteers' time could be valued at "
    "median hourly pay instead."
)
UNKNOWN = "Not known"


@dataclass(frozen=True)
class Row:
    """One line of a table: its label, the counts as shown (suppressed where small) and the hours."""

    label: str
    volunteers: str
    matches: str
    hours: str


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]
    total: Row

    @property
    def csv_rows(self) -> list[list[str]]:
        """The table's rows for its CSV, total last."""
        return [[r.label, r.volunteers, r.matches, r.hours] for r in [*self.rows, self.total]]


CSV_HEADER = ["group", "active volunteers", "active matches", "approved hours"]


def _neighbourhood_of_lsoa() -> dict[int, str]:
    found: dict[int, str] = {}
    for name, lsoa_id in Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).values_list("name", "lsoas"):
        if lsoa_id is not None:
            found.setdefault(lsoa_id, name)
    return found


@dataclass(frozen=True)
class _Counted:
    """One active volunteer as the tables group them."""

    lsoa_id: int | None
    date_of_birth: datetime.date | None
    sex: str
    ethnicity: str
    approved: Decimal | None
    active_matches: int


def _volunteers() -> list[_Counted]:
    volunteers = Volunteer.objects.filter(enrolments__status=PipelineStatus.ACTIVE).distinct()
    rows = volunteers.annotate(
        approved=Sum("hours__hours", filter=Q(hours__status=HoursEntry.Status.APPROVED)),
        active_matches=Count("matches", filter=Q(matches__status=Match.Status.ACTIVE), distinct=True),
    ).values_list("lsoa_id", "date_of_birth", "sex", "ethnicity", "approved", "active_matches")
    return [_Counted(*row) for row in rows]


def _table(
    key: str,
    title: str,
    group_of: Callable[[_Counted], str],
    counted_volunteers: list[_Counted],
    order: Sequence[str] = (),
) -> Table:
    """Count volunteers, active matches and approved hours by group; `order` lists the groups in the
    order shown (others after it, by name; "Not known" last)."""
    people: dict[str, int] = defaultdict(int)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    matches: dict[str, int] = defaultdict(int)
    for volunteer in counted_volunteers:
        group = group_of(volunteer)
        people[group] += 1
        hours[group] += volunteer.approved or Decimal(0)
        matches[group] += volunteer.active_matches
    position = {label: index for index, label in enumerate(order)}
    labels = sorted(people, key=lambda label: (label == UNKNOWN, position.get(label, len(position)), label))
    counted = {("v", label): people[label] for label in labels} | {
        ("m", label): matches[label] for label in labels
    }
    counted[("v", "total")] = sum(people.values())
    counted[("m", "total")] = sum(matches.values())
    sums = [
        Total(("v", "total"), tuple(("v", label) for label in labels)),
        Total(("m", "total"), tuple(("m", label) for label in labels)),
    ]
    shown = protect(counted, sums)

    def row(label: str, key_label: str) -> Row:
        hidden = shown.is_hidden(("v", key_label))
        total_hours = sum(hours.values()) if key_label == "total" else hours[label]
        return Row(
            label,
            shown.shown(("v", key_label)),
            shown.shown(("m", key_label)),
            "suppressed" if hidden else f"{total_hours:.1f}",
        )

    return Table(key, title, [row(label, label) for label in labels], row("All", "total"))


def _age_band_of(volunteer: _Counted, today: datetime.date) -> str:
    born = volunteer.date_of_birth
    if born is None:
        return UNKNOWN
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return AGE_LABELS[age_band(age)]


AGE_LABELS = {category.key: category.label for category in AGE}
SEX_LABELS = {category.key: category.label for category in SEX}
ETHNIC_LABELS = {category.key: category.label for category in ETHNICITY}


def tables(today: datetime.date | None = None) -> list[Table]:
    """Return the volunteering tables: by neighbourhood, IMD quintile (1 most deprived), age band on
    `today`, sex and ethnic group (the NHS Data Dictionary categories in their five high-level groups)."""
    today = today or timezone.localdate()
    counted = _volunteers()
    quintile_of = {
        lsoa_id: f"Quintile {imd_quintile_of(decile)}"
        for lsoa_id, decile in Volunteer.objects.filter(lsoa__isnull=False)
        .values_list("lsoa_id", "lsoa__imd_decile")
        .distinct()
        if decile is not None
    }
    neighbourhood_of = _neighbourhood_of_lsoa()

    def by_lsoa(groups: dict[int, str]) -> Callable[[_Counted], str]:
        return lambda volunteer: groups.get(volunteer.lsoa_id, UNKNOWN) if volunteer.lsoa_id else UNKNOWN

    return [
        _table(
            "neighbourhood",
            "Active volunteers, matches and approved hours by neighbourhood",
            by_lsoa(neighbourhood_of),
            counted,
        ),
        _table(
            "imd",
            "By IMD 2019 quintile of where volunteers live (1 = most deprived)",
            by_lsoa(quintile_of),
            counted,
        ),
        _table(
            "age",
            "By age band",
            lambda volunteer: _age_band_of(volunteer, today),
            counted,
            order=list(AGE_LABELS.values()),
        ),
        _table(
            "sex",
            "By sex",
            lambda volunteer: SEX_LABELS[sex_group(volunteer.sex)],
            counted,
            order=list(SEX_LABELS.values()),
        ),
        _table(
            "ethnicity",
            "By ethnic group",
            lambda volunteer: (
                ETHNIC_LABELS[ethnic_group(volunteer.ethnicity)] if volunteer.ethnicity else UNKNOWN
            ),
            counted,
            order=list(ETHNIC_LABELS.values()),
        ),
    ]


@dataclass(frozen=True)
class SroiInput:
    hours: Decimal
    proxy: Decimal
    value: Decimal
    source: str


def sroi_input() -> SroiInput:
    """Return approved volunteer hours valued at the stated proxy, as an SROI input."""
    total = HoursEntry.objects.filter(status=HoursEntry.Status.APPROVED).aggregate(total=Sum("hours"))[
        "total"
    ]
    hours = total or Decimal(0)
    return SroiInput(
        hours, HOUR_PROXY_POUNDS, (hours * HOUR_PROXY_POUNDS).quantize(Decimal("0.01")), HOUR_PROXY_SOURCE
    )
