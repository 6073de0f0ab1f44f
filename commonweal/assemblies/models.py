"""Citizens' assemblies and steering groups: the body, its invitation lottery, the volunteer pool, quotas
and the selection; then its members, sessions and evidence, recommendations, votes, the responses to
them and their delivery ("you said, we did")."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.assemblies.core.features import (
    AGE,
    DISABILITY,
    ETHNICITY,
    FEATURES,
    SEX,
    QuotaFeature,
    deprivation_value,
)
from commonweal.audit import personal_data as gdpr
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area, Lsoa, Postcode

PRIVACY_NOTICE_VERSION = "2026-01"


def _choices(feature: QuotaFeature) -> list[tuple[str, str]]:
    return [(value.code, value.label) for value in feature.values]


class Body(models.Model):
    """A citizens' assembly or a neighbourhood steering group: people who deliberate and recommend."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "remit"],
    }

    class Kind(models.TextChoices):
        ASSEMBLY = "assembly", "Citizens' assembly"
        STEERING_GROUP = "steering_group", "Neighbourhood steering group"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    place = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="bodies")
    remit = models.TextField(help_text="The question it answers, or what it is for")
    responsible_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who has promised to respond to its recommendations",
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Return the public page of this body."""
        if self.kind == self.Kind.ASSEMBLY:
            return reverse("assemblies:assembly", kwargs={"pk": self.pk})
        return reverse("assemblies:steering-group", kwargs={"pk": self.pk})

    @property
    def is_assembly(self) -> bool:
        """Tell whether this body is a citizens' assembly (selected by lottery)."""
        return self.kind == self.Kind.ASSEMBLY


class Assembly(models.Model):
    """What only a citizens' assembly has: the lottery that recruits it and the selection of its panel."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["quota_source_name"],
    }

    class Stage(models.TextChoices):
        SETTING_UP = "setting_up", "Setting up"
        RECRUITING = "recruiting", "Inviting volunteers"
        POOL_CLOSED = "pool_closed", "Registration closed"
        SELECTED = "selected", "Panel selected"
        PUBLISHED = "published", "Panel published"

    body = models.OneToOneField(Body, primary_key=True, on_delete=models.CASCADE, related_name="assembly")
    panel_size = models.PositiveSmallIntegerField(validators=[MinValueValidator(2), MaxValueValidator(500)])
    people_per_letter = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="How many people aged 16 or over at one address may register with one letter",
    )
    one_per_household = models.BooleanField(
        default=True, help_text="At most one person per address (per letter) can be on the panel"
    )
    quota_features = models.JSONField(default=list, help_text="Codes of the features that carry quotas")
    registration_closes_on = models.DateField(null=True, blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.SETTING_UP)
    registration_closed_at = models.DateTimeField(null=True, blank=True)
    quota_tolerance_seats = models.PositiveSmallIntegerField(default=0)
    quota_source_name = models.CharField(max_length=200, blank=True)
    quotas_set_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "assemblies"

    def __str__(self) -> str:
        return self.body.name

    def features(self) -> list[QuotaFeature]:
        """Return the features this assembly sets quotas on, in the order chosen."""
        return [FEATURES[code] for code in self.quota_features if code in FEATURES]

    @property
    def is_registration_open(self) -> bool:
        """Tell whether invited people can still register."""
        return self.stage == self.Stage.RECRUITING


class InvitationRound(models.Model):
    """One mailing: postcodes drawn by lottery from the place, and a letter per address drawn."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["allocation"],
    }

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitation_rounds")
    number = models.PositiveSmallIntegerField()
    seed = models.BigIntegerField()
    postcodes_drawn = models.PositiveIntegerField()
    letters_per_postcode = models.PositiveSmallIntegerField()
    stratified_by = models.CharField(max_length=20, help_text="neighbourhood or LSOA")
    allocation = models.JSONField(help_text="Postcodes in the frame and drawn, per stratum")
    drawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="invitation_round_number_unique")
        ]

    def __str__(self) -> str:
        return f"Round {self.number} of {self.assembly}"


class Invitation(models.Model):
    """One letter: a code that lets the people at one address register."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Invitation letters drawn by lottery over addresses",
        "lawful_basis": gdpr.PUBLIC_TASK,
        "fields": {"postcode": "location"},
    }

    round = models.ForeignKey(InvitationRound, on_delete=models.CASCADE, related_name="invitations")
    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="invitations")
    code = models.CharField(max_length=8, unique=True)
    postcode = models.ForeignKey(Postcode, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField(max_length=120)
    letter_number = models.PositiveSmallIntegerField(default=1)
    letters_at_postcode = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["round", "postcode__postcode", "letter_number"]

    def __str__(self) -> str:
        return f"{self.display_code} ({self.postcode})"

    @property
    def display_code(self) -> str:
        """Return the code as printed on the letter, e.g. `KQ7M-2HXP`."""
        return f"{self.code[:4]}-{self.code[4:]}"


class Registration(models.Model):
    """One person in the volunteer pool: how to reach them, and their answers to the quota questions."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Registering volunteers and selecting a panel that matches the population",
        "lawful_basis": gdpr.CONSENT,
        "fields": {
            "full_name": "identity",
            "email": "contact",
            "phone": "contact",
            "age_band": "demographic",
            "sex": "demographic",
            "ethnicity": "demographic",
            "disability": "health",
            "lsoa": "location",
            "withdrawal_reason": "free text",
        },
    }

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="registrations")
    invitation = models.ForeignKey(Invitation, on_delete=models.PROTECT, related_name="registrations")
    # The pseudonym published on the transparency page ("volunteer 17"): never the person's name.
    number = models.PositiveIntegerField()
    full_name = models.CharField(max_length=150)
    email = models.EmailField("e-mail address", blank=True)
    phone = models.CharField(max_length=30, blank=True)
    age_band = models.CharField(max_length=10, choices=_choices(AGE))
    sex = models.CharField(max_length=10, choices=_choices(SEX))
    ethnicity = models.CharField(max_length=10, choices=_choices(ETHNICITY))
    disability = models.CharField(max_length=10, choices=_choices(DISABILITY))
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deprivation_decile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="IMD 2019 decile of the home's LSOA; empty when not known"
    )
    consent_given_at = models.DateTimeField()
    privacy_notice_version = models.CharField(max_length=20)
    registered_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["assembly", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="registration_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(email="", phone=""), name="registration_has_a_contact"
            ),
        ]

    def __str__(self) -> str:
        return f"Volunteer {self.number}"

    @property
    def pseudonym(self) -> str:
        """Return the name the transparency page uses."""
        return f"Volunteer {self.number}"

    def value_of(self, feature_code: str) -> str:
        """Return this volunteer's value code for a quota feature."""
        if feature_code.startswith("deprivation"):
            return deprivation_value(feature_code, self.deprivation_decile)
        field = {"age": "age_band", "sex": "sex", "ethnicity": "ethnicity", "disability": "disability"}
        return str(getattr(self, field[feature_code]))


