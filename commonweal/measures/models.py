"""Schedules, responses (never edited once submitted; corrected by new versions), one-time links, alerts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.measures import conf
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person


class ImmutableResponseError(Exception):
    """Raised when something tries to change or delete a submitted response."""

    def __init__(self) -> None:
        super().__init__(
            "A submitted questionnaire response is never changed. Record a correction (a new version "
            "with a reason) instead."
        )


class MeasureSchedule(models.Model):
    """A person's plan of questionnaires: a baseline, then follow-ups some weeks later."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["instruments", "follow_up_weeks"],
    }

    class Origin(models.TextChoices):
        FIRST_CONTACT = "first_contact", "Started at first contact"
        LINK_WORKER = "link_worker", "Set by a link worker"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="measure_schedules")
    baseline_on = models.DateField("baseline date")
    instruments = models.JSONField(help_text="Instrument codes, in the order they are offered")
    follow_up_weeks = models.JSONField(help_text="Weeks after the baseline, e.g. [6, 12]")
    origin = models.CharField(max_length=20, choices=Origin.choices)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-baseline_on", "-pk"]

    def __str__(self) -> str:
        return f"Measures for person {self.person_id} from {self.baseline_on}"


def overdue_before(today: datetime.date) -> datetime.date:
    """Return the due date before which an unanswered questionnaire is overdue on a day.

    A questionnaire is overdue once it is more than MEASURES_OVERDUE_AFTER_DAYS past its due date.
    """
    return today - datetime.timedelta(days=conf.overdue_after_days())


class ScheduledMeasureQuerySet(models.QuerySet["ScheduledMeasure"]):
    """Planned questionnaires, with the "overdue" rule."""

    def overdue(self, today: datetime.date) -> ScheduledMeasureQuerySet:
        """Return the unanswered questionnaires that are overdue on a day."""
        return self.filter(completed_at__isnull=True, due_on__lt=overdue_before(today))


class ScheduledMeasure(models.Model):
    """One questionnaire due on one day: the baseline or a follow-up."""

    schedule = models.ForeignKey(MeasureSchedule, on_delete=models.CASCADE, related_name="measures")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="scheduled_measures")
    instrument_code = models.CharField(max_length=60)
    weeks_after_baseline = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_note = models.CharField(max_length=300, blank=True)

    objects = ScheduledMeasureQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["due_on", "completed_at"], name="scheduled_measure_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "instrument_code", "weeks_after_baseline"],
                name="scheduled_measure_once_per_point",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.timepoint_label.lower()} due {self.due_on}"

    @property
    def timepoint_label(self) -> str:
        """Name the time point: the baseline, or the follow-up by its week."""
        if self.weeks_after_baseline == 0:
            return "Baseline"
        return f"Follow-up at {self.weeks_after_baseline} weeks"

    @property
    def is_done(self) -> bool:
        """Tell whether a response was submitted for this time point."""
        return self.completed_at is not None

    def is_overdue(self, today: datetime.date) -> bool:
        """Tell whether the questionnaire is unanswered and overdue on a day."""
        return not self.is_done and self.due_on < overdue_before(today)

    def days_overdue(self, today: datetime.date) -> int:
        """Return how many days past its due date the questionnaire is (0 when not yet past)."""
        return max(0, (today - self.due_on).days)


class ResponseQuerySet(models.QuerySet["Response"]):
    """Refuses bulk changes and deletions that would touch a submitted response."""

    def update(self, **kwargs: Any) -> int:
        if self.filter(status=Response.Status.SUBMITTED).exists():
            raise ImmutableResponseError()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(status=Response.Status.SUBMITTED).exists():
            raise ImmutableResponseError()
        return super().delete()

    def submitted(self) -> ResponseQuerySet:
        """Return submitted responses only."""
        return self.filter(status=Response.Status.SUBMITTED)

    def current(self) -> ResponseQuerySet:
        """Return submitted responses that no later version corrects."""
        return self.submitted().filter(correction__isnull=True)


