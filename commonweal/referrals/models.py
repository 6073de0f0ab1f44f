"""Referrals in, the caseload, the Three Conversations, connections out and messages back."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.referrals.workflow import (
    ACTIVE,
    ENDED_UNSERVED,
    REJECTION_LABELS,
    STATUS_LABELS,
    RejectionReason,
)
from commonweal.referrals.workflow import Status as WorkflowStatus


class ReferralSource(models.TextChoices):
    """Who the referral came from."""

    GP = "gp", "GP practice"
    HOUSING = "housing", "Housing"
    FIRE = "fire", "Fire and rescue service"
    SOCIAL_CARE = "social_care", "Social care"
    PHARMACY = "pharmacy", "Pharmacy"
    VCSE = "vcse", "Voluntary or community organisation"
    HOSPITAL = "hospital", "Hospital or community health team"
    SELF = "self", "Self-referral"
    OTHER = "other", "Another agency"


class ReferralReason(models.TextChoices):
    """Why someone may benefit from social prescribing (a person may have several)."""

    LONELINESS = "loneliness", "Loneliness or isolation"
    LOW_MOOD = "low_mood", "Low mood, stress or anxiety"
    MONEY = "money", "Money, debt or benefits"
    HOUSING = "housing", "Housing"
    WORK = "work", "Work, training or volunteering"
    ACTIVITY = "activity", "Wanting to be more active"
    LONG_TERM_CONDITION = "long_term_condition", "Living with a long-term condition"
    CARING = "caring", "Caring for someone"
    BEREAVEMENT = "bereavement", "Bereavement"
    FOOD = "food", "Food or healthy eating"
    FREQUENT_ATTENDANCE = "frequent_attendance", "Often seeing the GP for non-medical reasons"
    OTHER = "other", "Something else"


class Urgency(models.TextChoices):
    """How soon the person should hear from a link worker."""

    ROUTINE = "routine", "Routine (within 2 weeks)"
    SOON = "soon", "Soon (within 3 working days)"
    URGENT = "urgent", "Urgent (next working day)"


URGENCY_ORDER = {Urgency.URGENT: 0, Urgency.SOON: 1, Urgency.ROUTINE: 2}


class ReferralStatus(models.TextChoices):
    """Where a referral is: waiting for triage, open on a caseload, declined at triage, or closed."""

    AWAITING_TRIAGE = "awaiting_triage", "Waiting for triage"
    OPEN = "open", "Open"
    DECLINED = "declined", "Declined"
    CLOSED = "closed", "Closed"


class DeclineReason(models.TextChoices):
    """Why a referral did not go ahead at triage."""

    PERSON_DECLINED = "person_declined", "The person decided not to go ahead"
    NOT_SUITABLE = "not_suitable", "Social prescribing is not the right support"
    NO_CONTACT = "no_contact", "We could not reach the person"
    DUPLICATE = "duplicate", "A duplicate of an open referral"


class ClosureReason(models.TextChoices):
    """Why a case was closed."""

    GOALS_MET = "goals_met", "Goals met or connected to ongoing support"
    PERSON_CHOSE = "person_chose", "The person chose to stop"
    NO_CONTACT = "no_contact", "We lost contact with the person"
    MOVED = "moved", "Moved out of the area"
    REFERRED_ON = "referred_on", "Referred to another service"
    DIED = "died", "Died"
    OTHER = "other", "Another reason"


class Referral(models.Model):
    """One episode of social prescribing: from a referral in to the case being closed.

    It always has an owner: the receiving team while it waits for triage or after it ends, and its
    link worker while it is open.
    """

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Receiving, triaging and working a social prescribing referral",
        "lawful_basis": gdpr.CARE,
        "fields": {
            "reasons": "health",
            "reason_detail": "health",
            "closure_note": "free text",
            "decline_reason": "free text",
        },
        "person": "person",
    }

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals")
    team = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="received_referrals",
        help_text="The social prescribing team that receives it",
    )
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.AWAITING_TRIAGE
    )
    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referred_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    referring_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_made"
    )
    reasons = models.JSONField(default=list, help_text="ReferralReason values")
    reason_detail = models.TextField(blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    received_at = models.DateTimeField(default=timezone.now)
    previous_referral = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="re_referrals"
    )

    triaged_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    link_worker = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)

    next_action = models.CharField(max_length=200, blank=True)
    next_action_due = models.DateField(null=True, blank=True)
    # Kept on the referral so the caseload sorts and filters on it without a subquery per row.
    last_contact_at = models.DateTimeField(null=True, blank=True)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    open_alerts = models.PositiveIntegerField(
        default=0, help_text="Connections returned to the link worker and not yet looked at"
    )

    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    closure_reason = models.CharField(max_length=20, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["link_worker", "status", "next_action_due"], name="referral_caseload"),
            models.Index(fields=["team", "status", "received_at"], name="referral_team_queue"),
            models.Index(fields=["person", "status"], name="referral_person_status"),
            models.Index(fields=["referred_by", "received_at"], name="referral_referrer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="open") | Q(link_worker__isnull=False),
                name="referral_open_has_link_worker",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closure_reason=""), name="referral_closed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="referral_declined_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} of person {self.person_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        """Tell whether the case is on a caseload."""
        return self.status == ReferralStatus.OPEN

    @property
    def reason_labels(self) -> list[str]:
        """Return the reasons for the referral in words."""
        labels = dict(ReferralReason.choices)
        return [labels.get(value, value) for value in self.reasons]

    @property
    def is_overdue(self) -> bool:
        """Tell whether the next action is past its due date."""
        return self.next_action_due is not None and self.next_action_due < timezone.localdate()


class JourneyCode(models.Model):
    """A SNOMED CT code recorded as the journey moves (for the GP record and the message back)."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="codes")
    event = models.CharField(max_length=20)
    code = models.CharField(max_length=20)
    term = models.CharField(max_length=200)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            # Each code once per episode (NHS England: the referral code marks the first interaction).
            models.UniqueConstraint(fields=["referral", "code"], name="journey_code_once_per_referral"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.term}"


