"""Write use cases for timebanks: open a bank, join (interview and references), limits and guardians,
record and confirm transfers, approve referred ones, reverse, group sessions, offers, requests, answers.

Every transfer that counts goes through `_count`: it locks both accounts (in a fixed order, so two
transfers the opposite way cannot deadlock), reads the source's balance under the lock, asks the pure
credit policy, writes the two movements and moves the cached balances, in one transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area, Lsoa
from commonweal.timebank import rules
from commonweal.timebank.core.ledger import Ledger, TransferError, check_transfer
from commonweal.timebank.core.ledger import Transfer as LedgerTransfer
from commonweal.timebank.core.policies import (
    CreditPolicy,
    LimitMode,
    Outcome,
    RecordingError,
    RecordingPolicy,
    Side,
    check_confirmation,
    decide,
    start_recording,
)
from commonweal.timebank.models import (
    Account,
    Answer,
    Bank,
    Category,
    GroupSession,
    Listing,
    Movement,
    Transfer,
)

_NOT_COORDINATOR = "You do not coordinate this timebank."


class TimebankError(ValueError):
    """A request a timebank action cannot carry out; the message says why in plain words.

    Refusals by rule (who may act) raise PermissionDenied; this error is about the request itself.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        """Keep the field (None: the whole form) the message belongs beside."""
        super().__init__(message)
        self.field = field


def _at_most(text: str, limit: int, what: str, field: str) -> str:
    """The text as given, or a refusal: what someone wrote is never cut short without a word."""
    if len(text) > limit:
        raise TimebankError(f"{what} is {len(text):,} characters long: keep it to {limit:,}.", field=field)
    return text


def _clock(at: datetime.datetime | None) -> datetime.datetime:
    return at if at is not None else timezone.now()


def _require_coordinator(by: User, bank: Bank) -> None:
    if not rules.may_coordinate(by, bank):
        raise PermissionDenied(_NOT_COORDINATOR)


# Banks and accounts --------------------------------------------------------------------------------------


@transaction.atomic
def open_bank(
    *,
    by: User,
    name: str,
    slug: str,
    area: Area,
    recording_policy: RecordingPolicy = RecordingPolicy.BOTH_CONFIRM,
    limit_mode: LimitMode = LimitMode.BLOCK,
    default_limit_minutes: int = 600,
    requires_dbs: bool = False,
    at: datetime.datetime | None = None,
) -> Bank:
    """Open a timebank in a place, with its community chest (which may not go below zero)."""
    if not rules.may_open_bank(by, area):
        raise PermissionDenied("You do not coordinate timebanks in this place.")
    now = _clock(at)
    if Bank.objects.filter(slug=slug).exists():
        raise TimebankError("A timebank with this short name already exists.", field="slug")
    bank = Bank.objects.create(
        name=name,
        slug=slug,
        area=area,
        recording_policy=recording_policy.value,
        limit_mode=limit_mode.value,
        default_limit_minutes=default_limit_minutes,
        requires_dbs=requires_dbs,
        created_at=now,
    )
    Account.objects.create(
        bank=bank,
        kind=Account.Kind.CHEST,
        name=f"{name} community chest",
        status=Account.Status.ACTIVE,
        limit_minutes=0,
        created_at=now,
        joined_at=now,
    )
    record_event(by=by, action="timebank.bank_opened", target=bank, at=now)
    return bank


def chest_of(bank: Bank) -> Account:
    """Return the bank's community chest."""
    return Account.objects.get(bank=bank, kind=Account.Kind.CHEST)


