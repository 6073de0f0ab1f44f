"""Reads for timebanks: statements, balances from the movements, the ledger's own proof, browsing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from commonweal.accounts.models import User
from commonweal.timebank.models import Account, Answer, Bank, Listing, Movement, Transfer


def accounts_of(user: User) -> QuerySet[Account]:
    """Return the accounts the user holds or acts for as guardian (member and organisation accounts)."""
    organisations = user.role_assignments.filter(role="organisation_member").values("organisation_id")
    return (
        Account.objects.filter(
            Q(user=user, kind=Account.Kind.MEMBER)
            | Q(guardian=user)
            | Q(kind=Account.Kind.ORGANISATION, organisation_id__in=organisations)
        )
        .select_related("bank")
        .order_by("bank__name", "name")
    )


def balances_from_movements(bank: Bank) -> dict[int, int]:
    """Return each account's balance summed from its movements alone (accounts with any movement)."""
    rows = Movement.objects.filter(account__bank=bank).values("account").annotate(total=Sum("minutes"))
    return {row["account"]: row["total"] for row in rows}


@dataclass(frozen=True)
class StatementLine:
    """One movement on a statement, with the balance after it."""

    at: datetime.datetime
    minutes: int
    balance: int
    other: str
    category: str
    reason: str
    transfer_id: int
    recorded_as: str
    reversal: bool


def statement(
    account: Account, *, since: datetime.datetime | None = None, limit: int | None = 200
) -> list[StatementLine]:
    """Return the account's latest movements (newest first) with the running balance after each; the
    latest `limit` of them (None: every one, as the statement's CSV gives)."""
    movements = (
        Movement.objects.filter(account=account)
        .select_related("transfer__source", "transfer__destination")
        .order_by("-at", "-pk")
    )
    if since is not None:
        movements = movements.filter(at__gte=since)
    lines = []
    balance = account.balance_minutes
    for movement in movements[:limit]:
        transfer = movement.transfer
        other = transfer.destination if movement.leg == 1 else transfer.source
        lines.append(
            StatementLine(
                at=movement.at,
                minutes=movement.minutes,
                balance=balance,
                other=other.name,
                category=transfer.get_category_display(),
                reason=transfer.reason,
                transfer_id=transfer.pk,
                recorded_as=transfer.get_recorded_as_display(),
                reversal=transfer.reverses_id is not None,
            )
        )
        balance -= movement.minutes
    return lines


def totals(account: Account) -> tuple[int, int]:
    """Return the minutes the account has given (credits) and received (debits), counted separately."""
    row = Movement.objects.filter(account=account).aggregate(
        given=Sum("minutes", filter=Q(minutes__gt=0)), received=Sum("minutes", filter=Q(minutes__lt=0))
    )
    return row["given"] or 0, -(row["received"] or 0)


def waiting_for(account: Account) -> QuerySet[Transfer]:
    """Return the transfers waiting for this account's confirmation."""
    return Transfer.objects.filter(
        Q(source=account, waiting_for="receiver") | Q(destination=account, waiting_for="provider"),
        status=Transfer.Status.PENDING,
    ).select_related("source", "destination", "recorded_by")


def ledger_problems(banks: Iterable[Bank] | None = None) -> list[str]:
    """Prove the ledger: every cached balance equals its movements, every bank sums to zero, every
    counted transfer has one debit and one credit summing to zero (and nothing else has movements)."""
    problems = []
    for bank in banks if banks is not None else Bank.objects.order_by("pk"):
        from_movements = balances_from_movements(bank)
        for account_id, cached, name in Account.objects.filter(bank=bank).values_list(
            "pk", "balance_minutes", "name"
        ):
            if from_movements.get(account_id, 0) != cached:
                problems.append(
                    f"{bank.slug}: {name} has a cached balance of {cached} minutes "
                    f"but its movements sum to {from_movements.get(account_id, 0)}"
                )
        total = sum(from_movements.values())
        if total != 0:
            problems.append(f"{bank.slug}: balances sum to {total} minutes, not zero")
        wrong = (
            Transfer.objects.filter(bank=bank)
            .annotate(legs=Count("movements"), net=Sum("movements__minutes"))
            .filter(
                Q(status=Transfer.Status.COMPLETE) & (~Q(legs=2) | ~Q(net=0))
                | ~Q(status=Transfer.Status.COMPLETE) & Q(legs__gt=0)
            )
            .values_list("pk", flat=True)
        )
        problems.extend(
            f"{bank.slug}: transfer {pk} does not have one debit and one credit summing to zero"
            for pk in wrong
        )
    return problems


def open_listings(
    bank: Bank,
    *,
    today: datetime.date,
    kind: str = "",
    category: str = "",
    text: str = "",
    area_id: int | None = None,
) -> QuerySet[Listing]:
    """Return the bank's open offers and requests, filtered by kind, category, place and words."""
    listings = Listing.objects.filter(
        bank=bank, withdrawn_at__isnull=True, expires_on__gte=today
    ).select_related("account", "area")
    if kind:
        listings = listings.filter(kind=kind)
    if category:
        listings = listings.filter(category=category)
    if area_id:
        listings = listings.filter(area_id=area_id)
    for word in text.split()[:5]:
        listings = listings.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return listings


def answers_involving(account: Account) -> QuerySet[Answer]:
    """Return the answers this account gave or received."""
    return (
        Answer.objects.filter(Q(account=account) | Q(listing__account=account))
        .select_related("listing__account__user", "account__user")
        .order_by("-created_at")
    )
