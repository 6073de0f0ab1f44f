"""Forms of the journey: every error message says what to do, in plain English."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from commonweal.organisations.models import Organisation
from commonweal.people.forms import PhoneField
from commonweal.people.models import ContactMethod, Sex
from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode
from commonweal.referrals.models import (
    ClosureReason,
    ContactLogEntry,
    DeclineReason,
    ReferralReason,
    ReferralSource,
    SharedField,
    Urgency,
)
from commonweal.referrals.queries import CASELOAD_SORTS
from commonweal.referrals.workflow import REJECTION_LABELS, STATUS_LABELS, Status
from commonweal.ui.forms import MemorableDateInput, NameField, PlainTextForm

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(
    label: str, *, required: bool = True, help_text: str = "", missing: str = "", memorable: bool = False
) -> forms.DateField:
    field = forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        # A date people know by heart gets the NHS.UK day, month and year boxes; others the picker.
        widget=MemorableDateInput() if memorable else DATE_WIDGET,
        error_messages={
            "required": missing or f"Enter the {label.lower()}",
            "invalid": f"Enter the {label.lower()} as a real date, for example 27 3 2026",
        },
    )
    if memorable:
        field.input_formats = ["%Y-%m-%d"]  # what MemorableDateInput puts together from the boxes
    return field


# The NHS Data Dictionary's four person stated gender codes (people.Sex). "Not known" is stored as "",
# not recorded, so the radio posts a word of its own: a required field reads "" as no answer at all.
NOT_KNOWN_ANSWER = "not_known"
SEX_ANSWERS = [(sex.value or NOT_KNOWN_ANSWER, sex.label) for sex in Sex]


def _stored_sex(answer: str) -> str:
    return Sex.NOT_KNOWN if answer == NOT_KNOWN_ANSWER else answer


class PersonDetailsMixin(PlainTextForm):
    """Who the person is: the fields a referral needs to find or add them."""

    given_name = NameField(
        label="First name", max_length=100, error_messages={"required": "Enter the person's first name"}
    )
    family_name = NameField(
        label="Last name", max_length=100, error_messages={"required": "Enter the person's last name"}
    )
    date_of_birth = _date_field("Date of birth", missing="Enter the person's date of birth", memorable=True)
    sex = forms.TypedChoiceField(
        label="Sex",
        choices=SEX_ANSWERS,
        coerce=_stored_sex,
        widget=forms.RadioSelect,
        help_text="As recorded by the person's GP. Choose 'Not known' if you do not know.",
        error_messages={"required": "Choose the person's sex as registered with their GP"},
    )
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    phone = PhoneField(label="Phone number", max_length=30, required=False)
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        error_messages={"invalid": "Enter an e-mail address in the right form, like name@example.com"},
    )

    def clean_date_of_birth(self) -> datetime.date:
        born: datetime.date = self.cleaned_data["date_of_birth"]
        if born > timezone.localdate():
            raise forms.ValidationError("The date of birth must be in the past")
        if born.year < 1900:
            raise forms.ValidationError("Check the year of birth")
        return born

    def clean_postcode(self) -> str:
        text = self.cleaned_data.get("postcode", "")
        if not text.strip():
            return ""
        try:
            return normalise_postcode(text)
        except MalformedPostcodeError as error:
            raise forms.ValidationError(str(error)) from error


class ReferForm(PersonDetailsMixin):
    """A referrer's form: who, why, how urgent, and that the person agreed."""

    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        help_text="10 digits, for example 943 476 5919",
        error_messages={"required": "Enter the person's NHS number"},
    )
    gp_practice = forms.ModelChoiceField(
        label="GP practice the person is registered with",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="Not known",
    )
    team = forms.ModelChoiceField(
        label="Send the referral to",
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages={"required": "Choose the social prescribing team"},
    )
    source = forms.ChoiceField(
        label="You are referring from",
        choices=[choice for choice in ReferralSource.choices if choice[0] != ReferralSource.SELF],
        error_messages={"required": "Choose where the referral comes from"},
    )
    reasons = forms.MultipleChoiceField(
        label="Why are you referring them?",
        help_text="Choose all that apply",
        choices=ReferralReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reason for the referral"},
    )
    reason_detail = forms.CharField(
        label="Anything else the link worker should know",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.ChoiceField(
        label="How soon should a link worker contact them?",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how soon they should be contacted"},
    )
    person_agreed = forms.BooleanField(
        label="The person has agreed to be referred and to a link worker contacting them",
        error_messages={"required": "Confirm that the person has agreed to this referral"},
    )

    field_order = [
        "nhs_number",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "phone",
        "email",
        "gp_practice",
        "team",
        "source",
        "reasons",
        "reason_detail",
        "urgency",
        "person_agreed",
    ]

    def __init__(self, *args: Any, teams: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams  # type: ignore[attr-defined]
        self.fields["gp_practice"].queryset = practices  # type: ignore[attr-defined]

    def clean_nhs_number(self) -> str:
        try:
            return normalise_nhs_number(self.cleaned_data["nhs_number"])
        except InvalidNhsNumberError as error:
            raise forms.ValidationError(str(error)) from error


class SelfReferralForm(PersonDetailsMixin):
    """The public form for residents: no account needed."""

    nhs_number = forms.CharField(
        label="NHS number (if you know it)",
        max_length=20,
        required=False,
        help_text="10 digits, for example 943 476 5919. You can leave this out.",
    )
    contact_methods = forms.MultipleChoiceField(
        label="How can we contact you?",
        choices=[choice for choice in ContactMethod.choices if choice[0] != ContactMethod.DO_NOT_CONTACT],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one way we can contact you"},
    )
    gp_practice = forms.ModelChoiceField(
        label="Your GP practice",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="I'm not registered or I don't know",
    )
    reasons = forms.MultipleChoiceField(
        label="What would you like help with?",
        help_text="Choose all that apply",
        choices=ReferralReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one thing you would like help with"},
    )
    reason_detail = forms.CharField(
        label="Tell us a little about what matters to you",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.ChoiceField(
        label="How soon do you need to hear from us?",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how soon you need to hear from us"},
    )
    privacy = forms.BooleanField(
        label="I have read how my information will be used",
        error_messages={"required": "Confirm that you have read how your information will be used"},
    )
    # A field people never see; automated spam fills it in.
    website = forms.CharField(label="Leave this empty", required=False, max_length=500)

    field_order = [
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "postcode",
        "nhs_number",
        "phone",
        "email",
        "contact_methods",
        "gp_practice",
        "reasons",
        "reason_detail",
        "urgency",
        "privacy",
        "website",
    ]

    # The person fills this in about themselves, so its errors speak to them (the referrer's form
    # speaks about the person).
    YOUR_OWN_DETAILS = {
        "given_name": "Enter your first name",
        "family_name": "Enter your last name",
        "date_of_birth": "Enter your date of birth",
        "sex": "Choose your sex",
    }
    YOUR_OWN_SEX_HINT = "As recorded by your GP surgery. If you are not sure, choose 'Not known'."

    def __init__(self, *args: Any, practices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in self.YOUR_OWN_DETAILS.items():
            self.fields[name].error_messages["required"] = message
        self.fields["sex"].help_text = self.YOUR_OWN_SEX_HINT
        self.fields["gp_practice"].queryset = practices  # type: ignore[attr-defined]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})

    def clean_nhs_number(self) -> str:
        text = self.cleaned_data.get("nhs_number", "")
        if not text.strip():
            return ""
        try:
            return normalise_nhs_number(text)
        except InvalidNhsNumberError as error:
            raise forms.ValidationError(str(error)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        methods = cleaned.get("contact_methods") or []
        wants_phone = ContactMethod.PHONE in methods or ContactMethod.SMS in methods
        if wants_phone and not cleaned.get("phone"):
            self.add_error("phone", "Enter a phone number, so we can call or text you")
        if ContactMethod.EMAIL in methods and not cleaned.get("email"):
            self.add_error("email", "Enter an e-mail address, so we can e-mail you")
        if ContactMethod.POST in methods and not cleaned.get("postcode"):
            self.add_error("postcode", "Enter your postcode, so we can write to you")
        return cleaned

    @property
    def is_spam(self) -> bool:
        """Tell whether the hidden field was filled in (only automated senders do that)."""
        return bool(self.data.get("website", "").strip())


class TriageForm(PlainTextForm):
    decision = forms.ChoiceField(
        label="What happens to this referral?",
        choices=[("accept", "Accept it and assign a link worker"), ("decline", "It does not go ahead")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the referral goes ahead"},
    )
    link_worker = forms.ModelChoiceField(
        label="Link worker", queryset=Organisation.objects.none(), required=False, empty_label="Choose"
    )
    decline_reason = forms.ChoiceField(
        label="Why does it not go ahead?",
        choices=[("", "Choose a reason"), *DeclineReason.choices],
        required=False,
    )
    note = forms.CharField(
        label="Note (for the referrer and the record)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, link_workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["link_worker"]
        field.queryset = link_workers  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.full_name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "accept" and not cleaned.get("link_worker"):
            self.add_error("link_worker", "Choose the link worker who will work with the person")
        if cleaned.get("decision") == "decline" and not cleaned.get("decline_reason"):
            self.add_error("decline_reason", "Choose why the referral does not go ahead")
        return cleaned


class NextActionForm(PlainTextForm):
    next_action = forms.CharField(
        label="What happens next",
        max_length=200,
        error_messages={"required": "Say what happens next"},
    )
    next_action_due = _date_field("Due date", required=False, help_text="Leave empty if there is no date")


class ContactForm(PlainTextForm):
    kind = forms.ChoiceField(
        label="What kind of contact",
        choices=ContactLogEntry.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of contact it was"},
    )
    outcome = forms.ChoiceField(
        label="What came of it",
        choices=ContactLogEntry.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what came of it"},
    )
    happened_at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "required": "Enter when it happened",
            "invalid": "Enter a date and time, like 27/03/2026 14:30",
        },
    )
    note = forms.CharField(
        label="Note", required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConversationForm(PlainTextForm):
    """The fields every conversation has, plus those of its kind (added in __init__)."""

    held_on = _date_field("Date of the conversation")
    participants = forms.CharField(
        label="Who took part",
        max_length=300,
        help_text="For example: the person, their daughter, the link worker",
        error_messages={"required": "Say who took part"},
    )
    summary = forms.CharField(
        label="Summary in the person's own words",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a summary in the person's own words"},
    )

    ACTION_ROWS = 3

    def __init__(self, *args: Any, kind: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

        def text(label: str) -> forms.CharField:
            return forms.CharField(
                label=label, required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
            )

        if kind == 1:
            self.fields["what_matters"] = text("What matters to the person")
            self.fields["strengths"] = text("Their strengths")
            self.fields["wants_to_do"] = text("What they want to do")
            self.fields["connections_made"] = text("Connections made")
            self.fields["update_record"] = forms.BooleanField(
                label="Also write what matters and strengths into the person's record",
                required=False,
                initial=True,
            )
        elif kind == 2:
            self.fields["immediate_risks"] = text("Immediate risks")
            for row in range(1, self.ACTION_ROWS + 1):
                self.fields[f"action_{row}"] = forms.CharField(
                    label=f"Emergency plan action {row}", required=False, max_length=300
                )
                self.fields[f"owner_{row}"] = forms.CharField(
                    label=f"Who will do action {row}", required=False, max_length=150
                )
                self.fields[f"review_{row}"] = _date_field(f"Review date for action {row}", required=False)
        else:
            self.fields["long_term_plan"] = text("The long-term plan")
            self.fields["budget_amount"] = forms.DecimalField(
                label="Personal budget (£)",
                required=False,
                min_value=Decimal(0),
                max_digits=9,
                decimal_places=2,
                error_messages={"invalid": "Enter the budget as an amount of money, like 250.00"},
            )
            self.fields["budget_sources"] = text("Where the budget comes from")
            for row in range(1, self.ACTION_ROWS + 1):
                self.fields[f"spend_{row}"] = forms.CharField(
                    label=f"Spent on (line {row})", required=False, max_length=200
                )
                self.fields[f"spend_amount_{row}"] = forms.DecimalField(
                    label=f"Amount for line {row} (£)",
                    required=False,
                    min_value=Decimal("0.01"),
                    max_digits=9,
                    decimal_places=2,
                    error_messages={"invalid": "Enter an amount of money, like 40.00"},
                )

    def clean_held_on(self) -> datetime.date:
        held: datetime.date = self.cleaned_data["held_on"]
        if held > timezone.localdate():
            raise forms.ValidationError("The date of the conversation cannot be in the future")
        return held

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.kind == 2:
            rows = 0
            for row in range(1, self.ACTION_ROWS + 1):
                action, owner, review = (
                    cleaned.get(f"action_{row}"),
                    cleaned.get(f"owner_{row}"),
                    cleaned.get(f"review_{row}"),
                )
                if action or owner or review:
                    rows += 1
                    if not action:
                        self.add_error(f"action_{row}", f"Say what action {row} is")
                    if not owner:
                        self.add_error(f"owner_{row}", f"Say who will do action {row}")
                    if not review and f"review_{row}" not in self.errors:
                        self.add_error(f"review_{row}", f"Enter a review date for action {row}")
            if rows == 0:
                self.add_error("action_1", "Add at least one action to the emergency plan")
        if self.kind == 3:
            for row in range(1, self.ACTION_ROWS + 1):
                half_given = bool(cleaned.get(f"spend_{row}")) != (
                    cleaned.get(f"spend_amount_{row}") is not None
                )
                if half_given and f"spend_amount_{row}" not in self.errors:
                    self.add_error(f"spend_{row}", f"Give both what line {row} is spent on and its amount")
        return cleaned


class SmallSumForm(PlainTextForm):
    amount = forms.DecimalField(
        label="Amount (£)",
        min_value=Decimal("0.01"),
        max_value=Decimal("500"),
        max_digits=8,
        decimal_places=2,
        help_text="Small sums are up to £500",
        error_messages={
            "required": "Enter the amount of money",
            "invalid": "Enter an amount of money, like 35.00",
            "min_value": "Enter an amount greater than £0",
            "max_value": "A small sum is at most £500; for more, talk to your supervisor",
        },
    )
    purpose = forms.CharField(
        label="What is it for?",
        max_length=200,
        help_text="For example: electricity top-up until benefits are paid",
        error_messages={"required": "Say what the money is for"},
    )


class SmallSumDecisionForm(PlainTextForm):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve"), ("refuse", "Refuse")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False, max_length=300)


class BudgetForm(PlainTextForm):
    starts_on = _date_field("Start date")
    ends_on = _date_field("End date")
    amount = forms.DecimalField(
        label="Budget (£)",
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        error_messages={"required": "Enter the budget", "invalid": "Enter an amount of money, like 5000.00"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date")
        return cleaned


class ConnectForm(PlainTextForm):
    shared_fields = forms.MultipleChoiceField(
        label="What the person agrees to share with the organisation",
        help_text="Their name is always shared, so the organisation knows who is coming. "
        "Share only what they agree to.",
        choices=SharedField.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label="Note for the organisation",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shared only if the person agrees to share the link worker's note",
    )
    person_agreed = forms.BooleanField(
        label="The person has agreed to this connection and to what is shared",
        error_messages={"required": "Confirm that the person has agreed to this connection"},
    )


class MyConnectForm(ConnectForm):
    """The person asks to join a service themselves: the form speaks to them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shared = self.fields["shared_fields"]
        shared.label = "What you agree to share with the organisation"
        shared.help_text = "Your name is always shared, so the organisation knows who is coming."
        shared.choices = [  # type: ignore[attr-defined]
            (value, "My note about why I am connecting" if value == SharedField.NOTE else label)
            for value, label in SharedField.choices
        ]
        note = self.fields["note"]
        note.label = "A note for the organisation (optional)"
        note.help_text = "Shared only if you tick “My note about why I am connecting” above"
        agreed = self.fields["person_agreed"]
        agreed.label = "I agree to this connection and to sharing what I have ticked"
        agreed.error_messages["required"] = "Confirm that you agree to this connection"


class TransitionForm(PlainTextForm):
    to_status = forms.ChoiceField(
        label="Change the status to",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the new status"},
    )
    rejection_reason = forms.ChoiceField(
        label="If you reject it, why?",
        choices=[
            ("", "Choose a reason"),
            *[(reason.value, label) for reason, label in REJECTION_LABELS.items()],
        ],
        required=False,
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, allowed: list[Status], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(status.value, STATUS_LABELS[status]) for status in allowed]  # type: ignore[attr-defined]
        if Status.REJECTED not in allowed:
            # Asked only where rejecting is one of the moves (never of an accepted connection).
            del self.fields["rejection_reason"]


class AttendanceForm(PlainTextForm):
    session_on = _date_field("Date of the session")
    attended = forms.ChoiceField(
        label="Did the person come?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the person came"},
    )
    note = forms.CharField(label="Note", required=False, max_length=300)


class CloseForm(PlainTextForm):
    reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=ClosureReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the case is closing"},
    )
    note = forms.CharField(
        label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReReferForm(PlainTextForm):
    reason_detail = forms.CharField(
        label="What has changed?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what has changed, so the team knows why the person is coming back"},
    )
    urgency = forms.ChoiceField(
        label="How soon should a link worker make contact?",
        choices=Urgency.choices,
        initial=Urgency.ROUTINE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, by_the_person: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if by_the_person:
            self.fields["reason_detail"].error_messages["required"] = (
                "Say what has changed, so the team knows why you are coming back"
            )


class CaseloadFilterForm(PlainTextForm):
    sort = forms.ChoiceField(label="Sort by", choices=list(CASELOAD_SORTS.items()), required=False)
    urgency = forms.ChoiceField(label="Urgency", choices=[("", "Any"), *Urgency.choices], required=False)
    q = forms.CharField(label="Name", required=False, max_length=100)
    overdue = forms.BooleanField(label="Only overdue", required=False)
    alerts = forms.BooleanField(label="Only with returned connections", required=False)


class ServiceSearchForm(PlainTextForm):
    q = forms.CharField(label="Search the directory", required=False, max_length=100)
