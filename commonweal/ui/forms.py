"""Form pieces every app uses: the NHS.UK renderer, a date input, a place chooser, and an action's refusal
shown on its form."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.forms.renderers import DjangoTemplates

from commonweal.places.models import Area


class NhsukFormRenderer(DjangoTemplates):
    """Form and field templates in the NHS.UK style; widgets keep Django's own templates."""

    form_template_name = "ui/forms/form.html"
    field_template_name = "ui/forms/field.html"


class DateInput(forms.DateInput):
    """A browser date picker that still accepts a typed YYYY-MM-DD date without JavaScript."""

    input_type = "date"

    def __init__(self) -> None:
        """Use the ISO format the date input sends."""
        super().__init__(format="%Y-%m-%d")


def show_error(form: forms.Form, error: Exception) -> None:
    """Put an action's refusal on the form: beside its field (`error.field`) when the form has it, else
    at the top."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))


def place_field(places: Iterable[Area]) -> forms.ModelChoiceField[Area]:
    """A required choice of one of the given places, broadest first, each named with its kind."""
    field: forms.ModelChoiceField[Area] = forms.ModelChoiceField(
        label="Place",
        queryset=Area.objects.filter(pk__in=[place.pk for place in places]).order_by("kind", "name"),
        empty_label="Choose a place",
        error_messages={"required": "Choose the place", "invalid_choice": "Choose one of your places"},
    )
    field.label_from_instance = lambda obj: f"{obj.name} ({obj.get_kind_display().lower()})"  # type: ignore[method-assign]
    return field
