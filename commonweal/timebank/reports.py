"""A bank's reports as tables (each also a CSV): hours by category, by neighbourhood and by IMD quintile
with hours given and received counted separately, inactive members, and the distribution of balances.

"Given" is the minutes credited to accounts (help given), "received" the minutes debited (help received);
a member's exchange counts once on each side, so each table's two columns are about different people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.http import HttpResponse

from commonweal.places.models import imd_quintile_of
from commonweal.timebank.models import Account, Bank, Category, Movement, Transfer
from commonweal.ui import spreadsheets

# Balance bands in hours: (label, lowest minutes included, highest minutes excluded).
BANDS = [
    ("Owes more than 10 hours", None, -600),
    ("Owes 5 to 10 hours", -600, -300),
    ("Owes up to 5 hours", -300, 0),
    ("Zero", 0, 1),
    ("Up to 5 hours in credit", 1, 301),
    ("5 to 10 hours in credit", 301, 601),
    ("More than 10 hours in credit", 601, None),
]
INACTIVE_DAYS = 90


@dataclass(frozen=True)
class Table:
    """One report: a key (its CSV's name), a title, headers and rows."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]


def _hours(minutes: int | None) -> str:
    return f"{(minutes or 0) / 60:.1f}"


def _given_received(bank: Bank, since: datetime.datetime, group: str) -> list[tuple[Any, int, int]]:
    rows = (
        Movement.objects.filter(account__bank=bank, at__gte=since)
        .values(group)
        .annotate(
            given=Sum("minutes", filter=Q(minutes__gt=0)), received=Sum("minutes", filter=Q(minutes__lt=0))
        )
        .order_by(group)
    )
    return [(row[group], row["given"] or 0, -(row["received"] or 0)) for row in rows]


def by_category(bank: Bank, since: datetime.datetime) -> Table:
    """Hours exchanged by what the exchange was for (counted transfers, reversals included)."""
    labels = dict(Category.choices)
    rows = (
        Transfer.objects.filter(bank=bank, status=Transfer.Status.COMPLETE, counted_at__gte=since)
        .values("category")
        .annotate(count=Count("pk"), minutes=Sum("minutes"))
        .order_by("-minutes", "category")
    )
    return Table(
        "categories",
        "Hours by category",
        ["Category", "Transfers", "Hours"],
        [
            [labels.get(row["category"], row["category"]), row["count"], _hours(row["minutes"])]
            for row in rows
        ],
    )


def by_neighbourhood(bank: Bank, since: datetime.datetime) -> Table:
    """Hours given and received by the members of each neighbourhood."""
    return Table(
        "neighbourhoods",
        "Hours given and received by neighbourhood",
        ["Neighbourhood", "Hours given", "Hours received"],
        [
            [name or "Not recorded", _hours(given), _hours(received)]
            for name, given, received in _given_received(bank, since, "account__neighbourhood__name")
        ],
    )


def by_imd_quintile(bank: Bank, since: datetime.datetime) -> Table:
    """Hours given and received by the IMD 2019 quintile of members' LSOA (1: most deprived)."""
    quintiles: dict[str, list[int]] = {}
    for decile, given, received in _given_received(bank, since, "account__lsoa__imd_decile"):
        quintile = imd_quintile_of(decile)
        key = "Not recorded" if quintile is None else str(quintile)
        totals = quintiles.setdefault(key, [0, 0])
        totals[0] += given
        totals[1] += received
    return Table(
        "imd-quintiles",
        "Hours given and received by IMD quintile (1: most deprived)",
        ["IMD quintile", "Hours given", "Hours received"],
        [[key, _hours(given), _hours(received)] for key, (given, received) in sorted(quintiles.items())],
    )


def inactive_members(bank: Bank, today: datetime.date) -> Table:
    """Active members with no counted exchange in the last 90 days."""
    cutoff = datetime.datetime.combine(
        today - datetime.timedelta(days=INACTIVE_DAYS), datetime.time(), tzinfo=datetime.UTC
    )
    members = (
        Account.objects.filter(bank=bank, kind=Account.Kind.MEMBER, status=Account.Status.ACTIVE)
        .annotate(last=Max("movements__at"))
        .filter(Q(last__lt=cutoff) | Q(last__isnull=True))
        .order_by("last", "name")
    )
    return Table(
        "inactive",
        f"Members with no exchange in {INACTIVE_DAYS} days",
        ["Account", "Member", "Last exchange", "Balance (hours)"],
        [
            [m.pk, m.name, m.last.date().isoformat() if m.last else "Never", _hours(m.balance_minutes)]
            for m in members
        ],
    )


def balance_distribution(bank: Bank) -> Table:
    """How many member and organisation accounts have each band of balance."""
    balances = list(
        Account.objects.filter(bank=bank, status=Account.Status.ACTIVE)
        .exclude(kind=Account.Kind.CHEST)
        .values_list("balance_minutes", flat=True)
    )
    rows = []
    for label, low, high in BANDS:
        rows.append(
            [label, sum(1 for b in balances if (low is None or b >= low) and (high is None or b < high))]
        )
    return Table("balances", "Distribution of balances", ["Balance", "Accounts"], rows)


def all_tables(bank: Bank, *, since: datetime.datetime, today: datetime.date) -> list[Table]:
    """Every report of the bank, in the order the page shows them."""
    return [
        by_category(bank, since),
        by_neighbourhood(bank, since),
        by_imd_quintile(bank, since),
        inactive_members(bank, today),
        balance_distribution(bank),
    ]


def csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    """A CSV download, with cells that a spreadsheet would run as formulas made safe."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = spreadsheets.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