class Quota(models.Model):
    """The fewest and the most panel members with one value of one feature."""

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="quotas")
    feature = models.CharField(max_length=30)
    value = models.CharField(max_length=20)
    population_share = models.FloatField()
    minimum = models.PositiveSmallIntegerField()
    maximum = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assembly", "position"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "feature", "value"], name="quota_unique_value"),
            models.CheckConstraint(
                condition=models.Q(minimum__lte=models.F("maximum")), name="quota_min_le_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.feature} = {self.value}: {self.minimum}-{self.maximum}"

    @property
    def feature_label(self) -> str:
        """Return the feature's name as people read it."""
        feature = FEATURES.get(self.feature)
        return feature.label if feature else self.feature

    @property
    def value_label(self) -> str:
        """Return the value's words as people read them."""
        feature = FEATURES.get(self.feature)
        return feature.label_of(self.value) if feature else self.value


class Selection(models.Model):
    """The fair lottery over panels, each volunteer's chance, and the panel drawn from it with a seed."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["distribution", "notes"],
    }

    class Method(models.TextChoices):
        LEXIMIN = "leximin", "LEXIMIN (fairest: raises the lowest chances first)"
        MAXIMIN = "maximin", "Maximin (raises only the lowest chance)"
        LEGACY = "legacy", "Legacy greedy method (for comparison only)"

    assembly = models.OneToOneField(Assembly, on_delete=models.CASCADE, related_name="selection")
    method = models.CharField(max_length=10, choices=Method.choices)
    seed = models.BigIntegerField()
    pool_size = models.PositiveIntegerField()
    panel_size = models.PositiveSmallIntegerField()
    minimum_probability = models.FloatField()
    # The lottery itself, as published: groups of pseudonym numbers and the panel templates.
    distribution = models.JSONField()
    stages = models.PositiveIntegerField(default=0)
    panels_generated = models.PositiveIntegerField(default=0)
    notes = models.JSONField(default=list, blank=True)
    seconds = models.FloatField(default=0.0, help_text="How long the computation took")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Selection for {self.assembly} (seed {self.seed})"


class SelectionRequest(models.Model):
    """A request to select the panel; a large pool takes minutes, so a background task runs it."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["error"],
    }

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="selection_requests")
    method = models.CharField(max_length=10, choices=Selection.Method.choices)
    seed = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="Why the selection could not be made, in plain words")
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assembly", "-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"Selection request for {self.assembly} ({self.status})"

    @property
    def is_pending(self) -> bool:
        """Tell whether the selection is still waiting or running."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def pending_since(self) -> datetime.datetime:
        """Return when the selection started running, or, while it waits, when it was asked for."""
        return self.started_at or self.requested_at


class SelectionProbability(models.Model):
    """One volunteer's chance of selection under the lottery, and whether the draw chose them."""

    selection = models.ForeignKey(Selection, on_delete=models.CASCADE, related_name="probabilities")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    selected = models.BooleanField(default=False)

    class Meta:
        ordering = ["selection", "registration__number"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "registration"], name="selection_probability_unique")
        ]

    def __str__(self) -> str:
        return f"{self.registration}: {self.probability:.4f}"


class Replacement(models.Model):
    """Volunteers drawn, with a seed, to take the seats of panel members who dropped out."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["dropped", "drawn", "distribution", "probabilities"],
    }

    assembly = models.ForeignKey(Assembly, on_delete=models.CASCADE, related_name="replacements")
    method = models.CharField(max_length=10, choices=Selection.Method.choices)
    seed = models.BigIntegerField()
    dropped = models.JSONField(help_text="Pseudonym numbers of the members replaced")
    drawn = models.JSONField(help_text="Pseudonym numbers of the replacements")
    minimum_probability = models.FloatField()
    distribution = models.JSONField()
    probabilities = models.JSONField(help_text="Each candidate's chance, by pseudonym number")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assembly", "created_at", "pk"]

    def __str__(self) -> str:
        return f"Replacement for {self.assembly} (seed {self.seed})"


class Membership(models.Model):
    """One person's seat on a body, from the day they joined to the day they left."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Members of assemblies and steering groups, shown on public pages",
        "lawful_basis": gdpr.CONSENT,
        "fields": {"full_name": "identity", "left_reason": "free text"},
    }

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

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["agenda", "notes"],
    }

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

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["text"],
    }

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

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["reasons"],
    }

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

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["note"],
    }

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