@transaction.atomic
def apply_to_join(
    *,
    by: User,
    bank: Bank,
    phone: str = "",
    neighbourhood: Area | None = None,
    lsoa: Lsoa | None = None,
    at: datetime.datetime | None = None,
) -> Account:
    """Apply to join a bank as a member; the coordinator interviews and takes references before it opens."""
    if not rules.may_join(by):
        raise PermissionDenied("Only residents can join a timebank as members.")
    now = _clock(at)
    if Account.objects.filter(bank=bank, kind=Account.Kind.MEMBER, user=by).exists():
        raise TimebankError("You have already applied to this timebank.")
    account = Account.objects.create(
        bank=bank,
        kind=Account.Kind.MEMBER,
        name=by.full_name or by.email,
        user=by,
        phone=phone,
        neighbourhood=neighbourhood,
        lsoa=lsoa,
        created_at=now,
    )
    record_event(by=by, action="timebank.applied", target=account, at=now)
    return account


@transaction.atomic
def add_organisation(
    *, by: User, bank: Bank, organisation: Organisation, at: datetime.datetime | None = None
) -> Account:
    """Open an account for a community organisation (the coordinator does it; it is active at once)."""
    _require_coordinator(by, bank)
    now = _clock(at)
    if Account.objects.filter(bank=bank, organisation=organisation).exists():
        raise TimebankError(
            "This organisation already has an account in this timebank.", field="organisation"
        )
    account = Account.objects.create(
        bank=bank,
        kind=Account.Kind.ORGANISATION,
        name=organisation.name,
        organisation=organisation,
        status=Account.Status.ACTIVE,
        created_at=now,
        joined_at=now,
    )
    record_event(by=by, action="timebank.organisation_added", target=account, at=now)
    return account


@transaction.atomic
def record_joining(
    *,
    by: User,
    account: Account,
    interviewed_at: datetime.datetime,
    interview_notes: str,
    references: str,
    dbs_checked_on: datetime.date | None = None,
    at: datetime.datetime | None = None,
) -> Account:
    """Record the joining interview and references (and a DBS check where needed): the member is in."""
    _require_coordinator(by, account.bank)
    now = _clock(at)
    if account.status != Account.Status.APPLIED:
        raise TimebankError("This member has already joined.")
    if not interview_notes.strip():
        raise TimebankError("Record what was said at the interview.", field="interview_notes")
    if not references.strip():
        raise TimebankError("Record who gave references, and when.", field="references")
    if account.bank.requires_dbs and dbs_checked_on is None:
        raise TimebankError("This timebank needs a DBS check before a member joins.", field="dbs_checked_on")
    account.interviewed_at = interviewed_at
    account.interview_notes = interview_notes.strip()
    account.references = references.strip()
    account.dbs_checked_on = dbs_checked_on
    account.status = Account.Status.ACTIVE
    account.joined_at = now
    account.save()
    record_event(by=by, action="timebank.joined", target=account, at=now)
    return account


@transaction.atomic
def set_member_support(
    *,
    by: User,
    account: Account,
    limit_minutes: int | None,
    needs_support: bool,
    guardian: User | None,
    at: datetime.datetime | None = None,
) -> Account:
    """Set a member's own limit (None: the bank's), whether they need support, and their guardian."""
    _require_coordinator(by, account.bank)
    now = _clock(at)
    if limit_minutes is not None and limit_minutes < 0:
        raise TimebankError(
            "A limit is the number of minutes an account may owe: zero or more.", field="limit"
        )
    if guardian is not None and guardian.pk == account.user_id:
        raise TimebankError("A member cannot be their own guardian.", field="guardian")
    before = (account.limit_minutes, account.needs_support, account.guardian_id)
    account.limit_minutes = limit_minutes
    account.needs_support = needs_support
    account.guardian = guardian
    account.save(update_fields=["limit_minutes", "needs_support", "guardian"])
    record_event(
        by=by,
        action="timebank.member_support_set",
        target=account,
        at=now,
        before=list(before),
        after=[limit_minutes, needs_support, guardian.pk if guardian else None],
    )
    return account


# Transfers -------------------------------------------------------------------------------------------------


def _policy(bank: Bank) -> CreditPolicy:
    return CreditPolicy(LimitMode(bank.limit_mode), bank.default_limit_minutes)


