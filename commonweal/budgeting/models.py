"""Participatory budgeting: rounds in a place, from residents' ideas through feasibility review, voting
online and on paper, the count and its explanations, to delivery with milestones and spend."""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.db import models
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.budgeting.core.outcome import TieBreaking
from commonweal.budgeting.core.rounds.ballots import BallotKind, BallotRules
from commonweal.budgeting.core.rounds.counting import RULE_NAMES, TiePreset, tie_breaking
from commonweal.budgeting.core.rounds.voters import Eligibility
from commonweal.budgeting.core.voting_rules import Rule
from commonweal.people.models import Person
from commonweal.places.models import Area, Lsoa


class BudgetRound(models.Model):
    """One round of participatory budgeting in a place: its money, its ballot, who may vote and its phase."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "description", "lot_order"],
    }

    class Phase(models.TextChoices):
        IDEAS = "ideas", "Ideas"
        DEVELOPMENT = "development", "Proposal development and feasibility review"
        VOTING = "voting", "Voting"
        RESULTS = "results", "Results"
        DELIVERY = "delivery", "Delivery"

    class Kind(models.TextChoices):
        APPROVAL = BallotKind.APPROVAL.value, "Approval: choose the projects you support"
        CUMULATIVE = BallotKind.CUMULATIVE.value, "Points: share out a number of points"
        KNAPSACK = BallotKind.KNAPSACK.value, "Knapsack: choose projects that fit in the budget"
        RANKED = BallotKind.RANKED.value, "Ranked: put projects in order of preference"

    place = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="budget_rounds")
    name = models.CharField(max_length=200)
    description = models.TextField(help_text="What the money is for, in plain words")
    budget = models.PositiveIntegerField(help_text="In whole pounds")
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.IDEAS)
    ballot_kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.APPROVAL)
    min_projects = models.PositiveSmallIntegerField(default=1)
    max_projects = models.PositiveSmallIntegerField(null=True, blank=True)
    points = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Points ballots only")
    max_points_per_project = models.PositiveSmallIntegerField(null=True, blank=True)
    rule = models.CharField(
        max_length=20,
        choices=[(rule.value, RULE_NAMES[rule]) for rule in RULE_NAMES],
        default=Rule.MES_COST_ADD1U,
    )
    minimum_score = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The fewest votes (or points) a project needs, for the threshold rule",
    )
    tie_breaking = models.CharField(
        max_length=20, choices=TiePreset.CHOICES, default=TiePreset.COST_THEN_VOTES
    )
    # The order drawn by lot when voting opens (project numbers as text), and the seed it was drawn with.
    lot_order = models.JSONField(default=list, blank=True)
    lot_seed = models.BigIntegerField(null=True, blank=True)
    minimum_age = models.PositiveSmallIntegerField(default=16)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_by_deprivation = models.BooleanField(default=False)
    ideas_close_on = models.DateField(null=True, blank=True)
    voting_closes_on = models.DateField(null=True, blank=True)
    voting_opened_at = models.DateTimeField(null=True, blank=True)
    voting_closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(budget__gt=0), name="budget_round_budget_positive"),
            models.CheckConstraint(
                condition=models.Q(maximum_age__isnull=True)
                | models.Q(maximum_age__gte=models.F("minimum_age")),
                name="budget_round_ages_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(max_projects__isnull=True)
                | models.Q(max_projects__gte=models.F("min_projects")),
                name="budget_round_projects_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        """Return the round's public page."""
        return reverse("budgeting:budget", kwargs={"pk": self.pk})

    def ballot_rules(self) -> BallotRules:
        """Return the limits on this round's ballots."""
        return BallotRules(
            kind=BallotKind(self.ballot_kind),
            min_projects=self.min_projects,
            max_projects=self.max_projects,
            max_cost=Fraction(self.budget) if self.ballot_kind == self.Kind.KNAPSACK else None,
            points=self.points,
            max_points_per_project=self.max_points_per_project,
        )

    def eligibility(self) -> Eligibility:
        """Return who may vote."""
        return Eligibility(minimum_age=self.minimum_age, maximum_age=self.maximum_age)

    def tie_breaking_rule(self) -> TieBreaking:
        """Return the core's tie-breaking for this round (the lot order is drawn when voting opens)."""
        return tie_breaking(self.tie_breaking, self.lot_order)

    @property
    def budget_text(self) -> str:
        """Return the budget as people write it, e.g. `£50,000`."""
        return f"£{self.budget:,}"

    @property
    def counting_rule(self) -> Rule:
        """Return the voting rule the round is counted with."""
        return Rule(self.rule)

    @property
    def is_ranked(self) -> bool:
        """Tell whether voters rank projects."""
        return self.ballot_kind == self.Kind.RANKED

    @property
    def is_points(self) -> bool:
        """Tell whether voters share out points."""
        return self.ballot_kind == self.Kind.CUMULATIVE

    @property
    def score_unit(self) -> str:
        """Return what a project's score counts: votes, or points (points and ranked ballots)."""
        return "points" if self.ballot_kind in (self.Kind.CUMULATIVE, self.Kind.RANKED) else "votes"

    @property
    def settings_locked(self) -> bool:
        """Tell whether the ballot and the rule are fixed (they are once voting opens)."""
        return self.phase not in (self.Phase.IDEAS, self.Phase.DEVELOPMENT)

    def voting_is_open(self, today: datetime.date | None = None) -> bool:
        """Tell whether online ballots can be cast or changed today."""
        day = today or timezone.localdate()
        return (
            self.phase == self.Phase.VOTING
            and self.voting_closes_on is not None
            and day <= self.voting_closes_on
        )


