"""Forms of the evidence pages: dashboard filters, stories with consent, SROI entries and alliances."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from commonweal.evidence.breakdowns import month_label, months_between
from commonweal.evidence.indicators import INDICATORS
from commonweal.evidence.models import (
    Dashboard,
    SroiAnalysis,
    SroiOutcome,
    SroiStakeholder,
    Story,
)
from commonweal.evidence.queries import Catalogue, Filters, default_period, measure_choices
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from commonweal.ui.forms import LONG_TEXT_MAX, SHORT_TEXT_MAX, DateInput, cap_length

QUINTILE_CHOICES = [
    ("", "Every level of deprivation"),
    ("1", "Quintile 1 (most deprived fifth)"),
    ("2", "Quintile 2"),
    ("3", "Quintile 3"),
    ("4", "Quintile 4"),
    ("5", "Quintile 5 (least deprived fifth)"),
]


class QuickSelect(forms.Select):
    """A select whose options are written directly rather than through a template each: a filter may list
    a thousand organisations."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
            f"{escape(str(label))}</option>"
            for key, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final)}>{options}</select>")  # noqa: S308 - every value is escaped


def _choices(field: forms.Field, choices: Any) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _choice_messages(what: str) -> dict[str, str]:
    return {"invalid_choice": f"Choose {what} from the list."}


