"""Evidence: summary tables behind the dashboards, stories with consent, SROI analyses and alliances.

The summary tables (facts and cells) are derived data: `summaries.refresh_summaries` rebuilds them
from the journey and measures records, so the dashboards aggregate a few hundred thousand small rows
instead of joining millions. They hold no names, only codes and counts, and carry no foreign-key
constraints because they are rebuilt wholesale. Responses are never changed once submitted, so their
scores are worked out once and kept (`ResponseScore`).
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.organisations.models import Organisation
from commonweal.people.models import Person
from commonweal.places.models import Area, Lsoa

# ------------------------------------------------------------------------------------- refreshes


class SummaryRefresh(models.Model):
    """One run that brought the summary tables up to date, with what it found."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["source_marker", "catalogue", "problem"],
    }

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The newest journey and measures rows the run saw; newer ones mean the figures are out of date.
    source_marker = models.JSONField(default=dict)
    # The months and organisations the summaries hold, for the dashboards' filter form.
    catalogue = models.JSONField(default=dict)
    referrals = models.PositiveIntegerField(default=0)
    connections = models.PositiveIntegerField(default=0)
    outcome_pairs = models.PositiveIntegerField(default=0)
    responses_scored = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    problem = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"Summary refresh {self.pk} ({self.state})"


