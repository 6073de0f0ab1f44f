"""Forms for timebank pages: joining, recording and brokering transfers, group sessions, member support,
offers, requests and answers. Accounts are named by their number, shown on every statement."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from commonweal.timebank.models import Account, Bank, Category, Listing
from commonweal.ui.forms import DateInput, PlainTextForm

_MINUTES_ERRORS = {
    "required": "Enter the time in minutes",
    "invalid": "Enter the time as a whole number of minutes, for example 90",
}


def _account_number(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=12,
        help_text=help_text or "The account number on their statement",
        error_messages={"required": f"Enter the {label.lower()}"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "data-width": "10"}),
    )


def find_account(bank: Bank, text: str, *, field: str, form: forms.Form) -> Account | None:
    """Return the bank's account with this number, or put a clear message on the form."""
    number = text.strip().lstrip("#")
    account = (
        Account.objects.select_related("bank", "user").filter(bank=bank, pk=int(number)).first()
        if number.isdigit() and len(number) < 12
        else None
    )
    if account is None:
        form.add_error(field, f"There is no account number {text.strip()} in {bank.name}.")
    return account


class TransferForm(PlainTextForm):
    """A member, organisation or guardian records an exchange their account took part in."""

    direction = forms.ChoiceField(
        label="What happened",
        choices=[("gave", "I gave help (hours come to this account)"), ("received", "I received help")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether you gave or received help"},
    )
    other = _account_number("Other account number")
    minutes = forms.IntegerField(label="Time in minutes", error_messages=_MINUTES_ERRORS)
    category = forms.ChoiceField(label="What it was for", choices=Category.choices, initial=Category.OTHER)
    reason = forms.CharField(label="A few words about it (optional)", max_length=300, required=False)
    home_exchange = forms.BooleanField(label="It took place in someone's home", required=False)


class BrokerForm(PlainTextForm):
    """A coordinator records an exchange for two members (say, members without a device)."""

    source = _account_number("Account that received help", "Their hours go out")
    destination = _account_number("Account that gave help", "Their hours come in")
    minutes = forms.IntegerField(label="Time in minutes", error_messages=_MINUTES_ERRORS)
    category = forms.ChoiceField(label="What it was for", choices=Category.choices, initial=Category.OTHER)
    reason = forms.CharField(label="A few words about it (optional)", max_length=300, required=False)


class SessionForm(PlainTextForm):
    """A group activity given by one account to many."""

    provider = _account_number("Account that ran the session")
    participants = forms.CharField(
        label="Participants' account numbers",
        help_text="Separated by commas or spaces",
        max_length=2000,
        error_messages={"required": "Enter who took part"},
    )
    title = forms.CharField(
        label="Session", max_length=150, error_messages={"required": "Give the session a title"}
    )
    minutes_each = forms.IntegerField(label="Minutes for each participant", error_messages=_MINUTES_ERRORS)
    category = forms.ChoiceField(label="What it was for", choices=Category.choices, initial=Category.EVENTS)


class JoinForm(PlainTextForm):
    """The coordinator records the joining interview and references."""

    interviewed_on = forms.DateField(
        label="Interviewed on",
        widget=DateInput,
        error_messages={
            "required": "Enter the date of the interview",
            "invalid": "Enter a real date, for example 2026-03-31",
        },
    )
    interview_notes = forms.CharField(
        label="What was said at the interview",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Record what was said at the interview"},
    )
    references = forms.CharField(
        label="References",
        help_text="Who gave references, and when",
        max_length=1000,
        error_messages={"required": "Record who gave references, and when"},
    )
    dbs_checked_on = forms.DateField(
        label="DBS check on (where the bank needs one)",
        widget=DateInput,
        required=False,
        error_messages={"invalid": "Enter a real date, for example 2026-03-31"},
    )


class SupportForm(PlainTextForm):
    """A member's own limit, support flag and guardian."""

    limit_minutes = forms.IntegerField(
        label="Own limit in minutes (leave empty for the bank's)",
        required=False,
        min_value=0,
        error_messages={
            "invalid": "Enter the limit as a whole number of minutes",
            "min_value": "Enter zero or more",
        },
    )
    needs_support = forms.BooleanField(label="Needs support: home exchanges need my approval", required=False)
    guardian_email = forms.EmailField(
        label="Guardian's e-mail address (optional)",
        required=False,
        help_text="They must have signed in before",
    )


class ListingForm(PlainTextForm):
    """An offer of help or a request for it."""

    kind = forms.ChoiceField(label="Offer or request", choices=Listing.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label="Title", max_length=120, error_messages={"required": "Give a short title"})
    description = forms.CharField(
        label="Description", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )
    category = forms.ChoiceField(label="Category", choices=Category.choices)
    expires_on = forms.DateField(
        label="Open until",
        widget=DateInput,
        error_messages={
            "required": "Enter a closing date",
            "invalid": "Enter a real date, for example 2026-03-31",
        },
    )
    group_activity = forms.BooleanField(label="A group activity", required=False)


class AnswerForm(PlainTextForm):
    """Answer a post through the bank (no contact details pass until the poster agrees)."""

    message = forms.CharField(
        label="Your message",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Write a short message"},
    )


class SearchForm(forms.Form):
    """Browse the bank's offers and requests."""

    q = forms.CharField(label="Words", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Show", choices=[("", "Offers and requests"), *Listing.Kind.choices], required=False
    )
    category = forms.ChoiceField(label="Category", choices=[("", "Any"), *Category.choices], required=False)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {key: value for key, value in self.cleaned_data.items() if value}


def parse_numbers(text: str) -> list[str]:
    """Split a list of account numbers typed with commas or spaces."""
    return [part for part in text.replace(",", " ").split() if part]


def date_at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
