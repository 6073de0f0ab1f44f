"""Households, the patches community health workers hold, their visits, checks and prevention gaps."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.people.models import Person
from commonweal.places.models import Area, Lsoa
from commonweal.referrals.models import Referral


class Patch(models.Model):
    """A named "village" of households that one community health worker looks after, under a supervisor."""

    personal_data = {"not_personal": ["name"]}  # the name of a patch (a place), not of a person

    name = models.CharField(max_length=120, unique=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    chw = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patches_held",
        verbose_name="community health worker",
    )
    supervisor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="patches_supervised"
    )
    monthly_goal = models.PositiveIntegerField(
        default=150, help_text="Households to visit each calendar month"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "patches"

    def __str__(self) -> str:
        return self.name


class PatchAssignment(models.Model):
    """Who held a patch, and who supervised it, from when to when: the history of reassignments."""

    patch = models.ForeignKey(Patch, on_delete=models.CASCADE, related_name="assignments")
    chw = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["patch", "-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.patch} held by {self.chw} from {self.started_at:%Y-%m-%d}"


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MOVED = "moved", "Moved away"
    REFUSED = "refused", "Refused visits"
    MUTED = "muted", "Muted"


class Household(models.Model):
    """One home: its address on a real postcode, its members, its consent to visits and its status."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Community health worker visits to every household in a patch",
        "lawful_basis": gdpr.CARE,
        "fields": {
            "address": "location",
            "street": "location",
            "postcode": "location",
            "status_reason": "free text",
        },
        "not_personal": [],
    }

    reference = models.CharField(max_length=40, unique=True, help_text="The programme's own reference")
    address = models.CharField(max_length=200, help_text="House name or number and street")
    street = models.CharField(max_length=120, db_index=True)
    postcode = models.CharField(max_length=8)
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, related_name="+")
    patch = models.ForeignKey(
        Patch, null=True, blank=True, on_delete=models.PROTECT, related_name="households"
    )
    consents_to_visits = models.BooleanField(default=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["street", "address", "pk"]
        indexes = [models.Index(fields=["patch", "status"], name="household_patch_status_idx")]

    def __str__(self) -> str:
        return f"{self.address}, {self.postcode}"


class HouseholdMove(models.Model):
    """A household moved from one patch to another: the history of reassignments."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="moves")
    from_patch = models.ForeignKey(Patch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_patch = models.ForeignKey(Patch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    moved_at = models.DateTimeField()
    moved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["household", "-moved_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.household} moved on {self.moved_at:%Y-%m-%d}"


class Relationship(models.TextChoices):
    HEAD = "head", "Main contact"
    PARTNER = "partner", "Partner"
    CHILD = "child", "Child"
    PARENT = "parent", "Parent"
    SIBLING = "sibling", "Brother or sister"
    OTHER_RELATIVE = "relative", "Other relative"
    LODGER = "lodger", "Lodger or other"


class Member(models.Model):
    """A person living in a household, and how they are related to its main contact."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_memberships")
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["household", "pk"]
        constraints = [
            # A person lives in one household at a time.
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_at__isnull=True), name="member_one_current_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.relationship}) at {self.household}"


class VisitReason(models.TextChoices):
    REGISTRATION = "registration", "Registration update"
    PERIODIC = "periodic", "Periodic visit"
    ACTIVE_SEARCH = "active_search", "Active search (missed screening, vaccination or appointment)"
    FOLLOW_UP = "follow_up", "Follow-up of a condition"
    DISCHARGE = "discharge", "After a hospital discharge"


class VisitOutcome(models.TextChoices):
    DONE = "done", "Visit done"
    REFUSED = "refused", "Refused at the door"
    NOBODY_IN = "nobody_in", "Nobody in"


