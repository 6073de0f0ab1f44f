"""Assemblies and steering groups at work: members, sessions, recommendations, votes and responses."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.participation.models.assemblies import Body, Registration


class Membership(models.Model):
    """One person's seat on a body, from the day they joined to the day they left."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        CHAIR = "chair", "Chair"

    class Route(models.TextChoices):
        APPOINTED = "appointed", "Appointed"
        SELECTED = "selected", "Selected by lottery"
        REPLACEMENT = "replacement", "Drawn as a replacement"

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="memberships")
    full_name = models.CharField(max_length=150)
    registration = models.ForeignKey(
        Registration, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    affiliation = models.CharField(max_length=200, blank=True, help_text="e.g. resident, or an organisation")
    route = models.CharField(max_length=12, choices=Route.choices, default=Route.APPOINTED)
    joined_on = models.DateField(default=timezone.localdate)
    left_on = models.DateField(null=True, blank=True)
    left_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["body", "left_on", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "registration"],
                condition=models.Q(registration__isnull=False),
                name="membership_one_seat_per_volunteer",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="membership_leaves_after_joining",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_current(self) -> bool:
        """Tell whether the member still sits on the body."""
        return self.left_on is None


class Session(models.Model):
    """One meeting: its agenda, the evidence put before members, and the published notes."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200)
    held_on = models.DateField()
    venue = models.CharField(max_length=200, blank=True)
    agenda = models.TextField()
    notes = models.TextField(blank=True, help_text="Published after the session")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["body", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%d %B %Y})"


class EvidenceItem(models.Model):
    """One item in a session's evidence pack."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    presented_by = models.CharField(max_length=200, blank=True)
    link = models.URLField(blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["session", "pk"]

    def __str__(self) -> str:
        return self.title


class Recommendation(models.Model):
    """What a body asks the responsible organisation to do."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="recommendations")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="recommendations"
    )
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    made_on = models.DateField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["body", "number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "number"], name="recommendation_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def current_response(self) -> Response | None:
        """Return the latest response recorded (earlier ones stay as its history)."""
        return self.responses.order_by("-recorded_at", "-pk").first()

    def current_delivery(self) -> DeliveryUpdate | None:
        """Return the latest delivery update."""
        return self.delivery_updates.order_by("-reported_on", "-pk").first()


class Vote(models.Model):
    """How one member voted on one recommendation."""

    class Choice(models.TextChoices):
        FOR = "for", "For"
        AGAINST = "against", "Against"
        ABSTAIN = "abstain", "Abstained"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="votes")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(max_length=10, choices=Choice.choices)

    class Meta:
        ordering = ["recommendation", "membership__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "membership"], name="vote_one_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.choice}"


class Response(models.Model):
    """The responsible organisation's answer to a recommendation; a later one never erases it."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        PARTLY = "partly", "Partly accepted"
        REJECTED = "rejected", "Rejected"

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="responses")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.TextField()
    responder = models.CharField(max_length=200, help_text="Who answered, and their role")
    responded_on = models.DateField()
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: {self.recommendation}"


class DeliveryUpdate(models.Model):
    """Progress on delivering what was promised."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        DELIVERED = "delivered", "Delivered"
        STALLED = "stalled", "Stalled"

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="delivery_updates"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    note = models.TextField()
    reported_on = models.DateField()
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recommendation", "-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.recommendation}"
