"""Volunteers, their pipeline, vetting and training, roles, buddy matching, hours, expenses and concerns."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.organisations.models import Organisation
from commonweal.people.models import FreeTime, Person, Sex
from commonweal.places.models import Lsoa
from commonweal.volunteering.roles import DBS_LABELS, ROLES, TRAINING_COURSES

VOLUNTEER_RECORD = "Recruiting, vetting, supporting and counting volunteers"


def _free_time_labels(values: list[str]) -> list[str]:
    labels = dict(FreeTime.choices)
    return [labels.get(value, value) for value in values]


class Volunteer(models.Model):
    """A person who gives their time, with the profile they chose to share."""

    personal_data = {
        "purpose": VOLUNTEER_RECORD,
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "fields": {
            "full_name": "identity",
            "email": "contact",
            "phone": "contact",
            "sex": "demographic",
            "date_of_birth": "demographic",
            "ethnicity": "demographic",
            "postcode": "location",
            "skills": "free text",
            "languages": "demographic",
            "interests": "free text",
            "availability": "free text",
            "lived_experience": "health",
        },
        "user": "user",
    }

    # Many volunteers never sign in: the coordinator keeps their record; those who do have an account.
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="volunteer"
    )
    full_name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    sex = models.CharField(max_length=20, blank=True)  # as people.Person.sex (its stored values)
    date_of_birth = models.DateField(null=True, blank=True)
    ethnicity = models.CharField(max_length=1, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    skills = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    interests = models.JSONField(default=list, blank=True)
    availability = models.JSONField(default=list, blank=True, help_text="people.FreeTime values")
    lived_experience = models.TextField(blank=True, help_text="Only what the volunteer chooses to share")
    capacity = models.PositiveSmallIntegerField(
        default=1, help_text="How many people they can support at once"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def availability_labels(self) -> list[str]:
        """Return when the volunteer is free, in words."""
        return _free_time_labels(self.availability)


class PipelineStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    REFERENCES = "references", "Taking up references"
    INDUCTION = "induction", "Induction"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    LEFT = "left", "Left"


# Which moves the recruitment pipeline allows (anyone may leave at any point; leaving is final).
PIPELINE_MOVES: dict[str, frozenset[str]] = {
    PipelineStatus.APPLIED: frozenset({PipelineStatus.REFERENCES, PipelineStatus.LEFT}),
    PipelineStatus.REFERENCES: frozenset({PipelineStatus.INDUCTION, PipelineStatus.LEFT}),
    PipelineStatus.INDUCTION: frozenset({PipelineStatus.ACTIVE, PipelineStatus.LEFT}),
    PipelineStatus.ACTIVE: frozenset({PipelineStatus.PAUSED, PipelineStatus.LEFT}),
    PipelineStatus.PAUSED: frozenset({PipelineStatus.ACTIVE, PipelineStatus.LEFT}),
    PipelineStatus.LEFT: frozenset(),
}


class Enrolment(models.Model):
    """A volunteer with one organisation, at one point of its recruitment pipeline."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="enrolments")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="volunteer_enrolments"
    )
    status = models.CharField(max_length=20, choices=PipelineStatus.choices, default=PipelineStatus.APPLIED)
    status_since = models.DateTimeField(default=timezone.now)
    supervisor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["organisation_id", "volunteer_id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "organisation"], name="volunteer_enrolled_once"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="enrolment_pipeline")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} with {self.organisation_id}: {self.status}"


class StatusChange(models.Model):
    """One move in a volunteer's pipeline, with its reason: the full history, never only the latest."""

    personal_data = {
        "purpose": VOLUNTEER_RECORD,
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "fields": {"reason": "free text"},
        "user": "enrolment__volunteer__user",
    }

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=PipelineStatus.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class CredentialShare(models.Model):
    """A volunteer's consent that their checks and training may be relied on by another organisation."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Volunteer {self.volunteer_id} shares with {self.organisation_id}"


class DbsCheck(models.Model):
    """A Disclosure and Barring Service check as a state machine: requested → clear, or not clear →
    a recorded risk assessment and decision (accepted or refused)."""

    personal_data = {
        "purpose": VOLUNTEER_RECORD,
        "lawful_basis": gdpr.LEGAL_OBLIGATION,
        "fields": {
            "certificate_number": "identity",
            "update_service_number": "identity",
            "risk_assessment": "free text",
        },
        "user": "volunteer__user",
        "on_erasure": gdpr.KEEP_SAFEGUARDING,
    }

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        CLEAR = "clear", "Clear"
        NOT_CLEAR = "not_clear", "Not clear: risk assessment needed"
        ACCEPTED = "accepted", "Not clear: accepted after risk assessment"
        REFUSED = "refused", "Not clear: refused after risk assessment"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="dbs_checks")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=20, choices=list(DBS_LABELS.items()))
    certificate_number = models.CharField(max_length=12, blank=True)
    update_service_number = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    risk_assessment = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "refused"]) | ~Q(risk_assessment=""),
                name="dbs_decision_has_risk_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"DBS {self.level} for volunteer {self.volunteer_id}: {self.status}"

    @property
    def counts(self) -> bool:
        """Tell whether the check's result lets the volunteer work (before expiry)."""
        return self.status in (self.Status.CLEAR, self.Status.ACCEPTED)


class DbsReminder(models.Model):
    """A reminder sent before a DBS check expires (once per check and lead time)."""

    dbs_check = models.ForeignKey(DbsCheck, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["dbs_check", "days_before"], name="dbs_reminder_once")]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder for check {self.dbs_check_id}"


