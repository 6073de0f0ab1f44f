"""Timebanks, their accounts, transfers and the movements that make up the ledger.

Every transfer that counts writes two movements (the source's debit, the destination's credit) that sum
to zero and are never updated or deleted: the database refuses it (triggers, migration 0002) as well as
the code. A correction is a reversal transfer. `Account.balance_minutes` is a cache of the sum of an
account's movements, kept in the same transaction; `manage.py check_timebank` proves it equal.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweal.audit import personal_data as gdpr
from commonweal.timebank.core.policies import LimitMode, RecordingPolicy


class Bank(models.Model):
    """One timebank: its place, its coordinating organisation and its rules."""

    personal_data = {"not_personal": ["name"]}  # what it holds about people: audit/personal_data.py

    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=60, unique=True)
    area = models.ForeignKey("places.Area", on_delete=models.PROTECT, related_name="timebanks")
    recording_policy = models.CharField(
        max_length=10,
        choices=[
            (p.value, label)
            for p, label in zip(
                RecordingPolicy, ("Receiver records", "Provider records", "Both confirm"), strict=True
            )
        ],
        default=RecordingPolicy.BOTH_CONFIRM.value,
    )
    limit_mode = models.CharField(
        max_length=10,
        choices=[
            (m.value, label)
            for m, label in zip(LimitMode, ("Warn", "Block", "Refer to the coordinator"), strict=True)
        ],
        default=LimitMode.BLOCK.value,
    )
    default_limit_minutes = models.PositiveIntegerField(
        default=600, help_text="How many minutes a member may owe (600: ten hours)"
    )
    requires_dbs = models.BooleanField(
        default=False, help_text="Members need a DBS check recorded before they may join"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Account(models.Model):
    """A member's, an organisation's or the community chest's account in one bank."""

    personal_data = {
        "purpose": "Timebanking: who gives and receives hours",
        "lawful_basis": gdpr.CONSENT,
        "fields": {
            "name": "identity",
            "phone": "contact",
            "interview_notes": "free text",
            "references": "free text",
        },
        "user": "user",
    }

    class Kind(models.TextChoices):
        MEMBER = "member", "Member"
        ORGANISATION = "organisation", "Organisation"
        CHEST = "chest", "Community chest"

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    name = models.CharField(max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_accounts",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPLIED)
    phone = models.CharField(max_length=30, blank=True, help_text="Shared only when both sides agree")
    neighbourhood = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="timebank_accounts"
    )
    lsoa = models.ForeignKey("places.Lsoa", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    limit_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Own limit in minutes; empty: the bank's"
    )
    needs_support = models.BooleanField(
        default=False, help_text="Home exchanges need the coordinator's approval"
    )
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_wards",
        help_text="Someone who may act for this member (recorded on everything they do)",
    )
    interviewed_at = models.DateTimeField(null=True, blank=True)
    interview_notes = models.TextField(blank=True)
    references = models.TextField(blank=True, help_text="Who gave references, and when")
    dbs_checked_on = models.DateField(null=True, blank=True)
    balance_minutes = models.IntegerField(default=0, help_text="Cache of the sum of the account's movements")
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bank", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bank"], condition=models.Q(kind="chest"), name="timebank_one_chest_per_bank"
            ),
            models.UniqueConstraint(
                fields=["bank", "user"],
                condition=models.Q(kind="member"),
                name="timebank_one_member_account_per_person",
            ),
            models.UniqueConstraint(
                fields=["bank", "organisation"],
                condition=models.Q(kind="organisation"),
                name="timebank_one_account_per_organisation",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="member") | models.Q(user__isnull=False),
                name="timebank_member_has_user",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="organisation") | models.Q(organisation__isnull=False),
                name="timebank_organisation_account_has_organisation",
            ),
        ]
        indexes = [models.Index(fields=["bank", "kind", "status"], name="timebank_account_kind")]

    def __str__(self) -> str:
        return self.name

    @property
    def limit(self) -> int:
        """Return how many minutes this account may owe."""
        return self.limit_with(self.bank)

    def limit_with(self, bank: Bank) -> int:
        """Return how many minutes this account may owe, given its bank (already loaded)."""
        return bank.default_limit_minutes if self.limit_minutes is None else self.limit_minutes


class Category(models.TextChoices):
    """What an exchange was for (not tied to a post: any transfer has one)."""

    COMPANIONSHIP = "companionship", "Companionship and befriending"
    TRANSPORT = "transport", "Lifts and transport"
    GARDENING = "gardening", "Gardening"
    HOUSEHOLD = "household", "Household and DIY"
    SHOPPING = "shopping", "Shopping and errands"
    COOKING = "cooking", "Cooking and meals"
    LEARNING = "learning", "Teaching and learning"
    DIGITAL = "digital", "Computers and phones"
    ADMIN = "admin", "Forms, letters and admin"
    CARE = "care", "Caring and respite"
    EVENTS = "events", "Events and group activities"
    DONATION = "donation", "Donated hours"
    OTHER = "other", "Other"