def _lock(*accounts: Account) -> dict[int, Account]:
    """Lock the accounts' rows in key order (PostgreSQL; SQLite's one writer already serialises)."""
    ids = sorted({account.pk for account in accounts})
    # Only the accounts' rows (of=self): locking their bank's row too would queue every transfer of a bank.
    locked = Account.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    return {account.pk: account for account in locked}


def _count(transfer: Transfer, *, at: datetime.datetime, allow_refer: bool = True) -> Outcome:
    """Count a transfer under the bank's credit policy: write its two movements and move the balances."""
    accounts = _lock(transfer.source, transfer.destination)
    source = accounts[transfer.source_id]
    source.bank = transfer.bank
    decision = decide(_policy(transfer.bank), source.balance_minutes, transfer.minutes, source.limit)
    outcome = decision.outcome
    if outcome is Outcome.REFUSE:
        raise TimebankError(decision.message, field="minutes")
    if outcome is Outcome.REFER and not allow_refer:
        outcome = Outcome.WARN  # the coordinator approving a referred transfer is the exception it waited for
    if outcome is Outcome.REFER:
        transfer.status = Transfer.Status.REFERRED
        transfer.warning = decision.message
        transfer.save()
        return outcome
    transfer.status = Transfer.Status.COMPLETE
    transfer.waiting_for = ""
    transfer.counted_at = at
    transfer.warning = decision.message if outcome is Outcome.WARN else transfer.warning
    transfer.save()
    Movement.objects.create(transfer=transfer, account=source, minutes=-transfer.minutes, leg=1, at=at)
    Movement.objects.create(
        transfer=transfer, account_id=transfer.destination_id, minutes=transfer.minutes, leg=2, at=at
    )
    Account.objects.filter(pk=transfer.source_id).update(
        balance_minutes=F("balance_minutes") - transfer.minutes
    )
    Account.objects.filter(pk=transfer.destination_id).update(
        balance_minutes=F("balance_minutes") + transfer.minutes
    )
    return outcome


def _side_of(by: User, source: Account, destination: Account) -> tuple[Side, str]:
    """Which side the user records for, and as what (themselves, their organisation, a guardian)."""
    for side, account in ((Side.RECEIVER, source), (Side.PROVIDER, destination)):
        if rules.holds_account(by, account):
            as_what = (
                Transfer.RecordedAs.ORGANISATION if account.kind == Account.Kind.ORGANISATION else "self"
            )
            return side, as_what
    for side, account in ((Side.RECEIVER, source), (Side.PROVIDER, destination)):
        if rules.is_guardian_of(by, account):
            return side, Transfer.RecordedAs.GUARDIAN
    raise PermissionDenied(
        "You can record only exchanges your own account (or one you act for) took part in."
    )


def _check_accounts(source: Account, destination: Account, minutes: object) -> None:
    if source.bank_id != destination.bank_id:
        raise TimebankError("Both accounts must be in the same timebank.", field="destination")
    try:
        check_transfer(source.pk, destination.pk, minutes)  # type: ignore[arg-type]
    except TransferError as error:
        raise TimebankError(str(error), field=error.field) from error
    for account in (source, destination):
        if account.status != Account.Status.ACTIVE:
            raise TimebankError(
                f"{account.name} is not an active member of this timebank.", field="destination"
            )