class Response(models.Model):
    """One person's answers to one version of one instrument.

    While in progress the answers may be saved bit by bit; once submitted the row is never changed (this
    model, its queryset and a database trigger all refuse). A correction is a new response that points
    at the one it corrects, with a reason.
    """

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Wellbeing and outcome measures the person answers",
        "lawful_basis": gdpr.CARE,
        "fields": {"answers": "health", "correction_reason": "free text"},
        "person": "person",
    }

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"

    class Mode(models.TextChoices):
        CONVERSATION = "conversation", "Recorded by a link worker in a conversation"
        OWN_ACCOUNT = "own_account", "Answered by the person in their account"
        ONE_TIME_LINK = "one_time_link", "Answered by the person through a one-time link"
        CORRECTION = "correction", "Correction recorded by staff"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="measure_responses")
    scheduled = models.ForeignKey(
        ScheduledMeasure, null=True, blank=True, on_delete=models.PROTECT, related_name="responses"
    )
    instrument_code = models.CharField(max_length=60)
    instrument_version = models.CharField(max_length=20)
    language = models.CharField(max_length=20, default="en-GB")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_PROGRESS)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    answers = models.JSONField(default=dict, blank=True, help_text="Item id → answer value, as text")
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveSmallIntegerField(default=1)
    corrects = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="correction"
    )
    correction_reason = models.TextField(blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-started_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "instrument_code", "status"], name="response_person_instrument"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="response_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=(Q(version=1) & Q(corrects__isnull=True) & Q(correction_reason=""))
                | (Q(version__gt=1) & Q(corrects__isnull=False) & ~Q(correction_reason="")),
                name="response_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | Q(status="submitted"),
                name="response_correction_is_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.instrument_version} response {self.pk} (v{self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and (
            Response.objects.filter(pk=self.pk, status=Response.Status.SUBMITTED).exists()
        ):
            raise ImmutableResponseError()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status == Response.Status.SUBMITTED or (
            Response.objects.filter(pk=self.pk, status=Response.Status.SUBMITTED).exists()
        ):
            raise ImmutableResponseError()
        return super().delete(*args, **kwargs)

    @property
    def is_submitted(self) -> bool:
        """Tell whether the response was submitted (and so is final)."""
        return self.status == Response.Status.SUBMITTED

    @property
    def is_current(self) -> bool:
        """Tell whether no later version corrects this response."""
        try:
            self.correction  # noqa: B018 - the reverse one-to-one raises when there is none
        except Response.DoesNotExist:
            return True
        return False

    def answer_values(self) -> dict[str, Decimal]:
        """Return the saved answers as Decimals."""
        return {item_id: Decimal(value) for item_id, value in self.answers.items()}


class AnswerLink(models.Model):
    """A one-time link that lets a person answer without an account: signed, expiring, used once.

    Only a digest of the link's secret is kept, so the database alone cannot be used to answer.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="answer_links")
    scheduled = models.ForeignKey(
        ScheduledMeasure, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    instrument_code = models.CharField(max_length=60)
    instrument_version = models.CharField(max_length=20)
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="links"
    )
    secret_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Answer link {self.pk} for person {self.person_id} ({self.instrument_code})"

    def is_usable(self, now: datetime.datetime) -> bool:
        """Tell whether the link may still be used to answer."""
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


class SafetyAlert(models.Model):
    """An answer a definition marks as a risk (e.g. PHQ-9 item 9 above zero), until acknowledged."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Alerting and escalating when an answer shows a risk",
        "lawful_basis": gdpr.CARE,
        "fields": {"reason": "health", "action_taken": "health"},
        "person": "person",
        "on_erasure": gdpr.KEEP_CLINICAL,
    }

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for acknowledgement"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="safety_alerts")
    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="safety_alerts")
    instrument_code = models.CharField(max_length=60)
    rule_id = models.CharField(max_length=100)
    item_id = models.CharField(max_length=100)
    answer = models.DecimalField(max_digits=12, decimal_places=4)
    reason = models.TextField()
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    responsible_worker = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    has_delivery_failure = models.BooleanField(default=False)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [models.Index(fields=["status", "raised_at"], name="safety_alert_open")]
        constraints = [
            models.UniqueConstraint(fields=["response", "rule_id"], name="safety_alert_once_per_rule"),
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(acknowledged_by__isnull=False) & Q(acknowledged_at__isnull=False) & ~Q(action_taken="")),
                name="safety_alert_acknowledged_with_action",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety alert {self.pk} for person {self.person_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        """Tell whether the alert still waits for someone to acknowledge it."""
        return self.status == SafetyAlert.Status.OPEN


class AlertDelivery(models.Model):
    """One attempt to tell someone about an alert, and whether it reached them."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Delivering a safety alert to the people responsible",
        "lawful_basis": gdpr.CARE,
        "fields": {"address": "contact"},
        "not_personal": ["problem"],
    }

    class Audience(models.TextChoices):
        RESPONSIBLE = "responsible", "Responsible link worker"
        SUPERVISOR = "supervisor", "Supervisor"
        TEAM = "team", "Link worker in the team"
        DUTY = "duty", "Escalation address"

    class Channel(models.TextChoices):
        IN_APP = "in_app", "Safety alerts page"
        EMAIL = "email", "E-mail"

    class Outcome(models.TextChoices):
        SENT = "sent", "Delivered"
        FAILED = "failed", "Not delivered"

    alert = models.ForeignKey(SafetyAlert, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=254, blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    problem = models.TextField(blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    attempted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempted_at", "pk"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="sent") | ~Q(problem=""), name="alert_delivery_failure_says_why"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient or self.address or 'nobody'}: {self.outcome}"