class TeamSupervisor(models.Model):
    """A link worker who supervises a team: sees its caseloads and approves its small sums."""

    team = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="supervisors")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervises")
    appointed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team", "user"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="team_supervisor_unique")]

    def __str__(self) -> str:
        return f"{self.user} supervises {self.team}"


class ContactLogEntry(models.Model):
    """A call, visit or message, or a missed appointment, and what came of it."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "The link worker's log of contacts with the person",
        "lawful_basis": gdpr.CARE,
        "fields": {"note": "free text"},
        "person": "referral__person",
    }

    class Kind(models.TextChoices):
        CALL = "call", "Phone call"
        VISIT = "visit", "Visit or meeting"
        MESSAGE = "message", "Message (text, e-mail or letter)"
        DID_NOT_ATTEND = "did_not_attend", "Did not attend"

    class Outcome(models.TextChoices):
        SPOKE = "spoke", "Spoke with the person"
        MET = "met", "Met the person"
        NO_ANSWER = "no_answer", "No answer"
        LEFT_MESSAGE = "left_message", "Left a message"
        SENT = "sent", "Message sent"
        REARRANGED = "rearranged", "Rearranged"
        MISSED = "missed", "Missed the appointment"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True)
    happened_at = models.DateTimeField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_at", "-pk"]
        verbose_name_plural = "contact log entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.happened_at:%Y-%m-%d}"

    @property
    def reached_the_person(self) -> bool:
        """Tell whether this contact actually reached the person (so it counts as being seen)."""
        return self.outcome in (self.Outcome.SPOKE, self.Outcome.MET)


class ConversationKind(models.IntegerChoices):
    """The Three Conversations."""

    CONNECT = 1, "Conversation 1: connect"
    CRISIS = 2, "Conversation 2: crisis"
    GOOD_LIFE = 3, "Conversation 3: a good life"


class Conversation(models.Model):
    """One of the Three Conversations: dated, who took part, and a summary in the person's words."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "The Three Conversations: what matters to the person and their plan",
        "lawful_basis": gdpr.CARE,
        "fields": {
            "summary": "free text",
            "what_matters": "free text",
            "strengths": "free text",
            "wants_to_do": "free text",
            "connections_made": "free text",
            "immediate_risks": "free text",
            "long_term_plan": "free text",
            "budget_sources": "free text",
        },
        "person": "referral__person",
    }

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="conversations")
    kind = models.PositiveSmallIntegerField(choices=ConversationKind.choices)
    held_on = models.DateField()
    participants = models.CharField("who took part", max_length=300)
    summary = models.TextField("summary in the person's words")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    # Conversation 1 — connect.
    what_matters = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    wants_to_do = models.TextField("what the person wants to do", blank=True)
    connections_made = models.TextField(blank=True)
    # Conversation 2 — crisis.
    immediate_risks = models.TextField(blank=True)
    # Conversation 3 — a good life.
    long_term_plan = models.TextField(blank=True)
    budget_amount = models.DecimalField(
        "personal budget", max_digits=9, decimal_places=2, null=True, blank=True
    )
    budget_sources = models.TextField("where the budget comes from", blank=True)

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.held_on}"


