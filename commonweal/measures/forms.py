"""Forms built from an instrument definition (one field per question), and the staff forms around them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone

from commonweal.measures import conf, registry
from commonweal.measures.definitions import InstrumentDefinition, Item
from commonweal.measures.scoring import AnswerValue


def _number_text(value: Decimal) -> str:
    return f"{value.normalize():f}"


def question_hint(item: Item, language: str) -> str:
    """Say what a number question accepts, in words (e.g. "0 means not at all, 10 means completely")."""
    if item.item_type == "choice":
        return ""
    assert item.minimum is not None and item.maximum is not None
    low, high = _number_text(item.minimum), _number_text(item.maximum)
    if item.anchor_minimum is not None and item.anchor_maximum is not None:
        return (
            f"Enter a number from {low} to {high}. {low} means "
            f"'{item.anchor_minimum.in_language(language)}' and {high} means "
            f"'{item.anchor_maximum.in_language(language)}'."
        )
    places = f", with up to {item.decimals} decimal places" if item.item_type == "decimal" else ""
    return f"Enter a number from {low} to {high}{places}."


class NumberAnswerField(forms.CharField):
    """A number answer checked against the item's range (and decimal places), with a plain message."""

    def __init__(self, item: Item, number: int, **kwargs: Any) -> None:
        self.item = item
        self.number = number
        mode = "decimal" if item.item_type == "decimal" else "numeric"
        super().__init__(
            widget=forms.TextInput(attrs={"inputmode": mode, "data-width": "4", "autocomplete": "off"}),
            **kwargs,
        )

    def clean(self, value: Any) -> Decimal | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        item = self.item
        assert item.minimum is not None and item.maximum is not None
        low, high = _number_text(item.minimum), _number_text(item.maximum)
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise forms.ValidationError(
                f"Enter a number from {low} to {high} for question {self.number}"
            ) from error
        if not number.is_finite():
            raise forms.ValidationError(f"Enter a number from {low} to {high} for question {self.number}")
        if item.item_type == "integer" and number != number.to_integral_value():
            raise forms.ValidationError(
                f"Enter a whole number from {low} to {high} for question {self.number}"
            )
        exponent = number.as_tuple().exponent
        if item.item_type == "decimal" and isinstance(exponent, int) and -exponent > item.decimals:
            raise forms.ValidationError(
                f"Enter the number for question {self.number} with at most {item.decimals} decimal places"
            )
        if not item.minimum <= number <= item.maximum:
            raise forms.ValidationError(f"Enter a number from {low} to {high} for question {self.number}")
        return number


