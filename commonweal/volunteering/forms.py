"""Forms of the volunteering pages: they check shape; the actions decide what is allowed."""

from __future__ import annotations

import datetime

from django import forms

from commonweal.people.models import FreeTime, Sex
from commonweal.volunteering.models import Contact, Expense, PipelineStatus
from commonweal.volunteering.roles import DBS_LABELS, ROLES, TRAINING_COURSES


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


class CommaListField(forms.CharField):
    """A comma-separated list typed as text ("shopping, gardening")."""

    def to_python(self, value: str | None) -> list[str]:  # type: ignore[override]
        return _words(super().to_python(value) or "")

    def prepare_value(self, value: object) -> object:
        return ", ".join(value) if isinstance(value, list) else value


class HoursForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Organisation", coerce=int)
    worked_on = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(label="Hours", min_value=0.25, max_value=24, decimal_places=2)
    description = forms.CharField(label="What you did", max_length=200, required=False)

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class ExpenseForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Organisation", coerce=int)
    kind = forms.ChoiceField(
        label="What kind of expense", choices=Expense.Kind.choices, widget=forms.RadioSelect
    )
    incurred_on = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label="What it was for", max_length=200)
    amount = forms.DecimalField(label="Amount spent (£), for actual costs", required=False, decimal_places=2)
    miles = forms.DecimalField(label="Miles driven, for mileage", required=False, decimal_places=1)
    receipt = forms.FileField(label="Receipt (photo or PDF), for actual costs", required=False)

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class ConcernForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Which organisation's safeguarding lead", coerce=int)
    about = forms.CharField(label="Who the concern is about", max_length=200)
    details = forms.CharField(label="What you saw or were told", widget=forms.Textarea)

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class AcknowledgeForm(forms.Form):
    action_taken = forms.CharField(label="Action taken", widget=forms.Textarea)


class MoveForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    to_status = forms.ChoiceField(label="Move to", choices=PipelineStatus.choices)
    reason = forms.CharField(label="Reason (needed for pausing or leaving)", required=False, max_length=500)


class AssignForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="Role", choices=[(code, role.label) for code, role in ROLES.items()])


class DbsForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ChoiceField(label="DBS level", choices=list(DBS_LABELS.items()))
    clear = forms.TypedChoiceField(
        label="Result",
        choices=[("yes", "Clear"), ("no", "Not clear (a risk assessment will be needed)")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    certificate_number = forms.CharField(
        label="Certificate number (12 digits)", required=False, max_length=12
    )
    update_service_number = forms.CharField(label="Update service number", required=False, max_length=20)
    issued_on = forms.DateField(label="Issued on", widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label="Recheck due on", widget=forms.DateInput(attrs={"type": "date"}))


class TrainingForm(forms.Form):
    organisation = forms.IntegerField(widget=forms.HiddenInput)
    course = forms.ChoiceField(label="Course", choices=list(TRAINING_COURSES.items()))
    completed_on = forms.DateField(label="Completed on", widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(
        label="Expires on (leave empty if it does not)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class BuddyRequestForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Volunteering organisation", coerce=int)
    role = forms.ChoiceField(
        label="Kind of support",
        choices=[(code, ROLES[code].label) for code in ("buddy", "peer_supporter", "befriender")],
    )
    needs = CommaListField(
        label="Needs (separate with commas)", required=False, help_text="e.g. shopping, confidence"
    )
    interests = CommaListField(label="Interests (separate with commas)", required=False)
    language = forms.CharField(label="Language", max_length=60)
    times = forms.MultipleChoiceField(
        label="When the person is free",
        choices=FreeTime.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_sex = forms.ChoiceField(
        label="The person would like a volunteer who is",
        # A preference is for a female or a male volunteer; Indeterminate and Not known describe a record.
        choices=[("", "No preference"), (Sex.FEMALE, Sex.FEMALE.label), (Sex.MALE, Sex.MALE.label)],
        required=False,
    )
    max_distance_km = forms.IntegerField(
        label="Furthest distance (km)", min_value=1, max_value=100, initial=10
    )
    person_consented = forms.BooleanField(
        label="The person agreed to be matched with a volunteer", required=False
    )
    consent_note = forms.CharField(
        label="What the person agreed may be shared with the volunteer", widget=forms.Textarea, required=False
    )

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class ProposeForm(forms.Form):
    volunteer = forms.IntegerField(widget=forms.HiddenInput)
    no_contact_days = forms.IntegerField(
        label="Alert after this many days without contact", min_value=1, initial=14
    )


class AnswerForm(forms.Form):
    match = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes"
    )


class ContactForm(forms.Form):
    happened_on = forms.DateField(
        label="Day", widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today
    )
    minutes = forms.IntegerField(label="Length (minutes)", min_value=1, max_value=1440)
    medium = forms.ChoiceField(label="How", choices=Contact.Medium.choices)
    notes = forms.CharField(
        label="Notes (only what the person agreed may be recorded)", widget=forms.Textarea, required=False
    )


class EndMatchForm(forms.Form):
    reason = forms.CharField(label="Why the match is ending", max_length=500)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(choices=[("hours", "hours"), ("expense", "expense")])
    item = forms.IntegerField()
    decision = forms.ChoiceField(
        choices=[("approve", "Approve"), ("reject", "Reject"), ("paid", "Mark paid")]
    )


class DbsDecisionForm(forms.Form):
    check = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(
        label="Decision",
        choices=[("yes", "Accept: the volunteer may work"), ("no", "Refuse")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    risk_assessment = forms.CharField(label="Risk assessment behind the decision", widget=forms.Textarea)


class OpportunityForm(forms.Form):
    organisation = forms.TypedChoiceField(label="Organisation", coerce=int)
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(label="What volunteers will do", widget=forms.Textarea)
    role = forms.ChoiceField(label="Role", choices=[(code, role.label) for code, role in ROLES.items()])
    place = forms.CharField(label="Where", max_length=200, required=False)

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class ShiftForm(forms.Form):
    opportunity = forms.IntegerField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(label="Ends", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    places = forms.IntegerField(label="Volunteers needed", min_value=1, max_value=500, initial=1)


class ApplyForm(forms.Form):
    shift = forms.TypedChoiceField(label="Shift (optional)", coerce=int, required=False, empty_value=None)
    message = forms.CharField(
        label="Anything you would like to tell the organisation", widget=forms.Textarea, required=False
    )

    def __init__(self, *args: object, shifts: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["shift"].choices = [("", "Any time"), *shifts]  # type: ignore[attr-defined]
