from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from commonweal.accounts.models import Role
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