class Proposal(models.Model):
    """A project proposed for the ballot: developed from residents' ideas and reviewed for feasibility."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["description", "feasibility_note"],
    }

    class Feasibility(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        FEASIBLE = "feasible", "Feasible"
        NOT_FEASIBLE = "not_feasible", "Not feasible"

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    description = models.TextField()
    cost = models.PositiveIntegerField(help_text="Estimated cost in whole pounds")
    feasibility = models.CharField(max_length=12, choices=Feasibility.choices, default=Feasibility.PENDING)
    feasibility_note = models.TextField(
        blank=True, help_text="Why, in words residents can follow (published)"
    )
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="proposal_number_unique"),
            models.CheckConstraint(condition=models.Q(cost__gt=0), name="proposal_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    @property
    def project_id(self) -> str:
        """Return the project's id in the election and the .pb file: its number."""
        return str(self.number)

    @property
    def cost_text(self) -> str:
        """Return the cost as people write it, e.g. `£4,500`."""
        return f"£{self.cost:,}"

    @property
    def is_on_ballot(self) -> bool:
        """Tell whether the project is (or will be) on the ballot."""
        return self.feasibility == self.Feasibility.FEASIBLE


class Idea(models.Model):
    """What a resident suggests the money could do; it may become (part of) a project."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["description", "response"],
    }

    class Status(models.TextChoices):
        NEW = "new", "Waiting for review"
        TAKEN_FORWARD = "taken_forward", "Taken forward"
        NOT_TAKEN_FORWARD = "not_taken_forward", "Not taken forward"

    round = models.ForeignKey(BudgetRound, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(max_length=200)
    description = models.TextField()
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    response = models.TextField(blank=True, help_text="What happened to the idea, and why (published)")
    proposal = models.ForeignKey(
        Proposal, null=True, blank=True, on_delete=models.SET_NULL, related_name="ideas"
    )
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "submitted_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Ballot(models.Model):
    """One voter's ballot in one round, cast online or keyed from paper; the voter's choices are its rows.

    `number` is the anonymous voter id in the exported file. `voter_key` (see core.rounds.voters) is the same
    for one person however they vote, and the database allows one ballot per key per round.
    """

    class Channel(models.TextChoices):
        ONLINE = "online", "Online"
        PAPER = "paper", "Paper"

    round = models.ForeignKey(BudgetRound, on_delete=models.PROTECT, related_name="ballots")
    number = models.PositiveIntegerField()
    voter_key = models.CharField(max_length=64)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    deprivation_decile = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="IMD 2019 decile of the voter's LSOA; empty when not known"
    )
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(null=True, blank=True)
    times_changed = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "voter_key"], name="ballot_one_per_voter_per_round"),
            models.UniqueConstraint(fields=["round", "number"], name="ballot_number_unique"),
            models.UniqueConstraint(
                fields=["round", "person"],
                condition=models.Q(person__isnull=False),
                name="ballot_one_per_person_per_round",
            ),
        ]

    def __str__(self) -> str:
        return f"Ballot {self.number} in {self.round}"

    def choices(self) -> dict[str, int]:
        """Return the ballot as the pure rules read it: project number (as text) -> value."""
        return {str(number): value for number, value in self.marks.values_list("proposal__number", "value")}


class BallotMark(models.Model):
    """One project on one ballot: chosen (1), its points, or its rank (1 = first choice)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="marks")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="marks")
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["ballot", "proposal__number"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "proposal"], name="ballot_mark_once_per_project"),
            models.CheckConstraint(condition=models.Q(value__gte=1), name="ballot_mark_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.ballot}: project {self.proposal.number} = {self.value}"


class PaperBallot(models.Model):
    """A paper ballot as it goes through double entry: two different people key it; a match records it;
    a mismatch, or a ballot that cannot be counted, waits for a third person."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["problem", "resolution_note"],
    }

    class Status(models.TextChoices):
        KEYED_ONCE = "keyed_once", "Keyed once: needs a second person"
        RECORDED = "recorded", "Recorded"
        QUEUED = "queued", "Waiting for a third person"
        SPOILT = "spoilt", "Set aside: not counted"

    round = models.ForeignKey(BudgetRound, on_delete=models.PROTECT, related_name="paper_ballots")
    reference = models.CharField(max_length=20, help_text="The number written on the paper ballot")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.KEYED_ONCE)
    problem = models.TextField(blank=True, help_text="Why it waits for a third person")
    ballot = models.OneToOneField(
        Ballot, null=True, blank=True, on_delete=models.PROTECT, related_name="paper"
    )
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["round", "reference"], name="paper_ballot_reference_unique")
        ]

    def __str__(self) -> str:
        return f"Paper ballot {self.reference}"


class PaperEntry(models.Model):
    """One person's keying of a paper ballot, exactly as typed."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Paper ballots keyed twice and checked against the voter",
        "lawful_basis": gdpr.DEMOCRATIC,
        "fields": {
            "full_name": "identity",
            "date_of_birth": "demographic",
            "postcode": "location",
            "choices": "vote",
        },
    }

    class Stage(models.TextChoices):
        FIRST = "first", "First keying"
        SECOND = "second", "Second keying"
        RESOLUTION = "resolution", "Third person's keying"

    paper = models.ForeignKey(PaperBallot, on_delete=models.CASCADE, related_name="entries")
    stage = models.CharField(max_length=12, choices=Stage.choices)
    keyed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    keyed_at = models.DateTimeField(default=timezone.now)
    full_name = models.CharField(max_length=150)
    date_of_birth = models.DateField()
    postcode = models.CharField(max_length=8)
    # Project number (as text) -> value, as keyed.
    choices = models.JSONField()

    class Meta:
        ordering = ["paper", "keyed_at", "pk"]
        constraints = [
            # Double entry means two different people: the database refuses a second keying by the same one.
            models.UniqueConstraint(fields=["paper", "keyed_by"], name="paper_entry_different_people"),
            models.UniqueConstraint(fields=["paper", "stage"], name="paper_entry_one_per_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} of {self.paper}"


class BudgetResult(models.Model):
    """The count made when voting closed: the rule, the tie-breaking, the winners in order and why each
    project won or lost (supporters as anonymous ballot numbers)."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": [
            "tie_breaking",
            "tie_breaking_criteria",
            "lot_order",
            "ties",
            "selected",
            "winners",
            "losers",
            "notes",
        ],
    }

    round = models.OneToOneField(BudgetRound, on_delete=models.PROTECT, related_name="result")
    rule = models.CharField(max_length=20)
    tie_breaking = models.TextField(help_text="The tie-breaking, in words")
    tie_breaking_criteria = models.JSONField(default=list)
    lot_order = models.JSONField(default=list)
    ties = models.JSONField(default=list, help_text="Ties actually broken: step, tied projects, chosen")
    weighted = models.BooleanField(default=False)
    ballots_counted = models.PositiveIntegerField()
    online_ballots = models.PositiveIntegerField(default=0)
    paper_ballots = models.PositiveIntegerField(default=0)
    selected = models.JSONField(help_text="Funded project numbers, in the order the rule chose them")
    total_cost = models.PositiveIntegerField()
    voter_share = models.CharField(max_length=60, blank=True, help_text="Equal Shares: each voter's share")
    winners = models.JSONField(default=list)
    losers = models.JSONField(default=list)
    notes = models.JSONField(default=list)
    seconds = models.FloatField(default=0.0)
    counted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    counted_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Result of {self.round}"

    @property
    def rule_name(self) -> str:
        """Return the rule's name as people read it."""
        return RULE_NAMES.get(Rule(self.rule), self.rule)


class Milestone(models.Model):
    """A step in delivering a funded project."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["note"],
    }

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due_on = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Spend(models.Model):
    """Money spent on a funded project."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="spending")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    spent_on = models.DateField()
    description = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "spent_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="spend_amount_positive")]

    def __str__(self) -> str:
        return f"£{self.amount} on {self.proposal}"
