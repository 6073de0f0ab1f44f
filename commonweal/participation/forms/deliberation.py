"""Forms for steering groups and for assemblies at work."""

from __future__ import annotations

from typing import Any

from django import forms

from commonweal.participation.forms import DateInput
from commonweal.participation.forms.assemblies import _organisation_field, _place_field
from commonweal.participation.models import (
    DeliveryUpdate,
    Membership,
    Recommendation,
    Response,
    Session,
    Vote,
)
from commonweal.places.models import Area

_DATE_ERRORS = {"invalid": "Enter a real date, for example 2026-03-31"}


class SteeringGroupForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the group's name"}
    )
    remit = forms.CharField(
        label="What the group is for",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the group is for"},
    )

    def __init__(self, *args: Any, places: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = _place_field(places)
        self.fields["responsible_organisation"] = _organisation_field()
        self.order_fields(["name", "place", "remit", "responsible_organisation"])


class MemberForm(forms.Form):
    full_name = forms.CharField(
        label="Full name", max_length=150, error_messages={"required": "Enter the member's full name"}
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        widget=forms.RadioSelect,
    )
    affiliation = forms.CharField(
        label="Who they are (published)",
        help_text="For example: resident of Gorse Hill, or the organisation they speak for",
        max_length=200,
        required=False,
    )
    joined_on = forms.DateField(
        label="Joined on",
        widget=DateInput(),
        error_messages={"required": "Enter the date they joined", **_DATE_ERRORS},
    )


class SessionForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the session's title"}
    )
    held_on = forms.DateField(
        label="Date",
        widget=DateInput(),
        error_messages={"required": "Enter the session's date", **_DATE_ERRORS},
    )
    venue = forms.CharField(label="Venue", max_length=200, required=False)
    agenda = forms.CharField(
        label="Agenda",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the agenda"},
    )
    notes = forms.CharField(
        label="Notes of the session (published)",
        help_text="Add them after the session.",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )


class EvidenceForm(forms.Form):
    title = forms.CharField(
        label="Title of the evidence",
        max_length=200,
        error_messages={"required": "Enter the evidence's title"},
    )
    presented_by = forms.CharField(label="Presented by", max_length=200, required=False)
    link = forms.URLField(
        label="Link (optional)",
        required=False,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://www.example.org/report"},
    )
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RecommendationForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the recommendation's title"}
    )
    text = forms.CharField(
        label="The recommendation in full",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the recommendation"},
    )
    made_on = forms.DateField(
        label="Agreed on",
        widget=DateInput(),
        error_messages={"required": "Enter the date it was agreed", **_DATE_ERRORS},
    )

    def __init__(self, *args: Any, sessions: list[Session], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: forms.ModelChoiceField[Session] = forms.ModelChoiceField(
            label="Agreed at session (optional)",
            queryset=Session.objects.filter(pk__in=[session.pk for session in sessions]).order_by("held_on"),
            required=False,
            empty_label="Not at a session",
        )
        self.fields["session"] = field


_DID_NOT_VOTE = ""


class VotesForm(forms.Form):
    """One question per member who sat on the body that day: how did they vote?"""

    def __init__(self, *args: Any, voters: list[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.voters = voters
        for voter in voters:
            self.fields[f"member_{voter.pk}"] = forms.ChoiceField(
                label=voter.full_name,
                choices=[*Vote.Choice.choices, (_DID_NOT_VOTE, "Did not vote")],
                widget=forms.RadioSelect,
                required=False,
            )

    def choices(self) -> dict[int, str | None]:
        """Return each member's vote (None: did not vote)."""
        return {voter.pk: self.cleaned_data.get(f"member_{voter.pk}") or None for voter in self.voters}


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Response.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the decision: accepted, partly accepted or rejected"},
    )
    reasons = forms.CharField(
        label="Reasons, in the organisation's words (published)",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reasons for the decision"},
    )
    responder = forms.CharField(
        label="Who responded, and their role",
        max_length=200,
        error_messages={"required": "Enter who responded, for example: Jo Bloggs, Director of Strategy"},
    )
    responded_on = forms.DateField(
        label="Date of the response",
        widget=DateInput(),
        error_messages={"required": "Enter the date of the response", **_DATE_ERRORS},
    )


class DeliveryForm(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        choices=DeliveryUpdate.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the delivery status"},
    )
    note = forms.CharField(
        label="What has happened (published)",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what has happened"},
    )
    reported_on = forms.DateField(
        label="Date", widget=DateInput(), error_messages={"required": "Enter the date", **_DATE_ERRORS}
    )


def recommendation_label(recommendation: Recommendation) -> str:
    """Return how a recommendation is named in messages."""
    return f"Recommendation {recommendation.number}: {recommendation.title}"