class TrainingRecord(models.Model):
    """A course a volunteer completed, and when it stops counting."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="training")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    course = models.CharField(max_length=40, choices=list(TRAINING_COURSES.items()))
    completed_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-completed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.course} for volunteer {self.volunteer_id}"


class Assignment(models.Model):
    """A volunteer in a role with an organisation."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, choices=[(code, role.label) for code, role in ROLES.items()])
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.role} for volunteer {self.volunteer_id}"


class SupervisorCover(models.Model):
    """While a supervisor is away, a named colleague covers their volunteers and alerts."""

    supervisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    cover = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField()
    ends_on = models.DateField()
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cover_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cover_id} covers {self.supervisor_id}"


class BuddyRequest(models.Model):
    """A link worker asking for a buddy for a person on their caseload, with the person's consent."""

    personal_data = {
        "purpose": "Matching a person with a buddy or peer supporter",
        "lawful_basis": gdpr.CARE,
        "fields": {
            "needs": "health",
            "interests": "free text",
            "language": "demographic",
            "times": "free text",
            "preferred_sex": "demographic",
            "consent_note": "free text",
        },
        "person": "person",
    }

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a proposal"
        PROPOSED = "proposed", "Proposed to the person"
        MATCHED = "matched", "Matched"
        CANCELLED = "cancelled", "Cancelled"

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="buddy_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=30, default="buddy")
    needs = models.JSONField(default=list, blank=True)
    interests = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=60, default="English")
    times = models.JSONField(default=list, blank=True)
    preferred_sex = models.CharField(max_length=10, blank=True)
    max_distance_km = models.PositiveSmallIntegerField(default=10)
    consent_note = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Buddy request {self.pk} ({self.status})"

    @property
    def time_labels(self) -> list[str]:
        """Return when the person is free, in words."""
        return _free_time_labels(self.times)

    @property
    def preferred_sex_label(self) -> str:
        """Return the kind of volunteer the person would like, in words ("" for no preference)."""
        if not self.preferred_sex:
            return ""
        return dict(Sex.choices).get(self.preferred_sex, self.preferred_sex)


class Match(models.Model):
    """A volunteer supporting a person: proposed, agreed by the person, reviewed and ended."""

    personal_data = {
        "purpose": "Matching a person with a buddy or peer supporter",
        "lawful_basis": gdpr.CARE,
        "fields": {"end_reason": "free text", "reasons": "free text"},
        "person": "person",
    }

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed: waiting for the person"
        DECLINED = "declined", "Declined by the person"
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    request = models.ForeignKey(BuddyRequest, on_delete=models.PROTECT, related_name="matches")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="buddy_matches")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="matches")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    supervisor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    score = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    proposed_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    start_on = models.DateField(null=True, blank=True)
    review_on = models.DateField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)
    last_contact_on = models.DateField(null=True, blank=True)
    no_contact_days = models.PositiveSmallIntegerField(default=14)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "last_contact_on"], name="match_contact_sweep"),
            models.Index(fields=["organisation", "status"], name="match_by_organisation"),
        ]

    def __str__(self) -> str:
        return f"Match {self.pk} ({self.status})"


