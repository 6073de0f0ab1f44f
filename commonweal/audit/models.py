"""The access log and the write log.

Both refer to users through `settings.AUTH_USER_MODEL`, so this app sits below `accounts` and every
other app may record into it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class RecordAccess(models.Model):
    """One view of a person-level record by someone other than that person: who, when, what, why."""

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
        on_delete=models.SET_NULL,
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


class AuditEvent(models.Model):
    """One write made through an action: who did what to which record, and when."""

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