@transaction.atomic
def record_transfer(
    *,
    by: User,
    source: Account,
    destination: Account,
    minutes: int,
    category: str = Category.OTHER,
    reason: str = "",
    home_exchange: bool = False,
    answer: Answer | None = None,
    at: datetime.datetime | None = None,
) -> Transfer:
    """Record hours from `source` (who received help or donates) to `destination` (who gave help).

    A member records for their own account, an organisation member for the organisation's, a guardian
    for their member; a coordinator records as broker for any two accounts (it counts at once). Under
    both-confirm the other side must confirm before the hours count. A home exchange with a member who
    needs support waits for the coordinator.
    """
    now = _clock(at)
    bank = source.bank
    _check_accounts(source, destination, minutes)
    if category not in Category.values:
        raise TimebankError("Choose what the exchange was for.", field="category")
    broker = False
    side: Side
    as_what: str
    if rules.may_coordinate(by, bank) and not (
        rules.may_act_for(by, source) or rules.may_act_for(by, destination)
    ):
        broker = True
        side, as_what = Side.RECEIVER, Transfer.RecordedAs.BROKER
    else:
        side, as_what = _side_of(by, source, destination)
    # The chest is the bank's own and nobody holds it to confirm: a member's gift to it counts at once
    # whatever the recording policy, and hours from it to a member wait for the coordinator.
    gift_to_chest = not broker and destination.kind == Account.Kind.CHEST
    from_chest = not broker and source.kind == Account.Kind.CHEST
    try:
        recording = start_recording(
            RecordingPolicy(bank.recording_policy), side, on_behalf=broker or gift_to_chest or from_chest
        )
    except RecordingError as error:
        raise TimebankError(str(error)) from error
    transfer = Transfer.objects.create(
        bank=bank,
        source=source,
        destination=destination,
        minutes=minutes,
        category=category,
        reason=reason.strip()[:300],
        status=Transfer.Status.PENDING,
        waiting_for=recording.confirmer.value if recording.confirmer else "",
        recorded_by=by,
        recorded_as=as_what,
        recorded_at=now,
        answer=answer,
    )
    needs_approval = home_exchange and not broker and (source.needs_support or destination.needs_support)
    if from_chest:
        transfer.status = Transfer.Status.REFERRED
        transfer.warning = "Hours from the community chest wait for the coordinator."
        transfer.save()
    elif needs_approval:
        transfer.status = Transfer.Status.REFERRED
        transfer.warning = "A home exchange with a member who needs support waits for the coordinator."
        transfer.save()
    elif recording.counts_now:
        _count(transfer, at=now)
    record_event(
        by=by,
        action="timebank.transfer_recorded",
        target=transfer,
        at=now,
        minutes=minutes,
        status=transfer.status,
        recorded_as=as_what,
    )
    return transfer


@transaction.atomic
def confirm_transfer(*, by: User, transfer: Transfer, at: datetime.datetime | None = None) -> Transfer:
    """Confirm a transfer the other side recorded (both-confirm): the hours count now."""
    now = _clock(at)
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("bank", "source", "destination")
        .get(pk=transfer.pk)
    )
    if not (rules.may_act_for(by, transfer.source) or rules.may_act_for(by, transfer.destination)):
        raise PermissionDenied("Only the people in this exchange (or their guardians) can confirm it.")
    waiting = (
        Side(transfer.waiting_for)
        if transfer.status == Transfer.Status.PENDING and transfer.waiting_for
        else None
    )
    waiting_account = transfer.source if waiting is Side.RECEIVER else transfer.destination
    confirmer = waiting if waiting is not None and rules.may_act_for(by, waiting_account) else None
    try:
        check_confirmation(
            waiting, confirmer or (Side.PROVIDER if waiting is Side.RECEIVER else Side.RECEIVER)
        )
    except RecordingError as error:
        raise TimebankError(str(error)) from error
    transfer.confirmed_by = by
    _count(transfer, at=now)
    record_event(by=by, action="timebank.transfer_confirmed", target=transfer, at=now, status=transfer.status)
    return transfer


@transaction.atomic
def decide_referred(
    *, by: User, transfer: Transfer, approve: bool, at: datetime.datetime | None = None
) -> Transfer:
    """The coordinator approves (the hours count) or declines a transfer that waited for them."""
    _require_coordinator(by, transfer.bank)
    now = _clock(at)
    transfer = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("bank", "source", "destination")
        .get(pk=transfer.pk)
    )
    if transfer.status != Transfer.Status.REFERRED:
        raise TimebankError("This transfer is not waiting for the coordinator.")
    if approve:
        transfer.confirmed_by = by
        _count(transfer, at=now, allow_refer=False)
    else:
        transfer.status = Transfer.Status.DECLINED
        transfer.save(update_fields=["status"])
    record_event(by=by, action="timebank.referred_decided", target=transfer, at=now, approved=approve)
    return transfer