class Contact(models.Model):
    """A contact between a volunteer and the person they support."""

    personal_data = {
        "purpose": "Matching a person with a buddy or peer supporter",
        "lawful_basis": gdpr.CARE,
        "fields": {"notes": "free text"},
        "person": "match__person",
    }

    class Medium(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"
        MESSAGE = "message", "Message"

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="contacts")
    happened_on = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    medium = models.CharField(max_length=20, choices=Medium.choices)
    notes = models.TextField(blank=True)
    logged_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-pk"]

    def __str__(self) -> str:
        return f"Contact on {self.happened_on} for match {self.match_id}"


class NoContactAlert(models.Model):
    """A match with no contact for its set number of days, raised to the supervisor (or their cover)."""

    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="alerts")
    since = models.DateField(help_text="The last contact (or the start) the silence is counted from")
    days = models.PositiveSmallIntegerField()
    raised_at = models.DateTimeField()
    raised_to = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["match", "since"], name="no_contact_alert_once")]

    def __str__(self) -> str:
        return f"No contact since {self.since} on match {self.match_id}"


class HoursEntry(models.Model):
    """Hours a volunteer gave: self-logged, then approved (or not) by the coordinator."""

    class Status(models.TextChoices):
        LOGGED = "logged", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    worked_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=2)
    role = models.CharField(max_length=30, blank=True)
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.LOGGED)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-worked_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=24), name="hours_in_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.hours} hours on {self.worked_on}"


class Expense(models.Model):
    """Out-of-pocket costs at actual cost with a receipt, or mileage at HMRC's approved rates."""

    class Kind(models.TextChoices):
        ACTUAL = "actual", "Actual cost (with receipt)"
        MILEAGE = "mileage", "Mileage in own vehicle"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"
        PAID = "paid", "Paid"

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="expenses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    incurred_on = models.DateField()
    description = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    miles = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    receipt = models.FileField(upload_to="volunteering/receipts/", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-incurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive"),
            models.CheckConstraint(
                condition=~Q(kind="mileage") | Q(miles__gt=0), name="mileage_expense_has_miles"
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} ({self.kind}, {self.status})"


class Concern(models.Model):
    """A safeguarding concern raised by a volunteer or staff member, seen only by the organisation's
    designated safeguarding lead; acknowledged with the action taken, escalated while it waits."""

    personal_data = {
        "purpose": "Safeguarding adults and children (Care Act 2014, Children Act 1989)",
        "lawful_basis": gdpr.LEGAL_OBLIGATION,
        "fields": {"about": "free text", "details": "free text", "action_taken": "free text"},
        "user": "raised_by",
        "on_erasure": gdpr.KEEP_SAFEGUARDING,
    }

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for the safeguarding lead"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(max_length=200)
    details = models.TextField()
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    last_escalated_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(acknowledged_by__isnull=False) & Q(acknowledged_at__isnull=False) & ~Q(action_taken="")),
                name="concern_acknowledged_with_action",
            ),
        ]

    def __str__(self) -> str:
        return f"Safeguarding concern {self.pk} ({self.status})"


class Opportunity(models.Model):
    """A way to volunteer that an organisation posts; residents apply from the directory of them."""

    personal_data = {
        "purpose": VOLUNTEER_RECORD,
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "not_personal": ["description"],
    }

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField()
    role = models.CharField(max_length=30, choices=[(code, role.label) for code, role in ROLES.items()])
    place = models.CharField(max_length=200, blank=True, help_text="Where, in words")
    is_open = models.BooleanField(default=True)
    posted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-posted_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """A time slot of an opportunity, with how many volunteers it needs."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    places = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="shift_has_places"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class Application(models.Model):
    """A resident applying for an opportunity (and, optionally, one shift of it)."""

    personal_data = {
        "purpose": VOLUNTEER_RECORD,
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "fields": {"message": "free text"},
        "user": "applicant",
    }

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    opportunity = models.ForeignKey(Opportunity, on_delete=models.PROTECT, related_name="applications")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.APPLIED)
    applied_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-applied_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "applicant"], name="one_application_per_opportunity"
            )
        ]

    def __str__(self) -> str:
        return f"Application {self.pk} ({self.status})"
