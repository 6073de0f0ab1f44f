"""Forms for the households pages: the agenda's filters, the visit form, status, imports."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms

from commonweal.households import definitions
from commonweal.households.models import HouseholdStatus, Member, VisitOutcome, VisitReason
from commonweal.ui.forms import DateInput, PlainTextForm

PRIORITY_CHOICES = [("", "Any priority"), ("high", "High"), ("routine", "Routine"), ("low", "Low")]


class AgendaFilterForm(forms.Form):
    due_by = forms.DateField(label="Due by", required=False, widget=DateInput)
    priority = forms.ChoiceField(choices=PRIORITY_CHOICES, required=False)
    reason = forms.ChoiceField(choices=[("", "Any reason"), *VisitReason.choices], required=False)
    street = forms.CharField(max_length=120, required=False)


class VisitForm(PlainTextForm):
    """The visit: outcome, reasons, note, and for each member seen their check and any need found."""

    client_id = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=VisitOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.MultipleChoiceField(
        choices=VisitReason.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one reason for the visit."},
    )
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    shadowed = forms.BooleanField(
        label="My supervisor came with me (a shadow visit)",
        required=False,
        help_text="Your supervisor sees shadow visits on their supervision page.",
    )

    def __init__(self, *args: Any, members: list[Member], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        if not self.is_bound:
            self.initial.setdefault("client_id", uuid.uuid4())
        check = definitions.wellbeing_check()
        self.member_fields: list[tuple[Member, list[str]]] = []
        for member in members:
            prefix = f"m{member.person_id}"
            names = [f"{prefix}-seen"]
            self.fields[f"{prefix}-seen"] = forms.BooleanField(
                label=f"{member.person.full_name} was seen", required=False
            )
            for item in check.items:
                name = f"{prefix}-{item.id}"
                names.append(name)
                if item.kind == "choice":
                    self.fields[name] = forms.ChoiceField(
                        label=item.text,
                        required=False,
                        choices=[("", "Not asked"), *((c, c) for c in item.choices)],
                    )
                else:
                    self.fields[name] = forms.CharField(label=item.text, required=False, max_length=10)
            for suffix, field in (
                ("need", forms.BooleanField(label="A need was found", required=False)),
                ("need_note", forms.CharField(label="What need", required=False, max_length=500)),
                ("refer", forms.BooleanField(label="Refer to the link-worker team", required=False)),
                ("consent", forms.BooleanField(label="They agreed to be referred", required=False)),
            ):
                self.fields[f"{prefix}-{suffix}"] = field
                names.append(f"{prefix}-{suffix}")
            self.member_fields.append((member, names))

    def bound_member_fields(self) -> list[tuple[Member, list[forms.BoundField]]]:
        return [(member, [self[name] for name in names]) for member, names in self.member_fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for member, _ in self.member_fields:
            prefix = f"m{member.person_id}"
            if cleaned.get(f"{prefix}-refer") and not cleaned.get(f"{prefix}-consent"):
                self.add_error(
                    f"{prefix}-consent",
                    f"Ask {member.person.full_name} first: a referral needs their consent.",
                )
            if cleaned.get(f"{prefix}-seen") and cleaned.get("outcome") != VisitOutcome.DONE:
                self.add_error(
                    f"{prefix}-seen", "Nobody is seen at a visit that was refused or found nobody in."
                )
        return cleaned

    def seen(self) -> list[dict[str, Any]]:
        check = definitions.wellbeing_check()
        result = []
        for member, _ in self.member_fields:
            prefix = f"m{member.person_id}"
            if not self.cleaned_data.get(f"{prefix}-seen"):
                continue
            result.append(
                {
                    "person_id": member.person_id,
                    "answers": {
                        item.id: self.cleaned_data.get(f"{prefix}-{item.id}") or "" for item in check.items
                    },
                    "need_found": bool(self.cleaned_data.get(f"{prefix}-need")),
                    "need_note": self.cleaned_data.get(f"{prefix}-need_note") or "",
                    "refer": bool(self.cleaned_data.get(f"{prefix}-refer")),
                    "consents_to_referral": bool(self.cleaned_data.get(f"{prefix}-consent")),
                }
            )
        return result


class StatusForm(PlainTextForm):
    status = forms.ChoiceField(choices=HouseholdStatus.choices)
    reason = forms.CharField(max_length=300, required=False)


class StopVisitsForm(PlainTextForm):
    note = forms.CharField(
        label="Anything you would like us to know (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )


class CsvUploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("households", "Households (reference, address, street, postcode, patch, consents_to_visits)"),
            ("gp_extract", "GP extract (nhs_number, programme, status, due_date)"),
            (
                "workers",
                "Community health workers and supervisors (email, patch, position, and for a new patch place "
                "and monthly_goal)",
            ),
        ],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label="CSV file")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 20 MB; split it.")
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The file is not UTF-8 text: save it as CSV UTF-8.") from error