@transaction.atomic
def reverse_transfer(
    *, by: User, transfer: Transfer, reason: str, at: datetime.datetime | None = None
) -> Transfer:
    """Correct a counted transfer by a reversal: the same minutes the other way (at most once)."""
    _require_coordinator(by, transfer.bank)
    now = _clock(at)
    if transfer.status != Transfer.Status.COMPLETE:
        raise TimebankError("Only a counted transfer can be reversed.")
    if transfer.reverses_id is not None:
        raise TimebankError("A reversal cannot itself be reversed; record a new transfer instead.")
    if Transfer.objects.filter(reverses=transfer).exists():
        raise TimebankError("This transfer has already been reversed.")
    if not reason.strip():
        raise TimebankError("Say why the transfer is reversed.", field="reason")
    reversal = Transfer.objects.create(
        bank=transfer.bank,
        source=transfer.destination,
        destination=transfer.source,
        minutes=transfer.minutes,
        category=transfer.category,
        reason=reason.strip()[:300],
        status=Transfer.Status.PENDING,
        recorded_by=by,
        recorded_as=Transfer.RecordedAs.COORDINATOR,
        recorded_at=now,
        reverses=transfer,
    )
    _count(reversal, at=now, allow_refer=False)
    record_event(by=by, action="timebank.transfer_reversed", target=reversal, at=now, reverses=transfer.pk)
    return reversal


@transaction.atomic
def record_group_session(
    *,
    by: User,
    provider: Account,
    participants: Sequence[Account],
    title: str,
    minutes_each: int,
    category: str = Category.EVENTS,
    at: datetime.datetime | None = None,
) -> GroupSession:
    """Record a group activity given by one account to many: one counted transfer from each participant.

    All or nothing: if one participant's transfer is refused (say, under a block limit), none is recorded.
    """
    bank = provider.bank
    if not (rules.may_coordinate(by, bank) or rules.may_act_for(by, provider)):
        raise PermissionDenied("Only the coordinator or the session's provider can record a group session.")
    now = _clock(at)
    if not participants:
        raise TimebankError("Choose who took part.", field="participants")
    if not title.strip():
        raise TimebankError("Give the session a title.", field="title")
    if len({p.pk for p in participants}) != len(participants):
        raise TimebankError("Each participant is counted once.", field="participants")
    for participant in participants:
        _check_accounts(participant, provider, minutes_each)
    session = GroupSession.objects.create(
        bank=bank,
        provider=provider,
        title=title.strip()[:150],
        category=category,
        minutes_each=minutes_each,
        held_at=now,
        recorded_by=by,
    )
    as_what = (
        Transfer.RecordedAs.COORDINATOR
        if rules.may_coordinate(by, bank)
        else Transfer.RecordedAs.ORGANISATION
    )
    for participant in participants:
        transfer = Transfer.objects.create(
            bank=bank,
            source=participant,
            destination=provider,
            minutes=minutes_each,
            category=category,
            reason=session.title,
            status=Transfer.Status.PENDING,
            recorded_by=by,
            recorded_as=as_what,
            recorded_at=now,
            session=session,
        )
        try:
            _count(transfer, at=now, allow_refer=False)
        except TimebankError as error:
            raise TimebankError(f"{participant.name}: {error}", field="participants") from error
    record_event(
        by=by, action="timebank.group_session", target=session, at=now, participants=len(participants)
    )
    return session


@dataclass(frozen=True)
class PastExchange:
    """One exchange from a bank's earlier records (another system, or paper), to import."""

    source: Account
    destination: Account
    minutes: int
    category: str
    at: datetime.datetime
    reason: str = ""