class Transfer(models.Model):
    """Minutes from a source account to a destination account: recorded, maybe waiting, then counted."""

    personal_data = {
        "purpose": "Timebanking: the ledger of hours given and received",
        "lawful_basis": gdpr.CONSENT,
        "fields": {"reason": "free text"},
        "user": "recorded_by",
    }

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        REFERRED = "referred", "Waiting for the coordinator"
        COMPLETE = "complete", "Counted"
        DECLINED = "declined", "Declined"

    class RecordedAs(models.TextChoices):
        SELF = "self", "By the member"
        BROKER = "broker", "By a broker for the member"
        GUARDIAN = "guardian", "By a guardian for the member"
        ORGANISATION = "organisation", "For the organisation"
        COORDINATOR = "coordinator", "By the coordinator"
        IMPORTED = "imported", "Imported from the bank's earlier records"

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="transfers")
    source = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_out")
    destination = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in")
    minutes = models.PositiveIntegerField()
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.OTHER)
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    waiting_for = models.CharField(
        max_length=10, blank=True, help_text="Which side must confirm: receiver or provider (empty: none)"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_as = models.CharField(max_length=12, choices=RecordedAs.choices, default=RecordedAs.SELF)
    recorded_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    session = models.ForeignKey(
        "GroupSession", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    answer = models.ForeignKey(
        "Answer", null=True, blank=True, on_delete=models.SET_NULL, related_name="transfers"
    )
    warning = models.CharField(max_length=300, blank=True, help_text="What the credit policy said")

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gt=0), name="timebank_transfer_minutes_positive"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("destination")), name="timebank_transfer_not_to_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min from {self.source_id} to {self.destination_id}"


IMMUTABLE = "A timebank movement is never updated or deleted; record a reversal instead."


class ImmutableMovementError(Exception):
    """Code tried to change or delete a movement."""


class Movement(models.Model):
    """One leg of a counted transfer: a signed change to one account's balance. Never updated or deleted."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="movements")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="movements")
    minutes = models.IntegerField()
    leg = models.PositiveSmallIntegerField(help_text="1: the source's debit; 2: the destination's credit")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "leg"], name="timebank_two_legs_per_transfer"),
            models.CheckConstraint(
                condition=(models.Q(leg=1) & models.Q(minutes__lt=0))
                | (models.Q(leg=2) & models.Q(minutes__gt=0)),
                name="timebank_debit_then_credit",
            ),
        ]
        indexes = [models.Index(fields=["account", "at"], name="timebank_movement_account_at")]

    def __str__(self) -> str:
        return f"{self.minutes:+d} min on {self.account_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Write a new movement; an existing one is never saved again (the database refuses it too)."""
        if not self._state.adding:
            raise ImmutableMovementError(IMMUTABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Refuse: a movement is never deleted (the database refuses it too)."""
        raise ImmutableMovementError(IMMUTABLE)


class GroupSession(models.Model):
    """A group activity given by one account to many: one transfer per participant."""

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="sessions")
    provider = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="sessions_given")
    title = models.CharField(max_length=150)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.EVENTS)
    minutes_each = models.PositiveIntegerField()
    held_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_each__gt=0), name="timebank_session_minutes_positive"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Listing(models.Model):
    """An offer of help or a request for it, posted by an account."""

    personal_data = {
        "purpose": "Timebanking: offers of help and requests for it",
        "lawful_basis": gdpr.CONSENT,
        "fields": {"description": "free text"},
        "user": "account__user",
    }

    class Kind(models.TextChoices):
        OFFER = "offer", "Offer"
        REQUEST = "request", "Request"

    bank = models.ForeignKey(Bank, on_delete=models.PROTECT, related_name="listings")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="listings")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    category = models.CharField(max_length=20, choices=Category.choices)
    area = models.ForeignKey("places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    group_activity = models.BooleanField(default=False)
    expires_on = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["bank", "kind", "expires_on"], name="timebank_listing_open")]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    """A member answering a listing through the bank; contact details are shared only once both agree."""

    personal_data = {
        "purpose": "Timebanking: answering an offer or a request through the bank",
        "lawful_basis": gdpr.CONSENT,
        "fields": {"message": "free text"},
        "user": "account__user",
    }

    class Status(models.TextChoices):
        ASKED = "asked", "Waiting for the poster"
        AGREED = "agreed", "Both agreed: contact details shared"
        DECLINED = "declined", "Declined"

    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="answers")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="answers")
    message = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASKED)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "account"], name="timebank_one_answer_per_listing")
        ]

    def __str__(self) -> str:
        return f"Answer to {self.listing_id}"
