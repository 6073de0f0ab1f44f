"""Form pieces every app uses: the NHS.UK renderer, a date input, a place chooser, and an action's refusal
shown on its form."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.renderers import DjangoTemplates

from commonweal.places.models import Area

# The longest free text a form takes: a long account in someone's own words, and a shorter note.
LONG_TEXT_MAX = 5000
SHORT_TEXT_MAX = 3000


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


def cap_length(field: forms.Field, limit: int) -> None:
    """Give a text field of a model form (whose model field is an unbounded TextField) a maximum length,
    checked like a declared max_length and shown to the browser."""
    field.max_length = limit  # type: ignore[attr-defined]
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