class EmergencyPlanAction(models.Model):
    """One action in a crisis conversation's emergency plan."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="emergency_actions")
    action = models.CharField(max_length=300)
    owner = models.CharField("who will do it", max_length=150)
    review_on = models.DateField("review date")
    done = models.BooleanField(default=False)

    class Meta:
        ordering = ["review_on", "pk"]

    def __str__(self) -> str:
        return self.action


class BudgetSpend(models.Model):
    """What a personal budget (conversation 3) is spent on."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="budget_spends")
    description = models.CharField(max_length=200)
    amount = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: £{self.amount}"


class SmallSumBudget(models.Model):
    """A team's budget for small sums of money in crisis, for one period."""

    team = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="small_sum_budgets")
    starts_on = models.DateField()
    ends_on = models.DateField()
    amount = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["team", "-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="small_sum_budget_period"),
            models.UniqueConstraint(fields=["team", "starts_on"], name="small_sum_budget_one_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.team}: £{self.amount} from {self.starts_on} to {self.ends_on}"


class SmallSum(models.Model):
    """A small sum of money asked for in a crisis; a supervisor other than the asker approves it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="small_sums")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.SET_NULL, related_name="small_sums"
    )
    team = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="small_sums")
    amount = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    purpose = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["team", "status", "requested_at"], name="small_sum_team")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="small_sum_positive"),
            # Separation of duties: nobody approves their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="small_sum_not_self_approved",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | Q(decided_by__isnull=False),
                name="small_sum_decision_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} for {self.purpose} ({self.status})"


class MessageBack(models.Model):
    """A message back to the GP and referrer, kept exactly as it was sent."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "The message back to the referrer (FHIR)",
        "lawful_basis": gdpr.CARE,
        "fields": {"document": "health"},
        "person": "referral__person",
        "on_erasure": gdpr.KEEP_SENT,
    }

    class Event(models.TextChoices):
        ACCEPTED = "accepted", "Referral accepted"
        DECLINED = "declined", "Referral declined"
        CLOSED = "closed", "Case closed"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages_back")
    event = models.CharField(max_length=10, choices=Event.choices)
    codes_only = models.BooleanField(help_text="The person's consent at the time: codes only, no free text")
    document = models.JSONField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    gp_practice = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="messages_back"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["gp_practice", "sent_at"], name="message_back_practice")]

    def __str__(self) -> str:
        return f"Message back: {self.get_event_display()} ({self.sent_at:%Y-%m-%d})"


class SharedField(models.TextChoices):
    """What a person may agree to share with an organisation they are connected to (name always goes)."""

    CONTACT = "contact", "How to contact me (phone, e-mail, address)"
    AGE = "age", "My date of birth"
    WHAT_MATTERS = "what_matters", "What matters to me"
    INTERESTS = "interests", "My interests and strengths"
    ACCESSIBILITY = "accessibility", "My accessibility needs"
    LANGUAGE = "language", "My language and whether I need an interpreter"
    NOTE = "note", "The link worker's note about why I am connecting"


