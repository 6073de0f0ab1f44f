"""Forms for participatory budgeting: setting up a round, ideas, projects and their review, the ballot
(online and keyed from paper), the paper queue and delivery."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms

from commonweal.budgeting.actions import PaperKeying, RoundSettings
from commonweal.budgeting.core.rounds.counting import RULE_NAMES, TiePreset
from commonweal.budgeting.core.rounds.voters import WEIGHTING_EXPLANATION
from commonweal.budgeting.core.voting_rules import Rule
from commonweal.budgeting.models import BudgetRound, Idea, Proposal
from commonweal.budgeting.queries import ordinal
from commonweal.places.models import Area
from commonweal.ui.forms import LONG_TEXT_MAX, SHORT_TEXT_MAX, DateInput, MemorableDateInput, place_field

_DATE_ERRORS = {"invalid": "Enter a real date, for example 2026-03-31"}


def _whole(
    label: str, *, required: bool, minimum: int, help_text: str = "", what: str = ""
) -> forms.IntegerField:
    thing = what or label.lower()
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=minimum,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"data-width": "5", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter {thing}",
            "invalid": f"Enter {thing} as a whole number",
            "min_value": f"Enter {thing} of at least {minimum}",
        },
    )


class RoundForm(forms.Form):
    """A round's settings; the place is chosen only when the round is set up."""

    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the round's name"}
    )
    description = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="What the money is for (published)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the money is for"},
    )
    budget = _whole("Budget in pounds", required=True, minimum=1, what="the budget in pounds")
    ballot_kind = forms.ChoiceField(
        label="How people vote",
        choices=BudgetRound.Kind.choices,
        initial=BudgetRound.Kind.APPROVAL,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how people vote"},
    )
    min_projects = _whole(
        "Fewest projects a voter must choose or rank",
        required=True,
        minimum=1,
        what="the fewest projects",
    )
    max_projects = _whole(
        "Most projects a voter may choose or rank (optional)",
        required=False,
        minimum=1,
        help_text="Leave empty for no limit. Not used for knapsack ballots, which are limited by cost.",
        what="the most projects",
    )
    points = _whole(
        "Points each voter shares out (points ballots)", required=False, minimum=1, what="the points"
    )
    max_points_per_project = _whole(
        "Most points one project may get (optional, points ballots)",
        required=False,
        minimum=1,
        what="the most points for one project",
    )
    rule = forms.ChoiceField(
        label="How the votes are counted",
        choices=[(rule.value, name) for rule, name in RULE_NAMES.items()],
        error_messages={"required": "Choose how the votes are counted"},
    )
    minimum_score = _whole(
        "Fewest votes a project needs (minimum-score rule only)",
        required=False,
        minimum=1,
        what="the fewest votes a project needs",
    )
    tie_breaking = forms.ChoiceField(
        label="When two projects tie, who goes first",
        choices=TiePreset.CHOICES,
        initial=TiePreset.COST_THEN_VOTES,
        widget=forms.RadioSelect,
        help_text="The order by lot is drawn when voting opens and published with the results.",
        error_messages={"required": "Choose how ties are broken"},
    )
    minimum_age = _whole("Youngest age that may vote", required=True, minimum=0, what="the youngest age")
    maximum_age = _whole(
        "Oldest age that may vote (optional)",
        required=False,
        minimum=0,
        help_text="For a young people's budget, for example 25.",
        what="the oldest age",
    )
    weight_by_deprivation = forms.BooleanField(
        label="Weight each voter's share by the deprivation of where they live",
        help_text=WEIGHTING_EXPLANATION,
        required=False,
    )
    ideas_close_on = forms.DateField(
        label="Ideas close on (optional)", required=False, widget=DateInput(), error_messages=_DATE_ERRORS
    )

    def __init__(self, *args: Any, places: list[Area] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if places is not None:
            self.fields["place"] = place_field(places)
            self.order_fields(["name", "place"])
        self.fields["minimum_age"].initial = 16
        self.fields["min_projects"].initial = 1
        self.fields["rule"].initial = Rule.MES_COST_ADD1U.value

    def settings(self) -> RoundSettings:
        """Return the cleaned settings for the actions."""
        data = self.cleaned_data
        return RoundSettings(
            name=data["name"],
            description=data["description"],
            budget=data["budget"],
            ballot_kind=data["ballot_kind"],
            min_projects=data["min_projects"],
            max_projects=data["max_projects"],
            points=data["points"],
            max_points_per_project=data["max_points_per_project"],
            rule=data["rule"],
            minimum_score=data["minimum_score"],
            tie_breaking=data["tie_breaking"],
            minimum_age=data["minimum_age"],
            maximum_age=data["maximum_age"],
            weight_by_deprivation=data["weight_by_deprivation"],
            ideas_close_on=data["ideas_close_on"],
        )


def round_initial(budget_round: BudgetRound) -> dict[str, Any]:
    """Return a round's settings as the settings form's initial values."""
    return {
        field: getattr(budget_round, field)
        for field in (
            "name",
            "description",
            "budget",
            "ballot_kind",
            "min_projects",
            "max_projects",
            "points",
            "max_points_per_project",
            "rule",
            "minimum_score",
            "tie_breaking",
            "minimum_age",
            "maximum_age",
            "weight_by_deprivation",
            "ideas_close_on",
        )
    }


class IdeaForm(forms.Form):
    title = forms.CharField(
        label="Your idea in a few words",
        max_length=200,
        error_messages={"required": "Give your idea a short title"},
    )
    description = forms.CharField(
        max_length=LONG_TEXT_MAX,
        label="Tell us more",
        help_text="What would it do, who would it help, and where? Ideas are published without your name.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Tell us more about your idea"},
    )


