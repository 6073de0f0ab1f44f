from __future__ import annotations

from typing import Any

from django import forms

from commonweal.places.models import Area, Lsoa
from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode


class PostcodeForm(forms.Form):
    postcode = forms.CharField(
        label="Postcode",
        max_length=20,
        help_text="For example, M33 7AA",
        error_messages={"required": "Enter a postcode"},
    )

    def clean_postcode(self) -> str:
        try:
            return normalise_postcode(self.cleaned_data["postcode"])
        except MalformedPostcodeError as error:
            raise forms.ValidationError(str(error)) from error


class NeighbourhoodForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, error_messages={"required": "Enter the neighbourhood's name"}
    )
    description = forms.CharField(
        label="How residents describe it", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lsoas = forms.ModelMultipleChoiceField(
        label="Areas (LSOAs) in this neighbourhood",
        queryset=Lsoa.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one area (LSOA) for the neighbourhood"},
    )

    def __init__(self, *args: Any, borough: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["lsoas"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = borough.lsoas.order_by("name")
        field.label_from_instance = lambda obj: f"{obj.name} ({obj.code})"  # type: ignore[method-assign]