class ResponseScore(models.Model):
    """One score of one submitted questionnaire response (score_id '' marks a response with none)."""

    response_id = models.BigIntegerField()
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    instrument_code = models.CharField(max_length=60)
    score_id = models.CharField(max_length=60)
    value = models.FloatField(null=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["response_id", "score_id"]
        constraints = [
            models.UniqueConstraint(fields=["response_id", "score_id"], name="response_score_once"),
        ]
        indexes = [
            models.Index(
                fields=["instrument_code", "score_id", "person", "submitted_at"], name="response_score_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.score_id} of response {self.response_id}: {self.value}"


# ------------------------------------------------------------------------------------------- facts


class Breakdown(models.Model):
    """Who a fact is about, as the dashboards break figures down (no names; codes only)."""

    month = models.PositiveIntegerField(help_text="Year and month as YYYYMM")
    organisation_id = models.BigIntegerField(help_text="0 when there is none")
    lsoa = models.ForeignKey(
        Lsoa, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    imd_decile = models.PositiveSmallIntegerField(help_text="1 (most deprived) to 10; 0 when unknown")
    ethnic_group = models.CharField(max_length=10)
    age_band = models.CharField(max_length=10)
    sex = models.CharField(max_length=10)

    class Meta:
        abstract = True


class ReferralFact(Breakdown):
    """One referral and how far along the uptake funnel it got (see `funnel.py` for the definitions)."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Evidence dashboards: pseudonymised facts, small counts suppressed",
        "lawful_basis": gdpr.STATISTICS,
        "fields": {"sex": "demographic"},
    }

    referral_id = models.BigIntegerField(primary_key=True)
    person_id = models.BigIntegerField()
    source = models.CharField(max_length=20)
    offered = models.BooleanField()
    referred = models.BooleanField()
    seen = models.BooleanField()
    connected = models.BooleanField()
    attended = models.BooleanField()
    declined = models.BooleanField()

    class Meta:
        ordering = ["referral_id"]

    def __str__(self) -> str:
        return f"Referral fact {self.referral_id}"


class ConnectionFact(Breakdown):
    """One connection to a community service (entered-in-error ones are left out) and its outcome."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Evidence dashboards: pseudonymised facts, small counts suppressed",
        "lawful_basis": gdpr.STATISTICS,
        "fields": {"sex": "demographic"},
    }

    connection_id = models.BigIntegerField(primary_key=True)
    service = models.ForeignKey(
        "directory.Service", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    accepted = models.BooleanField()
    rejected_at_capacity = models.BooleanField()
    rejected_other = models.BooleanField()
    cancelled = models.BooleanField()
    completed = models.BooleanField()
    attended = models.BooleanField()

    class Meta:
        ordering = ["connection_id"]

    def __str__(self) -> str:
        return f"Connection fact {self.connection_id}"


class OutcomeFact(Breakdown):
    """One person's change in one score: their first answer (baseline) to their latest (follow-up)."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Evidence dashboards: pseudonymised facts, small counts suppressed",
        "lawful_basis": gdpr.STATISTICS,
        "fields": {"sex": "demographic"},
    }

    person_id = models.BigIntegerField()
    instrument_code = models.CharField(max_length=60)
    score_id = models.CharField(max_length=60)
    first_at = models.DateTimeField()
    latest_at = models.DateTimeField()
    baseline = models.FloatField()
    follow_up = models.FloatField()

    class Meta:
        ordering = ["person_id", "instrument_code", "score_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person_id", "instrument_code", "score_id"], name="outcome_fact_once_per_score"
            )
        ]
        indexes = [models.Index(fields=["instrument_code", "score_id", "month"], name="outcome_fact_score")]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.score_id} of person {self.person_id}: {self.change:+}"

    @property
    def change(self) -> float:
        """The latest score less the first."""
        return self.follow_up - self.baseline


# ------------------------------------------------------------------------------------------- cells

# The organisation_id of cells summed over every organisation.
ALL_ORGANISATIONS = -1


class Cell(models.Model):
    """A cell of a summary: one month, organisation, place and deprivation decile, one category of one
    dimension ('all' with category '' for everyone). neighbourhood_id 0 holds every place once; other
    rows hold a neighbourhood's people (neighbourhoods drawn by residents may overlap). organisation_id
    ALL_ORGANISATIONS holds the sum over every organisation."""

    month = models.PositiveIntegerField()
    organisation_id = models.BigIntegerField()
    neighbourhood_id = models.BigIntegerField()
    imd_decile = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=10)
    category = models.CharField(max_length=20)

    class Meta:
        abstract = True


class UptakeCell(Cell):
    """Referrals counted at each step of the uptake funnel."""

    offered = models.PositiveIntegerField()
    referred = models.PositiveIntegerField()
    seen = models.PositiveIntegerField()
    connected = models.PositiveIntegerField()
    attended = models.PositiveIntegerField()
    declined = models.PositiveIntegerField()

    class Meta:
        ordering = ["month", "pk"]
        indexes = [
            models.Index(
                fields=["neighbourhood_id", "organisation_id", "dimension", "month"],
                name="uptake_cell_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"Uptake {self.month} {self.dimension}={self.category}: {self.offered}"


class ConnectionCell(Cell):
    """Connections requested, and what the organisations did with them."""

    requested = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    rejected_at_capacity = models.PositiveIntegerField()
    rejected_other = models.PositiveIntegerField()
    cancelled = models.PositiveIntegerField()
    completed = models.PositiveIntegerField()
    attended = models.PositiveIntegerField()

    class Meta:
        ordering = ["month", "pk"]
        indexes = [
            models.Index(
                fields=["neighbourhood_id", "organisation_id", "dimension", "month"],
                name="connection_cell_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"Connections {self.month} {self.dimension}={self.category}: {self.requested}"


class ServiceCellBase(models.Model):
    """Connections by service or taxonomy term, by month, organisation, place and IMD quintile."""

    month = models.PositiveIntegerField()
    organisation_id = models.BigIntegerField()
    neighbourhood_id = models.BigIntegerField()
    imd_quintile = models.PositiveSmallIntegerField(help_text="1 (most deprived) to 5; 0 when unknown")
    requested = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    rejected_at_capacity = models.PositiveIntegerField()
    rejected_other = models.PositiveIntegerField()

    class Meta:
        abstract = True


class ServiceCell(ServiceCellBase):
    """Connections to one directory service."""

    service_id = models.BigIntegerField()

    class Meta:
        ordering = ["month", "pk"]
        indexes = [models.Index(fields=["neighbourhood_id", "month"], name="service_cell_lookup")]

    def __str__(self) -> str:
        return f"Service {self.service_id} in {self.month}: {self.requested}"


class TermCell(ServiceCellBase):
    """Connections to services carrying one taxonomy term (a service with two terms counts in both)."""

    term_id = models.BigIntegerField()

    class Meta:
        ordering = ["month", "pk"]
        indexes = [
            models.Index(fields=["neighbourhood_id", "organisation_id", "month"], name="term_cell_lookup")
        ]

    def __str__(self) -> str:
        return f"Term {self.term_id} in {self.month}: {self.requested}"


class OutcomeCell(Cell):
    """Changes in one score, summed so that means and t intervals can be worked out for any group."""

    instrument_code = models.CharField(max_length=60)
    score_id = models.CharField(max_length=60)
    people = models.PositiveIntegerField()
    sum_baseline = models.FloatField()
    sum_follow_up = models.FloatField()
    sum_change = models.FloatField()
    sum_change_squared = models.FloatField()

    class Meta:
        ordering = ["month", "pk"]
        indexes = [
            models.Index(
                fields=[
                    "instrument_code",
                    "score_id",
                    "neighbourhood_id",
                    "organisation_id",
                    "dimension",
                    "month",
                ],
                name="outcome_cell_lookup",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.score_id} {self.month}: {self.people}"


# ------------------------------------------------------------------------------------------ stories


class Dashboard(models.TextChoices):
    """The evidence dashboards (a story is attached to one of them, and optionally to one chart)."""

    REFERRALS = "referrals", "Referrals"
    UPTAKE = "uptake", "Uptake funnel"
    CONNECTIONS = "connections", "Declines and 'at capacity'"
    OUTCOMES = "outcomes", "Outcome change"


class Story(models.Model):
    """Qualitative evidence: what someone told us, in their words, published only with their consent.

    Journey conversations and community conversations hold no consent to publish as evidence, so the
    consent is recorded here, with the story: how and when it was given, and who recorded it. A person
    may withdraw it at any time; a withdrawn story is no longer shown anywhere.
    """

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Stories told with consent beside the evidence",
        "lawful_basis": gdpr.CONSENT,
        "fields": {"text": "free text", "withdrawal_note": "free text"},
    }

    class Source(models.TextChoices):
        JOURNEY = "journey", "A conversation with a link worker"
        COMMUNITY = "community", "A community conversation"
        OTHER = "other", "Something else (say where in the text)"

    class ConsentMethod(models.TextChoices):
        SPOKEN = "spoken", "Said yes out loud, and the worker noted it at the time"
        WRITTEN = "written", "Signed a consent form"
        ONLINE = "online", "Agreed in writing by e-mail or message"

    dashboard = models.CharField(max_length=20, choices=Dashboard.choices)
    chart = models.CharField(
        max_length=60, blank=True, help_text="The chart it is attached to; blank: the page"
    )
    title = models.CharField(max_length=120)
    text = models.TextField("the story, in the person's words")
    source = models.CharField(max_length=20, choices=Source.choices)
    place = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    told_on = models.DateField()
    consent_method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    consent_given_on = models.DateField()
    consent_recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawal_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-told_on", "-pk"]
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="story_withdrawal_has_who",
            ),
            models.CheckConstraint(condition=~Q(consent_method=""), name="story_has_consent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        """Tell whether the person has withdrawn their consent."""
        return self.withdrawn_at is not None


# --------------------------------------------------------------------------------------------- SROI

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class SroiAnalysis(models.Model):
    """A social return on investment analysis: the scope, period and discount rate of an impact map."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "scope"],
    }

    name = models.CharField(max_length=200)
    scope = models.TextField(help_text="What activity is valued, for whom and why")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="sroi_analyses"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    discount_rate = models.DecimalField(
        "discount rate (%)", max_digits=5, decimal_places=2, default=Decimal("3.50"), validators=PERCENT
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name_plural = "SROI analyses"
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="sroi_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0) & Q(discount_rate__lt=100),
                name="sroi_discount_rate_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SroiStakeholder(models.Model):
    """A group who puts something in or experiences change."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    analysis = models.ForeignKey(SroiAnalysis, on_delete=models.CASCADE, related_name="stakeholders")
    name = models.CharField(max_length=150)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "name"], name="sroi_stakeholder_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SroiInput(models.Model):
    """Something invested: money, or the value of time or goods."""

    analysis = models.ForeignKey(SroiAnalysis, on_delete=models.CASCADE, related_name="inputs")
    # RESTRICT: a stakeholder in use cannot be removed alone, but goes with its analysis.
    stakeholder = models.ForeignKey(SroiStakeholder, on_delete=models.RESTRICT, related_name="inputs")
    description = models.CharField(max_length=200)
    value = models.DecimalField(
        "value (£)", max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.description}: £{self.value}"


class SroiOutcome(models.Model):
    """One outcome for one stakeholder: its indicator, quantity, financial proxy and the SROI guide's
    assumptions. The quantity is typed in, or counted from the platform's questionnaire answers."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    analysis = models.ForeignKey(SroiAnalysis, on_delete=models.CASCADE, related_name="outcomes")
    stakeholder = models.ForeignKey(SroiStakeholder, on_delete=models.RESTRICT, related_name="outcomes")
    name = models.CharField(max_length=200)
    indicator = models.CharField(max_length=300, help_text="How you know the change happened")
    measure = models.CharField(
        max_length=80, blank=True, help_text="A questionnaire score to count from, as instrument:score"
    )
    improvement = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Points of improvement that count, from the first answer to the latest",
    )
    quantity = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    proxy_value = models.DecimalField("financial proxy (£ per unit)", max_digits=12, decimal_places=2)
    proxy_source = models.CharField("source of the financial proxy", max_length=300)
    duration_years = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    deadweight = models.DecimalField("deadweight (%)", max_digits=5, decimal_places=2, validators=PERCENT)
    displacement = models.DecimalField("displacement (%)", max_digits=5, decimal_places=2, validators=PERCENT)
    attribution = models.DecimalField("attribution (%)", max_digits=5, decimal_places=2, validators=PERCENT)
    drop_off = models.DecimalField("drop-off (%)", max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(measure="") & Q(quantity__isnull=False))
                | (~Q(measure="") & Q(improvement__isnull=False)),
                name="sroi_outcome_quantity_or_measure",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------------- shared outcomes


class Alliance(models.Model):
    """An alliance contract: organisations that agree to be held to shared outcomes together.

    Commonweal's organisations have no 'alliance' kind, so the alliance and its members live here.
    """

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "description"],
    }

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Organisation, related_name="alliances")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SharedOutcome(models.Model):
    """An outcome indicator an alliance agreed, with its target, computed from the platform's data."""

    alliance = models.ForeignKey(Alliance, on_delete=models.CASCADE, related_name="shared_outcomes")
    indicator = models.CharField(max_length=40, help_text="A code from evidence.indicators.INDICATORS")
    target = models.DecimalField(max_digits=8, decimal_places=2)
    neighbourhood = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Blank: every place",
    )
    imd_quintile = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    agreed_on = models.DateField()
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["alliance", "pk"]

    def __str__(self) -> str:
        return f"{self.alliance}: {self.indicator} target {self.target}"