class IdeaAnswerForm(forms.Form):
    status = forms.ChoiceField(
        label="What happens to the idea",
        choices=[
            (Idea.Status.TAKEN_FORWARD, "Taken forward into a project"),
            (Idea.Status.NOT_TAKEN_FORWARD, "Not taken forward"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the idea is taken forward"},
    )
    response = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="What to tell residents (published)",
        help_text="Needed when the idea is not taken forward: say why.",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, proposals: list[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField[Proposal] = forms.ModelChoiceField(
            label="The project it became part of",
            queryset=Proposal.objects.filter(pk__in=[proposal.pk for proposal in proposals]).order_by(
                "number"
            ),
            required=False,
            empty_label="Choose a project",
        )
        self.fields["proposal"] = field
        self.order_fields(["status", "proposal", "response"])


class ProposalForm(forms.Form):
    title = forms.CharField(
        label="Project title", max_length=200, error_messages={"required": "Enter the project's title"}
    )
    description = forms.CharField(
        max_length=LONG_TEXT_MAX,
        label="What it will do (published on the ballot)",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what the project will do"},
    )
    cost = _whole("Estimated cost in pounds", required=True, minimum=1, what="the cost in pounds")


class FeasibilityForm(forms.Form):
    decision = forms.ChoiceField(
        label="Can it be delivered for this cost?",
        choices=[
            (Proposal.Feasibility.FEASIBLE, "Feasible: it goes on the ballot"),
            (Proposal.Feasibility.NOT_FEASIBLE, "Not feasible"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose feasible or not feasible"},
    )
    note = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="The review, in words residents can follow (published)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class OpenVotingForm(forms.Form):
    voting_closes_on = forms.DateField(
        label="Voting closes at the end of",
        widget=DateInput(),
        error_messages={"required": "Enter the day voting closes", **_DATE_ERRORS},
    )


def _project_label(proposal: Proposal) -> str:
    return f"{proposal.number}. {proposal.title} (£{proposal.cost:,})"


@dataclass(frozen=True)
class RunningTotal:
    """What the ballot page's running total adds up as boxes are ticked (frontend/ballot-total.js).

    `counts` is "cost" (a knapsack ballot: the costs of the projects ticked, against the budget),
    "projects" (an approval ballot with a most: the projects ticked) or "points" (a points ballot: the
    points given); `limit` is the most it may reach, and `costs` the cost of each project by its id.
    """

    counts: str
    limit: int
    costs: dict[str, int] = field(default_factory=dict)


class BallotForm(forms.Form):
    """The ballot: a checkbox per project, points per project, or a rank per project."""

    def __init__(
        self, *args: Any, budget_round: BudgetRound, projects: list[Proposal], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.budget_round = budget_round
        self.projects = projects
        kind = budget_round.ballot_kind
        if kind in (BudgetRound.Kind.APPROVAL, BudgetRound.Kind.KNAPSACK):
            self.fields["projects"] = forms.MultipleChoiceField(
                label="Projects you choose",
                help_text=budget_round.ballot_rules().describe(),
                choices=[(proposal.project_id, _project_label(proposal)) for proposal in projects],
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        elif kind == BudgetRound.Kind.CUMULATIVE:
            for proposal in projects:
                self.fields[f"points_{proposal.number}"] = _whole(
                    f"Points for {_project_label(proposal)}",
                    required=False,
                    minimum=0,
                    what=f"the points for project {proposal.number}",
                )
        else:
            ranks = budget_round.max_projects or len(projects)
            for proposal in projects:
                self.fields[f"rank_{proposal.number}"] = forms.ChoiceField(
                    label=f"Rank for {_project_label(proposal)}",
                    choices=[
                        ("", "Not ranked"),
                        *((str(rank), _ordinal(rank)) for rank in range(1, ranks + 1)),
                    ],
                    required=False,
                )

    @property
    def ballot_field_names(self) -> list[str]:
        """Return the names of the fields that make up the ballot itself."""
        if "projects" in self.fields:
            return ["projects"]
        prefix = "points_" if self.budget_round.ballot_kind == BudgetRound.Kind.CUMULATIVE else "rank_"
        return [f"{prefix}{proposal.number}" for proposal in self.projects]

    @property
    def ballot_fields(self) -> list[forms.BoundField]:
        """Return the bound fields that make up the ballot itself, in project order."""
        return [self[name] for name in self.ballot_field_names]

    def running_total(self) -> RunningTotal | None:
        """Return what the ballot's running total adds up, or None when no limit applies to it."""
        kind = self.budget_round.ballot_kind
        if kind == BudgetRound.Kind.KNAPSACK:
            costs = {proposal.project_id: proposal.cost for proposal in self.projects}
            return RunningTotal(counts="cost", limit=self.budget_round.budget, costs=costs)
        if kind == BudgetRound.Kind.APPROVAL and self.budget_round.max_projects is not None:
            return RunningTotal(counts="projects", limit=self.budget_round.max_projects)
        if kind == BudgetRound.Kind.CUMULATIVE and self.budget_round.points:
            return RunningTotal(counts="points", limit=self.budget_round.points)
        return None

    def choices(self) -> dict[str, int]:
        """Return the ballot as project number (text) -> 1, points or rank."""
        data = self.cleaned_data
        if "projects" in self.fields:
            return dict.fromkeys(data.get("projects") or [], 1)
        found: dict[str, int] = {}
        for proposal in self.projects:
            key = (
                f"points_{proposal.number}"
                if self.budget_round.ballot_kind == BudgetRound.Kind.CUMULATIVE
                else f"rank_{proposal.number}"
            )
            value = data.get(key)
            if value not in (None, ""):
                found[proposal.project_id] = int(value)
        return {project: value for project, value in found.items() if value}


def ballot_initial(budget_round: BudgetRound, choices: dict[str, int]) -> dict[str, Any]:
    """Return a stored ballot as the ballot form's initial values."""
    if budget_round.ballot_kind in (BudgetRound.Kind.APPROVAL, BudgetRound.Kind.KNAPSACK):
        return {"projects": list(choices)}
    prefix = "points_" if budget_round.ballot_kind == BudgetRound.Kind.CUMULATIVE else "rank_"
    return {f"{prefix}{project}": str(value) for project, value in choices.items()}


def _ordinal(rank: int) -> str:
    return f"{ordinal(rank)} choice"


class PaperBallotForm(BallotForm):
    """A paper ballot keyed exactly as written: its number, the voter's details and their marks."""

    def __init__(self, *args: Any, with_reference: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        voter_fields: dict[str, forms.Field] = {
            "full_name": forms.CharField(
                label="Voter's full name",
                max_length=150,
                error_messages={"required": "Enter the voter's name as written on the ballot"},
            ),
            "date_of_birth": forms.DateField(
                label="Voter's date of birth",
                widget=MemorableDateInput(),  # the NHS.UK day, month and year boxes
                input_formats=["%Y-%m-%d"],
                error_messages={"required": "Enter the voter's date of birth", **_DATE_ERRORS},
            ),
            "postcode": forms.CharField(
                label="Voter's postcode",
                max_length=10,
                widget=forms.TextInput(attrs={"data-width": "10", "autocomplete": "off"}),
                error_messages={"required": "Enter the voter's postcode"},
            ),
        }
        if with_reference:
            voter_fields = {
                "reference": forms.CharField(
                    label="Ballot number (written on the paper)",
                    max_length=20,
                    widget=forms.TextInput(attrs={"data-width": "10", "autocomplete": "off"}),
                    error_messages={"required": "Enter the number written on the paper ballot"},
                ),
                **voter_fields,
            }
        ballot_fields = {name: self.fields.pop(name) for name in list(self.fields)}
        self.fields.update(voter_fields)
        self.fields.update(ballot_fields)

    def clean_date_of_birth(self) -> datetime.date:
        """Refuse a date of birth in the future."""
        born: datetime.date = self.cleaned_data["date_of_birth"]
        if born > datetime.date.today():
            raise forms.ValidationError("The date of birth must be in the past")
        return born

    def keying(self, reference: str = "") -> PaperKeying:
        """Return what was keyed."""
        data = self.cleaned_data
        return PaperKeying(
            reference=data.get("reference", reference),
            full_name=data["full_name"],
            date_of_birth=data["date_of_birth"],
            postcode=data["postcode"],
            choices=self.choices(),
        )


class SetAsideForm(forms.Form):
    note = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="Why it cannot be counted",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the ballot is set aside"},
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(
        label="Milestone", max_length=200, error_messages={"required": "Enter what the milestone is"}
    )
    due_on = forms.DateField(
        label="Expected by (optional)", required=False, widget=DateInput(), error_messages=_DATE_ERRORS
    )
    note = forms.CharField(
        label="Note (published)",
        max_length=SHORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(
        label="Reached on",
        widget=DateInput(),
        error_messages={"required": "Enter the day it was reached", **_DATE_ERRORS},
    )


class SpendForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount in pounds",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"data-width": "10", "inputmode": "decimal"}),
        error_messages={
            "required": "Enter the amount spent",
            "invalid": "Enter the amount as a number, like 1250.50",
            "min_value": "Enter an amount above £0",
            "max_decimal_places": "Enter the amount in pounds and pence, like 1250.50",
        },
    )
    spent_on = forms.DateField(
        label="Spent on", widget=DateInput(), error_messages={"required": "Enter the date", **_DATE_ERRORS}
    )
    description = forms.CharField(
        label="What it paid for (published)",
        max_length=200,
        error_messages={"required": "Say what it paid for"},
    )