class AnswersForm(forms.Form):
    """One field per question of a definition (or of the chosen questions), in the person's language.

    With `require_all`, every required question must be answered (for submitting); without it, any
    answers given are saved and the rest stay open (for "save and come back later").
    """

    def __init__(
        self,
        *args: Any,
        definition: InstrumentDefinition,
        language: str,
        numbers: Sequence[int] | None = None,
        require_all: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.language = language
        self.require_all = require_all
        chosen = numbers or range(1, len(definition.items) + 1)
        self.numbered: list[tuple[int, Item]] = [(number, definition.items[number - 1]) for number in chosen]
        for number, item in self.numbered:
            label = item.wording(language)
            if len(self.numbered) > 1:
                label = f"{number}. {label}"
            if item.item_type == "choice":
                self.fields[item.item_id] = forms.ChoiceField(
                    label=label,
                    choices=[
                        (str(option.value), option.label.in_language(language)) for option in item.options
                    ],
                    widget=forms.RadioSelect,
                    required=False,
                    error_messages={"invalid_choice": f"Select one of the answers for question {number}"},
                )
            else:
                self.fields[item.item_id] = NumberAnswerField(
                    item, number, label=label, help_text=question_hint(item, language), required=False
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.require_all:
            for number, item in self.numbered:
                if (
                    item.required
                    and cleaned.get(item.item_id) in (None, "")
                    and item.item_id not in self.errors
                ):
                    verb = "Select an answer" if item.item_type == "choice" else "Enter an answer"
                    self.add_error(item.item_id, f"{verb} for question {number}")
        return cleaned

    def answers(self) -> dict[str, AnswerValue]:
        """Return the answers given, as values the scoring accepts (None for questions left blank)."""
        found: dict[str, AnswerValue] = {}
        for _, item in self.numbered:
            value = self.cleaned_data.get(item.item_id)
            if value in (None, ""):
                found[item.item_id] = None
            elif item.item_type == "choice":
                found[item.item_id] = int(value)
            else:
                found[item.item_id] = value
        return found


def instrument_choices(*, answerable_only: bool) -> list[tuple[str, str]]:
    """Return (code, title) of the latest version of each instrument, for a choice field."""
    choices = []
    for definition in registry.latest_definitions():
        if answerable_only and not registry.is_answerable(definition):
            continue
        title = definition.title.in_language()
        choices.append(
            (
                definition.code,
                title if definition.short_name in title else f"{title} ({definition.short_name})",
            )
        )
    return choices


class StartForm(forms.Form):
    """Choose an instrument to record now, and the language to ask it in."""

    instrument = forms.ChoiceField(
        label="Which questionnaire?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a questionnaire", "invalid_choice": "Choose a questionnaire"},
    )

    def __init__(self, *args: Any, answerable_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instrument = self.fields["instrument"]
        assert isinstance(instrument, forms.ChoiceField)
        instrument.choices = instrument_choices(answerable_only=answerable_only)


class LinkForm(StartForm):
    """Choose a questionnaire to send as a one-time link."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, answerable_only=True, **kwargs)
        self.fields["instrument"].label = "Which questionnaire should the link open?"


class ScheduleForm(forms.Form):
    """Plan a baseline and follow-ups."""

    instruments = forms.MultipleChoiceField(
        label="Questionnaires",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire"},
    )
    baseline_on = forms.DateField(
        label="Baseline date",
        help_text="Usually the day of first contact. For example, 2026-03-27.",
        widget=forms.DateInput(attrs={"type": "date", "data-width": "10"}),
        error_messages={
            "required": "Enter the baseline date",
            "invalid": "Enter a real date, like 2026-03-27",
        },
    )
    follow_up_weeks = forms.CharField(
        label="Follow-ups, in weeks after the baseline",
        help_text="Whole numbers separated by commas, for example 6, 12.",
        widget=forms.TextInput(attrs={"data-width": "10"}),
        error_messages={"required": "Enter when the follow-ups fall, for example 6, 12"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "instruments": list(conf.default_instruments()),
                "baseline_on": timezone.localdate(),
                "follow_up_weeks": ", ".join(str(week) for week in conf.follow_up_weeks()),
            },
        )
        super().__init__(*args, **kwargs)
        instruments = self.fields["instruments"]
        assert isinstance(instruments, forms.MultipleChoiceField)
        instruments.choices = instrument_choices(answerable_only=False)

    def clean_baseline_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["baseline_on"]
        if abs((day - timezone.localdate()).days) > 366:
            raise forms.ValidationError("Enter a baseline date within a year of today")
        return day

    def clean_follow_up_weeks(self) -> list[int]:
        text = self.cleaned_data["follow_up_weeks"]
        words = [word.strip() for word in text.replace(";", ",").split(",") if word.strip()]
        try:
            weeks = [int(word) for word in words]
        except ValueError as error:
            raise forms.ValidationError(
                "Enter whole numbers of weeks separated by commas, for example 6, 12"
            ) from error
        if not weeks or any(week < 1 or week > 104 for week in weeks) or weeks != sorted(set(weeks)):
            raise forms.ValidationError(
                "Enter different numbers of weeks from 1 to 104, smallest first, for example 6, 12"
            )
        return weeks


class CorrectionReasonForm(forms.Form):
    """Why a submitted response is being corrected."""

    reason = forms.CharField(
        label="Why are you correcting these answers?",
        help_text="This is kept with both versions, and anyone who can see the answers can read it.",
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
        error_messages={
            "required": "Enter why the answers are being corrected",
            "min_length": "Give a fuller reason (at least 10 characters)",
        },
    )


class AcknowledgeForm(forms.Form):
    """Acknowledge a safety alert with the action taken."""

    action_taken = forms.CharField(
        label="What action did you take?",
        help_text="For example: phoned the person, agreed a safety plan, contacted their GP or crisis team.",
        widget=forms.Textarea(attrs={"rows": 4}),
        min_length=10,
        max_length=2000,
        error_messages={
            "required": "Enter the action you took",
            "min_length": "Say more about the action you took (at least 10 characters)",
        },
    )


class LanguageForm(forms.Form):
    """Choose the language to answer in, where a checked translation exists."""

    language = forms.ChoiceField(label="Language", widget=forms.RadioSelect)

    def __init__(self, *args: Any, definition: InstrumentDefinition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [(tag, registry.language_name(tag)) for tag in definition.languages]