class FilterForm(forms.Form):
    """What a dashboard shows: a period of whole months, a place, an organisation, a deprivation group."""

    period_from = forms.ChoiceField(
        label="From", widget=QuickSelect, error_messages=_choice_messages("a first month")
    )
    period_to = forms.ChoiceField(
        label="To", widget=QuickSelect, error_messages=_choice_messages("a last month")
    )
    neighbourhood = forms.ChoiceField(
        label="Place", required=False, widget=QuickSelect, error_messages=_choice_messages("a neighbourhood")
    )
    organisation = forms.ChoiceField(
        label="Organisation",
        widget=QuickSelect,
        required=False,
        help_text="The social prescribing team for referrals and outcomes; the organisation running the "
        "service for connections.",
        error_messages=_choice_messages("an organisation"),
    )
    quintile = forms.ChoiceField(
        label="Deprivation (IMD 2019)",
        required=False,
        choices=QUINTILE_CHOICES,
        error_messages=_choice_messages("a deprivation quintile"),
    )

    def __init__(self, data: Any, *, catalogue: Catalogue, providers: bool = False) -> None:
        self.catalogue = catalogue
        period = default_period(catalogue)
        initial = {}
        if period is not None:
            initial = {"period_from": str(period[0]), "period_to": str(period[1])}
        # Only the filter's own fields count: other query parameters (the score) are not a submission.
        submitted = data if data and any(name in data for name in self.base_fields) else None
        if submitted is not None:
            submitted = submitted.copy()
            for name, value in initial.items():
                submitted.setdefault(name, value)
        super().__init__(submitted, initial=initial)
        months = []
        if catalogue.first_month is not None and catalogue.last_month is not None:
            months = months_between(catalogue.first_month, catalogue.last_month)
        month_choices = [(str(month), month_label(month)) for month in months]
        _choices(self.fields["period_from"], month_choices)
        _choices(self.fields["period_to"], month_choices)
        places = Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).order_by("name")
        self.neighbourhoods = {area.code: area for area in places}
        _choices(
            self.fields["neighbourhood"], [("", "Every place")] + [(area.code, area.name) for area in places]
        )
        listed = catalogue.providers if providers else catalogue.teams
        _choices(
            self.fields["organisation"],
            [("", "Every organisation")] + [(str(pk), name) for pk, name in listed],
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("period_from"), cleaned.get("period_to")
        if first and last and int(first) > int(last):
            self.add_error("period_to", "The period must end in or after the month it starts.")
        return cleaned

    def filters(self) -> Filters | None:
        """Return the filters: the valid submitted ones, the defaults when nothing was submitted."""
        if self.is_bound:
            if not self.is_valid():
                return None
            data = self.cleaned_data
        else:
            period = default_period(self.catalogue)
            if period is None:
                return None
            data = {"period_from": str(period[0]), "period_to": str(period[1])}
        return Filters(
            first_month=int(data["period_from"]),
            last_month=int(data["period_to"]),
            neighbourhood=self.neighbourhoods.get(data.get("neighbourhood") or ""),
            organisation=Organisation.objects.filter(pk=int(data["organisation"])).first()
            if data.get("organisation")
            else None,
            imd_quintile=int(data["quintile"]) if data.get("quintile") else None,
        )


class ScoreForm(forms.Form):
    """Which outcome score the outcome dashboard shows."""

    score = forms.ChoiceField(label="Outcome score", error_messages=_choice_messages("an outcome score"))

    def __init__(self, data: Any) -> None:
        super().__init__(data if data and "score" in data else None)
        _choices(self.fields["score"], measure_choices())

    def chosen(self) -> str | None:
        """The chosen score (the first, UCLA-3, when none was asked for), or None when the choice is wrong."""
        if not self.is_bound:
            return measure_choices()[0][0]
        return str(self.cleaned_data["score"]) if self.is_valid() else None


class RefreshForm(forms.Form):
    """Nothing to fill in: the button asks for the figures to be brought up to date."""


# ------------------------------------------------------------------------------------------ stories


class StoryForm(forms.ModelForm):
    """A story for a dashboard, with the consent the person gave."""

    confirmed = forms.BooleanField(
        label="The person agreed that these words may be shown to commissioners and analysts on Commonweal "
        "as evidence, and I have left out anything that could identify them",
        error_messages={"required": "Confirm that the person agreed, and that nothing could identify them."},
    )

    class Meta:
        model = Story
        fields = [
            "dashboard",
            "chart",
            "title",
            "text",
            "source",
            "place",
            "told_on",
            "consent_method",
            "consent_given_on",
        ]
        labels = {
            "dashboard": "Dashboard",
            "chart": "Chart",
            "title": "A short title",
            "text": "The story, in the person's own words",
            "source": "Where it was told",
            "place": "Neighbourhood",
            "told_on": "When it was told",
            "consent_method": "How the person gave their consent",
            "consent_given_on": "When they gave it",
        }
        help_texts = {"text": "No names, addresses or details that could identify anyone."}
        widgets = {
            "told_on": DateInput(),
            "consent_given_on": DateInput(),
            "consent_method": forms.RadioSelect,
            "source": forms.RadioSelect,
        }

    def __init__(self, *args: Any, charts: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap_length(self.fields["text"], LONG_TEXT_MAX)
        _choices(self.fields["dashboard"], Dashboard.choices)
        self.fields["chart"] = forms.ChoiceField(
            label="Chart", required=False, choices=[("", "The whole page"), *(charts or [])]
        )
        place = self.fields["place"]
        assert isinstance(place, forms.ModelChoiceField)
        place.queryset = Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).order_by("name")
        place.empty_label = "Not about one neighbourhood"

    def clean_told_on(self) -> Any:
        told_on = self.cleaned_data["told_on"]
        if told_on > timezone.localdate():
            raise forms.ValidationError("The story cannot have been told in the future.")
        return told_on

    def clean_consent_given_on(self) -> Any:
        given = self.cleaned_data["consent_given_on"]
        if given > timezone.localdate():
            raise forms.ValidationError("The consent cannot have been given in the future.")
        return given


class WithdrawStoryForm(forms.Form):
    """The person withdrew their consent."""

    note = forms.CharField(
        label="Note (optional)", required=False, max_length=300, help_text="For example, how they told us."
    )


# --------------------------------------------------------------------------------------------- SROI


class AnalysisForm(forms.ModelForm):
    """The scope, period and discount rate of an SROI analysis."""

    class Meta:
        model = SroiAnalysis
        fields = ["name", "scope", "organisation", "period_start", "period_end", "discount_rate"]
        labels = {
            "organisation": "Organisation (optional)",
            "period_start": "Period starts",
            "period_end": "Period ends",
            "discount_rate": "Discount rate (%)",
        }
        help_texts = {
            "organisation": "Counts from questionnaire answers are limited to this social prescribing team.",
            "discount_rate": "3.5% is HM Treasury's Green Book rate.",
        }
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap_length(self.fields["scope"], SHORT_TEXT_MAX)
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.empty_label = "Every organisation"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period must end on or after the day it starts.")
        return cleaned


class StakeholderForm(forms.Form):
    """A stakeholder of an analysis."""

    name = forms.CharField(label="Stakeholder", max_length=150)
    description = forms.CharField(
        label="Who they are (optional)",
        required=False,
        max_length=SHORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _stakeholder_field(analysis: SroiAnalysis) -> forms.ModelChoiceField[SroiStakeholder]:
    return forms.ModelChoiceField(
        queryset=analysis.stakeholders.order_by("pk"),
        label="Stakeholder",
        empty_label=None,
        error_messages={
            "invalid_choice": "Choose one of this analysis's stakeholders.",
            "required": "Choose a stakeholder.",
        },
    )


class InputForm(forms.Form):
    """An input (an investment)."""

    description = forms.CharField(label="What was invested", max_length=200)
    value = forms.DecimalField(label="Value (£)", min_value=Decimal("0"), max_digits=14, decimal_places=2)

    def __init__(self, *args: Any, analysis: SroiAnalysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"stakeholder": _stakeholder_field(analysis), **self.fields}


class OutcomeForm(forms.ModelForm):
    """An outcome with its indicator, quantity or measure, financial proxy and assumptions."""

    class Meta:
        model = SroiOutcome
        fields = [
            "stakeholder",
            "name",
            "indicator",
            "measure",
            "improvement",
            "quantity",
            "proxy_value",
            "proxy_source",
            "duration_years",
            "deadweight",
            "displacement",
            "attribution",
            "drop_off",
        ]
        labels = {
            "name": "Outcome",
            "indicator": "Indicator",
            "measure": "Count it from questionnaire answers (optional)",
            "improvement": "Points of improvement that count",
            "quantity": "Quantity (people or units)",
            "duration_years": "Duration (years)",
        }
        help_texts = {
            "quantity": "Leave blank when the quantity is counted from questionnaire answers.",
            "improvement": "For example 2: a score 2 or more points better at the latest answer.",
            "deadweight": "How much would have happened anyway.",
            "displacement": "How much displaced other good outcomes.",
            "attribution": "How much is owed to others.",
            "drop_off": "How much the outcome falls each year after the first.",
        }

    def __init__(self, *args: Any, analysis: SroiAnalysis, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"] = _stakeholder_field(analysis)
        self.fields["measure"] = forms.ChoiceField(
            label="Count it from questionnaire answers (optional)",
            required=False,
            choices=[("", "No: I will type the quantity"), *measure_choices()],
            error_messages=_choice_messages("a questionnaire score"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("measure"):
            cleaned["quantity"] = None
            if cleaned.get("improvement") is None and "improvement" not in self.errors:
                self.add_error("improvement", "Say how many points of improvement count.")
        else:
            cleaned["improvement"] = None
            if cleaned.get("quantity") is None and "quantity" not in self.errors:
                self.add_error(
                    "quantity", "Give the quantity, or choose a questionnaire score to count it from."
                )
        return cleaned


# ---------------------------------------------------------------------------------------- alliances


class AllianceForm(forms.Form):
    """An alliance's name, purpose and member organisations."""

    name = forms.CharField(label="Name of the alliance", max_length=200)
    description = forms.CharField(
        label="What the alliance is for (optional)",
        required=False,
        max_length=SHORT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    members = forms.ModelMultipleChoiceField(
        label="Member organisations",
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the organisations in the alliance.",
            "invalid_choice": "Choose organisations from the list.",
        },
    )


class SharedOutcomeForm(forms.Form):
    """An indicator the alliance agreed, with its target."""

    indicator = forms.ChoiceField(
        label="Indicator",
        choices=[(code, indicator.label) for code, indicator in INDICATORS.items()],
        error_messages=_choice_messages("an indicator"),
    )
    target = forms.DecimalField(
        label="Target",
        max_digits=8,
        decimal_places=2,
        help_text="A percentage, or a change in points for a score.",
    )
    neighbourhood = forms.ModelChoiceField(
        label="Place",
        required=False,
        queryset=Area.objects.filter(kind=Area.Kind.NEIGHBOURHOOD).order_by("name"),
        empty_label="Every place",
        error_messages=_choice_messages("a neighbourhood"),
    )
    imd_quintile = forms.TypedChoiceField(
        label="Deprivation (IMD 2019)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=QUINTILE_CHOICES,
        error_messages=_choice_messages("a deprivation quintile"),
    )
    agreed_on = forms.DateField(label="Agreed on", widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        indicator = INDICATORS.get(cleaned.get("indicator") or "")
        target = cleaned.get("target")
        if indicator is not None and target is not None and not indicator.accepts(target):
            self.add_error("target", indicator.target_message)
        return cleaned
