"""Form pieces every app uses: the NHS.UK renderer, a date input, a place chooser, and an action's refusal
shown on its form."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.forms.renderers import DjangoTemplates

from commonweal.places.models import Area

# Invisible characters that are kept: joiners some scripts need inside words (Persian, Indic, emoji).
_KEPT_INVISIBLE = frozenset("\u200c\u200d")
# Control characters a multi-line text may hold.
_KEPT_IN_LINES = frozenset("\t\n\r")


def without_controls(text: str, *, multiline: bool = False) -> str:
    """Return the text without control and invisible format characters.

    Removed: C0 and C1 controls (NUL, escape...; tabs and line breaks are kept in multi-line text) and
    format characters such as zero-width spaces, the byte-order mark and the bidirectional embeddings,
    overrides and isolates (U+202A-U+202E, U+2066-U+2069) that make text read differently from what is
    stored. The zero-width joiner and non-joiner stay: some scripts need them inside words.
    """
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc" and not (multiline and char in _KEPT_IN_LINES):
            continue
        if category == "Cf" and char not in _KEPT_INVISIBLE:
            continue
        kept.append(char)
    return "".join(kept)


def has_letter(text: str) -> bool:
    """Tell whether the text has at least one letter (a name of only spaces or marks has none)."""
    return any(unicodedata.category(char).startswith("L") for char in text)


class PlainTextForm(forms.Form):
    """A form whose text fields never take control or invisible format characters (see
    `without_controls`): they are taken out of what was typed before the fields are cleaned."""

    def full_clean(self) -> None:
        """Take control characters out of every text field's data, then clean as usual."""
        if self.is_bound:
            data: Any = self.data.copy()  # type: ignore[attr-defined]
            for name, field in self.fields.items():
                if not isinstance(field, forms.CharField):
                    continue
                key = self.add_prefix(name)
                multiline = isinstance(field.widget, forms.Textarea)
                if hasattr(data, "getlist"):
                    values = data.getlist(key)
                    if values:
                        data.setlist(
                            key,
                            [
                                without_controls(value, multiline=multiline)
                                if isinstance(value, str)
                                else value
                                for value in values
                            ],
                        )
                elif isinstance(data.get(key), str):
                    data[key] = without_controls(data[key], multiline=multiline)
            self.data = data
        super().full_clean()


class NameField(forms.CharField):
    """A person's name: refused (as if empty) when it has no letter once invisible characters are out."""

    def validate(self, value: Any) -> None:
        """Refuse a name that is only spaces, marks or invisible characters."""
        super().validate(value)
        if value and not has_letter(without_controls(value)):
            raise forms.ValidationError(self.error_messages["required"], code="required")


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


class MemorableDateInput(forms.Widget):
    """The NHS.UK date input, three boxes (day, month, year), for dates people know by heart such as a
    date of birth: a browser's date picker shows the order of its own locale (mm/dd/yyyy in many an
    en-GB browser) and is slow to reach a year long past. Rendered by ui/forms/field.html.

    What was typed comes back as "YYYY-MM-DD" for the DateField to read, or to refuse as not a real
    date, and goes back into the three boxes unchanged. A single value under the field's own name (as
    older pages and scripts send, 1961-07-14) is still read.
    """

    PARTS = ("day", "month", "year")

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:
            return data.get(name)
        day, month, year = (str(data.get(f"{name}_{part}", "")).strip() for part in self.PARTS)
        if not (day or month or year):
            return ""
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}_{part}" in data for part in self.PARTS)

    @staticmethod
    def parts(value: Any) -> dict[str, str]:
        """Split a date, or what was typed, into the day, month and year boxes' values."""
        if isinstance(value, datetime.date):
            return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
        pieces = str(value or "").split("-", 2)
        if len(pieces) != 3:
            return {"day": "", "month": "", "year": ""}
        year, month, day = pieces
        return {"day": day, "month": month, "year": year}


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
