from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import timezone

from commonweal.accounts import actions, queries
from commonweal.accounts.models import Role, User
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area


class SignInForm(AuthenticationForm):
    """E-mail and password; the error does not say which of the two was wrong."""

    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. Both are case-sensitive.",
        "inactive": "This account has been closed. Contact your administrator.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "E-mail address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["username"].error_messages["required"] = "Enter your e-mail address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class GrantRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=[("", "Choose a role"), *Role.choices])
    organisation = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.filter(is_active=True),
        required=False,
        empty_label="No organisation",
    )
    area = forms.ModelChoiceField(
        label="Place", queryset=Area.objects.all(), required=False, empty_label="No place"
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("organisation") and not cleaned.get("area"):
            raise forms.ValidationError("Choose the organisation or the place this role is held in")
        if cleaned.get("organisation") and cleaned.get("area"):
            # A role is held in one of them; taking one and dropping the other without a word would
            # grant a different scope from the one the administrator meant.
            raise forms.ValidationError(
                "Choose an organisation or a place, not both: a role is held in one of them"
            )
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="What is this token for?",
        max_length=100,
        help_text="For example: nightly referrals export",
        error_messages={"required": "Enter what the token is for"},
    )


class UserSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or e-mail", required=False, max_length=100)


class CodeForm(forms.Form):
    """A code from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        strip=True,
        error_messages={"required": "Enter the code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args: Any, label: str = "Code", help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = label
        self.fields["code"].help_text = help_text


class PasskeyForm(forms.Form):
    """Name a new passkey; the browser's answer travels in a hidden field that the script fills."""

    name = forms.CharField(
        label="Name this passkey",
        max_length=100,
        help_text="For example: my work laptop",
        error_messages={"required": "Enter a name for the passkey"},
    )
    passkey_response = forms.CharField(widget=forms.HiddenInput, max_length=20_000, required=False)


class LimitedPasswordResetForm(PasswordResetForm):
    """Send at most PASSWORD_RESET_EMAILS_PER_HOUR reset e-mails to one account in an hour; the page after
    it reads the same whether an e-mail went or not."""

    def get_users(self, email: str) -> Iterator[User]:
        since = timezone.now() - datetime.timedelta(hours=1)
        for user in super().get_users(email):
            if queries.password_reset_emails_since(user, since) < settings.PASSWORD_RESET_EMAILS_PER_HOUR:
                actions.note_password_reset_email(user=user)
                yield user
