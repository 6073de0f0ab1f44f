from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from commonweal.organisations.models import Organisation
from commonweal.people.break_glass import reason_problem
from commonweal.people.models import (
    AccessibilityNeed,
    ContactMethod,
    FreeTime,
    GoalProgress,
    GpSharing,
    NetworkMember,
)
from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number
from commonweal.people.phone_numbers import InvalidPhoneNumberError, normalise_phone_number
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.ui.forms import NameField, PlainTextForm


class PhoneField(forms.CharField):
    """A UK phone number, stored in its spaced national form (see people/phone_numbers.py)."""

    def clean(self, value: Any) -> str:
        """Return the number in its stored form, or '' when none was given."""
        text: str = super().clean(value)
        if not text.strip():
            return ""
        try:
            return normalise_phone_number(text)
        except InvalidPhoneNumberError as error:
            raise forms.ValidationError(str(error), code="phone") from error


class FindPersonForm(PlainTextForm):
    nhs_number = forms.CharField(
        label="NHS number", max_length=20, help_text="10 digits, for example 943 476 5919"
    )

    def clean_nhs_number(self) -> str:
        try:
            return normalise_nhs_number(self.cleaned_data["nhs_number"])
        except InvalidNhsNumberError as error:
            raise forms.ValidationError(str(error)) from error


class BreakGlassForm(PlainTextForm):
    reason = forms.CharField(
        label="Why do you need to see this record?",
        help_text="This is recorded, and the person can read it. Say what you need and why it cannot wait.",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=20,
        max_length=1000,
        error_messages={
            "required": "Enter why you need to see this record",
            "min_length": "Give a fuller reason (at least 20 characters), so it can be reviewed",
        },
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"]
        problem = reason_problem(reason)
        if problem:
            raise forms.ValidationError(problem)
        return reason


class BreakGlassReviewForm(PlainTextForm):
    note = forms.CharField(
        label="What the review found",
        help_text="For example: checked with the team; the ambulance crew needed the emergency contacts",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write what the review found"},
    )


def _date_field(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, for example 27 3 2026",
        },
    )


class AboutForm(PlainTextForm):
    """What matters, strengths, interests and free time: in the person's own words."""

    what_matters = forms.CharField(
        label="What matters to me",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In the person's own words",
    )
    strengths = forms.CharField(
        label="My strengths", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    interests = forms.CharField(
        label="My interests",
        required=False,
        max_length=1000,
        help_text="Separate them with commas, for example: gardening, singing, football",
    )
    free_times = forms.MultipleChoiceField(
        label="When I am free for activities",
        required=False,
        choices=FreeTime.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_interests(self) -> list[str]:
        parts = [part.strip() for part in self.cleaned_data.get("interests", "").split(",")]
        interests = [part for part in parts if part]
        if any(len(part) > 60 for part in interests):
            raise forms.ValidationError(
                "Keep each interest short (60 characters or fewer), separated by commas"
            )
        return list(dict.fromkeys(interests))


class ContactAndAccessForm(PlainTextForm):
    """How to reach the person, language, and the accessibility needs a service must meet."""

    phone = PhoneField(label="Phone number", required=False, max_length=30)
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        error_messages={"invalid": "Enter an e-mail address in the right form, like name@example.com"},
    )
    address = forms.CharField(
        label="Address", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    gp_practice = forms.ModelChoiceField(
        label="GP practice",
        queryset=Organisation.objects.filter(kind=Organisation.Kind.GP_PRACTICE, is_active=True).order_by(
            "name"
        ),
        required=False,
        empty_label="Not known",
    )
    contact_methods = forms.MultipleChoiceField(
        label="How I am happy to be contacted",
        required=False,
        choices=ContactMethod.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.CharField(
        label="Preferred language", max_length=60, error_messages={"required": "Enter the preferred language"}
    )
    needs_interpreter = forms.BooleanField(label="I need an interpreter", required=False)
    accessibility_needs = forms.MultipleChoiceField(
        label="Accessibility needs",
        required=False,
        choices=AccessibilityNeed.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    accessibility_notes = forms.CharField(
        label="Anything else about access",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_postcode(self) -> str:
        text = self.cleaned_data.get("postcode", "")
        if not text.strip():
            return ""
        try:
            return normalise_postcode(text)
        except MalformedPostcodeError as error:
            raise forms.ValidationError(str(error)) from error

    def clean_contact_methods(self) -> list[str]:
        methods: list[str] = self.cleaned_data.get("contact_methods", [])
        if ContactMethod.DO_NOT_CONTACT in methods and len(methods) > 1:
            raise forms.ValidationError(
                "Choose either 'Please do not contact me' or ways to contact, not both"
            )
        return methods


class ConsentForm(PlainTextForm):
    """The person's consent choices."""

    gp_sharing = forms.ChoiceField(
        label="What may we tell my GP and whoever referred me?",
        choices=GpSharing.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what your GP may be told"},
    )
    organisations_may_contact = forms.BooleanField(
        label="Community organisations I am connected to may contact me", required=False
    )


class PlanForm(PlainTextForm):
    summary = forms.CharField(
        label="My plan in my own words",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write the plan, in your own words"},
    )


class GoalForm(PlainTextForm):
    description = forms.CharField(
        label="My goal",
        max_length=300,
        help_text="In the person's own words, for example: get back to my allotment by spring",
        error_messages={"required": "Write the goal in your own words"},
    )
    steps = forms.CharField(
        label="Steps I will take", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    who_helps = forms.CharField(label="Who will help", required=False, max_length=300)
    target_date = _date_field("Target date")

    def clean_target_date(self) -> datetime.date | None:
        target: datetime.date | None = self.cleaned_data.get("target_date")
        if target is not None and target < timezone.localdate() - datetime.timedelta(days=365):
            raise forms.ValidationError("The target date is more than a year ago; check the year")
        return target


class GoalUpdateForm(PlainTextForm):
    progress = forms.ChoiceField(
        label="How far along is this goal?",
        choices=GoalProgress.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how far along the goal is"},
    )
    note = forms.CharField(
        label="What has happened", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    steps = forms.CharField(
        label="Steps I will take", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )
    who_helps = forms.CharField(label="Who will help", required=False, max_length=300)
    target_date = _date_field("Target date")


class NetworkMemberForm(PlainTextForm):
    kind = forms.ChoiceField(
        label="Who is this?",
        choices=NetworkMember.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who this is"},
    )
    name = NameField(label="Name", max_length=150, error_messages={"required": "Enter their name"})
    note = forms.CharField(label="Note", required=False, max_length=300)


class SafeguardingForm(PlainTextForm):
    concern = forms.CharField(
        label="The concern",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Describe the concern"},
    )
    action_taken = forms.CharField(
        label="Action taken",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: discussed with the safeguarding lead; referred to adult social care",
    )