CONNECTION_STATUS_CHOICES = [(status.value, STATUS_LABELS[status]) for status in WorkflowStatus]


class Connection(models.Model):
    """A closed-loop connection of a person to a directory service, with the Gravity task statuses."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Connecting the person to a community service, sharing only what they agreed",
        "lawful_basis": gdpr.CARE,
        "fields": {"status_reason": "free text", "note": "free text"},
        "not_personal": ["shared_fields"],
        "person": "person",
    }

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="connections")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="connections"
    )
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="connections")
    # The Commonweal organisation whose inbox receives it (the service's keeper).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="connections_in")
    status = models.CharField(max_length=20, choices=CONNECTION_STATUS_CHOICES, default="requested")
    status_reason = models.TextField(blank=True)
    rejection_reason = models.CharField(max_length=20, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="connections_requested")
    requested_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    shared_fields = models.JSONField(
        default=list, blank=True, help_text="SharedField values the person agreed to"
    )
    note = models.TextField("note for the organisation", blank=True)
    # A rejection (or failure, or cancellation by the organisation) returns it to the link worker.
    needs_attention = models.BooleanField(default=False)
    sessions_attended = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["organisation", "status", "requested_at"], name="connection_inbox"),
            models.Index(fields=["person", "status"], name="connection_person"),
        ]

    def __str__(self) -> str:
        return f"Connection {self.pk}: person {self.person_id} to service {self.service_id} ({self.status})"

    @property
    def workflow_status(self) -> WorkflowStatus:
        """Return the status as the workflow's enum."""
        return WorkflowStatus(self.status)

    @property
    def is_active(self) -> bool:
        """Tell whether the organisation still holds the connection."""
        return self.workflow_status in ACTIVE

    @property
    def ended_unserved(self) -> bool:
        """Tell whether it ended without the person being served (declined, not taken up, closed)."""
        return self.workflow_status in ENDED_UNSERVED

    @property
    def ended_at(self) -> datetime.datetime | None:
        """Return when it ended without the person being served (None while it has not)."""
        return self.status_changed_at if self.ended_unserved else None

    @property
    def rejection_label(self) -> str:
        """Say why the organisation rejected it, in words."""
        if not self.rejection_reason:
            return ""
        return REJECTION_LABELS[RejectionReason(self.rejection_reason)]

    def shares(self, field: str) -> bool:
        """Tell whether the person agreed to share a field with this organisation."""
        return field in self.shared_fields


class ConnectionTransition(models.Model):
    """One status change of a connection: from, to, which side, who, when and why."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "The history of a connection",
        "lawful_basis": gdpr.CARE,
        "fields": {"note": "free text"},
        "person": "connection__person",
    }

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True, help_text="Blank for the request itself")
    to_status = models.CharField(max_length=20)
    party = models.CharField(max_length=10)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    rejection_reason = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"

    @property
    def to_label(self) -> str:
        """Name the new status in words."""
        return STATUS_LABELS[WorkflowStatus(self.to_status)]


class Attendance(models.Model):
    """Whether the person came to a session of the service they were connected to."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="attendances")
    session_on = models.DateField()
    attended = models.BooleanField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-session_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["connection", "session_on"], name="attendance_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{'Attended' if self.attended else 'Did not attend'} on {self.session_on}"


class SelfReferralAttempt(models.Model):
    """One use of the public self-referral form, counted per sending address for the hourly limit.

    Kept in the database, so every web worker counts the same attempts and a restart forgets none. The
    address is kept only as a keyed hash (it cannot be read back), and rows older than the window are
    deleted as new ones come.
    """

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Spam protection for the public self-referral form (an hour's count per address)",
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "fields": {"client": "identity"},
    }

    client = models.CharField(max_length=64, help_text="Keyed SHA-256 of the sending address")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["client", "at"], name="self_referral_client"),
            models.Index(fields=["at"], name="self_referral_at"),
        ]

    def __str__(self) -> str:
        return f"Self-referral attempt at {self.at:%Y-%m-%d %H:%M}"
