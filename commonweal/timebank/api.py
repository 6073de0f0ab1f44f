"""The timebank over the JSON API: record a transfer (a retry with the same Idempotency-Key never records
twice), list an account's movements, and a bank's balances, under the same rules as the pages."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Header, Path, Query, Router, Schema
from ninja.responses import Status

from commonweal.accounts.models import User
from commonweal.audit.actions import AccessGrant, record_access
from commonweal.audit.models import RecordAccess
from commonweal.timebank import actions, queries, rules
from commonweal.timebank.models import Account, Bank, Category, Transfer
from commonweal.ui.models import UsedFormToken

router = Router(tags=["timebank"])
KEY_PATTERN = r"^[A-Za-z0-9_.:-]{1,40}$"  # the Idempotency-Key header (422 otherwise)
LARGEST_ID = 2**31 - 1


class TransferIn(Schema):
    source: int = Field(ge=1, le=LARGEST_ID, description="Account number whose hours go out (received help)")
    destination: int = Field(
        ge=1, le=LARGEST_ID, description="Account number whose hours come in (gave help)"
    )
    minutes: int = Field(
        ge=-1_000_000, le=1_000_000, description="More than zero; others are refused with a reason"
    )
    category: str = Field(default=Category.OTHER.value, max_length=20, description="One of the categories")
    reason: str = Field(default="", max_length=300)


class TransferOut(Schema):
    id: int
    source: int
    destination: int
    minutes: int
    category: str
    status: str = Field(description="complete (counted), pending (waiting for confirmation) or referred")
    waiting_for: str
    recorded_as: str
    counted_at: datetime.datetime | None
    warning: str


class ErrorOut(Schema):
    error: str
    detail: str


class MovementOut(Schema):
    at: datetime.datetime
    minutes: int
    balance_after: int
    transfer: int
    other: str
    category: str


class BalanceOut(Schema):
    account: int
    name: str
    kind: str
    balance_minutes: int


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in, or send an API token.")
    return request.user


def _out(transfer: Transfer) -> TransferOut:
    return TransferOut(
        id=transfer.pk,
        source=transfer.source_id,
        destination=transfer.destination_id,
        minutes=transfer.minutes,
        category=transfer.category,
        status=transfer.status,
        waiting_for=transfer.waiting_for,
        recorded_as=transfer.recorded_as,
        counted_at=transfer.counted_at,
        warning=transfer.warning,
    )


def _replayed(token: str, user: User) -> Transfer | None:
    used = UsedFormToken.objects.filter(token=token, user=user).first()
    if used is None:
        return None
    return Transfer.objects.get(pk=int(used.url.rstrip("/").rsplit("/", 1)[1]))


@router.post(
    "/timebank/transfers",
    response={200: TransferOut, 201: TransferOut, 404: ErrorOut, 409: ErrorOut},
    summary="Record a transfer of minutes between two accounts",
    description="201: recorded. 200: this Idempotency-Key was already used by you; the transfer it "
    "recorded is returned and nothing new is written. 404: an account number that does not exist. 409: "
    "refused by the bank's rules (no time, to itself, an inactive account, past a block limit, the "
    "recording policy); the detail says why. Nothing is written unless the answer is 200 or 201.",
)
def post_transfer(
    request: HttpRequest,
    payload: TransferIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key", pattern=KEY_PATTERN),
) -> Status[TransferOut | ErrorOut]:
    """Record a transfer as the pages do; a retry with the same key returns the first answer."""
    user = _user(request)
    token = ""
    if idempotency_key is not None:
        token = f"timebank:{user.pk}:{idempotency_key}"
        done = _replayed(token, user)
        if done is not None:
            return Status(200, _out(done))
    accounts = Account.objects.select_related("bank").in_bulk([payload.source, payload.destination])
    for number in (payload.source, payload.destination):
        if number not in accounts:
            return Status(
                404, ErrorOut(error="unknown_account", detail=f"There is no account number {number}.")
            )
    try:
        with transaction.atomic():
            transfer = actions.record_transfer(
                by=user,
                source=accounts[payload.source],
                destination=accounts[payload.destination],
                minutes=payload.minutes,
                category=payload.category,
                reason=payload.reason,
            )
            if token:
                UsedFormToken.objects.create(
                    token=token,
                    user=user,
                    url=f"/api/timebank/transfers/{transfer.pk}",
                    used_at=timezone.now(),
                )
    except actions.TimebankError as error:
        return Status(409, ErrorOut(error="refused", detail=str(error)))
    except IntegrityError:
        done = _replayed(token, user) if token else None
        if done is None:
            raise
        return Status(200, _out(done))  # a racing retry recorded it first; this one's writes are rolled back
    return Status(201, _out(transfer))


@router.get("/timebank/transfers/{transfer_id}", response=TransferOut, summary="One transfer")
def get_transfer(request: HttpRequest, transfer_id: int = Path(..., ge=1, le=LARGEST_ID)) -> TransferOut:
    """Return a transfer to someone who may see either of its accounts."""
    transfer = (
        Transfer.objects.select_related("source__bank", "destination__bank").filter(pk=transfer_id).first()
    )
    if transfer is None or not (
        rules.may_see_account(request.user, transfer.source)
        or rules.may_see_account(request.user, transfer.destination)
    ):
        raise Http404("There is no such transfer you may see.")
    return _out(transfer)


@router.get(
    "/timebank/accounts/{account_id}/movements", response=list[MovementOut], summary="An account's movements"
)
def list_movements(
    request: HttpRequest,
    account_id: int = Path(..., ge=1, le=LARGEST_ID),
    limit: int = Query(200, ge=1, le=1000),
) -> list[MovementOut]:
    """Return the account's latest movements (newest first) with the balance after each."""
    user = _user(request)
    account = Account.objects.select_related("bank", "user").filter(pk=account_id).first()
    if account is None or not rules.may_see_account(user, account):
        raise Http404("There is no such account you may see.")
    if account.user_id is not None and account.user_id != user.pk:
        record_access(
            viewer=user,
            subject=account,
            subject_user=account.user,
            grant=AccessGrant(RecordAccess.Reason.ORGANISATION, "Timebank coordinator or guardian (API)"),
            path=request.get_full_path(),
        )
    return [
        MovementOut(
            at=line.at,
            minutes=line.minutes,
            balance_after=line.balance,
            transfer=line.transfer_id,
            other=line.other,
            category=line.category,
        )
        for line in queries.statement(account, limit=limit)
    ]


@router.get(
    "/timebank/banks/{slug}/balances", response=list[BalanceOut], summary="A bank's balances (coordinators)"
)
def list_balances(
    request: HttpRequest, slug: str = Path(..., pattern=r"^[-a-zA-Z0-9_]{1,60}$")
) -> list[BalanceOut]:
    """Return every account's balance in a bank the caller coordinates."""
    bank = Bank.objects.filter(slug=slug).first()
    if bank is None or not rules.may_coordinate(request.user, bank):
        raise Http404("There is no such timebank you coordinate.")
    return [
        BalanceOut(account=pk, name=name, kind=kind, balance_minutes=balance)
        for pk, name, kind, balance in Account.objects.filter(bank=bank)
        .order_by("pk")
        .values_list("pk", "name", "kind", "balance_minutes")
    ]
