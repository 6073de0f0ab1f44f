"""Forms for community power, one module per part."""

from __future__ import annotations

from django import forms

from commonweal.participation.errors import ParticipationError


def show_error(form: forms.Form, error: ParticipationError) -> None:
    """Put an action's refusal on the form: beside its field when the form has it, else at the top."""
    form.add_error(error.field if error.field in form.fields else None, str(error))


class DateInput(forms.DateInput):
    """A browser date picker that still accepts a typed YYYY-MM-DD date without JavaScript."""

    input_type = "date"

    def __init__(self) -> None:
        """Use the ISO format the date input sends."""
        super().__init__(format="%Y-%m-%d")