@transaction.atomic
def import_exchanges(
    *, by: User, bank: Bank, exchanges: Sequence[PastExchange], at: datetime.datetime | None = None
) -> int:
    """Import a bank's earlier exchanges, in date order, under its credit policy: all or nothing.

    For a bank moving its history from another system: each exchange is checked by the pure ledger (no
    time of zero, none to oneself, the block limit) from the balances now, then written in bulk as
    counted transfers with their two movements (the database's triggers check each one), with one
    audit event for the import. A refused row refuses the import and names the row and why.
    """
    _require_coordinator(by, bank)
    now = _clock(at)
    accounts = _lock(*{e.source for e in exchanges}, *{e.destination for e in exchanges})
    ledger = Ledger(_policy(bank), {pk: account.limit_with(bank) for pk, account in accounts.items()})
    for pk, account in accounts.items():
        ledger.balances[pk] = account.balance_minutes
    ordered = sorted(enumerate(exchanges, start=1), key=lambda row: row[1].at)
    for number, exchange in ordered:
        if exchange.source.bank_id != bank.pk or exchange.destination.bank_id != bank.pk:
            raise TimebankError(f"Row {number}: both accounts must be in this timebank.")
        if exchange.category not in Category.values:
            raise TimebankError(f"Row {number}: there is no category {exchange.category!r}.")
        try:
            decision = ledger.record(
                LedgerTransfer(number, exchange.source.pk, exchange.destination.pk, exchange.minutes)
            )
        except TransferError as error:
            raise TimebankError(f"Row {number}: {error}") from error
        if decision.outcome is Outcome.REFUSE:
            raise TimebankError(f"Row {number}: {decision.message}")
    transfers = Transfer.objects.bulk_create(
        [
            Transfer(
                bank=bank,
                source=exchange.source,
                destination=exchange.destination,
                minutes=exchange.minutes,
                category=exchange.category,
                reason=exchange.reason[:300],
                status=Transfer.Status.COMPLETE,
                recorded_by=by,
                recorded_as=Transfer.RecordedAs.IMPORTED,
                recorded_at=exchange.at,
                counted_at=exchange.at,
            )
            for _, exchange in ordered
        ]
    )
    Movement.objects.bulk_create(
        [
            movement
            for transfer in transfers
            for movement in (
                Movement(
                    transfer=transfer,
                    account_id=transfer.source_id,
                    minutes=-transfer.minutes,
                    leg=1,
                    at=transfer.recorded_at,
                ),
                Movement(
                    transfer=transfer,
                    account_id=transfer.destination_id,
                    minutes=transfer.minutes,
                    leg=2,
                    at=transfer.recorded_at,
                ),
            )
        ]
    )
    for pk, account in accounts.items():
        account.balance_minutes = ledger.balances[pk]
    Account.objects.bulk_update(list(accounts.values()), ["balance_minutes"])
    record_event(by=by, action="timebank.exchanges_imported", target=bank, at=now, transfers=len(transfers))
    return len(transfers)


@dataclass(frozen=True)
class NewMember:
    """A member joining with their interview and references already recorded (a bank moving its members)."""

    user: User
    interviewed_at: datetime.datetime
    interview_notes: str
    references: str
    phone: str = ""
    neighbourhood: Area | None = None
    lsoa_id: int | None = None


