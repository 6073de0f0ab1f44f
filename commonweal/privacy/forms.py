"""Forms for erasure on request."""

from __future__ import annotations

from django import forms

from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number


class FindPersonForm(forms.Form):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        help_text="The NHS number of the person who asked for their data to be erased",
        error_messages={"required": "Enter the person's NHS number"},
    )

    def clean_nhs_number(self) -> str:
        try:
            return normalise_nhs_number(self.cleaned_data["nhs_number"])
        except InvalidNhsNumberError as error:
            raise forms.ValidationError(str(error)) from error


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label="Why the request is granted",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The request (who asked, when and how) and why the law allows it. It is kept in the audit.",
        error_messages={"required": "Say why the request is granted"},
    )
    confirm = forms.BooleanField(
        label="I understand the person's details will be removed and cannot be brought back",
        error_messages={"required": "Confirm that the details will be removed for good"},
    )
