"""Directory forms: search, an entry, a suggestion, a review and an import."""

from __future__ import annotations

from typing import Any

from django import forms

from commonweal.directory.actions import (
    EntryError,
    parse_sessions,
    service_schedules,
    session_line,
    sessions_of,
)
from commonweal.directory.importers import upload_problem
from commonweal.directory.models import Accessibility, ImportRun, Service, TaxonomyTerm
from commonweal.directory.search.schedule import DAY_NAMES
from commonweal.directory.taxonomy import builtin_taxonomy
from commonweal.ui.forms import LONG_TEXT_MAX, SHORT_TEXT_MAX

RADIUS_CHOICES = [
    ("1", "1 km"),
    ("2", "2 km"),
    ("5", "5 km"),
    ("10", "10 km"),
    ("25", "25 km"),
    ("", "Any distance"),
]
DAY_CHOICES = [("", "Any day"), *DAY_NAMES.items()]
PART_CHOICES = [("", "Any time"), ("morning", "Morning"), ("afternoon", "Afternoon"), ("evening", "Evening")]


def top_level_terms() -> list[tuple[str, str]]:
    """Return the built-in taxonomy's top-level terms as choices."""
    taxonomy = builtin_taxonomy()
    if taxonomy is None:
        return []
    return [
        (str(pk), name)
        for pk, name in TaxonomyTerm.objects.filter(taxonomy=taxonomy, parent__isnull=True)
        .order_by("name")
        .values_list("pk", "name")
    ]


def all_builtin_terms() -> list[tuple[str, str]]:
    """Return every built-in term as choices, children indented under their parents."""
    taxonomy = builtin_taxonomy()
    if taxonomy is None:
        return []
    terms = list(TaxonomyTerm.objects.filter(taxonomy=taxonomy).order_by("name"))
    choices = []
    for parent in (term for term in terms if term.parent_id is None):
        choices.append((str(parent.pk), parent.name))
        choices.extend(
            (str(child.pk), f"{parent.name}: {child.name}") for child in terms if child.parent_id == parent.pk
        )
    return choices