class Visit(models.Model):
    """A visit to a household: why, what came of it, who was seen; posted once per client id."""

    personal_data = {
        "purpose": "Community health worker visits to every household in a patch",
        "lawful_basis": gdpr.CARE,
        "fields": {"note": "free text", "reasons": "health"},
    }

    client_id = models.UUIDField(
        default=uuid.uuid4, unique=True, help_text="Made by the device that recorded it"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="visits")
    chw = models.ForeignKey(User, on_delete=models.PROTECT, related_name="household_visits")
    visited_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=timezone.now)
    reasons = models.JSONField(default=list, help_text="VisitReason values")
    outcome = models.CharField(max_length=10, choices=VisitOutcome.choices)
    note = models.TextField(blank=True)
    # The patch the household was in when the visit arrived, and the one the worker held: they differ
    # when the household was moved while the worker was offline, and both supervisors then see it.
    patch = models.ForeignKey(Patch, null=True, on_delete=models.PROTECT, related_name="visits")
    chw_patch = models.ForeignKey(Patch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    needs_resolution = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    shadowed_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A supervisor who came along (a shadow visit)",
    )
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        indexes = [
            models.Index(fields=["household", "-visited_at"], name="visit_household_idx"),
            # The supervisors' review queue: visits not yet reviewed, by the patch they are in or were
            # made from (a small part of every visit ever made).
            models.Index(
                fields=["patch"], condition=Q(reviewed_at__isnull=True), name="visit_unreviewed_idx"
            ),
            models.Index(
                fields=["chw_patch"], condition=Q(reviewed_at__isnull=True), name="visit_unreviewed_from_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"Visit to {self.household} on {self.visited_at:%Y-%m-%d}: {self.outcome}"


class MemberCheck(models.Model):
    """A member seen at a visit, their Health and Wellbeing Check answers, and any need found."""

    personal_data = {
        "purpose": "Health and Wellbeing Checks at household visits, and needs found",
        "lawful_basis": gdpr.CARE,
        "fields": {"answers": "health", "need_note": "health"},
        "person": "person",
    }

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="checks")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_checks")
    check_code = models.CharField(max_length=40, blank=True)
    check_version = models.CharField(max_length=10, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    need_found = models.BooleanField(default=False)
    need_note = models.TextField(blank=True)
    consents_to_referral = models.BooleanField(default=False)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["visit", "pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "person"], name="member_check_once")]

    def __str__(self) -> str:
        return f"Check of {self.person} at visit {self.visit_id}"


class Programme(models.TextChoices):
    CERVICAL = "cervical_screening", "Cervical screening"
    BREAST = "breast_screening", "Breast screening"
    BOWEL = "bowel_screening", "Bowel screening"
    CHILD_VACCINATIONS = "childhood_vaccinations", "Childhood vaccinations"
    ADULT_VACCINATIONS = "adult_vaccinations", "Adult vaccinations"
    HEALTH_CHECK = "nhs_health_check", "NHS Health Check"


class GapStatus(models.TextChoices):
    OVERDUE = "overdue", "Overdue"
    DUE = "due", "Due"
    UP_TO_DATE = "up_to_date", "Up to date"
    DECLINED = "declined", "Declined"


class GapSource(models.TextChoices):
    GP_EXTRACT = "gp_extract", "GP extract"
    SELF_REPORTED = "self_reported", "Said at a visit"


class PreventionStatus(models.Model):
    """A person's status in a prevention programme, from the GP extract or said at a visit."""

    personal_data = {
        "purpose": "Finding missed screening, vaccinations and health checks in visited households",
        "lawful_basis": gdpr.CARE,
        "fields": {"status": "health", "programme": "health"},
        "person": "person",
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="prevention_statuses")
    programme = models.CharField(max_length=30, choices=Programme.choices)
    status = models.CharField(max_length=12, choices=GapStatus.choices)
    due_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=15, choices=GapSource.choices)
    known_since = models.DateField(help_text="When this status was first known to us")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["person", "programme"]
        constraints = [models.UniqueConstraint(fields=["person", "programme"], name="prevention_status_once")]

    def __str__(self) -> str:
        return f"{self.person}: {self.programme} {self.status}"


class StopVisitsRequest(models.Model):
    """A resident asked for visits to their household to stop."""

    personal_data = {
        "purpose": "Honouring a household's wish not to be visited",
        "lawful_basis": gdpr.CARE,
        "fields": {"note": "free text"},
        "user": "requested_by",
    }

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="stop_requests")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Stop visits to {self.household}"