@transaction.atomic
def import_members(
    *, by: User, bank: Bank, members: Sequence[NewMember], at: datetime.datetime | None = None
) -> list[Account]:
    """Open member accounts for people whose interview and references the coordinator has recorded."""
    _require_coordinator(by, bank)
    now = _clock(at)
    for number, member in enumerate(members, start=1):
        if not member.interview_notes.strip() or not member.references.strip():
            raise TimebankError(f"Row {number}: record the interview and the references.")
        if bank.requires_dbs:
            raise TimebankError("This timebank needs a DBS check for each member: let them join one by one.")
    if Account.objects.filter(bank=bank, user__in=[m.user for m in members]).exists():
        raise TimebankError("Some of these people already have an account in this timebank.")
    accounts = Account.objects.bulk_create(
        [
            Account(
                bank=bank,
                kind=Account.Kind.MEMBER,
                name=member.user.full_name or member.user.email,
                user=member.user,
                status=Account.Status.ACTIVE,
                phone=member.phone,
                neighbourhood=member.neighbourhood,
                lsoa_id=member.lsoa_id,
                interviewed_at=member.interviewed_at,
                interview_notes=member.interview_notes.strip(),
                references=member.references.strip(),
                created_at=member.interviewed_at,
                joined_at=member.interviewed_at,
            )
            for member in members
        ]
    )
    record_event(by=by, action="timebank.members_imported", target=bank, at=now, members=len(accounts))
    return accounts


# Offers, requests and answers -----------------------------------------------------------------------------


@transaction.atomic
def post_listing(
    *,
    by: User,
    account: Account,
    kind: str,
    title: str,
    description: str,
    category: str,
    expires_on: datetime.date,
    area: Area | None = None,
    group_activity: bool = False,
    at: datetime.datetime | None = None,
) -> Listing:
    """Post an offer of help or a request for it, for an account the user acts for."""
    if not rules.may_use_bank(by, account):
        raise PermissionDenied("You can post only for an active account you act for.")
    now = _clock(at)
    if kind not in Listing.Kind.values:
        raise TimebankError("Say whether this is an offer or a request.", field="kind")
    if not title.strip():
        raise TimebankError("Give a short title.", field="title")
    if category not in Category.values:
        raise TimebankError("Choose a category.", field="category")
    if expires_on <= now.date():
        raise TimebankError("The closing date must be in the future.", field="expires_on")
    listing = Listing.objects.create(
        bank=account.bank,
        account=account,
        kind=kind,
        title=_at_most(title.strip(), 120, "The title", "title"),
        description=_at_most(description.strip(), 2000, "The description", "description"),
        category=category,
        area=area,
        group_activity=group_activity,
        expires_on=expires_on,
        created_at=now,
    )
    record_event(by=by, action="timebank.listing_posted", target=listing, at=now)
    return listing


@transaction.atomic
def answer_listing(
    *, by: User, listing: Listing, account: Account, message: str, at: datetime.datetime | None = None
) -> Answer:
    """Answer an offer or request through the bank; no contact details pass until the poster agrees."""
    if not rules.may_use_bank(by, account) or account.bank_id != listing.bank_id:
        raise PermissionDenied("You can answer only through an active account of this timebank you act for.")
    now = _clock(at)
    if listing.account_id == account.pk:
        raise TimebankError("This is your own post.")
    if listing.withdrawn_at is not None or listing.expires_on < now.date():
        raise TimebankError("This post has closed.")
    if not message.strip():
        raise TimebankError("Write a short message.", field="message")
    if Answer.objects.filter(listing=listing, account=account).exists():
        raise TimebankError("You have already answered this post.")
    answer = Answer.objects.create(
        listing=listing,
        account=account,
        message=_at_most(message.strip(), 500, "The message", "message"),
        created_at=now,
    )
    record_event(by=by, action="timebank.answered", target=answer, at=now)
    return answer


@transaction.atomic
def decide_answer(*, by: User, answer: Answer, agree: bool, at: datetime.datetime | None = None) -> Answer:
    """The poster agrees (both sides then see each other's contact details) or declines an answer."""
    if not rules.may_act_for(by, answer.listing.account):
        raise PermissionDenied("Only the person who posted can agree to an answer.")
    now = _clock(at)
    if answer.status != Answer.Status.ASKED:
        raise TimebankError("This answer has already been decided.")
    answer.status = Answer.Status.AGREED if agree else Answer.Status.DECLINED
    answer.decided_at = now
    answer.save(update_fields=["status", "decided_at"])
    record_event(by=by, action="timebank.answer_decided", target=answer, at=now, agreed=agree)
    return answer
