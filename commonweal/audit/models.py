"""The access log and the write log.

Both refer to users through `settings.AUTH_USER_MODEL`, so this app sits below `accounts` and every
other app may record into it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.utils import timezone

from commonweal.audit import personal_data as gdpr
from commonweal.audit.chain import GENESIS, content_of, digest


def _content_type_key(content_type_id: int | None) -> str | None:
    if content_type_id is None:
        return None
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


class ChainHead(models.Model):
    """The end of one hash chain: locked by every append, so appends are serialised."""

    chain = models.CharField(max_length=40, primary_key=True, help_text="Model label, e.g. audit.AuditEvent")
    last_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, default=GENESIS)
    length = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.chain}: {self.length} rows, last {self.last_hash[:12]}"


class ChainedQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        # Each row needs the hash of the one before it: append them one by one, in order.
        objs = list(objs)
        with transaction.atomic(using=self.db):
            for obj in objs:
                obj.save(using=self.db)
        return objs


class ChainedRecord(models.Model):
    """A row that is appended to a hash chain when first saved and never changed afterwards."""

    prev_hash = models.CharField(max_length=64, default="", editable=False)
    row_hash = models.CharField(max_length=64, default="", editable=False, db_index=True)

    objects = ChainedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("An audit row is never changed once written.")
        label = self._meta.label
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            heads = ChainHead.objects.using(using)
            # Take the head's lock before reading it: a write lock on SQLite, a row lock on PostgreSQL.
            if not heads.filter(chain=label).update(length=models.F("length")):
                heads.get_or_create(chain=label)
                heads.filter(chain=label).update(length=models.F("length"))
            head = heads.select_for_update().get(chain=label)
            self.prev_hash = head.last_hash
            super().save(*args, **kwargs)
            # Hash the row as the database holds it (rounded times, JSON as stored), as verify_audit reads it.
            stored = type(self).objects.using(using).get(pk=self.pk)
            self.row_hash = digest(self.prev_hash, content_of(label, stored, _content_type_key))
            type(self).objects.using(using).filter(pk=self.pk).update(row_hash=self.row_hash)
            heads.filter(chain=label).update(
                last_id=self.pk, last_hash=self.row_hash, length=models.F("length") + 1
            )


class RecordAccess(ChainedRecord):
    """One view of a person-level record by someone other than that person: who, when, what, why."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Showing people who looked at their record; accountability for access",
        "lawful_basis": gdpr.LEGAL_OBLIGATION,
        "fields": {"viewer": "account", "subject_user": "account", "detail": "free text", "path": "identity"},
        "on_erasure": gdpr.KEEP_AUDIT,
    }

    class Reason(models.TextChoices):
        CASELOAD = "caseload", "On their caseload"
        REFERRAL = "referral", "Working on their referral"
        HOUSEHOLD = "household", "Their household is in my care"
        ORGANISATION = "organisation", "Connected to my organisation"
        ADMINISTRATION = "administration", "Managing their access to Commonweal"
        BREAK_GLASS = "break_glass", "Break-glass access"

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_accesses"
    )
    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("subject_type", "subject_id")
    # The account of the person the record is about, when they have one, so they can read the log.
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # The log is hash-chained and kept: an account that was looked at is anonymised, not deleted.
        on_delete=models.PROTECT,
        related_name="accesses_to_my_record",
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(blank=True, help_text="Required for break-glass access")
    path = models.CharField(max_length=500, blank=True)
    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-accessed_at", "-pk"]
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "-accessed_at"], name="record_access_subject_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason="break_glass") | ~models.Q(detail=""),
                name="record_access_break_glass_has_detail",
            ),
        ]
        verbose_name_plural = "record accesses"

    def __str__(self) -> str:
        return f"{self.viewer} viewed {self.subject_type.model} {self.subject_id} ({self.reason})"


class AuditEvent(ChainedRecord):
    """One write made through an action: who did what to which record, and when."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Accountability: who changed which record, and when",
        "lawful_basis": gdpr.LEGAL_OBLIGATION,
        "fields": {"actor": "account", "detail": "free text"},
        "on_erasure": gdpr.KEEP_AUDIT,
    }

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=100, help_text="Dotted name of the action, e.g. accounts.grant_role")
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} by {self.actor} at {self.occurred_at:%Y-%m-%d %H:%M}"
