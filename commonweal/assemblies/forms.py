"""Forms for assemblies and steering groups: setting one up, invitations, registration, quotas and
selection, members, sessions, recommendations and the responses to them."""

from __future__ import annotations

import csv
import io
from typing import Any

from django import forms

from commonweal.assemblies.core.features import ASKED_FEATURES, FEATURES
from commonweal.assemblies.models import (
    DeliveryUpdate,
    Membership,
    Recommendation,
    Response,
    Selection,
    Session,
    Vote,
)
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from commonweal.ui.forms import LONG_TEXT_MAX, SHORT_TEXT_MAX, DateInput, place_field

_MAX_TABLE_BYTES = 200_000


def _organisation_field() -> forms.ModelChoiceField[Organisation]:
    return forms.ModelChoiceField(
        label="Who will respond to its recommendations (optional)",
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        required=False,
        empty_label="Not decided yet",
    )


class AssemblyForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the assembly's name"}
    )
    remit = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="The question it will answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the question the assembly will answer"},
    )
    panel_size = forms.IntegerField(
        label="Number of members (panel size)",
        min_value=2,
        max_value=500,
        error_messages={
            "required": "Enter the number of members",
            "invalid": "Enter the number of members as a whole number, like 30",
            "min_value": "An assembly needs at least 2 members",
            "max_value": "An assembly can have at most 500 members",
        },
    )
    quota_features = forms.MultipleChoiceField(
        label="Features to set quotas on",
        help_text="Volunteers answer the first four when they register; deprivation is worked out from "
        "their postcode. Choose deprivation by decile or by quintile, not both.",
        choices=[(feature.code, feature.label) for feature in FEATURES.values()],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one feature to set quotas on"},
    )
    people_per_letter = forms.IntegerField(
        label="People who may register with one letter",
        help_text="Everyone aged 16 or over at the address can volunteer, up to this number.",
        min_value=1,
        max_value=6,
        initial=2,
        error_messages={
            "required": "Enter how many people may register with one letter",
            "invalid": "Enter a whole number from 1 to 6",
            "min_value": "Enter a whole number from 1 to 6",
            "max_value": "Enter a whole number from 1 to 6",
        },
    )
    one_per_household = forms.BooleanField(
        label="At most one member from each address",
        required=False,
        initial=True,
        help_text="Recommended: people at one address often share views.",
    )
    registration_closes_on = forms.DateField(
        label="Registration closes on (optional)",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter a real date, for example 2026-03-31"},
    )

    def __init__(self, *args: Any, places: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = place_field(places)
        self.fields["responsible_organisation"] = _organisation_field()
        self.order_fields(["name", "place", "remit", "responsible_organisation"])

    def clean_quota_features(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["quota_features"]
        if {"deprivation_decile", "deprivation_quintile"} <= set(chosen):
            raise forms.ValidationError("Choose deprivation by decile or by quintile, not both")
        return chosen


def _seed_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text="Leave empty for a fresh random seed. Anyone with the seed can repeat the draw exactly; "
        "announce how you will choose it before you draw (for example, a public dice roll).",
        error_messages={
            "invalid": "Enter the seed as a whole number, like 20260314",
            "min_value": "The seed cannot be negative",
            "max_value": "The seed must be at most 9223372036854775807",
        },
    )


class InvitationForm(forms.Form):
    postcodes = forms.IntegerField(
        label="Postcodes to draw",
        min_value=1,
        error_messages={
            "required": "Enter how many postcodes to draw",
            "invalid": "Enter the number of postcodes as a whole number, like 400",
            "min_value": "Draw at least one postcode",
        },
    )
    letters_per_postcode = forms.IntegerField(
        label="Letters to each postcode drawn",
        help_text="Each letter goes to a different address in the postcode; "
        "a postcode has about 15 addresses.",
        min_value=1,
        max_value=20,
        initial=1,
        error_messages={
            "required": "Enter how many letters to send to each postcode",
            "invalid": "Enter a whole number from 1 to 20",
            "min_value": "Enter a whole number from 1 to 20",
            "max_value": "Enter a whole number from 1 to 20",
        },
    )
    seed = _seed_field("Seed of the lottery (optional)")


class RegistrationForm(forms.Form):
    code = forms.CharField(
        label="The code on your letter",
        help_text="8 letters and numbers, for example KQ7M-2HXP",
        max_length=20,
        error_messages={"required": "Enter the code printed on your letter"},
    )
    postcode = forms.CharField(
        label="The postcode the letter was sent to",
        max_length=20,
        error_messages={"required": "Enter the postcode the letter was sent to"},
    )
    full_name = forms.CharField(
        label="Your full name", max_length=150, error_messages={"required": "Enter your full name"}
    )
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        help_text="We need an e-mail address or a phone number to tell you if you are selected.",
        error_messages={"invalid": "Enter an e-mail address in the right format, like name@example.com"},
    )
    phone = forms.CharField(label="Phone number", max_length=30, required=False)
    consent = forms.BooleanField(
        label="I agree that Commonweal keeps my answers to select the assembly, as the privacy notice says",
        error_messages={
            "required": "Tick the box to agree to us keeping your answers, or you cannot register"
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for feature in ASKED_FEATURES:
            self.fields[feature.code] = forms.ChoiceField(
                label=feature.question,
                choices=[(value.code, value.label) for value in feature.values],
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer the question: {feature.question}"},
            )
        self.order_fields(
            ["code", "postcode", "full_name", "email", "phone", *[f.code for f in ASKED_FEATURES]]
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("email") and not cleaned.get("phone", "").strip():
            self.add_error(
                "email",
                "Enter an e-mail address or a phone number, so that we can tell you if you are selected",
            )
        return cleaned


class QuotaTableForm(forms.Form):
    table = forms.FileField(
        label="Population shares (a CSV file)",
        help_text="Columns feature, value, share. A share is a fraction (0.18) or a percentage (18%); the "
        "shares of each feature add up to 1.",
        error_messages={"required": "Choose the CSV file of population shares", "empty": "The file is empty"},
    )
    tolerance_seats = forms.IntegerField(
        label="Tolerance in seats",
        help_text="Widens every quota by this many seats each way. 0 keeps each quota to the floor and "
        "ceiling of its proportional number of seats.",
        min_value=0,
        max_value=50,
        initial=0,
        error_messages={
            "required": "Enter the tolerance (0 for none)",
            "invalid": "Enter the tolerance as a whole number, like 1",
            "min_value": "The tolerance cannot be negative",
            "max_value": "The tolerance can be at most 50 seats",
        },
    )

    def clean_table(self) -> list[dict[str, str]]:
        upload = self.cleaned_data["table"]
        self.table_name = str(upload.name)[:200]
        if upload.size > _MAX_TABLE_BYTES:
            raise forms.ValidationError("The file is too large for a table of shares (the limit is 200 KB)")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file is not UTF-8 text: save it as “CSV UTF-8”") from error
        try:
            reader = csv.DictReader(io.StringIO(text), strict=True)
            header = [name.strip().lower() for name in reader.fieldnames or []]
            if not {"feature", "value", "share"} <= set(header):
                raise forms.ValidationError("The first row must name the columns feature, value and share")
            rows = [
                {(key or "").strip().lower(): (value or "") for key, value in row.items()} for row in reader
            ]
        except csv.Error as error:
            raise forms.ValidationError(f"The file is not valid CSV ({error})") from error
        if not rows:
            raise forms.ValidationError("The file has no rows of shares")
        return rows


class QuotaChangeForm(forms.Form):
    minimum = forms.IntegerField(
        label="Minimum",
        min_value=0,
        error_messages={
            "required": "Enter the minimum",
            "invalid": "Enter a whole number",
            "min_value": "The minimum cannot be negative",
        },
    )
    maximum = forms.IntegerField(
        label="Maximum",
        min_value=0,
        error_messages={
            "required": "Enter the maximum",
            "invalid": "Enter a whole number",
            "min_value": "The maximum cannot be negative",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("minimum"), cleaned.get("maximum")
        if low is not None and high is not None and low > high:
            self.add_error("maximum", "The maximum must be at least the minimum")
        return cleaned


class SelectionForm(forms.Form):
    method = forms.ChoiceField(
        label="Method",
        choices=Selection.Method.choices,
        initial=Selection.Method.LEXIMIN,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a method"},
    )
    seed = _seed_field("Seed of the draw (optional)")


class ReplacementForm(forms.Form):
    seed = _seed_field("Seed of the replacement draw (optional)")


class LeaveForm(forms.Form):
    left_on = forms.DateField(
        label="Left on",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date they left",
            "invalid": "Enter a real date, for example 2026-03-31",
        },
    )
    reason = forms.CharField(
        label="Reason (not published)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        kwargs["prefix"] = f"leave-{membership.pk}"
        super().__init__(*args, **kwargs)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Reason (optional)", required=False, max_length=500)


_DATE_ERRORS = {"invalid": "Enter a real date, for example 2026-03-31"}


class SteeringGroupForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the group's name"}
    )
    remit = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="What the group is for",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the group is for"},
    )

    def __init__(self, *args: Any, places: list[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = place_field(places)
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
        max_length=LONG_TEXT_MAX,
        label="Agenda",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the agenda"},
    )
    notes = forms.CharField(
        max_length=LONG_TEXT_MAX,
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
    summary = forms.CharField(
        label="Summary", max_length=SHORT_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RecommendationForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Enter the recommendation's title"}
    )
    text = forms.CharField(
        max_length=LONG_TEXT_MAX,
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
        max_length=LONG_TEXT_MAX,
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
        max_length=SHORT_TEXT_MAX,
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