class SearchForm(forms.Form):
    q = forms.CharField(
        label="What are you looking for?",
        required=False,
        max_length=300,
        help_text="Say it in your own words, for example: lonely, like gardening, near M33 7AA, free",
    )
    where = forms.CharField(
        label="Near (postcode or place)",
        required=False,
        max_length=100,
        help_text="For example M33 7AA or Sale",
    )
    near_home = forms.BooleanField(label="Near my home", required=False)
    radius = forms.ChoiceField(label="Within", choices=RADIUS_CHOICES, required=False, initial="5")
    terms = forms.MultipleChoiceField(
        label="What it is about", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    day = forms.ChoiceField(label="Open on", choices=DAY_CHOICES, required=False)
    part = forms.ChoiceField(label="At", choices=PART_CHOICES, required=False)
    free = forms.BooleanField(label="Free only", required=False)
    max_cost = forms.DecimalField(
        label="Costs at most (£)", required=False, min_value=0, max_digits=7, decimal_places=2
    )
    accepting = forms.BooleanField(label="Accepting referrals or has a waiting list", required=False)
    language = forms.CharField(
        label="Language", required=False, max_length=50, help_text="For example Polish"
    )
    accessibility = forms.MultipleChoiceField(
        label="Access needs",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Accessibility.Feature.choices,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terms"].choices = top_level_terms()  # type: ignore[attr-defined]


class ServiceForm(forms.Form):
    organisation_name = forms.CharField(label="Organisation that runs it", max_length=300)
    name = forms.CharField(
        label="Name", max_length=300, error_messages={"required": "Enter the name of the service"}
    )
    description = forms.CharField(
        label="What happens there",
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    terms = forms.MultipleChoiceField(
        label="What it is about", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    location_name = forms.CharField(label="Venue", max_length=300, required=False)
    address_1 = forms.CharField(label="Address", max_length=300, required=False)
    city = forms.CharField(label="Town", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=10, required=False)
    sessions = forms.CharField(
        max_length=SHORT_TEXT_MAX,
        label="When it runs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One session per line, like: Tuesday 18:00-20:00",
    )
    cost = forms.DecimalField(
        label="Cost per session (£)",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text="0 if it is free; leave empty if you do not know",
    )
    fees_description = forms.CharField(label="About the cost", max_length=500, required=False)
    accepting_referrals = forms.ChoiceField(label="Referrals", choices=Service.Referrals.choices)
    waiting_list_band = forms.ChoiceField(
        label="How long is the waiting list?",
        choices=[("", "No waiting list"), *Service.WaitingBand.choices],
        required=False,
    )
    languages = forms.CharField(
        label="Languages",
        max_length=300,
        required=False,
        help_text="Separate them with commas: English, Polish",
    )
    accessibility = forms.MultipleChoiceField(
        label="Access",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=Accessibility.Feature.choices,
    )
    eligibility_description = forms.CharField(label="Who it is for", max_length=500, required=False)
    minimum_age = forms.IntegerField(label="Youngest age", required=False, min_value=0, max_value=130)
    maximum_age = forms.IntegerField(label="Oldest age", required=False, min_value=0, max_value=130)
    contact_name = forms.CharField(label="Contact name", max_length=200, required=False)
    contact_phone = forms.CharField(label="Contact phone", max_length=40, required=False)
    contact_email = forms.EmailField(label="Contact e-mail", required=False)
    url = forms.URLField(label="Website", required=False, assume_scheme="https")
    email = forms.EmailField(label="Service e-mail", required=False)
    status = forms.ChoiceField(label="Status", choices=Service.Status.choices, initial=Service.Status.ACTIVE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["terms"].choices = all_builtin_terms()  # type: ignore[attr-defined]

    def clean_sessions(self) -> str:
        text: str = self.cleaned_data.get("sessions", "")
        try:
            parse_sessions(text)
        except EntryError as error:
            raise forms.ValidationError(str(error)) from error
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("minimum_age"), data.get("maximum_age")
        if low is not None and high is not None and low > high:
            self.add_error("maximum_age", "The oldest age must be the same as or above the youngest age")
        if data.get("accepting_referrals") == Service.Referrals.WAITING_LIST and not data.get(
            "waiting_list_band"
        ):
            self.add_error("waiting_list_band", "Choose how long the waiting list is, or 'Unknown'")
        return data

    def entry_fields(self) -> dict[str, Any]:
        """Return the cleaned values as the directory actions take them (JSON-safe)."""
        data = dict(self.cleaned_data)
        data.pop("organisation_name", None)
        data["cost"] = "" if data.get("cost") is None else str(data["cost"])
        return data


def initial_for(service: Service) -> dict[str, Any]:
    """Return an entry's current values for the form."""
    link = service.service_at_locations.select_related("location").first()
    location = link.location if link else None
    contact = service.contacts.first()
    cost = service.cost_options.exclude(amount__isnull=True).order_by("amount").first()
    # Every session the form can show, held on the service or at one of its places (the demo's and
    # most imported entries hold them at the place): the box was empty for those, and saving lost them.
    sessions = [
        session_line(session) for schedule in service_schedules(service) for session in sessions_of(schedule)
    ]
    return {
        "organisation_name": service.organisation.name,
        "name": service.name,
        "description": service.description,
        "terms": [str(pk) for pk in service.service_terms.values_list("term_id", flat=True)],
        "location_name": location.name if location else "",
        "address_1": location.address_1 if location else "",
        "city": location.city if location else "",
        "postcode": location.postal_code if location else "",
        "sessions": "\n".join(sessions),
        "cost": cost.amount if cost else None,
        "fees_description": service.fees_description,
        "accepting_referrals": service.accepting_referrals,
        "waiting_list_band": service.waiting_list_band,
        "languages": ", ".join(service.languages.values_list("name", flat=True)),
        "accessibility": (
            list(location.accessibility.exclude(feature="").values_list("feature", flat=True))
            if location
            else []
        ),
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "contact_name": contact.name if contact else "",
        "contact_phone": contact.phone if contact else "",
        "contact_email": contact.email if contact else "",
        "url": service.url,
        "email": service.email,
        "status": service.status,
    }


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Anything the reviewer should know",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("accept", "Accept it"), ("reject", "Reject it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to accept or reject the suggestion"},
    )
    note = forms.CharField(label="Note to the person who suggested it", required=False, max_length=2000)


class ImportForm(forms.Form):
    format = forms.ChoiceField(
        label="What kind of data",
        choices=ImportRun.Format.choices,
        error_messages={"required": "Choose what kind of data you are importing"},
    )
    file = forms.FileField(
        label="File", required=False, help_text="JSON, or a zip of CSV files for a CSV package"
    )
    url = forms.URLField(label="Or a feed address", required=False, assume_scheme="https")
    taxonomy_name = forms.CharField(
        label="Taxonomy name (for a taxonomy file)",
        required=False,
        max_length=200,
        help_text="For example: LGA service types",
    )
    partial = forms.BooleanField(
        label="Keep the accepted records even if some are rejected",
        required=False,
        help_text="Without this, nothing is imported unless every record is accepted",
    )

    def clean_file(self) -> Any:
        # The size is known from the request before the file is read, so an oversized one is never read.
        upload = self.cleaned_data.get("file")
        if upload is not None and (problem := upload_problem(upload.size)):
            raise forms.ValidationError(problem)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("format")
        if kind == ImportRun.Format.ORUK3_FEED and not data.get("url"):
            self.add_error("url", "Enter the feed's address, like https://example.org/openreferral/")
        elif kind and kind != ImportRun.Format.ORUK3_FEED and not data.get("file"):
            self.add_error("file", "Choose a file to import")
        if kind == ImportRun.Format.TAXONOMY_CSV and not data.get("taxonomy_name"):
            self.add_error("taxonomy_name", "Enter the name of the taxonomy these terms belong to")
        return data
